"""The wizard App: a sidebar of seven steps, the current step, a summary strip, and the live
preview that re-runs (debounced, in a thread worker) whenever a setting changes."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import time
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Header, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from app.sources import Sources
from app.steps import STEP_CLASSES
from app.steps.base import Step
from app.steps.contract import (
    LoadWanted,
    SavePathChanged,
    ServiceRead,
    SettingsPushed,
    SettingsSaved,
    WorkerFailed,
)
from app.wizard.analysis import Insights, LoadStats, analyse, load_stats
from app.wizard.messages import (  # noqa: F401 - SourcesLoaded: tests post it
    LoadFailed,
    LoadProgress,
    PreviewFailed,
    PreviewReady,
    SourcesLoaded,
    SummaryReady,
)
from app.wizard.palette import WizardCommands
from engine.preview import Preview, Summary, run_preview
from engine.settings import Settings, settings_problems
from engine.sso import PassedSignIns
from widgets.key_bar import KeyBar
from widgets.safe_text import printable, printable_lines
from widgets.summary import SummaryPanel

if TYPE_CHECKING:
    from app.config import AppSettings
    from app.steps.review import ReviewStep
    from engine.errors import InputError

SECTIONS = ("office", "scope", "licenses", "numbers", "sso")  # what "Reload from service" takes in
# Long enough to batch a held key's repeats (25-30 a second by default on Linux and Windows,
# 33-40 ms apart) into one preview; all of it is on the key-to-summary time. Read at each
# change, so tests set it to 0 instead of sleeping.
DEBOUNCE_SECONDS = 0.06
STATE_ICON = {"ok": "✓", "warn": "⚠", "error": "✗", "pending": "·"}
# Steps whose state depends on the preview: neutral ("pending") until the first one arrives.
PREVIEW_STEPS = {"office", "mismatch", "licenses", "preview"}
SUMMARY_STEPS = {"office", "mismatch", "licenses", "sso", "preview"}


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
        self.paths = (company_path, users_path, settings_path)
        self.as_of = as_of or dt.date.today()
        self.sources: Sources | None = sources
        self.stats: LoadStats | None = None
        self.settings: Settings | None = sources.settings if sources else None
        self.saved_settings: Settings | None = None
        self.pushed_settings: Settings | None = None  # step 7 pushed them (SettingsPushed)
        self.service_settings: Settings | None = None  # the service was last seen to hold (ServiceRead)
        self.save_box: str | None = None  # step 7's save box, once built (SavePathChanged)
        self.loaded_settings: Settings | None = None  # as the files (or the demo) gave them
        self.preview: Preview | None = None
        self.insights: Insights | None = None
        self.preview_error: str | None = None  # the last preview failed and none is shown
        self.problems: dict[str, list[str]] = {}
        self.sso_passes = PassedSignIns()  # test sign-ins seen passing (the guard's last condition)
        self.load_error: str | None = None
        self.loading = False
        self.step_index = 0
        self._generation = 0
        self._debounce: Timer | None = None
        self.last_latency = 0.0  # engine finished -> new preview on screen, seconds
        self.last_shown_at = 0.0  # time.perf_counter() when the last preview was on screen
        self.last_summary_at = 0.0  # ... and when its summary was (it goes first)
        self.steps: list[Step] = [cls(built=i == 0) for i, cls in enumerate(STEP_CLASSES)]
        self._mounting: dict[str, asyncio.Event] = {}  # steps being mounted, by id
        # Held, not queried: a step mounted as the app closes (a step key typed during start-up,
        # then quit) would otherwise look for it in a screen already taken down (NoMatches).
        self.summary_panel = SummaryPanel(id="summary")
        self.config: AppSettings | None = None  # read once, after the first frame: app_config()
        self._config_error: InputError | None = None  # the config is unusable: said once

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="☎")
        with Horizontal(id="body"):
            yield OptionList(*[Option(self._step_label(i, None), id=s.step_id)
                               for i, s in enumerate(self.steps)], id="steps")
            with Vertical(id="main"):
                # The loading line (#loading) is mounted above it by the first load that needs one.
                yield self.summary_panel
                # Steps are mounted when first shown: the first frame styles only step 1.
                with ContentSwitcher(id="content", initial=self.steps[0].step_id):
                    yield self.steps[0]
        yield KeyBar()

    def on_mount(self) -> None:
        from app.config_file import configured_theme

        theme = configured_theme()
        if theme and theme != self.theme and theme in self.available_themes:
            self.theme = theme
        # The full config (recent files, checks) needs pydantic: read it once the app is drawn.
        self.set_timer(0.5, self._read_config_later)
        self._set_breakpoint_classes()
        self.query_one("#steps", OptionList).highlighted = 0
        self._show_step(0, focus=False)
        if self.sources is None:
            company, users, settings = self.paths
            if users is None:
                # The demo is small: read and preview it before the first frame.
                from app.sources import load_sources

                self._loaded(load_sources(None, None, settings), refresh=False)
                self._run_preview_now()
            else:
                self._load(company, users, settings)
        else:
            self._loaded(self.sources, refresh=False)
            self._run_preview_now()

    def on_ready(self) -> None:
        gc.enable()  # off for the start-up (app/tui.py): the first frame is on the terminal

    def _set_breakpoint_classes(self) -> None:
        """Give the screen the breakpoint classes its first resize would give it (as Textual does),
        before its styles are first computed: otherwise that resize restyles the whole tree."""
        width, height = self.size
        classes: dict[str, bool] = {}
        for breakpoints, value in ((self.HORIZONTAL_BREAKPOINTS, width), (self.VERTICAL_BREAKPOINTS, height)):
            chosen = next((name for threshold, name in sorted(breakpoints, reverse=True) if value >= threshold), None)
            classes.update({name: name == chosen for _, name in breakpoints})
        self.screen.update_classes(classes, update=False)

    # -- loading -------------------------------------------------------------------------------
    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notice is plain text, whatever the caller asks (widgets pass markup=True by
        default): they carry paths, names and servers' answers, never markup."""
        super().notify(printable_lines(message), title=printable_lines(title), severity=severity,
                       timeout=timeout, markup=False)

    def load_files(self, company: str | None, users: str | None, settings: str | None) -> None:
        """Load other files (both company and users, or neither for the demo)."""
        self._load(company, users, settings)

    def _load(self, company: str | None, users: str | None, settings: str | None) -> None:
        self.loading = True
        from textual.widgets import ProgressBar

        shown = self.query("#loading")
        if shown:  # a load before this one mounted it: reset and show it again
            shown.first().display = True
            self.query_one("#loading-label", Label).update("Reading sample users…")
            self.query_one("#loading-bar", ProgressBar).update(total=None, progress=0)
        else:  # mounted by the first load that needs it (never by the demo)
            self.query_one("#main").mount(
                Horizontal(Label("Reading sample users…", id="loading-label"),
                           ProgressBar(id="loading-bar", show_eta=False), id="loading"), before=0)
        self._load_worker(company, users, settings)

    def _hide_loading(self) -> None:
        for line in self.query("#loading"):
            line.display = False

    # Every worker has a description: without one, Textual builds the repr() of its arguments
    # (100k users: 0.5 s and a 38 MB string on the UI thread).
    @work(thread=True, exclusive=True, group="load", description="read the files", exit_on_error=False)
    def _load_worker(self, company: str | None, users: str | None, settings: str | None) -> None:
        from app.sources import load_sources
        from engine.errors import InputError

        last = [0.0]
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] > 0.05 and not worker.is_cancelled:
                last[0] = now
                self.post_message(LoadProgress(done, total))

        try:
            src = load_sources(company, users, settings, progress)
            stats = load_stats(src.company, src.users)
        except (InputError, OSError) as exc:
            result: Message = LoadFailed(exc.line() if isinstance(exc, InputError) else str(exc))
        else:
            result = SourcesLoaded(src, stats)
        # A load started since (exclusive: it cancelled this one) has the last word.
        if not worker.is_cancelled:
            self.post_message(result)

    def on_load_progress(self, msg: LoadProgress) -> None:
        from textual.widgets import ProgressBar

        for bar in self.query("#loading-bar").results(ProgressBar):
            bar.update(total=max(msg.total, 1), progress=msg.done)
        for label in self.query("#loading-label").results(Label):
            label.update(f"Reading sample users… {msg.done:,} of {msg.total:,}")

    def on_sources_loaded(self, msg: SourcesLoaded) -> None:
        if not self.is_running:
            return  # it landed as the app closes: its steps are being taken down
        self._loaded(msg.sources, msg.stats)
        self._schedule_preview(delay=0.01)

    def on_load_failed(self, msg: LoadFailed) -> None:
        self.loading = False
        self._hide_loading()
        self.load_error = msg.error
        self.notify(msg.error, title="Could not load", severity="error", timeout=10)
        self._refresh_all()

    def _loaded(self, sources: Sources, stats: LoadStats | None = None, *, refresh: bool = True) -> None:
        """Take up new sources; `refresh=False` when a preview is accepted right after (it refreshes)."""
        self.loading = False
        self.load_error = None
        self._hide_loading()
        self.sources = sources
        self.stats = stats or load_stats(sources.company, sources.users)
        self.settings = self.loaded_settings = sources.settings
        self.saved_settings = sources.settings if sources.settings_path else None
        self.problems.clear()
        self.preview = self.insights = None
        self.preview_error = None
        name = printable(sources.company.name) + (" (demo)" if sources.is_demo else "")
        self.sub_title = name
        if not sources.is_demo:
            self.remember_paths(company=sources.company_path, users=sources.users_path,
                                settings=sources.settings_path)
        self.reset_steps()
        if refresh:
            self._refresh_all()
        # 100k user records stay for the whole session: out of the collector's sight, its full
        # collections no longer walk them (pauses of 110-140 ms while the admin types).
        gc.freeze()

    # -- settings and the live preview ---------------------------------------------------------
    def change_settings(self, section: str, *, problems_key: str | None = None, **changes: Any) -> list[str]:
        """Apply a change; return the problems (shown where the change was made, and kept under
        `problems_key`, the step that made it: by default the section). An invalid change leaves
        the last valid settings and preview in place."""
        if self.settings is None or self.sources is None:
            return []
        key = problems_key or section
        new = self.settings.with_changes(section, **changes)
        problems = settings_problems(new.to_dict(), self.sources.company)
        if problems:
            self.problems[key] = problems
            self._refresh_sidebar()
            return problems
        self.problems.pop(key, None)
        if new != self.settings:
            self.settings = new
            self._schedule_preview()
        self._refresh_sidebar()
        return []

    def change_settings_and_refresh(self, section: str, **changes: Any) -> list[str]:
        """A change made outside the step's own controls (the command palette): sync them."""
        problems = self.change_settings(section, **changes)
        self.reset_steps()
        return problems

    def reset_steps(self) -> None:
        """Every built step re-reads its controls from the settings: after new files, a change
        from the palette, the service's settings taken in."""
        for step in self.steps:
            if step.ready:
                step.on_sources_changed()

    def set_step_problems(self, section: str, problems: list[str]) -> None:
        """A step's own validation (a draft it could not turn into settings)."""
        if problems:
            self.problems[section] = problems
        else:
            self.problems.pop(section, None)
        self._refresh_sidebar()

    def _schedule_preview(self, delay: float | None = None) -> None:
        self.summary_panel.show(self.preview.summary if self.preview else None, pending=True)
        if self._debounce is not None:
            self._debounce.stop()
        delay = DEBOUNCE_SECONDS if delay is None else delay
        # At least 1 ms: a Textual timer of 0 s divides by zero (tests set the debounce to 0).
        self._debounce = self.set_timer(max(delay, 0.001), self._start_preview)

    @property
    def preview_scheduled(self) -> bool:
        """A change waits for its debounced preview to start (tests wait on this, not a clock)."""
        return self._debounce is not None

    def _start_preview(self) -> None:
        self._debounce = None
        if self.sources is None or self.settings is None:
            return
        self._generation += 1
        self._preview_worker(self.sources, self.settings, self._generation)

    @work(thread=True, exclusive=True, group="preview", description="run the preview", exit_on_error=False)
    def _preview_worker(self, sources: Sources, settings: Settings, generation: int) -> None:
        def show_summary(summary: Summary) -> None:
            """The totals, as soon as the engine has them; the rest of the preview (rows, then
            the steps' analysis) once they are on screen: made meanwhile, it would hold the GIL
            the UI thread needs to paint them."""
            ready = SummaryReady(generation, settings, summary)
            self.post_message(ready)
            ready.shown.wait(0.25)

        try:
            preview = run_preview(sources.company, sources.users, settings, self.as_of,
                                  on_summary=show_summary)
            engine_done = time.perf_counter()
            insights = analyse(preview, sources.users.records)
        except Exception as exc:  # noqa: BLE001 - shown to the admin, the last preview stays
            self.post_message(PreviewFailed(generation, str(exc)))
            return
        ready = PreviewReady(generation, settings, preview, insights, engine_done)
        self.post_message(ready)
        # The text filter's haystack (~0.2 s for 100k rows), once the preview is on screen: made
        # meanwhile, it holds the GIL the UI thread needs to draw the new preview.
        worker = get_current_worker()
        for _ in range(20):  # at most a second; at once if the app quits (its workers are cancelled)
            if ready.shown.wait(0.05) or worker.is_cancelled:
                break
        insights.table.warm()

    def _run_preview_now(self) -> None:
        """The first preview of small inputs, synchronously, so the first frame shows it."""
        assert self.sources is not None and self.settings is not None
        preview = run_preview(self.sources.company, self.sources.users, self.settings, self.as_of)
        self._generation += 1
        self._accept(self.settings, preview, analyse(preview, self.sources.users.records))

    @on(PreviewReady)
    def _preview_ready(self, msg: PreviewReady) -> None:
        if not self.is_running:  # it landed as the app closes: its steps are being taken down
            msg.shown.set()
            return
        if msg.generation == self._generation and msg.settings == self.settings:
            self._accept(msg.settings, msg.preview, msg.insights)
            self.last_latency = time.perf_counter() - msg.engine_done
            self.call_after_refresh(self._preview_shown, msg)
        else:
            msg.shown.set()  # outdated: never shown

    def _preview_shown(self, msg: PreviewReady) -> None:
        """The screen has been refreshed with the new preview: the latency the admin sees."""
        self.last_shown_at = time.perf_counter()
        self.last_latency = self.last_shown_at - msg.engine_done
        msg.shown.set()

    @on(SummaryReady)
    def _summary_ready(self, msg: SummaryReady) -> None:
        if self.is_running and msg.generation == self._generation and msg.settings == self.settings:
            self.summary_panel.show(msg.summary, pending=False)
            self.call_after_refresh(self._summary_shown, msg)
        else:
            msg.shown.set()  # outdated, or the app closes: never shown

    def _summary_shown(self, msg: SummaryReady) -> None:
        self.last_summary_at = time.perf_counter()
        msg.shown.set()

    @on(PreviewFailed)
    def _preview_failed(self, msg: PreviewFailed) -> None:
        if msg.generation == self._generation:
            if self.preview is None:
                self.preview_error = msg.error
                self._refresh_sidebar()
            self.notify(msg.error, title="The preview failed; showing the last one", severity="error")
            self.summary_panel.show(self.preview.summary if self.preview else None)

    def _accept(self, settings: Settings, preview: Preview, insights: Insights) -> None:
        self.preview, self.insights = preview, insights
        self.preview_error = None
        self._refresh_all()

    def _refresh_all(self) -> None:
        self.summary_panel.show(self.preview.summary if self.preview else None)
        for step in self.steps:
            if step.ready:
                step.refresh_view()
        self._refresh_sidebar()

    # -- the sidebar ---------------------------------------------------------------------------
    def _step_label(self, index: int, state: str | None) -> str:
        icon = STATE_ICON.get(state or "", "·")
        return f"{icon} {index + 1} {self.steps[index].title}"

    def _refresh_sidebar(self) -> None:
        try:
            steps = self.query_one("#steps", OptionList)
        except Exception:  # noqa: BLE001 - not mounted yet
            return
        for i in range(len(self.steps)):
            steps.replace_option_prompt_at_index(i, self._step_label(i, self.step_state(i)))

    def step_state(self, index: int) -> str:
        """ok, warn, error, or pending while the files load or the first preview is on its way
        (a step cannot be judged yet: neither ✓ nor ✗)."""
        step = self.steps[index]
        if self.sources is None and self.loading:
            return "pending"
        state = step.state()
        awaiting_preview = (self.insights is None and self.sources is not None and self.load_error is None
                            and self.preview_error is None)
        if awaiting_preview and step.step_id in PREVIEW_STEPS and (state != "error" or step.step_id == "preview"):
            return "pending"  # a step's invalid settings stay ✗; its verdict on the preview waits
        return state

    @on(OptionList.OptionHighlighted, "#steps")
    def _step_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != event.option_list.highlighted:
            # Outdated: the highlight moved on since (keys typed ahead, or _show_step moved it).
            # Following it would move the highlight back and post another: an endless ping-pong.
            return
        if event.option_index == self.step_index and self.steps[self.step_index].built:
            return  # already shown and kept fresh (on_mount highlights step 1 and shows it)
        self._show_step(event.option_index, focus=False)

    @on(OptionList.OptionSelected, "#steps")
    def _step_selected(self, event: OptionList.OptionSelected) -> None:
        self._show_step(event.option_index, focus=True)

    def _show_step(self, index: int, *, focus: bool) -> None:
        self.step_index = index
        step = self.steps[index]
        steps = self.query_one("#steps", OptionList)
        if steps.highlighted != index:
            steps.highlighted = index
        if not step.built:
            self.call_next(self._build_step, step, focus)
            return
        self._switch_to(step)
        step.refresh_view()
        if focus:
            step.focus_first()

    def _switch_to(self, step: Step) -> None:
        content = self.query_one("#content", ContentSwitcher)
        if content.current != step.step_id:
            step.scroll_home(animate=False, immediate=True)  # a step returned to opens at its top
        content.current = step.step_id
        self.summary_panel.display = step.step_id in SUMMARY_STEPS

    async def _build_step(self, step: Step, focus: bool) -> None:
        await self.ensure_step(step)
        if not self.is_running or not step.is_attached:
            return  # the app closed while the step mounted: nothing is left to show it in
        if self.steps[self.step_index] is step:  # still the step asked for
            self._switch_to(step)
            if focus:
                step.focus_first()

    async def ensure_step(self, step: Step) -> Step:
        """Mount a step (composing its widgets) the first time it is needed, synced with the
        current sources, settings and preview."""
        if step.built:
            mounting = self._mounting.get(step.step_id)
            if mounting is not None:  # asked for again while it mounts: wait for it
                await mounting.wait()
            return step
        step.built = True
        self._mounting[step.step_id] = mounting = asyncio.Event()
        try:
            await self.query_one("#content", ContentSwitcher).add_content(step)
            step.after_build()
            step.on_sources_changed()
            step.refresh_view()
        finally:
            del self._mounting[step.step_id]
            mounting.set()
        return step

    def show_step(self, step_id: str) -> None:
        """Bring a step into view, leaving the focus where the step put it."""
        self._show_step(next(i for i, s in enumerate(self.steps) if s.step_id == step_id), focus=False)

    def action_goto(self, index: int) -> None:
        self._show_step(index, focus=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pull":
            return self.step_index == 0 and self.steps[0].ready
        return True

    def action_pull(self, what: str) -> None:
        from app.steps.sources import SourcesStep

        step = self.steps[0]
        if isinstance(step, SourcesStep):
            step.open_pull_users() if what == "users" else step.open_pull_directory()

    def action_next_step(self) -> None:
        self._show_step(min(self.step_index + 1, len(self.steps) - 1), focus=True)

    def action_prev_step(self) -> None:
        self._show_step(max(self.step_index - 1, 0), focus=True)

    def action_focus_steps(self) -> None:
        self.query_one("#steps", OptionList).focus()

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

    async def _review(self) -> ReviewStep:
        from app.steps.review import ReviewStep

        review = await self.ensure_step(self.steps[-1])
        assert isinstance(review, ReviewStep)
        return review

    async def action_save_settings(self) -> None:
        (await self._review()).save()

    async def _review_shown(self) -> ReviewStep:
        review = await self._review()
        self._show_step(len(self.steps) - 1, focus=True)
        return review

    async def push_settings(self) -> None:
        """The command palette's "Push settings": step 7's Push, confirmation included."""
        await (await self._review_shown()).request_push()

    async def reload_from_service(self) -> None:
        """The command palette's "Reload from service": step 7's button of that name."""
        await (await self._review_shown()).request_reload()

    # -- what steps tell the wizard (app/steps/contract.py) --------------------------------------
    def on_settings_saved(self, msg: SettingsSaved) -> None:
        self.saved_settings = msg.settings
        self.remember_paths(settings=msg.path)
        self._refresh_sidebar()

    def on_save_path_changed(self, msg: SavePathChanged) -> None:
        self.save_box = msg.path

    def on_settings_pushed(self, msg: SettingsPushed) -> None:
        self.pushed_settings = self.service_settings = msg.settings
        self._refresh_sidebar()

    def on_service_read(self, msg: ServiceRead) -> None:
        self.service_settings = msg.settings
        if msg.apply:  # "Reload from service": every section, then the controls follow
            for section in SECTIONS:
                part = getattr(msg.settings, section)
                self.change_settings(section, **{f.name: getattr(part, f.name) for f in fields(part)})
            self.reset_steps()
        self._refresh_sidebar()

    async def on_load_wanted(self, msg: LoadWanted) -> None:
        """Step 1 pulled a file: load it with the other current one, keeping the settings (saved
        first, where ctrl+s saves them, when they are unsaved)."""
        settings = msg.settings
        if self.has_unsaved_settings():
            await self.action_save_settings()
            settings = self._save_path()
        self.load_files(msg.company, msg.users, settings)

    # -- workers: one place for the failures nobody caught ---------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self._worker_failed(event.worker.group, event.worker.description, event.worker.error)

    def on_worker_failed(self, msg: WorkerFailed) -> None:
        self._worker_failed("step", msg.description, msg.error)

    def _worker_failed(self, group: str, description: str, error: BaseException | None) -> None:
        """A worker ended with an error its own code did not expect. The wizard stays open with
        everything typed (settings, drafts, the last preview) and says what went wrong."""
        what = f"{error}" if error is not None and str(error) else type(error).__name__
        if group == "load":
            self.on_load_failed(LoadFailed(f"could not {description}: {what}"))
            return
        if group == "preview":
            self._preview_failed(PreviewFailed(self._generation, what))
            return
        self.notify(f"Could not {description}: {what}. Your settings are still in the wizard.",
                    title="Something went wrong", severity="error", timeout=10)

    # -- quitting: nothing typed is lost -------------------------------------------------------
    def has_unsaved_settings(self) -> bool:
        """The settings differ from what was loaded, saved last, pushed last, and what the
        service was last seen to hold: quitting now would lose them."""
        current = self.settings
        if current is None:
            return False
        kept = [self.loaded_settings, self.saved_settings, self.pushed_settings, self.service_settings]
        return all(current != s for s in kept if s is not None)

    def save_path(self) -> str:
        """Where ctrl+s saves the settings (for steps that save before loading other files)."""
        return self._save_path()

    def _save_path(self) -> str:
        """Where step 7's Save writes: its box once built, else the settings file or the default."""
        if self.save_box is not None:
            return self.save_box.strip() or "scim-settings.toml"
        src = self.sources
        return (src.settings_path if src and src.settings_path else None) or "scim-settings.toml"

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

        self.push_screen(ConfirmQuitScreen(self._save_path()), answered)

    async def _save_and_quit(self) -> None:
        def saved(outcome: str) -> None:
            if outcome == "written":
                self.exit()
            elif outcome == "failed":  # the save's own notice says why; stay, nothing is lost
                self._not_quitting()
            # "declined": the admin chose not to overwrite a file; stay (the path box is focused
            # when they chose another name)

        (await self._review()).save(then=saved)  # step 7's atomic save, to the path in its box

    def _not_quitting(self) -> None:
        self.notify("The settings were not saved, so SCIM assistant stays open: fix the path in "
                    "step 7 and save, or quit without saving.", title="Not quitting", severity="error",
                    timeout=10)

    async def export_preview(self, fmt: str) -> None:
        (await self._review()).export(fmt)


def quiet_exit_code(app: WizardApp) -> int:
    return app.return_code or 0
