"""What the preview table shows, computed from the preview's rows: display cells, filter text and
sort keys (`TableData`, built in the preview worker), and the columns' titles and widths.

Apart from the table widget (widgets/preview_table.py): the wizard builds a `TableData` for its
first preview before the first frame, which then need not define the widget (issue 14).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any  # `Any`: row fields of mixed types (str, int, None) picked by index

from rich.cells import cell_len
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
        # A row's text (`text_of`) is its index, its userName, the text of the rest of the row
        # (its "tail": a few hundred distinct ones for 100k users) and the user's raw office
        # values (a few distinct ones): each tail and each set of values is made and folded once.
        # Case-folding goes a character at a time, so folding the pieces apart is the same.
        tails: dict[tuple[object, ...], str] = {}
        values: dict[tuple[str, ...], str] = {}

        def tail_of(r: Row) -> str:
            key = r[2:]
            got = tails.get(key)
            if got is None:
                got = tails[key] = f"{' '.join(make(r)[2:])} {r.seat or ''}".casefold()
            return got

        def values_of(r: Row) -> str:
            if not lined_up:
                return ""
            key = records[r.index].values
            got = values.get(key)
            if got is None:
                got = values[key] = f" {' '.join(key)}".casefold()
            return got

        hay: list[str] = []
        with paused_gc():  # 100k short-lived strings would set off collections for nothing
            for start in range(0, len(rows), HAY_CHUNK):
                if given_up():
                    return None
                hay += [f"{r.index} {r.user_name.casefold()} {tail_of(r)}{values_of(r)}"
                        for r in rows[start:start + HAY_CHUNK]]
        return hay

    def text_of(self, r: Row) -> str:
        """One row's filter text, as `hay` holds it: every cell as shown, the seat as the engine
        says it, and the user's raw office values; case-folded."""
        values = self.records[r.index].values if len(self.records) == len(self.rows) else None
        return (f"{' '.join(self.raw_cells(r))} {r.seat or ''}"
                f"{' ' + ' '.join(values) if values is not None else ''}").casefold()

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
