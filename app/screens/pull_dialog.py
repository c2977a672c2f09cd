"""What the two pull dialogs share: the output path, the credential line, a worker with a progress
bar, Cancel, and a failure told in one sentence with everything typed kept.

The pull runs in a thread worker; Cancel sets an event the pull checks between requests and during
every wait, and closes the dialog at once. The file is written (atomically) only when the pull
finished and was not cancelled, so a cancelled or failed pull changes nothing on disk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static

Progress = Callable[[int, int | None, str], None]


@dataclass
class Pulled:
    """What a pull wrote: the kind ("users" or "directory"), where, and what to tell the admin."""

    kind: str
    path: str
    summary: str
    checks: list[str] = field(default_factory=list)


class PullDialog(ModalScreen[Pulled | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pull.cancel", tooltip="Stop the pull and close; nothing is written"),
    ]
    TITLE = ""
    NOTE = ""
    DEFAULT_CSS = """
    PullDialog {
        align: center middle;
    }
    PullDialog #pull-dialog {
        width: 90;
        max-width: 96%;
        height: auto;
        max-height: 94%;
        background: $surface;
        border: thick $primary;
        padding: 0 1;
        overflow-y: auto;
    }
    PullDialog #pull-title {
        text-style: bold;
        color: $accent;
        margin-bottom: 1;
    }
    PullDialog #pull-dialog Input {
        margin-bottom: 1;
    }
    PullDialog #pull-dialog Vertical, PullDialog #pull-progress {
        height: auto;
    }
    PullDialog #pull-progress-label {
        margin-right: 2;
    }
    PullDialog #pull-credential {
        margin-bottom: 1;
    }
    """

    def __init__(self, output: str) -> None:
        super().__init__()
        self.output = output
        self.cancel_event = threading.Event()
        self.finished = threading.Event()  # the worker's thread has ended (tests wait on it)
        self.running = False
        self.credential_problem: str | None = None

    # -- what a dialog adds --------------------------------------------------------------------
    def fields(self) -> ComposeResult:
        yield from ()

    def credential(self) -> tuple[str | None, str]:
        """(the secret or None, a line saying where it comes from, never the secret)."""
        raise NotImplementedError

    def pull(self, secret: str, output: Path, progress: Progress) -> Pulled:
        """Runs in the worker thread: read, then write `output` atomically; raise to fail."""
        raise NotImplementedError

    # -- the dialog ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="pull-dialog", classes="dialog"):
            yield Static(self.TITLE, id="pull-title")
            yield Static(self.NOTE, classes="note")
            yield from self.fields()
            yield Label("Write to (next to the settings)")
            yield Input(self.output, id="pull-output", compact=True)
            yield Static("", id="pull-credential", markup=False)
            with Horizontal(id="pull-progress"):
                yield Label("", id="pull-progress-label", markup=False)
                yield ProgressBar(id="pull-bar", show_eta=False)
            yield Static("", id="pull-error", classes="problems", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Pull", id="pull-start", variant="primary")
                yield Button("Cancel", id="pull-cancel")

    def on_mount(self) -> None:
        self.query_one("#pull-error").display = False
        self.query_one("#pull-progress").display = False
        self._show_credential()
        next(w for w in self.query(Input) if w.focusable).focus()

    def _show_credential(self) -> str | None:
        """Show where the credential comes from; remember why there is none."""
        from engine.errors import InputError

        try:
            secret, where = self.credential()
        except InputError as exc:  # a key file that is missing, unreadable or readable by others
            secret, where = None, exc.line()
        self.credential_problem = None if secret is not None else where
        self.query_one("#pull-credential", Static).update(where if secret is not None else f"✗ {where}")
        return secret

    def value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def fail(self, message: str) -> None:
        """One sentence in the dialog; the fields keep what was typed."""
        self.running = False
        box = self.query_one("#pull-error", Static)
        box.update(f"✗ {message}")
        box.display = True
        self.query_one("#pull-progress").display = False
        self.query_one("#pull-start", Button).disabled = False

    def check(self) -> str | None:
        """A sentence when the form cannot be pulled as it is."""
        return None

    @on(Button.Pressed, "#pull-start")
    @on(Input.Submitted)
    def start(self) -> None:
        if self.running:
            return
        problem = self.check()
        secret = self._show_credential()
        output = self.value("pull-output")
        if problem is None and secret is None:
            problem = self.credential_problem
        if problem is None and not output:
            problem = "Give the file to write."
        if problem is None and not Path(output).expanduser().resolve().parent.is_dir():
            problem = f"{output}: its folder does not exist."
        if problem is not None:
            self.fail(problem)
            return
        assert secret is not None
        self.running = True
        self.query_one("#pull-error").display = False
        self.query_one("#pull-progress").display = True
        self.query_one("#pull-progress-label", Label).update("Connecting…")
        self.query_one("#pull-bar", ProgressBar).update(total=None, progress=0)
        self.query_one("#pull-start", Button).disabled = True
        self._worker(secret, Path(output).expanduser().resolve())  # relative: from the start folder

    @work(thread=True, exclusive=True, group="pull", exit_on_error=False, description="pull")
    def _worker(self, secret: str, output: Path) -> None:
        from engine.errors import InputError
        from engine.remote_errors import Cancelled, RemoteError

        last = [0.0]

        def progress(done: int, total: int | None, label: str) -> None:
            now = time.monotonic()
            if now - last[0] > 0.05 and not self.cancel_event.is_set():
                last[0] = now
                self.app.call_from_thread(self._progress, done, total, label)

        try:
            result: Pulled | str = self.pull(secret, output, progress)
        except Cancelled:
            return
        except RemoteError as exc:
            result = exc.message
        except InputError as exc:
            result = exc.line()
        except OSError as exc:
            result = f"{output}: {exc.strerror or exc}"
        finally:
            self.finished.set()
        if not self.cancel_event.is_set():
            self.app.call_from_thread(self._done, result)

    def _progress(self, done: int, total: int | None, label: str) -> None:
        if not self.is_attached:
            return
        self.query_one("#pull-bar", ProgressBar).update(total=total, progress=done)
        self.query_one("#pull-progress-label", Label).update(f"{done:,}{f' of {total:,}' if total else ''} {label}")

    def _done(self, result: Pulled | str) -> None:
        if not self.is_attached:
            return
        if isinstance(result, str):
            self.fail(result)
        else:
            self.dismiss(result)

    @on(Button.Pressed, "#pull-cancel")
    def action_cancel(self) -> None:
        self.cancel_event.set()
        self.dismiss(None)
