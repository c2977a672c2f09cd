"""Outside text made safe to show: control characters escaped, so a name carrying an escape
sequence cannot retitle, clear or recolour the admin's terminal."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the format characters that reorder or hide text (bidi
# overrides and isolates, zero-width joiners, the BOM): what `str.isprintable` flags, less
# ordinary letters of other scripts, which it accepts anyway.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control and invisible format character written as `\\xNN` / `\\uNNNN`.
    Cheap for the usual case: a printable string is returned as it is."""
    if text.isprintable():
        return text
    return _UNSAFE.sub(_escape, text)


def excerpt(text: str, limit: int, secrets: tuple[str, ...] = ()) -> str:
    """A server's words as the admin may see them: every secret masked first (a server may echo
    the request's headers, and a cut must not leave half a token), one line, control characters
    escaped, at most `limit` characters."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = printable(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
