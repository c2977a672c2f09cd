"""The wizard App: the config, the theme, the command palette, the keys and quit. Everything else
(the steps, the sidebar, the summary, loading and the live preview) is its main screen's
(app/wizard/main_screen.py); the App's properties below that name the screen's state are the
view the tests and the palette use."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from app.sources import Sources
from app.steps import STEPS
from app.wizard.main_screen import MainScreen
from app.wizard.palette import WizardCommands
from widgets.pick_list import PickList
from widgets.safe_text import printable_lines

if TYPE_CHECKING:

    from textual.notifications import SeverityLevel

    from app.config import AppSettings
    from app.steps.base import Step
    from app.wizard.analysis import Insights, LoadStats
    from app.wizard.messages import SourcesLoaded
    from engine.errors import InputError
    from engine.preview import Preview
    from engine.settings import Settings
    from engine.sso import PassedSignIns

class WizardApp(App[int]):
    """SCIM assistant: walk through the settings with a live preview of the sample users."""

    CSS_PATH = str(Path(__file__).parent.parent / "app.tcss")
    TITLE = "SCIM assistant"
    COMMANDS = App.COMMANDS | {WizardCommands}
    # Unannotated: Textual declares these as instance variables (`ClassVar[...] | None`).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit",
                tooltip="Quit SCIM assistant (asks first when the settings hold unsaved changes)"),
        Binding("]", "next_step", "Next", id="app.next_step", key_display="]",
                tooltip="Go to the next step (alt+→ works from any field)"),
        Binding("[", "prev_step", "Back", id="app.prev_step", key_display="[",
                tooltip="Go to the previous step (alt+← works from any field)"),
        Binding("alt+right", "next_step", "Next", show=False, priority=True, id="app.next_step_alt",
                tooltip="Go to the next step"),
        Binding("alt+left", "prev_step", "Back", show=False, priority=True, id="app.prev_step_alt",
                tooltip="Go to the previous step"),
        Binding("ctrl+o", "open_files", "Open", id="app.open_files",
                tooltip="Load another company directory, sample users or settings file"),
        Binding("ctrl+s", "save_settings", "Save", id="app.save_settings",
                tooltip="Save the settings TOML (atomically) where step 7 says"),
        Binding("escape", "focus_steps", "Steps", show=False, id="app.focus_steps",
                tooltip="Move the focus to the list of steps"),
        *[Binding(str(n), f"goto({n - 1})", f"Step {n}", show=False, id=f"app.step_{n}",
                  tooltip=f"Go to step {n}") for n in range(1, 8)],
        # Step 1's own u and d, for when the focus is still in the list of steps (where the app
        # starts): step 1 says "(u)" and "(d)" beside its pull links. Only while step 1 shows.
        Binding("u", "pull('users')", "Pull users", show=False, id="app.pull_users",
                tooltip="Pull users from Okta / Entra ID"),
        Binding("d", "pull('directory')", "Pull directory", show=False, id="app.pull_directory",
                tooltip="Pull the directory from Dialpad's API"),
    ]


    def __init__(self, company_path: str | None = None, users_path: str | None = None,
                 settings_path: str | None = None, *, as_of: dt.date | None = None,
                 sources: Sources | None = None) -> None:
        super().__init__()
        # The default screen (get_default_screen): made here, so its state is there from the start.
        self.main = MainScreen((company_path, users_path, settings_path), as_of or dt.date.today(), sources)
        self.config: AppSettings | None = None  # read once, after the first frame: app_config()
        self._config_error: InputError | None = None  # the config is unusable: said once

    def get_default_screen(self) -> MainScreen:
        return self.main

    def on_mount(self) -> None:
        from app.config_file import configured_theme

        theme = configured_theme()
        if theme and theme != self.theme and theme in self.available_themes:
            self.theme = theme
        # The full config (recent files, checks) needs pydantic: read it once the app is drawn.
        self.set_timer(0.5, self._read_config_later)

    def on_ready(self) -> None:
        gc.enable()  # off for the start-up (app/tui.py): the first frame is on the terminal

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notice is plain text, whatever the caller asks (widgets pass markup=True by
        default): they carry paths, names and servers' answers, never markup."""
        super().notify(printable_lines(message), title=printable_lines(title), severity=severity,
                       timeout=timeout, markup=False)


    # -- the main screen's state and calls, as the tests and the palette see them ---------------
    # Thin delegations to self.main: code of the wizard itself uses the screen directly.
    @property
    def paths(self) -> tuple[str | None, str | None, str | None]:
        return self.main.paths

    @property
    def as_of(self) -> dt.date:
        return self.main.as_of

    @property
    def stats(self) -> LoadStats | None:
        return self.main.stats

    @property
    def saved_settings(self) -> Settings | None:
        return self.main.saved_settings

    @property
    def service_settings(self) -> Settings | None:
        return self.main.service_settings

    @property
    def loaded_settings(self) -> Settings | None:
        return self.main.loaded_settings

    @property
    def load_error(self) -> str | None:
        return self.main.load_error

    @property
    def problems(self) -> dict[str, list[str]]:
        return self.main.problems

    @property
    def sso_passes(self) -> PassedSignIns:
        return self.main.sso_passes

    @property
    def step_index(self) -> int:
        return self.main.step_index

    @property
    def steps(self) -> list[Step]:
        return self.main.steps

    @property
    def last_latency(self) -> float:
        return self.main.last_latency

    @property
    def last_shown_at(self) -> float:
        return self.main.last_shown_at

    @property
    def last_summary_at(self) -> float:
        return self.main.last_summary_at

    @property
    def preview_scheduled(self) -> bool:
        return self.main.preview_scheduled

    @property
    def sources(self) -> Sources | None:
        return self.main.sources

    @sources.setter
    def sources(self, value: Sources | None) -> None:
        self.main.sources = value

    @property
    def settings(self) -> Settings | None:
        return self.main.settings

    @settings.setter
    def settings(self, value: Settings | None) -> None:
        self.main.settings = value

    @property
    def preview(self) -> Preview | None:
        return self.main.preview

    @preview.setter
    def preview(self, value: Preview | None) -> None:
        self.main.preview = value

    @property
    def insights(self) -> Insights | None:
        return self.main.insights

    @insights.setter
    def insights(self, value: Insights | None) -> None:
        self.main.insights = value

    @property
    def loading(self) -> bool:
        return self.main.loading_files

    @loading.setter
    def loading(self, value: bool) -> None:
        self.main.loading_files = value

    @property
    def pushed_settings(self) -> Settings | None:
        return self.main.pushed_settings

    @pushed_settings.setter
    def pushed_settings(self, value: Settings | None) -> None:
        self.main.pushed_settings = value

    def step_state(self, index: int) -> str:
        return self.main.step_state(index)

    def change_settings(self, section: str, *, problems_key: str | None = None, **changes: object) -> list[str]:
        return self.main.change_settings(section, problems_key=problems_key, **changes)

    def change_settings_and_refresh(self, section: str, **changes: object) -> list[str]:
        return self.main.change_settings_and_refresh(section, **changes)

    def set_step_problems(self, section: str, problems: list[str]) -> None:
        self.main.set_step_problems(section, problems)

    def reset_steps(self) -> None:
        self.main.reset_steps()

    def has_unsaved_settings(self) -> bool:
        return self.main.has_unsaved_settings()

    def save_path(self) -> str:
        return self.main.save_path()

    def show_step(self, step_id: str) -> None:
        self.main.show_step(step_id)

    def load_files(self, company: str | None, users: str | None, settings: str | None) -> None:
        self.main.load_files(company, users, settings)

    def on_sources_loaded(self, msg: SourcesLoaded) -> None:
        self.main.on_sources_loaded(msg)

    async def ensure_step(self, step: Step) -> Step:
        return await self.main.ensure_step(step)

    async def push_settings(self) -> None:
        await self.main.push_settings()

    async def reload_from_service(self) -> None:
        await self.main.reload_from_service()

    async def export_preview(self, fmt: str) -> None:
        await self.main.export_preview(fmt)

    # -- keys: the steps ------------------------------------------------------------------------
    def action_goto(self, index: int) -> None:
        self.main.go_to_step(index, focus=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pull":
            return self.step_index == 0 and self.main.step(0).ready
        return True

    def action_pull(self, what: str) -> None:
        from app.steps.sources import SourcesStep

        step = self.main.step(0)
        if isinstance(step, SourcesStep):
            step.open_pull_users() if what == "users" else step.open_pull_directory()

    def action_next_step(self) -> None:
        self.main.go_to_step(min(self.step_index + 1, len(STEPS) - 1), focus=True)

    def action_prev_step(self) -> None:
        self.main.go_to_step(max(self.step_index - 1, 0), focus=True)

    def action_focus_steps(self) -> None:
        self.query_one("#steps", PickList).focus()

    # -- the app's own config (theme, files used last, the service) -----------------------------
    def app_config(self) -> AppSettings:
        """The app config, read once and shared (the open dialog, step 7's service calls). It is
        read in the background after the first frame; whoever needs it sooner reads it now.
        Raises the config's InputError when it is unusable (shown once, in a notice)."""
        if self._config_error is not None:
            raise self._config_error
        if self.config is None:
            from app.config import load_config
            from engine.errors import InputError

            try:
                self._use_config(load_config())
            except InputError as exc:
                self._config_failed(exc)
                raise
        assert self.config is not None
        return self.config

    def _read_config_later(self) -> None:
        if self.config is None and self._config_error is None:  # not already read on demand
            self._read_config()

    @work(thread=True, exclusive=True, group="config", exit_on_error=False,
          description="read the config")
    def _read_config(self) -> None:
        """pydantic-settings costs ~100 ms to import, so the config is read after the first frame."""
        from app.config import load_config
        from engine.errors import InputError

        try:
            config = load_config()
        except InputError as exc:
            self.call_from_thread(self._config_failed, exc)
            return
        self.call_from_thread(self._use_config, config)

    def _config_failed(self, error: InputError) -> None:
        if self._config_error is None and self.config is None:
            self._config_error = error
            self.notify(error.line(), title="Config not used", severity="warning", timeout=10, markup=False)

    def _use_config(self, config: AppSettings) -> None:
        if self.config is not None or self._config_error is not None:
            return  # read on demand meanwhile: the first read is the one used
        self.config = config
        if config.warnings:
            self.notify("\n".join(config.warnings), title="Config", severity="warning", timeout=10,
                        markup=False)
        src = self.sources
        if src is not None and not src.is_demo:  # files loaded before the config was read
            self.remember_paths(company=src.company_path, users=src.users_path, settings=src.settings_path)
        if config.theme and config.theme != self.theme:
            if config.theme in self.available_themes:
                self.theme = config.theme
            else:
                self.notify(f"theme {config.theme!r} is not a Textual theme; using {self.theme}",
                            title="Config", severity="warning")

    def remember_paths(self, **paths: str | None) -> None:
        """Record the files used (config `last.*`), for the open dialog next time. Best effort:
        a config that cannot be written never stops the admin's work."""
        config = self.config
        if config is None:
            return
        from pathlib import Path

        changed = False
        for key, value in paths.items():
            if value:
                value = str(Path(value).resolve())
                if getattr(config.last, key) != value:
                    setattr(config.last, key, value)
                    changed = True
        if changed:
            # A copy: the thread writes what was true now, whatever changes meanwhile.
            self._save_config(config.model_copy(deep=True))

    @work(thread=True, group="config", exit_on_error=False, description="save the config")
    def _save_config(self, config: AppSettings) -> None:
        from app.config import save_config

        try:
            save_config(config)
        except OSError:
            pass  # remembering recent files is a convenience, never an error for the admin

    # -- files ---------------------------------------------------------------------------------
    def action_open_files(self) -> None:
        from app.screens.open_files import OpenFilesScreen

        src = self.sources
        current = (src.company_path, src.users_path, src.settings_path) if src else self.paths
        if self.config is None and self._config_error is None:  # within the first half second
            from engine.errors import InputError

            try:
                self.app_config()
            except InputError:
                pass  # said in a notice; the dialog opens without the files used last
        if (src is None or src.is_demo) and self.config is not None and not any(current):
            last = self.config.last
            current = (last.company, last.users, last.settings)  # offer the files used last time

        def opened(result: tuple[str | None, str | None, str | None] | None) -> None:
            if result is not None:
                self.load_files(*result)

        self.push_screen(OpenFilesScreen(*current), opened)


    async def action_save_settings(self) -> None:
        await self.main.action_save_settings()

    # -- workers the App runs: the same one handler ---------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.main.worker_failed(event.worker.group, event.worker.description, event.worker.error)

    # -- quitting: nothing typed is lost -------------------------------------------------------
    async def action_quit(self) -> None:
        """ctrl+q (and the palette's Quit): at once, unless that would lose unsaved settings."""
        from app.screens.confirm_quit import ConfirmQuitScreen, QuitChoice

        if not self.has_unsaved_settings():
            self.exit()
            return
        if isinstance(self.screen, ConfirmQuitScreen):
            return  # already asking

        async def answered(choice: QuitChoice | None) -> None:
            if choice == "discard":
                self.exit()
            elif choice == "save":
                await self._save_and_quit()

        self.push_screen(ConfirmQuitScreen(self.save_path()), answered)

    async def _save_and_quit(self) -> None:
        def saved(outcome: str) -> None:
            if outcome == "written":
                self.exit()
            elif outcome == "failed":  # the save's own notice says why; stay, nothing is lost
                self._not_quitting()
            # "declined": the admin chose not to overwrite a file; stay (the path box is focused
            # when they chose another name)

        (await self.main.review_step()).save(then=saved)  # step 7's atomic save, to the path in its box

    def _not_quitting(self) -> None:
        self.notify("The settings were not saved, so SCIM assistant stays open: fix the path in "
                    "step 7 and save, or quit without saving.", title="Not quitting", severity="error",
                    timeout=10)



def quiet_exit_code(app: WizardApp) -> int:
    return app.return_code or 0
