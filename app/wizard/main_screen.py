"""The wizard's main screen: the sidebar of seven steps, the current step, the summary strip, and
the live preview that re-runs (debounced, in a thread worker) whenever a setting changes. It
holds the wizard's state (sources, settings, preview) and is the `StepHost` the steps see
(app/steps/contract.py); the App (app/wizard/app.py) keeps the config, theme, palette and quit."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import time
from typing import TYPE_CHECKING, cast

from msgspec import structs
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Header, Label
from textual.worker import Worker, WorkerState, get_current_worker

from app.sources import Sources
from app.steps import STEPS, step_class
from app.steps.base import Step
from app.steps.contract import (
    LoadWanted,
    SavePathChanged,
    ServiceRead,
    SettingsPushed,
    SettingsSaved,
    WorkerFailed,
)
from app.steps.states import STATES
from app.wizard.analysis import Insights, LoadStats, analyse, load_stats
from app.wizard.messages import (
    LoadFailed,
    LoadProgress,
    PreviewFailed,
    PreviewReady,
    SourcesLoaded,
    SummaryReady,
)
from engine.preview import Preview, Summary, run_preview
from engine.settings import Settings, settings_problems
from engine.sso import PassedSignIns
from widgets.key_bar import KeyBar
from widgets.pick_list import PickList
from widgets.safe_text import printable
from widgets.summary import SummaryPanel

if TYPE_CHECKING:
    from app.config import AppSettings
    from app.steps.review import ReviewStep
    from app.wizard.app import WizardApp

SECTIONS = ("office", "scope", "licenses", "numbers", "sso")  # what "Reload from service" takes in
# Long enough to batch a held key's repeats (25-30 a second by default on Linux and Windows,
# 33-40 ms apart) into one preview; all of it is on the key-to-summary time. Read at each
# change, so tests set it to 0 instead of sleeping.
DEBOUNCE_SECONDS = 0.06
STATE_ICON = {"ok": "✓", "warn": "⚠", "error": "✗", "pending": "·"}
# Steps whose state depends on the preview: neutral ("pending") until the first one arrives.
PREVIEW_STEPS = {"office", "mismatch", "licenses", "preview"}
SUMMARY_STEPS = {"office", "mismatch", "licenses", "sso", "preview"}


class MainScreen(Screen[None]):
    """The wizard's one screen under its dialogs: steps, sidebar, summary, loading and preview."""

    def __init__(self, paths: tuple[str | None, str | None, str | None], as_of: dt.date,
                 sources: Sources | None) -> None:
        super().__init__()
        self.paths = paths
        self.as_of = as_of
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
        self.loading_files = False  # not `loading`: a widget's `loading` covers it with a spinner
        self.step_index = 0
        self._generation = 0
        self._debounce: Timer | None = None
        self.last_latency = 0.0  # engine finished -> new preview on screen, seconds
        self.last_shown_at = 0.0  # time.perf_counter() when the last preview was on screen
        self.last_summary_at = 0.0  # ... and when its summary was (it goes first)
        # Made when first needed (`step`): the sidebar judges a step not made yet from the
        # wizard's state (app/steps/states.py), so the first frame imports step 1's module only.
        self._steps: list[Step | None] = [None] * len(STEPS)
        self.step(0).built = True  # composed with the screen
        self._mounting: dict[str, asyncio.Event] = {}  # steps being mounted, by id
        # Held, not queried: a step mounted as the app closes (a step key typed during start-up,
        # then quit) would otherwise look for it in a screen already taken down (NoMatches).
        self.summary_panel = SummaryPanel(id="summary")

    def step(self, index: int) -> Step:
        """The step at `index`, made (its module imported) if need be."""
        step = self._steps[index]
        if step is None:
            step = self._steps[index] = step_class(index)()
            step.host = self  # what a step sees of the wizard (StepHost), mounted or not
        return step

    @property
    def steps(self) -> list[Step]:
        """All seven steps (made now, those not made yet)."""
        return [self.step(i) for i in range(len(STEPS))]

    def _made_steps(self) -> list[Step]:
        return [step for step in self._steps if step is not None]

    @property
    def wizard_app(self) -> WizardApp:
        """The App, for what it keeps: the config (files used last) and the window's sub-title."""
        return cast("WizardApp", self.app)

    @property
    def config(self) -> AppSettings | None:
        """The app config once read (StepHost): the App's."""
        return self.wizard_app.config

    def app_config(self) -> AppSettings:
        """The app config, read now if need be (StepHost): the App's."""
        return self.wizard_app.app_config()

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="☎")
        with Horizontal(id="body"):
            yield PickList(*[self._step_label(i, None) for i in range(len(STEPS))], id="steps")
            with Vertical(id="main"):
                # The loading line (#loading) and the summary strip (hidden on step 1, which the
                # first frame shows) are mounted above it when first needed.
                # Steps are mounted when first shown: the first frame styles only step 1.
                with ContentSwitcher(id="content", initial=STEPS[0].step_id):
                    yield self.step(0)
        yield KeyBar()

    def on_mount(self) -> None:
        self._set_breakpoint_classes()
        self.query_one("#steps", PickList).highlighted = 0
        self.go_to_step(0, focus=False)
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

    def _set_breakpoint_classes(self) -> None:
        """Give the screen the breakpoint classes its first resize would give it (as Textual does),
        before its styles are first computed: otherwise that resize restyles the whole tree."""
        width, height = self.app.size
        classes: dict[str, bool] = {}
        for breakpoints, value in ((self.wizard_app.HORIZONTAL_BREAKPOINTS, width),
                                  (self.wizard_app.VERTICAL_BREAKPOINTS, height)):
            chosen = next((name for threshold, name in sorted(breakpoints, reverse=True) if value >= threshold), None)
            classes.update({name: name == chosen for _, name in breakpoints})
        self.update_classes(classes, update=False)


    # -- loading -------------------------------------------------------------------------------
    def load_files(self, company: str | None, users: str | None, settings: str | None) -> None:
        """Load other files (both company and users, or neither for the demo)."""
        self._load(company, users, settings)

    def _load(self, company: str | None, users: str | None, settings: str | None) -> None:
        self.loading_files = True
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
        if not self.app.is_running:
            return  # it landed as the app closes: its steps are being taken down
        self._loaded(msg.sources, msg.stats)
        self._schedule_preview(delay=0.01)

    def on_load_failed(self, msg: LoadFailed) -> None:
        self.loading_files = False  # not `loading`: a widget's `loading` covers it with a spinner
        self._hide_loading()
        self.load_error = msg.error
        self.notify(msg.error, title="Could not load", severity="error", timeout=10)
        self._refresh_all()

    def _loaded(self, sources: Sources, stats: LoadStats | None = None, *, refresh: bool = True) -> None:
        """Take up new sources; `refresh=False` when a preview is accepted right after (it refreshes)."""
        self.loading_files = False  # not `loading`: a widget's `loading` covers it with a spinner
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
        self.app.sub_title = name
        if not sources.is_demo:
            self.wizard_app.remember_paths(company=sources.company_path, users=sources.users_path,
                                settings=sources.settings_path)
        self.reset_steps()
        if refresh:
            self._refresh_all()
        # 100k user records stay for the whole session: out of the collector's sight, its full
        # collections no longer walk them (pauses of 110-140 ms while the admin types).
        gc.freeze()

    # -- settings and the live preview ---------------------------------------------------------
    def change_settings(self, section: str, *, problems_key: str | None = None, **changes: object) -> list[str]:
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

    def change_settings_and_refresh(self, section: str, **changes: object) -> list[str]:
        """A change made outside the step's own controls (the command palette): sync them."""
        problems = self.change_settings(section, problems_key=None, **changes)
        self.reset_steps()
        return problems

    def reset_steps(self) -> None:
        """Every built step re-reads its controls from the settings: after new files, a change
        from the palette, the service's settings taken in."""
        for step in self._made_steps():
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
        if not self.app.is_running:  # it landed as the app closes: its steps are being taken down
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
        if self.app.is_running and msg.generation == self._generation and msg.settings == self.settings:
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
            self._show_summary()

    def _accept(self, settings: Settings, preview: Preview, insights: Insights) -> None:
        self.preview, self.insights = preview, insights
        self.preview_error = None
        self._refresh_all()

    def _show_summary(self) -> None:
        """The preview's totals; without a preview, why none is coming (not "Loading…" forever)."""
        why = None
        if self.preview is None and self.sources is None and self.load_error is not None:
            why = "No preview: the files could not be loaded (step 1 says why; ctrl+o opens others)."
        elif self.preview is None and self.preview_error is not None:
            why = "No preview: it failed (the notice says why); change a setting to try again."
        self.summary_panel.show(self.preview.summary if self.preview else None, unavailable=why)

    def _refresh_all(self) -> None:
        self._show_summary()
        for step in self._made_steps():
            if step.ready:
                step.refresh_view()
        self._refresh_sidebar()

    # -- the sidebar ---------------------------------------------------------------------------
    def _step_label(self, index: int, state: str | None) -> str:
        icon = STATE_ICON.get(state or "", "·")
        return f"{icon} {index + 1} {STEPS[index].title}"

    def _refresh_sidebar(self) -> None:
        try:
            steps = self.query_one("#steps", PickList)
        except Exception:  # noqa: BLE001 - not mounted yet
            return
        for i in range(len(STEPS)):
            steps.set_label(i, self._step_label(i, self.step_state(i)))

    def step_state(self, index: int) -> str:
        """ok, warn, error, or pending while the files load or the first preview is on its way
        (a step cannot be judged yet: neither ✓ nor ✗)."""
        step = self._steps[index]
        step_id = STEPS[index].step_id
        if self.sources is None and self.loading_files:
            return "pending"
        if self.sources is None and step_id in SUMMARY_STEPS - {"preview"}:
            return "pending"  # nothing loaded: steps 2-5 have no users to judge (not ✓)
        state = step.state() if step is not None else STATES[step_id](self)
        awaiting_preview = (self.insights is None and self.sources is not None and self.load_error is None
                            and self.preview_error is None)
        if awaiting_preview and step_id in PREVIEW_STEPS and (state != "error" or step_id == "preview"):
            return "pending"  # a step's invalid settings stay ✗; its verdict on the preview waits
        return state

    @on(PickList.Highlighted, "#steps")
    def _step_highlighted(self, event: PickList.Highlighted) -> None:
        if event.index != event.pick_list.highlighted:
            # Outdated: the highlight moved on since (keys typed ahead, or go_to_step moved it).
            # Following it would move the highlight back and post another: an endless ping-pong.
            return
        if event.index == self.step_index and self.step(self.step_index).built:
            return  # already shown and kept fresh (on_mount highlights step 1 and shows it)
        self.go_to_step(event.index, focus=False)

    @on(PickList.Selected, "#steps")
    def _step_selected(self, event: PickList.Selected) -> None:
        self.go_to_step(event.index, focus=True)

    def go_to_step(self, index: int, *, focus: bool) -> None:
        """Show step `index` (made and mounted first if need be), moving the focus into it with
        `focus`; the sidebar's highlight follows."""
        self.step_index = index
        step = self.step(index)
        steps = self.query_one("#steps", PickList)
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
        shown = step.step_id in SUMMARY_STEPS
        if shown and self.summary_panel.parent is None:
            self.query_one("#main", Vertical).mount(self.summary_panel, before=content)
        self.summary_panel.display = shown

    async def _build_step(self, step: Step, focus: bool) -> None:
        await self.ensure_step(step)
        if not self.app.is_running or not step.is_attached:
            return  # the app closed while the step mounted: nothing is left to show it in
        if self._steps[self.step_index] is step:  # still the step asked for
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
        self.go_to_step(next(i for i, s in enumerate(STEPS) if s.step_id == step_id), focus=False)


    async def review_step(self) -> ReviewStep:
        """Step 7, mounted if need be (ctrl+s, the quit dialog's Save and the palette use it)."""
        from app.steps.review import ReviewStep

        review = await self.ensure_step(self.step(len(STEPS) - 1))
        assert isinstance(review, ReviewStep)
        return review

    async def action_save_settings(self) -> None:
        (await self.review_step()).save()

    async def _review_shown(self) -> ReviewStep:
        review = await self.review_step()
        self.go_to_step(len(STEPS) - 1, focus=True)
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
        self.wizard_app.remember_paths(settings=msg.path)
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
                self.change_settings(section, **structs.asdict(part))
            self.reset_steps()
        self._refresh_sidebar()

    async def on_load_wanted(self, msg: LoadWanted) -> None:
        """Step 1 pulled a file: load it with the other current one, keeping the settings (saved
        first, where ctrl+s saves them, when they are unsaved)."""
        settings = msg.settings
        if self.has_unsaved_settings():
            await self.action_save_settings()
            settings = self.save_path()
        self.load_files(msg.company, msg.users, settings)

    # -- workers: one place for the failures nobody caught ---------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.worker_failed(event.worker.group, event.worker.description, event.worker.error)

    def on_worker_failed(self, msg: WorkerFailed) -> None:
        self.worker_failed("step", msg.description, msg.error)

    def worker_failed(self, group: str, description: str, error: BaseException | None) -> None:
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

    # -- what quitting asks: unsaved settings, and where they save ------------------------------
    def has_unsaved_settings(self) -> bool:
        """The settings differ from what was loaded, saved last, pushed last, and what the
        service was last seen to hold: quitting now would lose them."""
        current = self.settings
        if current is None:
            return False
        kept = [self.loaded_settings, self.saved_settings, self.pushed_settings, self.service_settings]
        return all(current != s for s in kept if s is not None)

    def save_path(self) -> str:
        """Where ctrl+s and step 7's Save write: its box once built, else the settings file or
        the default."""
        if self.save_box is not None:
            return self.save_box.strip() or "scim-settings.toml"
        src = self.sources
        return (src.settings_path if src and src.settings_path else None) or "scim-settings.toml"


    async def export_preview(self, fmt: str) -> None:
        (await self.review_step()).export(fmt)
