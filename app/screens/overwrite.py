"""Asked before a save or an export replaces a file this run neither loaded nor wrote."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from app.screens.choice import Answer, ChoiceModal
from widgets.safe_text import printable

OverwriteChoice = Literal["overwrite", "rename", "cancel"]


class OverwriteScreen(ChoiceModal[OverwriteChoice]):
    """<path> already exists: Overwrite / Choose another name / Cancel."""

    PREFIX = "overwrite"
    ANSWERS = (
        Answer("overwrite", "Overwrite", "error", "Replace the file (atomically)"),
        Answer("rename", "Choose another name", "primary", "Write nothing; edit the path in step 7"),
        Answer("cancel", "Cancel", "default", "Write nothing (escape)"),
    )
    SAFE = "rename"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose('cancel')", "Cancel", id="overwrite.cancel", tooltip="Write nothing"),
    ]

    DEFAULT_CSS = """
    OverwriteScreen #overwrite-dialog {
        border: thick $error;
    }
    OverwriteScreen #overwrite-title {
        text-style: bold;
        color: $error;
        margin-bottom: 1;
    }
    """

    def __init__(self, path: str, what: str) -> None:
        super().__init__(id="confirm-overwrite")
        self.path = path
        self.what = what

    def question(self) -> ComposeResult:
        yield Static(f"{printable(self.path)} already exists", id="overwrite-title", markup=False)
        yield Static(f"SCIM assistant did not load or write this file in this session. Overwrite it "
                     f"with {self.what}? Its contents would be lost.", classes="note", markup=False)
