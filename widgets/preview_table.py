"""A virtual table of preview rows, drawn with Textual's Line API.

Only the visible lines are rendered, so 100k rows cost nothing to show. Everything the table
needs to sort and filter is precomputed once per preview (`TableData`, widgets/table_data.py,
built in a worker), so sorting or filtering 100k rows is a few list comprehensions over plain lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from engine.rules import Row
from widgets.table_data import (
    COLUMN_NAMES,
    COLUMNS,
    FROZEN,
    NOTE_COL,
    NOTE_MIN,
    NUMBER_COL,
    RIGHT_ALIGNED,
    STATUS_COL,
    USER_COL,
    USER_MIN,
    TableData,
)


@dataclass
class Filters:
    text: str = ""
    status: str = ""
    office: str = ""
    rule: str = ""
    note: str = ""


class PreviewTable(ScrollView, can_focus=True):
    """Preview rows in a virtual, sortable, filterable table. Enter or a click opens a row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home", "jump(0)", "First", show=False, id="table.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="table.last"),
        Binding("left", "scroll_columns(-8)", "Left", show=False, id="table.left"),
        Binding("right", "scroll_columns(8)", "Right", show=False, id="table.right"),
        Binding("enter", "open", "Explain", id="table.open",
                tooltip="Explain, step by step, what happens to the highlighted user"),
        Binding("s", "sort_next", "Sort", id="table.sort",
                tooltip="Sort by the next column (or click a column title)"),
        Binding("r", "sort_reverse", "Reverse", id="table.reverse", tooltip="Reverse the sort order"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "preview-table--header", "preview-table--cursor", "preview-table--create",
        "preview-table--skip", "preview-table--reject", "preview-table--invalid",
        "preview-table--sorted", "preview-table--empty",
    }

    DEFAULT_CSS = """
    PreviewTable {
        height: 1fr;
        background: $surface;
        scrollbar-gutter: stable;
        & > .preview-table--header { text-style: bold; background: $panel; color: $text; }
        & > .preview-table--sorted { text-style: bold underline; background: $panel; color: $accent; }
        & > .preview-table--cursor { background: $primary 30%; }
        &:focus > .preview-table--cursor { background: $primary 60%; }
        & > .preview-table--create { color: $success; }
        & > .preview-table--skip { color: $text-muted; }
        & > .preview-table--reject { color: $error; }
        & > .preview-table--invalid { color: $warning; }
        & > .preview-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    cursor = reactive(0, always_update=True, init=False)

    @dataclass
    class RowSelected(Message):
        """A row was chosen (enter or click): `row` is the preview row."""

        table: PreviewTable
        row: Row

        @property
        def control(self) -> PreviewTable:
            return self.table

    @dataclass
    class ViewChanged(Message):
        """The sort or filter changed: `shown` of `total` rows are visible."""

        table: PreviewTable
        shown: int
        total: int

        @property
        def control(self) -> PreviewTable:
            return self.table

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.data = TableData([])
        self.view: list[int] = []
        self.filters = Filters()
        self.sort_column: int | None = None
        self.sort_reverse = False
        self._order: list[int] | None = None
        self._widths = [w or (USER_MIN if i == USER_COL else NOTE_MIN) for i, (_, w) in enumerate(COLUMNS)]

    # -- data ----------------------------------------------------------------------------------
    def set_data(self, data: TableData) -> None:
        """Swap in a new preview, keeping sort, filters and (by user index) the cursor."""
        current = self.current_row
        self.data = data
        self._order = None
        self._rebuild(keep_index=current.index if current else None)

    def set_filters(self, **changes: str) -> None:
        for key, value in changes.items():
            setattr(self.filters, key, value)
        current = self.current_row
        self._rebuild(keep_index=current.index if current else None)

    def sort_by(self, column: int | None, reverse: bool | None = None) -> None:
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else False
        self.sort_column, self.sort_reverse = column, reverse
        self._order = None
        current = self.current_row
        self._rebuild(keep_index=current.index if current else None)

    def _rebuild(self, keep_index: int | None = None) -> None:
        if self._order is None:
            self._order = self.data.order(self.sort_column, self.sort_reverse)
        f = self.filters
        self.view = self.data.filter(self._order, text=f.text, status=f.status, office=f.office,
                                     rule=f.rule, note=f.note)
        self._update_virtual_size()
        cursor = 0
        if keep_index is not None:
            rows = self.data.rows
            # Rows are in input order, so a row's position in `rows` is its index.
            pos = keep_index if keep_index < len(rows) and rows[keep_index].index == keep_index else None
            if pos is not None:
                try:
                    cursor = self.view.index(pos)
                except ValueError:
                    cursor = 0
        self.cursor = cursor
        self._scroll_cursor_visible()
        self.refresh()
        self.post_message(self.ViewChanged(self, len(self.view), len(self.data)))

    @property
    def current_row(self) -> Row | None:
        if 0 <= self.cursor < len(self.view):
            return self.data.rows[self.view[self.cursor]]
        return None

    # -- geometry ------------------------------------------------------------------------------
    def _update_widths(self) -> None:
        widths = [max(least, len(title), self.data.widths.get(i, 0)) for i, (title, least) in enumerate(COLUMNS)]
        widths[0] = max(widths[0], len(str(max(len(self.data) - 1, 0))))
        total = self.scrollable_content_region.width
        gaps = len(widths) - 1
        others = sum(widths) + gaps - widths[USER_COL] - widths[NOTE_COL]
        # User: its longest name, up to a third of the table and as long as the Number column
        # stays in view (Cost and the warnings scroll sideways); at least USER_MIN.
        through_number = sum(widths[:NUMBER_COL + 1]) + NUMBER_COL - widths[USER_COL]
        widths[USER_COL] = max(USER_MIN, min(self.data.widths.get(USER_COL, 0), total // 3, total - through_number))
        widths[NOTE_COL] = max(NOTE_MIN, total - others - widths[USER_COL])
        self._widths = widths

    @property
    def frozen_width(self) -> int:
        """Cells taken by the frozen columns (`#` and User) and their gaps."""
        return sum(self._widths[:FROZEN]) + FROZEN

    def _update_virtual_size(self) -> None:
        self._update_widths()
        width = sum(self._widths) + len(self._widths) - 1
        self.virtual_size = Size(width, len(self.view) + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_cursor_visible()

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_visible(self) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self._page:
            self.scroll_to(y=self.cursor - self._page + 1, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()

    # -- actions -------------------------------------------------------------------------------
    def _move_to(self, pos: int) -> None:
        if not self.view:
            return
        self.cursor = max(0, min(len(self.view) - 1, pos))
        self._scroll_cursor_visible()

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * self._page)

    def action_jump(self, pos: int) -> None:
        self._move_to(len(self.view) - 1 if pos < 0 else pos)

    def action_scroll_columns(self, delta: int) -> None:
        self.scroll_to(x=self.scroll_x + delta, animate=False)

    def action_open(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.RowSelected(self, row))

    def action_sort_next(self) -> None:
        nxt = 0 if self.sort_column is None else (self.sort_column + 1) % len(COLUMNS)
        self.sort_by(nxt, False)

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort_column, not self.sort_reverse)

    def _column_at(self, x: int) -> int:
        edge = 0
        for i, w in enumerate(self._widths):
            edge += w + 1
            if x < edge:
                return i
        return len(self._widths) - 1

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = offset.x if offset.x < self.frozen_width else offset.x + round(self.scroll_x)
            self.sort_by(self._column_at(x))
            return
        pos = round(self.scroll_y) + offset.y - 1
        if 0 <= pos < len(self.view):
            self.cursor = pos
            self.action_open()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_to(y=self.scroll_y + 3, animate=False)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_to(y=self.scroll_y - 3, animate=False)

    # -- drawing -------------------------------------------------------------------------------
    def _cells_to_strip(self, cells: Sequence[str], styles: Sequence[Style]) -> Strip:
        segments = []
        last = len(self._widths) - 1
        for i, (text, width) in enumerate(zip(cells, self._widths, strict=True)):
            size = cell_len(text)  # in terminal cells: a name in CJK takes two a character
            if size > width:
                text = set_cell_size(text, width - 1) + "…"
            elif i in RIGHT_ALIGNED:
                text = " " * (width - size) + text
            else:
                text = text + " " * (width - size)
            segments.append(Segment(text + (" " if i < last else ""), styles[i]))
        return Strip(segments)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            head = self.get_component_rich_style("preview-table--header")
            sorted_style = self.get_component_rich_style("preview-table--sorted")
            titles = list(COLUMN_NAMES)
            styles = [base + head] * len(titles)
            if self.sort_column is not None:
                col = self.sort_column
                arrow = "▼" if self.sort_reverse else "▲"
                # A narrow column keeps its title and shows the arrow in place of the last letter.
                title = f"{titles[col]} {arrow}"
                titles[col] = title if len(title) <= self._widths[col] else titles[col][:self._widths[col] - 1] + arrow
                styles[col] = base + sorted_style
            strip = self._cells_to_strip(titles, styles)
            return self._scrolled(strip, scroll_x, width).extend_cell_length(width, base + head)
        pos = scroll_y + y - 1
        if pos >= len(self.view):
            if pos == 0 and not self.view:
                empty = self.get_component_rich_style("preview-table--empty")
                msg = "No users match these filters." if len(self.data) else "No preview yet."
                return Strip([Segment(msg, base + empty)]).extend_cell_length(width, base)
            return Strip.blank(width, base)
        row_style = base
        if pos == self.cursor:
            row_style = base + self.get_component_rich_style("preview-table--cursor")
        cells = self.data.cells(self.view[pos])
        status_style = row_style + self.get_component_rich_style(f"preview-table--{cells[STATUS_COL]}")
        styles = [row_style] * len(cells)
        styles[STATUS_COL] = status_style
        strip = self._cells_to_strip(cells, styles)
        return self._scrolled(strip, scroll_x, width).extend_cell_length(width, row_style)

    def _scrolled(self, strip: Strip, scroll_x: int, width: int) -> Strip:
        """The frozen columns as they are, then the rest of the line scrolled by `scroll_x`."""
        frozen = self.frozen_width
        if width <= frozen:
            return strip.crop(0, width)
        start = frozen + scroll_x
        return Strip.join([strip.crop(0, frozen), strip.crop(start, start + width - frozen)])
