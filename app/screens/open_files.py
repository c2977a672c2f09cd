"""A modal to load other files: company directory, sample users, settings (or the demo)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from app.screens.scrolling import ScrollingModal

Paths = tuple[str | None, str | None, str | None]


class OpenFilesScreen(ScrollingModal[Paths | None]):
    BODY = "#open-dialog"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="open.cancel", tooltip="Close without loading"),
    ]
    DEFAULT_CSS = """
    OpenFilesScreen {
        align: center middle;
    }
    OpenFilesScreen #open-dialog {
        width: 100;
        max-width: 96%;
        height: auto;
        max-height: 100%;  /* it scrolls on a short terminal; its buttons are docked, so stay in view */
        background: $surface;
        border: thick $primary;
        padding: 0 1;
    }
    OpenFilesScreen #open-title {
        text-style: bold;
        color: $accent;
        margin-bottom: 1;
    }
    OpenFilesScreen #open-dialog Input {
        margin-bottom: 1;
    }
    OpenFilesScreen #open-dialog .buttons {
        dock: bottom;
    }
    """

    def __init__(self, company: str | None, users: str | None, settings: str | None) -> None:
        super().__init__()
        self.initial = (company or "", users or "", settings or "")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="open-dialog", can_focus=False):  # buttons docked: always in view
            yield Static("Load files", id="open-title")
            yield Static("Give both a company directory and sample users, or leave both empty for "
                         "the built-in demo. Settings are optional.", classes="note")
            for key, label, value in zip(("company", "users", "settings"),
                                         ("Company directory (TOML)", "Sample users (SCIM JSON, NDJSON, CSV)",
                                          "Settings (TOML, optional)"), self.initial, strict=True):
                yield Label(label)
                yield Input(value, id=f"open-{key}", placeholder="path", compact=True)
            yield Static("", id="open-error", classes="problems", markup=False)  # it quotes a path
            with Horizontal(classes="buttons"):
                yield Button("Load", id="open-load", variant="primary")
                yield Button("Use the demo", id="open-demo")
                yield Button("Cancel", id="open-cancel")

    def on_mount(self) -> None:
        self.query_one("#open-error").display = False
        self.query_one("#open-company", Input).focus()

    def _value(self, key: str) -> str | None:
        v = self.query_one(f"#open-{key}", Input).value.strip()
        return v or None

    @on(Button.Pressed, "#open-load")
    @on(Input.Submitted)
    def _load(self) -> None:
        from pathlib import Path

        company, users, settings = self._value("company"), self._value("users"), self._value("settings")
        error = ""
        if (company is None) != (users is None):
            error = "Give both the company directory and the sample users, or neither for the demo."
        else:
            for path in (company, users, settings):
                if path and not Path(path).expanduser().is_file():
                    error = f"{path}: no such file"
                    break
        if error:
            box = self.query_one("#open-error", Static)
            box.update("✗ " + error)
            box.display = True
            return
        expand = [str(Path(p).expanduser()) if p else None for p in (company, users, settings)]
        self.dismiss((expand[0], expand[1], expand[2]))

    @on(Button.Pressed, "#open-demo")
    def _demo(self) -> None:
        self.dismiss((None, None, None))

    @on(Button.Pressed, "#open-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
