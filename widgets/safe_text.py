"""Outside text on screen (names, values, paths, server answers): shown as it is, never read as
markup, with control characters written out as escapes (`\\x1b`) so that a userName carrying
an escape sequence cannot clear or retitle the admin's terminal, nor a bidi override reorder a
line."""

from __future__ import annotations

import re

from rich.text import Text

# C0 and C1 controls, DEL, and the invisible format characters that change how a line reads
# (bidi overrides and isolates, zero-width space, byte order mark, line/paragraph separators).
_INVISIBLE = "\u200b\u200e\u200f\u202a-\u202e\u2028\u2029\u2060\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")
_CONTROL_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """One line: every control character (newlines too) written as an escape."""
    return _CONTROL.sub(_escape, text)


def printable_lines(text: str) -> str:
    """As `printable`, keeping newlines: for messages of several lines."""
    return _CONTROL_BUT_NEWLINE.sub(_escape, text)


def plain(text: str, style: str = "") -> Text:
    """A Rich Text of outside text: no markup, control characters escaped."""
    return Text(printable_lines(text), style=style)
