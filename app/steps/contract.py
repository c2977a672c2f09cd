"""What a step may use of the wizard, and what it tells the wizard: the whole contract.

Down: a step reads the wizard's current state through `StepHost` (read-only) and is told to
redraw by one call, `Step.refresh_view()` (or `on_sources_changed()` then `refresh_view()` when
its controls must be reset from new settings). Up: a step changes settings through
`change_settings`, reports a problem of its own through `set_step_problems`, and posts the
messages below for everything else. A step never calls a private method of the wizard, and the
wizard never looks inside a step's widgets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from textual.message import Message

if TYPE_CHECKING:
    from app.config import AppSettings
    from app.sources import Sources
    from app.wizard.analysis import Insights, LoadStats
    from engine.preview import Preview
    from engine.settings import Settings
    from engine.sso import PassedSignIns


class StepHost(Protocol):
    """The wizard as a step sees it."""

    @property
    def sources(self) -> Sources | None:
        """The company, users and settings loaded (None while the first load runs)."""

    @property
    def stats(self) -> LoadStats | None:
        """Counts about the loaded users (step 1, step 2)."""

    @property
    def load_error(self) -> str | None:
        """Why the last load failed, if it did."""

    @property
    def settings(self) -> Settings | None:
        """The current settings: the last valid ones when a change was refused."""

    @property
    def saved_settings(self) -> Settings | None:
        """The settings as saved last (step 7 says "Saved." when they are the current ones)."""

    @property
    def pushed_settings(self) -> Settings | None:
        """The settings as pushed last (step 7 is ✓ when they are the current ones)."""

    @property
    def preview(self) -> Preview | None:
        """The preview of the current settings (None until the first one is ready)."""

    @property
    def insights(self) -> Insights | None:
        """What the steps show of the preview, computed once per preview."""

    @property
    def problems(self) -> Mapping[str, list[str]]:
        """The refused changes and step problems, by settings section (or a step's own key)."""

    @property
    def as_of(self) -> dt.date:
        """The day the preview prices and certificates are judged on."""

    @property
    def sso_passes(self) -> PassedSignIns:
        """The test sign-ins seen passing this session (step 5 records them, the guard reads them)."""

    @property
    def config(self) -> AppSettings | None:
        """The app config once read (None until then, or when it is unusable)."""

    def app_config(self) -> AppSettings:
        """The app config, read now if need be (step 7's service, token, timeouts). Raises its
        InputError when unusable."""

    def change_settings(self, section: str, *, problems_key: str | None = None, **changes: object) -> list[str]:
        """Apply a change to one section; the problems that refused it (empty: applied), kept
        under `problems_key` (default: the section)."""

    def set_step_problems(self, key: str, problems: list[str]) -> None:
        """A step's own validation (a draft it could not turn into settings); [] clears it."""

    def show_step(self, step_id: str) -> None:
        """Bring a step into view without moving the focus (step 7, to show its own box)."""


# -- up: what a step tells the wizard ------------------------------------------------------------


class SettingsSaved(Message):
    """Step 7 wrote `settings` to `path`: the wizard remembers both (the quit guard, recent files)."""

    def __init__(self, path: str, settings: Settings) -> None:
        self.path = path
        self.settings = settings
        super().__init__()


class SavePathChanged(Message):
    """Step 7's save box now says `path`: where ctrl+s and the quit dialog's Save write."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__()


class SettingsPushed(Message):
    """The service now holds `settings` (step 7 is done)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()


class LoadWanted(Message):
    """Step 1 pulled a file: load these inputs, keeping the settings (saved first, where ctrl+s
    saves them, when they are unsaved)."""

    def __init__(self, company: str | None, users: str | None, settings: str | None) -> None:
        self.company = company
        self.users = users
        self.settings = settings
        super().__init__()


class WorkerFailed(Message):
    """A step's worker ended with an error nobody caught: the wizard says what went wrong (one
    handler for every worker) and keeps everything typed."""

    def __init__(self, description: str, error: BaseException | None) -> None:
        self.description = description
        self.error = error
        super().__init__()


class ServiceRead(Message):
    """The service was read and holds `settings`; with `apply`, the admin asked to take them
    into the wizard ("Reload from service")."""

    def __init__(self, settings: Settings, apply: bool = False) -> None:
        self.settings = settings
        self.apply = apply
        super().__init__()
