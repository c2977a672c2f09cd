"""Outside text on screen (names, values, paths, server answers): shown as it is, never read as
markup, with control characters written out as escapes (`\\x1b`) so that a userName carrying
an escape sequence cannot clear or retitle the admin's terminal, nor a bidi override reorder a
line."""

from __future__ import annotations

import re

from rich.cells import cell_len, set_cell_size
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


NAME_WIDTH = 40  # the widest a name is shown in a compact table or list, in terminal cells


def clipped(text: str, width: int) -> str:
    """As `printable`, cut to `width` terminal cells with "…" marking the cut: a name in a compact
    table or list, where one 500-character office would push every other column out of view."""
    shown = printable(text)
    return shown if cell_len(shown) <= width else set_cell_size(shown, width - 1) + "…"


def printable_lines(text: str) -> str:
    """As `printable`, keeping newlines: for messages of several lines."""
    return _CONTROL_BUT_NEWLINE.sub(_escape, text)


def plain(text: str, style: str = "") -> Text:
    """A Rich Text of outside text: no markup, control characters escaped."""
    return Text(printable_lines(text), style=style)
