"""Asked before a save or an export replaces a file this run neither loaded nor wrote."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from app.screens.scrolling import ScrollingModal
from widgets.safe_text import printable

OverwriteChoice = Literal["overwrite", "rename", "cancel"]


class OverwriteScreen(ScrollingModal[OverwriteChoice]):
    """<path> already exists: Overwrite / Choose another name / Cancel."""

    BODY = "#overwrite-dialog"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose('cancel')", "Cancel", id="overwrite.cancel", tooltip="Write nothing"),
    ]

    def __init__(self, path: str, what: str) -> None:
        super().__init__(id="confirm-overwrite")
        self.path = path
        self.what = what

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="overwrite-dialog", can_focus=False):
            yield Static(f"{printable(self.path)} already exists", id="overwrite-title", markup=False)
            yield Static(f"SCIM assistant did not load or write this file in this session. Overwrite it "
                         f"with {self.what}? Its contents would be lost.", classes="note", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Overwrite", id="overwrite-overwrite", variant="error",
                             tooltip="Replace the file (atomically)")
                yield Button("Choose another name", id="overwrite-rename", variant="primary",
                             tooltip="Write nothing; edit the path in step 7")
                yield Button("Cancel", id="overwrite-cancel", tooltip="Write nothing (escape)")

    def on_mount(self) -> None:
        self.query_one("#overwrite-rename", Button).focus()  # the safe answer is the default one

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice = (event.button.id or "").removeprefix("overwrite-")
        self.action_choose(choice if choice in ("overwrite", "rename") else "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)  # type: ignore[arg-type]
