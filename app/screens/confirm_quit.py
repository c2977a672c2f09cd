"""Asked by ctrl+q when the settings hold changes that are neither saved nor pushed."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from app.screens.scrolling import ScrollingModal
from widgets.safe_text import printable

QuitChoice = Literal["save", "discard", "cancel"]


class ConfirmQuitScreen(ScrollingModal[QuitChoice]):
    """Save the settings before quitting? Save and quit / Quit without saving / Cancel."""

    BODY = "#quit-dialog"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose('cancel')", "Cancel", id="quit.cancel", tooltip="Keep working, quit nothing"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__(id="confirm-quit")
        self.path = path

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="quit-dialog", can_focus=False):  # buttons docked: always in view
            yield Static("Save the settings before quitting?", id="quit-title")
            yield Static(f"Your changes are neither saved nor pushed. 'Save and quit' writes them to "
                         f"{printable(self.path)} (step 7's path).", id="quit-detail", classes="note", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save and quit", id="quit-save", variant="primary",
                             tooltip="Write the settings TOML (atomically), then quit")
                yield Button("Quit without saving", id="quit-discard", variant="error",
                             tooltip="Quit and lose the changes")
                yield Button("Cancel", id="quit-cancel", tooltip="Back to the wizard (escape)")

    def on_mount(self) -> None:
        self.query_one("#quit-cancel", Button).focus()  # the safe answer is the default one

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice = (event.button.id or "quit-cancel").removeprefix("quit-")
        self.action_choose(choice if choice in ("save", "discard") else "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)  # type: ignore[arg-type]
