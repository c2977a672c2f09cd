"""A virtual table of preview rows, drawn with Textual's Line API.

Only the visible lines are rendered, so 100k rows cost nothing to show. Everything the table
needs to sort and filter is precomputed once per preview (`TableData`, built in a worker), so
sorting or filtering 100k rows is a few list comprehensions over plain lists.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, ClassVar  # `Any`: row fields of mixed types (str, int, None) picked by index

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
from textual.worker import NoActiveWorker, Worker, get_current_worker

from engine.perf import paused_gc
from engine.rules import Row
from engine.users import UserRecord
from widgets.safe_text import printable

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

# (title, least width). Each column is as wide as its title and its widest value in the preview
# (`TableData.widths`): a German or UK number in full, a long office name. The `#` column grows
# with the row count, User grows with the terminal (see `_update_widths`), and the warnings,
# last, take whatever is left (at least NOTE_MIN).
COLUMNS: tuple[tuple[str, int], ...] = (
    ("#", 2), ("User", 0), ("Status", 7), ("Office", 6), ("Rule", 4), ("License", 7),
    ("Seat", 4), ("Number", 6), ("Cost", 4), ("Reason / warnings", 0),
)
RULE_LABELS = {"best_match": "best match", "default_office": "default"}
# The Seat column says "has" (a seat the office already has) or "buy" (a seat to purchase); the
# filter text keeps the engine's words too, so filtering by "available" or "purchased" works.
SEAT_LABELS = {"available": "has", "purchased": "buy"}
COLUMN_NAMES = tuple(c[0] for c in COLUMNS)
USER_MIN = 20
OFFICE_MAX = 30  # a longer office name is cut with "…" (the explain popup has it in full)
NOTE_MIN = 30
STATUS_COL = 2
NUMBER_COL = 7
USER_COL = 1
NOTE_COL = len(COLUMNS) - 1
# `#` and User stay put while the other columns scroll sideways, so a row is always tied to a user.
FROZEN = 2
RIGHT_ALIGNED = (0, 8)
HAY_CHUNK = 10_000  # rows of filter text built between two looks at the worker's cancellation


def short_license(lic: str | None) -> str:
    return lic.removeprefix("Dialpad_") if lic else ""


def number_cell(r: Row) -> str:
    if r.number:
        return r.number
    if r.number_source == "area_code":
        return f"new ({r.area_code})"
    if r.number_source == "contact_center":
        return "none (CC)"
    if r.number_source == "auto_assign_off":
        return "none (off)"
    return ""


def note_cell(r: Row) -> str:
    parts = [r.reason] if r.reason else []
    parts.extend(r.warnings)
    return ", ".join(parts)


_SORT_ATTR = {1: "user_name", 2: "status", 3: "office", 4: "office_rule", 5: "license", 6: "seat"}
_SORT_MAKE = {7: number_cell, 9: note_cell}


class TableData:
    """Display cells, filter text and (lazily) sort keys for a list of preview rows.

    Nothing is computed per row up front, so a new preview of 100k rows shows at once: cells are
    made for the rows on screen, sort keys per column on the first sort by it, and the filter text
    by `warm()` (the preview worker calls it after posting the preview) or the first text filter.
    The column widths are measured once, over the distinct values (in the preview worker).
    `records` (the sample users, in input order) let the text filter match the raw office field
    values too: `paris` finds the users whose officeName is Paris.
    """

    def __init__(self, rows: Sequence[Row], records: Sequence[UserRecord] = (),
                 tally: Collection[tuple[object, ...]] | None = None) -> None:
        self.rows = rows
        self.records = records
        self._cells: dict[int, tuple[str, ...]] = {}
        self._hay: list[str] | None = None
        self._keys: dict[int, list[SupportsRichComparison]] = {}  # one column's: ints, floats or str
        self.widths = self._measure(rows, tally)

    @staticmethod
    def _measure(rows: Sequence[Row], tally: Collection[tuple[object, ...]] | None = None) -> dict[int, int]:
        """The widest value of each content-sized column, in terminal cells. Over the distinct
        values, gathered in C (itemgetter, set): ~40 ms for 100k rows, in the preview worker; or
        from `tally`, the rows' distinct fields after index and userName (engine.preview.Tally),
        a few hundred."""
        def widest(values: Iterable[str]) -> int:
            return max(map(cell_len, map(printable, values)), default=0)

        shift = 2 if tally is not None else 0
        source: Collection[tuple[object, ...]] = tally if tally is not None else rows

        def distinct(*fields: int) -> set[Any]:
            return set(map(itemgetter(*(f - shift for f in fields)), source))

        numbers = [n for n in distinct(10) if n]
        blank = Row(0, "", "", None, None, None, None, None, None, None, None, None, None, None, ())
        unnumbered = {number_cell(blank._replace(number_source=source, area_code=area))
                      for source, area in distinct(11, 12)}
        return {
            # Names are many and mostly distinct: their length in characters is close enough.
            USER_COL: max(map(len, map(itemgetter(1), rows)), default=0),
            3: min(OFFICE_MAX, widest(o or "" for o in distinct(3))),
            4: widest(RULE_LABELS.get(rule or "", rule or "") for rule in distinct(4)),
            5: widest(short_license(lic) for lic in distinct(6)),
            7: max(max(map(len, numbers), default=0), widest(unnumbered)),
            8: widest(f"{c:.2f}" for c in distinct(9) if c),
        }

    @staticmethod
    def raw_cells(r: Row) -> tuple[str, ...]:
        rule = r.office_rule or ""
        return (str(r.index), r.user_name, r.status, r.office or "", RULE_LABELS.get(rule, rule),
                short_license(r.license), SEAT_LABELS.get(r.seat or "", r.seat or ""), number_cell(r),
                f"{r.prorated_cost:.2f}" if r.prorated_cost else "", note_cell(r))

    @classmethod
    def make_cells(cls, r: Row) -> tuple[str, ...]:
        """As drawn: outside text with its control characters escaped (an ESC in a userName must
        not reach the terminal)."""
        return tuple(printable(c) for c in cls.raw_cells(r))

    def cells(self, i: int) -> tuple[str, ...]:
        c = self._cells.get(i)
        if c is None:
            if len(self._cells) > 4096:
                self._cells.clear()
            c = self._cells[i] = self.make_cells(self.rows[i])
        return c

    @property
    def hay(self) -> list[str]:
        hay = self._hay
        if hay is None:
            hay = self._hay = self._make_hay(lambda: False) or []
        return hay

    def _make_hay(self, given_up: Callable[[], bool]) -> list[str] | None:
        """The filter text of every row, a chunk at a time; None once `given_up()` says so."""
        make = self.raw_cells
        records = self.records
        rows = self.rows
        lined_up = len(records) == len(rows)
        hay: list[str] = []
        with paused_gc():  # 100k short-lived cell tuples would set off collections for nothing
            for start in range(0, len(rows), HAY_CHUNK):
                if given_up():
                    return None
                hay += [f"{' '.join(make(r))} {r.seat or ''}"
                        f"{' ' + ' '.join(records[r.index].values) if lined_up else ''}".casefold()
                        for r in rows[start:start + HAY_CHUNK]]
        return hay

    def warm(self) -> None:
        """Build the filter text now (off the UI thread). In a worker, it stops when the worker
        is cancelled: a newer preview replaces this one, and its run needs the GIL (a filter
        typed later builds the text then)."""
        try:
            worker: Worker[object] | None = get_current_worker()
        except NoActiveWorker:
            worker = None
        if self._hay is None:
            hay = self._make_hay(lambda: worker is not None and worker.is_cancelled)
            if hay is not None:
                self._hay = hay

    def __len__(self) -> int:
        return len(self.rows)

    def sort_key(self, column: int) -> list[SupportsRichComparison]:
        keys = self._keys.get(column)
        if keys is None:
            rows = self.rows
            if column == 0:
                keys = [r.index for r in rows]
            elif column == 8:
                keys = [r.prorated_cost or 0.0 for r in rows]
            else:
                attr = _SORT_ATTR.get(column)
                if attr is not None:
                    get = attrgetter(attr)
                    keys = [(get(r) or "").casefold() for r in rows]
                else:
                    make = _SORT_MAKE[column]
                    keys = [make(r).casefold() for r in rows]
            self._keys[column] = keys
        return keys

    def order(self, column: int | None, reverse: bool) -> list[int]:
        if column is None:
            idx = list(range(len(self.rows)))
            return idx[::-1] if reverse else idx
        keys = self.sort_key(column)
        return sorted(range(len(self.rows)), key=keys.__getitem__, reverse=reverse)

    def filter(self, order: list[int], *, text: str = "", status: str = "", office: str = "",
               rule: str = "", note: str = "") -> list[int]:
        idx = order
        rows = self.rows
        if status:
            idx = [i for i in idx if rows[i].status == status]
        if office:
            idx = [i for i in idx if rows[i].office == office]
        if rule:
            idx = [i for i in idx if rows[i].office_rule == rule or rows[i].license_rule == rule]
        if note:
            idx = [i for i in idx if note in rows[i].warnings
                   or (rows[i].reason or "").split(":", 1)[0] == note]
        if text:
            needle = text.casefold()
            hay = self.hay
            idx = [i for i in idx if needle in hay[i]]
        return idx


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
