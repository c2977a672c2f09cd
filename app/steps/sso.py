"""Step 5: SSO and the IdP signing certificate. Enforcement ("Prevent users from logging in with
other SSO providers"), the IdP entity ID and SSO URL, the certificate (pasted, or loaded from a
certificate or metadata file), its verdicts, the break-glass admins, and the lock-out guard that
refuses a push while enforcement could lock the company out (SPEC section 6).

Step 7 asks `guard_for(settings, company, today)` before pushing: an empty list means go.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static, Switch

from app.screens.scrolling import ScrollingModal
from app.steps.base import Step, heading, note, problems_box
from app.steps.states import guard_problems as guard_problems_of
from app.steps.states import sso_state
from engine.sso import LockedOutUser, PassedSignIns, guard_problems, locked_out_users
from widgets.safe_text import printable_lines

if TYPE_CHECKING:
    from textual.widgets import TextArea

    from engine.certs import CertReport
    from engine.directory import Company
    from engine.settings import Settings
    from widgets.sso_guard import GuardView
    from widgets.sso_test_panel import SsoTestPanel

# TextArea and the step's own widgets are imported when the step is built: the sidebar needs only
# its state, and the first frame would pay for them (~20 ms).


def _certs() -> ModuleType:
    """engine.certs, imported on first use: cryptography costs ~90 ms at start-up."""
    from engine import certs

    return certs


PASTED = "the pasted text"
STORED = "sso.certificate"
DRAFT_KEY = "sso.certificate"  # the key of an unreadable certificate draft in wizard.problems


def guard_for(settings: Settings, company: Company, today: dt.date,
              passes: PassedSignIns | None = None) -> list[str]:
    """The lock-out guard's sentences for these settings: why they may not be pushed.

    Empty when the push may go ahead (always when enforcement is off). `passes`: the test
    sign-ins known to have passed; None leaves that condition to the service."""
    return _guard(settings, company, today, enforce=settings.sso.enforce, passes=passes)


def _guard(settings: Settings, company: Company, today: dt.date, *, enforce: bool,
           passes: PassedSignIns | None = None) -> list[str]:
    sso = settings.sso
    tested = None
    if passes is not None and enforce:
        tested = passes.tested(sso.idp_entity_id, sso.idp_sso_url, sso.certificate)
    return guard_problems(enforce=enforce, idp_entity_id=sso.idp_entity_id, idp_sso_url=sso.idp_sso_url,
                          certificate=sso.certificate, break_glass=list(sso.break_glass),
                          company_domains=list(company.domains), today=today, sign_in_tested=tested)


def preferred_sso_url(urls: dict[str, str]) -> tuple[str, str] | None:
    """(binding, URL) from metadata: HTTP-Redirect first, else HTTP-POST."""
    for binding in (_certs().BINDING_REDIRECT, _certs().BINDING_POST):
        if urls.get(binding):
            return binding, urls[binding]
    return None


def split_addresses(text: str) -> tuple[str, ...]:
    """One address per line; commas, semicolons and spaces separate too. Duplicates dropped."""
    seen: dict[str, str] = {}
    for part in re.split(r"[\s,;]+", text):
        if part and part.casefold() not in seen:
            seen[part.casefold()] = part
    return tuple(seen.values())


class EnforceScreen(ScrollingModal[bool]):
    """Turning enforcement on is never silent: what it blocks, who loses their way in, and
    whether the guard would let it be pushed."""

    BODY = "#enforce-dialog"

    DEFAULT_CSS = """
    EnforceScreen {
        align: center middle;
    }
    #enforce-dialog {
        width: 96;
        max-width: 96%;
        height: auto;
        max-height: 100%;
        background: $surface;
        border: thick $warning;
        padding: 0 1;
    }
    #enforce-title {
        text-style: bold;
        color: $warning;
        margin-bottom: 1;
    }
    #enforce-dialog SsoGuard {
        height: auto;
    }
    #enforce-buttons {
        dock: bottom;  /* outside the scrolled part: always on screen */
        height: auto;
        margin-top: 1;
    }
    #enforce-buttons Button {
        margin-right: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="sso.enforce_cancel", tooltip="Leave enforcement off"),
    ]

    def __init__(self, view: GuardView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        from widgets.sso_guard import SsoGuard

        # The dialog scrolls on a short terminal (80x24); its buttons are docked, so stay in view.
        with VerticalScroll(id="enforce-dialog", can_focus=False):
            yield Static("Turn on “Prevent users from logging in with other SSO providers”?", id="enforce-title")
            yield SsoGuard(self.view, id="enforce-guard")
            with Horizontal(id="enforce-buttons"):
                label = "Turn on (push refused until fixed)" if self.view.problems else "Turn on enforcement"
                yield Button(label, id="enforce-confirm", variant="warning",
                             tooltip="Set sso.enforce = true; the settings can be saved either way")
                yield Button("Cancel", id="enforce-cancel", tooltip="Leave enforcement off")

    def on_mount(self) -> None:
        self.query_one("#enforce-cancel", Button).focus()

    @on(Button.Pressed, "#enforce-confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#enforce-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class SsoStep(Step):
    step_id = "sso"
    title = "SSO & certificate"
    section = "sso"

    DEFAULT_CSS = """
    SsoStep #sso-certificate {
        height: 5;
        max-width: 100;
    }
    SsoStep #sso-break-glass {
        height: 4;
        max-width: 60;
    }
    SsoStep #sso-filled {
        color: $success;
        height: auto;
    }
    SsoStep #sso-cert-draft {
        color: $error;
        height: auto;
    }
    SsoStep #sso-passes-unknown {
        color: $warning;
        height: auto;
    }
    SsoStep .row Input {
        max-width: 80;
    }
    SsoStep CertPanel, SsoStep SsoGuard {
        margin-top: 1;
    }
    """

    def __init__(self, *, built: bool = False) -> None:
        super().__init__(built=built)
        self.report: CertReport | None = None  # the verdict on what the certificate box holds
        self.draft_error: list[str] = []  # the box holds something that is not a certificate
        self._text_sources: dict[str, str] = {}  # box text -> where it came from
        self._locked_key: tuple[object, ...] | None = None
        self._looked_up: tuple[str, str, str] | None = None  # the candidate last asked about
        # The candidate the service could not be asked about, and the sentence saying so.
        self._passes_unknown: tuple[tuple[str, str, str], str] | None = None
        self._locked: list[LockedOutUser] = []
        self._enforce_pending = False
        self._judged: tuple[bytes, str, dt.date] | None = None
        self._sample_count = 0

    def build(self) -> ComposeResult:
        from textual.widgets import TextArea

        from widgets.cert_panel import CertPanel
        from widgets.sso_guard import SsoGuard

        yield heading("SSO enforcement")
        with Horizontal(classes="row"):
            yield Switch(id="sso-enforce", tooltip="sso.enforce")
            label = Label("Prevent users from logging in with other SSO providers", classes="switch-label")
            label.styles.width = "1fr"  # wrap on narrow terminals rather than cut the sentence
            yield label
        yield SsoGuard(id="sso-guard")
        unknown = Static("", id="sso-passes-unknown", markup=False)
        unknown.display = False
        yield unknown
        yield heading("Identity provider")
        with Horizontal(classes="row"):
            yield Label("Entity ID", classes="field-label sso-label")
            yield Input(id="sso-entity-id", compact=True, placeholder="https://idp.example.com/saml",
                        tooltip="sso.idp_entity_id: the IdP's entityID (Issuer)")
        with Horizontal(classes="row"):
            yield Label("SSO URL  ", classes="field-label sso-label")
            yield Input(id="sso-url", compact=True, placeholder="https://…",
                        tooltip="sso.idp_sso_url: the IdP's single sign-on URL (HTTP-Redirect or POST)")
        yield problems_box("sso-problems")
        yield heading("Signing certificate")
        yield note("Paste it (PEM, base64, or the IdP's SAML metadata XML), or load a certificate or "
                   "metadata file. Metadata fills the entity ID, SSO URL and certificate.")
        yield TextArea(id="sso-certificate", soft_wrap=True, show_line_numbers=False,
                       placeholder="-----BEGIN CERTIFICATE-----  (or base64, or <EntityDescriptor …>)",
                       tooltip="sso.certificate is stored as base64 DER without armour")
        with Horizontal(classes="row"):
            yield Input(id="sso-cert-path", compact=True, placeholder="path to a .pem, .cer, .crt or metadata .xml",
                        tooltip="A certificate file (PEM, DER, base64) or the IdP's SAML metadata")
            yield Button("Load file", id="sso-load", compact=True, variant="primary",
                         tooltip="Read the file: a certificate, or metadata that fills all three fields")
            yield Button("Clear", id="sso-clear", compact=True,
                         tooltip="Empty the certificate box: the settings then hold no certificate")
        filled = Static("", id="sso-filled", markup=False)
        draft = Static("", id="sso-cert-draft", markup=False)
        filled.display = draft.display = False
        yield filled
        yield draft
        yield CertPanel(id="sso-cert-panel",
                        empty_text="No certificate yet: paste one or load a file.")
        yield from self._test_sign_in()
        yield heading("Break-glass admins")
        yield note("One address per line. They keep email/password sign-in when SSO is enforced; at least "
                   "one must be in a company domain.")
        yield TextArea(id="sso-break-glass", soft_wrap=True, tooltip="sso.break_glass")

    def first_control(self) -> Widget:
        return self.query_one("#sso-enforce", Switch)

    # -- the test sign-in (issue 13) --------------------------------------------------------------
    def _test_sign_in(self) -> ComposeResult:
        from app.sso_service import open_sso_service, sp_metadata_url
        from widgets.sso_test_panel import SsoTestPanel

        yield heading("Test sign-in")
        yield SsoTestPanel(open_sso_service, sp_metadata_url(), id="sso-test")

    @on(Button.Pressed, "#sso-test-start")
    def start_test_sign_in(self) -> None:
        from widgets.sso_test_panel import Candidate, SsoTestPanel

        s = self.wizard.settings
        if s is not None:
            sso = s.sso
            self.query_one(SsoTestPanel).start(Candidate(sso.idp_entity_id, sso.idp_sso_url, sso.certificate))

    def _look_up_passes(self) -> None:
        """Ask the service once per candidate (entity ID, SSO URL, certificate) whether a test
        sign-in passed outside this wizard (`sso-test`, another session): the guard counts it."""
        s = self.wizard.settings
        if s is None:
            return
        sso = s.sso
        key = (sso.idp_entity_id, sso.idp_sso_url, sso.certificate)
        if not all(key) or key == self._looked_up or self.wizard.sso_passes.tested(*key):
            return
        self._looked_up = key
        self.run_worker(self._fetch_passes(*key), group="sso-passes", exclusive=True,
                        exit_on_error=False, description="look up test sign-ins that passed")

    async def _fetch_passes(self, entity: str, url: str, certificate: str) -> None:
        from app.steps.service_client import PassesUnknown, look_up_passes, notify_passes_unknown

        try:
            found = await look_up_passes(self.wizard, entity, url, certificate)
        except PassesUnknown as exc:
            # Said, not swallowed: the admin may have run `sso-test` and wonders why the guard
            # still asks. Not asked again for this candidate (each try can take the whole
            # deadline); step 7's read of the service asks again.
            self._passes_unknown = ((entity, url, certificate), str(exc))
            s = self.wizard.settings
            if s is not None and s.sso.enforce:  # else no guard waits on it (the line shows if turned on)
                notify_passes_unknown(self, exc)
            self.refresh_view()
            return
        self._passes_unknown = None
        if found:
            self.wizard.set_step_problems(DRAFT_KEY, list(self.draft_error))  # redraws the sidebar's mark
            self.refresh_view()

    def _show_passes_unknown(self) -> None:
        """The line under the guard while the service could not say whether the current
        candidate's test sign-in passed elsewhere (and the guard still asks for one)."""
        line = self.query_one("#sso-passes-unknown", Static)
        s = self.wizard.settings
        shown = ""
        if self._passes_unknown is not None and s is not None and s.sso.enforce:
            key, text = self._passes_unknown
            current = (s.sso.idp_entity_id, s.sso.idp_sso_url, s.sso.certificate)
            if key == current and not self.wizard.sso_passes.tested(*key):
                shown = f"⚠ {text} Until then the guard asks for a test sign-in: run one below."
        line.update(printable_lines(shown))
        line.display = bool(shown)

    def on_sso_test_panel_passed(self, event: SsoTestPanel.Passed) -> None:
        self.wizard.sso_passes.record(event.idp_entity_id, event.idp_sso_url, event.fingerprint_sha256)
        self.wizard.set_step_problems(DRAFT_KEY, list(self.draft_error))  # redraws the sidebar's mark
        self.refresh_view()

    # -- reading the settings into the controls --------------------------------------------------
    def on_sources_changed(self) -> None:
        s = self.wizard.settings
        if s is None or not self.built:
            return
        sso = s.sso
        self.query_one("#sso-enforce", Switch).value = sso.enforce
        self.query_one("#sso-entity-id", Input).value = sso.idp_entity_id
        self.query_one("#sso-url", Input).value = sso.idp_sso_url
        self._set_box(sso.certificate, STORED)
        self._judge(sso.certificate, STORED)
        self.draft_error = []
        self.wizard.set_step_problems(DRAFT_KEY, [])
        bg = self._text_area("#sso-break-glass")
        if split_addresses(bg.text) != sso.break_glass:
            bg.load_text("\n".join(sso.break_glass))
        filled = self.query_one("#sso-filled", Static)
        filled.display = False
        self.refresh_view()

    def _set_box(self, text: str, source: str) -> None:
        area = self._text_area("#sso-certificate")
        self._text_sources = {text: source}  # only the latest: metadata text can be large
        if area.text != text:
            area.load_text(text)

    def _text_area(self, selector: str) -> TextArea:
        from textual.widgets import TextArea

        return self.query_one(selector, TextArea)

    # -- changes ------------------------------------------------------------------------------------
    @property
    def _box(self) -> Static:
        return self.query_one("#sso-problems", Static)

    @on(Input.Changed, "#sso-entity-id")
    def _entity_changed(self, event: Input.Changed) -> None:
        self._apply(idp_entity_id=event.value.strip())

    @on(Input.Changed, "#sso-url")
    def _url_changed(self, event: Input.Changed) -> None:
        self._apply(idp_sso_url=event.value.strip())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # By name, not @on(TextArea.Changed, ...): that would import TextArea with the module.
        if event.text_area.id == "sso-break-glass":
            self._break_glass_changed(event)
        elif event.text_area.id == "sso-certificate":
            self._certificate_changed(event)

    def _break_glass_changed(self, event: TextArea.Changed) -> None:
        self._apply(break_glass=split_addresses(event.text_area.text))

    def _apply(self, **changes: object) -> None:
        s = self.wizard.settings
        if s is None:
            return
        if all(getattr(s.sso, key) == value for key, value in changes.items()):
            return
        self.apply(self._box, "sso", **changes)
        self.refresh_view()

    @on(Switch.Changed, "#sso-enforce")
    def _enforce_changed(self, event: Switch.Changed) -> None:
        s = self.wizard.settings
        if s is None or event.value == s.sso.enforce or self._enforce_pending:
            return
        if not event.value:
            self._apply(enforce=False)
            self.notify("Enforcement is off: every sign-in method works again once pushed.",
                        title="SSO enforcement off")
            return
        # Turning on: show what it does before it is set.
        self._enforce_pending = True
        self.app.push_screen(EnforceScreen(self.guard_view(turning_on=True)), self._enforce_answer)

    def _enforce_answer(self, confirmed: bool | None) -> None:
        self._enforce_pending = False
        if confirmed:
            self._apply(enforce=True)
            problems = self.guard_problems()
            if problems:
                self.notify(f"Enforcement is on, but push is refused until {len(problems)} "
                            f"problem{'s are' if len(problems) != 1 else ' is'} fixed (shown in step 5).",
                            title="SSO enforcement on", severity="warning")
            else:
                self.notify("Enforcement is on and the guard is satisfied.", title="SSO enforcement on")
        else:
            self.query_one("#sso-enforce", Switch).value = False
            self.refresh_view()

    def _certificate_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        source = self._text_sources.get(text, PASTED)
        self._use_certificate_text(text.encode("utf-8", "replace"), source)

    @on(Button.Pressed, "#sso-clear")
    def clear_certificate(self) -> None:
        """Empty the box (a pasted certificate is otherwise cleared only by select-all)."""
        self._text_area("#sso-certificate").load_text("")  # its Changed message stores "no certificate"
        self.query_one("#sso-filled", Static).display = False

    @on(Button.Pressed, "#sso-load")
    @on(Input.Submitted, "#sso-cert-path")
    def load_file(self) -> None:
        raw = self.query_one("#sso-cert-path", Input).value.strip()
        if not raw:
            self.show_problems(self._box, ["type the path of a certificate or metadata file first"])
            return
        path = Path(raw).expanduser()
        try:
            with path.open("rb") as handle:
                data = handle.read(_certs().MAX_INPUT_BYTES + 1)
        except OSError as exc:
            self.show_problems(self._box, [f"{raw}: cannot be read ({exc.strerror or exc})"])
            return
        self.show_problems(self._box, [])
        report = self._use_certificate_text(data, str(path))
        # Show text forms as they are; a binary DER file as the base64 the settings now hold.
        shown: str | None
        try:
            shown = data.decode("utf-8") if len(data) <= _certs().MAX_INPUT_BYTES else None
        except UnicodeDecodeError:
            shown = None
        if shown is None or "\x00" in shown:
            usable = report.usable_certs if report else []
            shown = _certs().to_settings_base64(usable[0]) if usable else ""
        self._set_box(shown, str(path))

    def _use_certificate_text(self, data: bytes, source: str) -> CertReport | None:
        """Judge what the box (or a file) holds and store what the provider needs."""
        w = self.wizard
        s = w.settings
        if s is None:
            return None
        report = self._judge(data, source)
        filled = self.query_one("#sso-filled", Static)
        if report is None:  # empty box: no certificate
            self.draft_error = []
            w.set_step_problems(DRAFT_KEY, [])
            self._apply(certificate="")
            filled.display = False
            return None
        usable = report.usable_certs or report.certs
        if not usable:
            # Nothing to store (not a certificate, a key, damaged): keep the last certificate.
            self.draft_error = [f"Not applied: {report.errors[0] if report.errors else 'no certificate'}"
                                + (" The settings keep the previous certificate." if s.sso.certificate else "")]
            w.set_step_problems(DRAFT_KEY, self.draft_error)
            filled.display = False
            self.refresh_view()
            return report
        self.draft_error = []
        w.set_step_problems(DRAFT_KEY, [])
        stored = _certs().to_settings_base64(usable[0])
        changes: dict[str, object] = {"certificate": stored}
        lines: list[str] = []
        if report.form == "metadata":
            if report.entity_id:
                changes["idp_entity_id"] = report.entity_id
                lines.append(f"entity ID = {report.entity_id}")
            url = preferred_sso_url(report.sso_urls)
            if url:
                changes["idp_sso_url"] = url[1]
                lines.append(f"SSO URL = {url[1]} ({url[0]} binding)")
        cert_line = f"certificate = {usable[0].subject}, SHA-256 {usable[0].sha256[:23]}…"
        if len(report.certs) > 1:
            cert_line += (f" (the first usable of {len(report.certs)}; to store another, paste it alone)")
        lines.append(cert_line)
        if report.form == "metadata" or source not in (PASTED, STORED):
            filled.update(printable_lines(f"✓ Filled from {source}:\n  " + "\n  ".join(lines)))
            filled.display = True
        self._apply(**changes)
        if "idp_entity_id" in changes:
            self.query_one("#sso-entity-id", Input).value = str(changes["idp_entity_id"])
        if "idp_sso_url" in changes:
            self.query_one("#sso-url", Input).value = str(changes["idp_sso_url"])
        self.refresh_view()
        return report

    def _judge(self, data: bytes | str, source: str) -> CertReport | None:
        raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
        if not raw.strip():
            self.report = None
        elif self.report is None or self._judged != (raw, source, self.wizard.as_of):
            self.report = _certs().check_certificate(raw, source=source, today=self.wizard.as_of)
        self._judged = (raw, source, self.wizard.as_of)
        return self.report

    # -- the guard ------------------------------------------------------------------------------------
    def guard_problems(self) -> list[str]:
        """The guard's sentences for the current settings (empty: push allowed)."""
        return guard_problems_of(self.wizard)

    def _locked_out(self) -> tuple[list[LockedOutUser], int]:
        w = self.wizard
        if w.sources is None or w.settings is None:
            return [], 0
        records = w.sources.users.records
        key = (id(w.sources.users), len(records), w.sources.company.domains, w.settings.sso.break_glass)
        if key != self._locked_key:
            valid = [r for r in records if not r.invalid]
            self._locked = locked_out_users(valid, w.sources.company.domains, w.settings.sso.break_glass)
            self._locked_key = key
            self._sample_count = len(valid)
        return self._locked, self._sample_count

    def guard_view(self, *, turning_on: bool = False) -> GuardView:
        from widgets.sso_guard import GuardView, guard_view

        w = self.wizard
        s = w.settings
        if s is None or w.sources is None:
            return GuardView("No settings loaded yet.", "warn")
        problems: Sequence[str] = _guard(s, w.sources.company, w.as_of, enforce=True, passes=w.sso_passes)
        if self.draft_error:
            problems = [*self.draft_error, *problems]
        locked, count = self._locked_out()
        return guard_view(enforce=s.sso.enforce and not turning_on, problems=problems,
                          break_glass=s.sso.break_glass, locked=locked, sample_count=count,
                          turning_on=turning_on)

    # -- state and view ---------------------------------------------------------------------------------
    def state(self) -> str:
        # Before the step is first shown, judge what the settings hold.
        return sso_state(self.wizard, draft_error=self.draft_error,
                         report=(lambda: self.report) if self.built else None)

    def refresh_view(self) -> None:
        w = self.wizard
        if w.settings is None or not self.built or not self.is_mounted:
            return
        from widgets.cert_panel import CertPanel
        from widgets.sso_guard import SsoGuard

        self._look_up_passes()
        self.query_one("#sso-guard", SsoGuard).show(self.guard_view())
        self._show_passes_unknown()
        self.query_one("#sso-cert-panel", CertPanel).show(self.report)
        draft = self.query_one("#sso-cert-draft", Static)
        draft.update(printable_lines("\n".join(f"✗ {p}" for p in self.draft_error)))
        draft.display = bool(self.draft_error)

