"""Step 6: every sample user in a virtual table, filterable and sortable; enter or a click opens
the user's step-by-step explanation; per-office totals as bars."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from app.steps.base import Step
from app.steps.states import preview_state
from engine.rules import STATUSES
from widgets.office_bars import OfficeBars
from widgets.preview_table import COLUMN_NAMES, PreviewTable
from widgets.safe_text import NAME_WIDTH, clipped

RULES = ("field", "country", "best_match", "default_office", "group", "attribute", "default")


class FilterInput(Input):
    """The text filter: escape leaves it for the table, so s, r, b, enter and ctrl+f work."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "to_table", "Table", show=False, id="preview.filter_done",
                tooltip="Back to the table, keeping the filter"),
    ]

    def action_to_table(self) -> None:
        self.query_ancestor(PreviewStep).action_focus_table()


class PreviewStep(Step):
    step_id = "preview"
    title = "Preview"

    SCOPED_CSS = False  # rules follow the screen's -narrow breakpoint class; all name PreviewStep
    DEFAULT_CSS = """
    /* The table fills the step, so the step itself does not scroll. */
    PreviewStep#preview {
        overflow-y: hidden;
    }
    PreviewStep #filters {
        height: 1;
        margin-bottom: 0;
    }
    PreviewStep #filters Input {
        width: 1fr;
        min-width: 16;
        margin-right: 1;
    }
    PreviewStep #filters Select {
        width: 15;
        margin-right: 1;
    }
    /* Below the breakpoint the text filter gets its own line and the four pickers share the next. */
    .-narrow PreviewStep #filters {
        layout: grid;
        grid-size: 4;
        grid-gutter: 0 1;
        height: 2;
    }
    .-narrow PreviewStep #filters Input {
        column-span: 4;
        margin-right: 0;
    }
    .-narrow PreviewStep #filters Select {
        width: 1fr;
        margin-right: 0;
    }
    PreviewStep #preview-status {
        color: $text-muted;
        height: 1;
    }
    .-narrow PreviewStep #preview-status {
        height: auto;
        max-height: 2;
    }
    PreviewStep #office-bars {
        height: auto;
        max-height: 11;
        border-top: hkey $primary 40%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f", "focus_filter", "Filter", id="preview.filter",
                tooltip="Type to filter users by any column"),
        Binding("ctrl+t", "focus_table", "Table", id="preview.table", show=False,
                tooltip="Move the focus to the table"),
        Binding("b", "toggle_bars", "Bars", id="preview.bars", tooltip="Show or hide the per-office bars"),
    ]

    def build(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield FilterInput(placeholder="Filter: user, office, number…", id="filter-text", compact=True,
                              tooltip="Case-insensitive text filter over every column and the raw office "
                              "fields (escape: back to the table)")
            yield Select([(s, s) for s in STATUSES], prompt="status", id="filter-status", compact=True,
                         tooltip="Show one status only")
            yield Select([], prompt="office", id="filter-office", compact=True, tooltip="Show one office only")
            yield Select([(r, r) for r in RULES], prompt="rule", id="filter-rule", compact=True,
                         tooltip="Show users placed by one office or license rule")
            yield Select([], prompt="warning", id="filter-note", compact=True,
                         tooltip="Show users with one warning or reason")
        yield Static("", id="preview-status")
        yield PreviewTable(id="preview-table")
        yield OfficeBars(id="office-bars")

    def after_build(self) -> None:
        self.query_one(OfficeBars).display = self.app.size.height >= 30

    def first_control(self) -> Widget:
        return self.query_one(PreviewTable)

    def action_focus_filter(self) -> None:
        self.query_one("#filter-text", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(PreviewTable).focus()

    def action_toggle_bars(self) -> None:
        bars = self.query_one(OfficeBars)
        bars.display = not bars.display

    def on_sources_changed(self) -> None:
        w = self.wizard
        if w.sources is None:
            return
        office = self.query_one("#filter-office", Select)
        office.set_options([(Text(clipped(o.name, NAME_WIDTH)), o.name) for o in w.sources.company.offices])

    @on(Input.Changed, "#filter-text")
    def _text(self, event: Input.Changed) -> None:
        self.query_one(PreviewTable).set_filters(text=event.value.strip())

    @on(Input.Submitted, "#filter-text")
    def _submitted(self) -> None:
        self.query_one(PreviewTable).focus()

    @on(Select.Changed)
    def _select(self, event: Select.Changed) -> None:
        key = (event.select.id or "").removeprefix("filter-")
        value = event.value if isinstance(event.value, str) else ""
        self.query_one(PreviewTable).set_filters(**{key: value})

    @on(PreviewTable.ViewChanged)
    def _view_changed(self, event: PreviewTable.ViewChanged) -> None:
        t = event.table
        sort = ("sorted by " + COLUMN_NAMES[t.sort_column] + (" ▼" if t.sort_reverse else " ▲")
                if t.sort_column is not None else "input order")
        self.query_one("#preview-status", Static).update(
            f"{event.shown:,} of {event.total:,} users · {sort} · ←→: more columns · "
            "enter: explain, with the warnings in full")

    @on(PreviewTable.RowSelected)
    def _open(self, event: PreviewTable.RowSelected) -> None:
        from app.screens.explain import ExplainScreen
        from widgets.explain import explain_row

        w = self.wizard
        if w.sources is None or w.settings is None:
            return
        records = w.sources.users.records
        rec = records[event.row.index] if event.row.index < len(records) else None
        screen = ExplainScreen(event.row, rec, w.settings, w.sources.company)
        if w.preview is not None:
            # The screen explains without the other rows; with them (and the preview's date) the
            # Seat step shows the seats left for this user and the cost worked out in numbers.
            screen.steps = explain_row(event.row, rec, w.settings, w.sources.company,
                                       rows=w.preview.rows, as_of=w.preview.as_of)
        self.app.push_screen(screen)

    def state(self) -> str:
        return preview_state(self.wizard)

    def refresh_view(self) -> None:
        w = self.wizard
        if w.insights is None or w.preview is None or w.sources is None:
            return
        table = self.query_one(PreviewTable)
        if table.data is not w.insights.table:
            table.set_data(w.insights.table)
            notes = sorted(w.insights.warnings) + sorted(k for k in w.insights.rejects if k)
            sel = self.query_one("#filter-note", Select)
            current = sel.value
            sel.set_options([(n, n) for n in dict.fromkeys(notes)])
            if isinstance(current, str) and current in notes:
                sel.value = current
        self.query_one(OfficeBars).show(w.preview.summary, w.sources.company)
