"""Asked by ctrl+q when the settings hold changes that are neither saved nor pushed."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from app.screens.choice import Answer, ChoiceModal
from widgets.safe_text import printable

QuitChoice = Literal["save", "discard", "cancel"]


class ConfirmQuitScreen(ChoiceModal[QuitChoice]):
    """Save the settings before quitting? Save and quit / Quit without saving / Cancel."""

    PREFIX = "quit"
    ANSWERS = (
        Answer("save", "Save and quit", "primary", "Write the settings TOML (atomically), then quit"),
        Answer("discard", "Quit without saving", "error", "Quit and lose the changes"),
        Answer("cancel", "Cancel", "default", "Back to the wizard (escape)"),
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose('cancel')", "Cancel", id="quit.cancel", tooltip="Keep working, quit nothing"),
    ]

    DEFAULT_CSS = """
    ConfirmQuitScreen #quit-dialog {
        border: thick $warning;
    }
    ConfirmQuitScreen #quit-title {
        text-style: bold;
        color: $accent;
        margin-bottom: 1;
    }
    """

    def __init__(self, path: str) -> None:
        super().__init__(id="confirm-quit")
        self.path = path

    def question(self) -> ComposeResult:
        yield Static("Save the settings before quitting?", id="quit-title")
        yield Static(f"Your changes are neither saved nor pushed. 'Save and quit' writes them to "
                     f"{printable(self.path)} (step 7's path).", id="quit-detail", classes="note", markup=False)
