"""What every wizard step shares: its id and title, a ✓/⚠/✗ state, a refresh from the wizard's
current sources, settings and preview, and a place to show the problems of a change. What a
step may use of the wizard is `self.wizard`, typed by `app.steps.contract.StepHost`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from app.steps.contract import WorkerFailed
from widgets.safe_text import plain

if TYPE_CHECKING:
    from app.steps.contract import StepHost


class Step(VerticalScroll):
    step_id = ""
    title = ""
    section = ""  # the settings section this step edits, for its problems

    def __init__(self, *, built: bool = False) -> None:
        super().__init__(id=self.step_id, classes="step")
        # A step is mounted when first shown (MainScreen.ensure_step): mounting all seven up front
        # doubles start-up. `built` is set as it is mounted; only step 1 starts in the app.
        self.built = built
        self.host: StepHost | None = None  # set by the wizard's main screen, which holds the steps

    @property
    def ready(self) -> bool:
        """Built and its widgets mounted: only then can it be refreshed. A preview or a load can
        land between a step's mount starting and its widgets existing (step 1 at start-up, any
        step while ensure_step awaits), and would find none of them."""
        return self.built and self.is_mounted

    def compose(self) -> ComposeResult:
        yield from self.build()

    def build(self) -> ComposeResult:
        """The step's widgets."""
        yield from ()

    def after_build(self) -> None:
        """Called once the widgets are mounted."""

    @property
    def wizard(self) -> StepHost:
        """The wizard, as far as a step may use it (the contract in app/steps/contract.py)."""
        assert self.host is not None, "a step is used inside the wizard, which sets its host"
        return self.host

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A step's worker (step 5's look-up of passes) that failed in a way its own code did
        not expect: the wizard's one handler says so (the message does not bubble by itself)."""
        if event.state == WorkerState.ERROR:
            self.post_message(WorkerFailed(event.worker.description, event.worker.error))

    def state(self) -> str:
        """ok, warn or error, for the sidebar."""
        return "error" if self.wizard.problems.get(self.section) else "ok"

    def on_sources_changed(self) -> None:
        """New files were loaded: reset the controls from the new settings."""

    def refresh_view(self) -> None:
        """Show the current settings and preview."""

    def first_control(self) -> Widget:
        """Where the focus goes on arriving at the step: its first focusable widget."""
        return next((w for w in self.query("*") if w.focusable), self)

    def focus_first(self) -> None:
        """Focus the first control, leaving the step scrolled to its top: arriving at a step
        shows it from its heading, as a page would (tab then scrolls to each control)."""
        self.first_control().focus(scroll_visible=False)

    def show_problems(self, box: Static, problems: list[str]) -> None:
        box.update(plain("\n".join(f"✗ {p}" for p in problems)))  # they quote the admin's values
        box.display = bool(problems)

    def apply(self, box: Static, section: str, **changes: object) -> bool:
        problems = self.wizard.change_settings(section, problems_key=self.section, **changes)
        self.show_problems(box, problems)
        return not problems


def heading(text: str) -> Static:
    return Static(text, classes="heading")


def note(text: str, id: str | None = None) -> Static:
    return Static(text, classes="note", id=id)


def problems_box(id: str) -> Static:
    box = Static("", id=id, classes="problems", markup=False)
    box.display = False
    return box
