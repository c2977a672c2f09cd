"""The push part of step 7: the diff against the service's current settings, the preview's
headline numbers and the lock-out guard, then Push (after a confirmation) and "Reload from
service". The panel itself is `widgets.push_panel.PushPanel`; this subclass talks to the
service through `engine.client` in an async worker, so the wizard never freezes.

Nothing typed is lost: before every push the settings are saved (atomically) where step 7's
"Save settings" would write them, and a failed push leaves them in the wizard.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerCancelled, WorkerError, WorkerState

from app.screens.scrolling import ScrollingModal
from app.steps.base import Step
from app.steps.contract import ServiceRead, SettingsPushed, WorkerFailed
from engine.settings import Settings
from engine.settings_diff import diff_settings
from widgets.push_panel import PushPanel as PushPanelWidget
from widgets.safe_text import printable_lines

if TYPE_CHECKING:
    from app.steps.contract import StepHost
    from engine.client import PushError, RemoteSettings, SettingsClient
    from engine.errors import InputError


class ConfirmPush(ScrollingModal[bool]):
    """Push these N changes to <where>? Yes / No."""

    BODY = "#confirm-body"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Push", id="confirm.yes", tooltip="Push the settings"),
        Binding("n,escape", "answer(False)", "Cancel", id="confirm.no", tooltip="Do not push"),
    ]
    DEFAULT_CSS = """
    ConfirmPush { align: center middle; }
    ConfirmPush #confirm-body { width: 70; max-width: 100%; height: auto; max-height: 100%; padding: 1 2;
                                background: $surface; border: thick $primary; }
    ConfirmPush Horizontal { height: auto; margin-top: 1; dock: bottom; }
    ConfirmPush Button { margin-right: 2; }
    """

    def __init__(self, question: str) -> None:
        super().__init__(id="confirm-push")
        self.question = question

    def compose(self) -> ComposeResult:
        # The list scrolls on a short terminal; the buttons are docked, so stay in view.
        with VerticalScroll(id="confirm-body", can_focus=False):
            # The changes quote the admin's values and the service's address: no markup.
            yield Static(printable_lines(self.question), id="confirm-question", markup=False)
            with Horizontal():
                yield Button("Push", id="confirm-yes", variant="primary")
                yield Button("Cancel", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class PushPanel(PushPanelWidget):
    def __init__(self) -> None:
        super().__init__(id="push-panel", classes="card")
        self.remote: RemoteSettings | None = None
        self.where = ""
        self._loading = False

    @property
    def wizard(self) -> StepHost:
        """The wizard, as far as a step may use it (the contract in app/steps/contract.py)."""
        return self.query_ancestor(Step).wizard  # step 7's: the panel sits inside it

    def on_mount(self) -> None:
        super().on_mount()
        self.refresh_view()
        self.load_remote()

    # -- what the review step calls ----------------------------------------------------------

    def refresh_view(self) -> None:
        """The wizard's settings or preview changed: re-diff against the service, re-check."""
        w = self.wizard
        if w.settings is None:
            return
        self.show_headline(w.preview.summary if w.preview else None)
        self.show_guard(self._guard(w.settings))
        if self.remote is not None:
            self.show_diff(diff_settings(self.remote.settings, w.settings))

    def _guard(self, settings: Settings) -> list[str]:
        from engine.sso import guard_problems

        src = self.wizard.sources
        if src is None:
            return []
        sso = settings.sso
        return guard_problems(enforce=sso.enforce, idp_entity_id=sso.idp_entity_id, idp_sso_url=sso.idp_sso_url,
                              certificate=sso.certificate, break_glass=list(sso.break_glass),
                              company_domains=list(src.company.domains), today=dt.date.today(),
                              sign_in_tested=self.wizard.sso_passes.tested(
                                  sso.idp_entity_id, sso.idp_sso_url, sso.certificate) if sso.enforce else None)

    # -- talking to the service --------------------------------------------------------------

    async def _client(self) -> SettingsClient:
        from app.steps.service_client import open_settings_client

        return await open_settings_client(self.wizard)

    @work(exclusive=True, group="push", description="read the service's settings", exit_on_error=False)
    async def load_remote(self, *, then_apply: bool = False) -> None:
        from engine.client import PushError
        from engine.errors import InputError

        self.set_busy("Reading the service's settings…")
        try:
            client = await self._client()
            # The embedded service's path differs from machine to machine: not on screen.
            self.where = "the embedded local service" if client.embedded else client.where
            try:
                remote = await client.get_settings()
                sso = self.wizard.settings.sso if self.wizard.settings is not None else None
                if sso is not None and sso.enforce:  # a test sign-in that passed outside the wizard
                    from app.steps.service_client import PassesUnknown, learn_passes, notify_passes_unknown

                    try:
                        await learn_passes(self.wizard, client, sso.idp_entity_id, sso.idp_sso_url,
                                           sso.certificate)
                    except PassesUnknown as exc:  # the settings were read: say only what is unknown
                        notify_passes_unknown(self, exc)
            finally:
                await client.aclose()
        except (PushError, InputError) as exc:
            self.show_result(False, f"Could not read the service's settings: {_message(exc)}")
            return
        self._seen(remote, apply=then_apply)
        self.show_service(self.where, remote.version)
        if then_apply:
            self.show_result(True, f"Loaded the service's settings {remote.version} into the wizard.")
        else:
            self.show_result(True, f"Read the service's settings {remote.version}.")
        self.refresh_view()

    @on(PushPanelWidget.ReloadRequested)
    def _reload_requested(self, event: PushPanelWidget.ReloadRequested) -> None:
        event.stop()
        self.load_remote(then_apply=True)

    def _seen(self, remote: RemoteSettings, *, apply: bool = False) -> None:
        """What the service holds now: the diff compares with it, and the wizard knows it (its
        quit guard; with `apply`, "Reload from service" takes it in)."""
        self.remote = remote
        self.post_message(ServiceRead(remote.settings, apply))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A read or a push that failed in a way its own code did not expect: the panel is
        usable again, and the wizard says what went wrong (one handler, app/wizard/main_screen.py)."""
        if event.state == WorkerState.ERROR:
            self.show_result(False, f"Could not {event.worker.description}: see the notice.")
            self.post_message(WorkerFailed(event.worker.description, event.worker.error))

    # -- what the command palette calls (the same paths as the buttons) ------------------------

    async def _service_read(self) -> None:
        """Wait for a read of the service's settings under way (the one started on mount)."""
        for worker in list(self.app.workers):
            if worker.node is self and worker.group == "push" and not worker.is_finished:
                try:
                    await worker.wait()
                except (WorkerError, WorkerCancelled):
                    pass  # said by on_worker_state_changed; the checks below see no settings

    async def request_push(self) -> None:
        """As the Push button: after the confirmation, saved first, then pushed."""
        await self._service_read()
        if self.remote is None:
            self.notify("The service's settings could not be read: see step 7.", title="Not pushed",
                        severity="error")
        elif self.guard:
            self.notify("SSO enforcement would lock people out: see step 7.", title="Not pushed",
                        severity="error")
        elif not self.changes:
            self.notify(f"{self.where} already has these settings.", title="Nothing to push")
        elif not self.busy:
            self._confirm_push()

    async def request_reload(self) -> None:
        """As the 'Reload from service' button: the service's settings into the wizard."""
        await self._service_read()
        if self.busy:
            self.notify("A push is under way: reload once it is done.", title="Not reloaded", severity="warning")
            return
        self.load_remote(then_apply=True)

    @on(PushPanelWidget.PushRequested)
    def _push_requested(self, event: PushPanelWidget.PushRequested) -> None:
        event.stop()
        self._confirm_push()

    def _confirm_push(self) -> None:
        w = self.wizard
        if w.settings is None or self.remote is None or not self.changes:
            return
        question = (f"Push {len(self.changes)} change(s) to {self.where}?\n\n"
                    + "\n".join(c.line() for c in self.changes[:12])
                    + ("\n…" if len(self.changes) > 12 else ""))

        def answered(yes: bool | None) -> None:
            if yes and w.settings is not None:
                self._save_then_push(w.settings)

        self.app.push_screen(ConfirmPush(question), answered)

    def _save_then_push(self, settings: Settings) -> None:
        """Save the settings before pushing (asking first before replacing a file this run did
        not load or write), then push, saying where they were saved or why not."""
        from app.steps.review import Outcome, ReviewStep

        review = self.query_ancestor(ReviewStep)  # the step this panel is part of

        def saved(outcome: Outcome) -> None:
            if outcome == "declined":  # never overwritten silently, and never pushed unsaved
                self.show_result(False, "Not pushed: the settings file was not replaced. Choose "
                                 "another name under 'Save settings' (or overwrite it), then push again.")
                return
            if outcome == "written":
                where = f"Your settings are saved in {review.save_path}."
            else:
                where = "Your settings are still in the wizard (saving them failed: see the notice)."
            self.push(settings, where)

        review.save(then=saved)

    @work(exclusive=True, group="push", description="push the settings", exit_on_error=False)
    async def push(self, settings: Settings, saved: str) -> None:
        from engine.client import PushError, StaleSettings
        from engine.errors import InputError

        assert self.remote is not None
        self.set_busy(f"Pushing to {self.where}…")
        try:
            client = await self._client()
            try:
                try:
                    pushed = await client.put_settings(settings, self.remote.etag)
                except StaleSettings as exc:
                    # Show what the service has now, so the new diff is the one on screen.
                    self._seen(await client.get_settings())
                    self.show_service(self.where, self.remote.version)
                    self.refresh_view()
                    self.show_result(False, f"{_sentence(_message(exc))} The diff now compares with "
                                     f"{self.remote.version}: push again to replace it, or "
                                     f"'Reload from service' to take it. {saved}")
                    return
            finally:
                await client.aclose()
        except (PushError, InputError) as exc:
            self.show_result(False, f"{_sentence(_message(exc))} {saved}")
            self.notify(_message(exc), title="Not pushed", severity="error", timeout=10)
            return
        self.remote = pushed
        self.post_message(SettingsPushed(settings))
        self.show_service(self.where, pushed.version)
        self.refresh_view()
        self.show_result(True, f"Pushed: the service now has settings {pushed.version}.")
        self.notify(f"The service now has settings {pushed.version}", title="Pushed")


def _message(exc: PushError | InputError) -> str:
    from engine.errors import InputError

    if isinstance(exc, InputError):
        return exc.line()
    return "\n".join(exc.lines())


def _sentence(text: str) -> str:
    """The engine's messages are clauses ("…, then push again"); end one with a full stop before
    another sentence follows it."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?:" else text + "."
