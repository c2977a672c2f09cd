"""A short list of one-line choices: one is highlighted, enter or a click picks it.

The wizard's sidebar of seven steps and step 1's six identity providers, both on the first frame.
Textual's OptionList does the same for lists of any length (wrapping, scrolling, separators,
disabled options), and its rendering and styling cost the first frame about 10 ms for these two
(issue 14). This draws each label as one line of plain text (never markup); the look and the
keys are OptionList's: ↑/↓ (wrapping round), home/end, page up/down, enter; a click picks,
the mouse highlights what it is over.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from widgets.safe_text import printable


class PickList(Widget, can_focus=True):
    """One line per label; `highlighted` is the index of the marked one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pageup", "first", "First", show=False),
        Binding("pagedown", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"pick-list--highlighted", "pick-list--hover"}
    # OptionList's look: the same borders, tint and cursor colours, focused or not.
    DEFAULT_CSS = """
    PickList {
        height: auto;
        max-height: 100%;
        color: $foreground;
        overflow: hidden hidden;
        border: tall $border-blurred;
        padding: 0 1;
        background: $surface;
        & > .pick-list--highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
            & > .pick-list--highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .pick-list--hover {
            background: $block-hover-background;
        }
    }
    """

    highlighted: reactive[int | None] = reactive(None)

    class _Moved(Message):
        """What both messages carry: the list and the index of a label."""

        def __init__(self, pick_list: PickList, index: int) -> None:
            self.pick_list = pick_list
            self.index = index
            super().__init__()

        @property
        def control(self) -> PickList:
            return self.pick_list

    class Highlighted(_Moved):
        """The highlight moved to `index` (by a key, the mouse or the code)."""

    class Selected(_Moved):
        """The label at `index` was picked (enter or a click)."""

    def __init__(self, *labels: str, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._labels = [printable(label) for label in labels]
        self._hover: int | None = None

    def label(self, index: int) -> str:
        return self._labels[index]

    def set_label(self, index: int, text: str) -> None:
        text, old = printable(text), self._labels[index]
        if text != old:
            self._labels[index] = text
            self.refresh(layout=cell_len(text) != cell_len(old))  # an auto width may change

    # -- drawing ---------------------------------------------------------------------------------
    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max(map(cell_len, self._labels), default=0)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._labels)

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if y == self.highlighted:
            style = self.get_visual_style("pick-list--highlighted").rich_style
        elif y == self._hover:
            style = self.get_visual_style("pick-list--hover").rich_style
        else:
            style = self.get_visual_style().rich_style
        text = self._labels[y] if 0 <= y < len(self._labels) else ""
        return Strip([Segment(text, style)]).crop_extend(0, width, style)

    # -- keys and the mouse ----------------------------------------------------------------------
    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self._labels:
            return None
        return min(max(highlighted, 0), len(self._labels) - 1)

    def watch_highlighted(self, highlighted: int | None) -> None:
        self.refresh()
        if highlighted is not None:
            self.post_message(self.Highlighted(self, highlighted))

    def action_cursor(self, step: int) -> None:
        if self._labels:
            start = self.highlighted if self.highlighted is not None else (-1 if step > 0 else 0)
            self.highlighted = (start + step) % len(self._labels)

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(self._labels) - 1

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Selected(self, self.highlighted))

    def _line_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None or not 0 <= offset.y < len(self._labels):
            return None
        return offset.y

    def on_click(self, event: events.Click) -> None:
        index = self._line_at(event)
        if index is not None:
            self.highlighted = index
            self.action_select()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._line_at(event)
        if index != self._hover:
            self._hover = index
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()
