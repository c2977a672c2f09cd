"""A modal with one user's step-by-step explanation (Scope → License → Office → Seat → Number)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from app.screens.scrolling import ScrollingModal
from engine.directory import Company
from engine.rules import Row
from engine.settings import Settings
from engine.users import UserRecord
from widgets.explain import ExplainPanel, explain_row, explanation_text
from widgets.safe_text import printable


class ExplainScreen(ScrollingModal[None]):
    BODY = "#explain-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="explain.close", tooltip="Back to the preview"),
        Binding("c", "copy", "Copy", id="explain.copy", tooltip="Copy the explanation as text"),
    ]
    DEFAULT_CSS = """
    ExplainScreen {
        align: center middle;
    }
    ExplainScreen #explain-dialog {
        width: 100;
        max-width: 96%;
        height: 94%;
        max-height: 34;
        background: $surface;
        border: thick $primary;
        padding: 0 1;
    }
    ExplainScreen #explain-title {
        text-style: bold;
        color: $accent;
        margin-bottom: 1;
    }
    ExplainScreen #explain-body {
        height: 1fr;
    }
    """

    def __init__(self, row: Row, rec: UserRecord | None, settings: Settings, company: Company) -> None:
        super().__init__()
        self.row = row
        self.steps = explain_row(row, rec, settings, company)
        self.rec = rec

    def compose(self) -> ComposeResult:
        r = self.row
        with Vertical(id="explain-dialog"):
            who = r.user_name or f"record {r.index}"
            extra = f" ({self.rec.display_name})" if self.rec and self.rec.display_name else ""
            # The user's names are data: `Ann Lee [EMEA] [/b]` is a name, not markup.
            yield Static(printable(f"{who}{extra}: {r.status}" + (f", {r.reason}" if r.reason else "")),
                         id="explain-title", markup=False)
            with VerticalScroll(id="explain-body"):
                panel = ExplainPanel(id="explain-panel")
                panel.show(r, self.steps)
                yield panel
            with Horizontal(classes="buttons"):
                yield Button("Copy", id="explain-copy", tooltip="c")
                yield Button("Close", id="explain-close", variant="primary", tooltip="escape")

    def on_mount(self) -> None:
        self.query_one("#explain-close", Button).focus()

    @on(Button.Pressed, "#explain-close")
    def _close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#explain-copy")
    def action_copy(self) -> None:
        from app.clipboard import send_to_clipboard

        send_to_clipboard(self.app, explanation_text(self.row, self.steps), "The explanation")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
