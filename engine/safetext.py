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
