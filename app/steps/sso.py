"""Step 5: SSO and certificate. A placeholder: the SSO issue fills it in (certificate panel,
enforcement guard, break-glass accounts). Keep the class name and step id."""

from __future__ import annotations

from textual.app import ComposeResult

from app.steps.base import Step, heading, note


class SsoStep(Step):
    step_id = "sso"
    title = "SSO & certificate"
    section = "sso"

    def compose(self) -> ComposeResult:
        yield heading("SSO and certificate")
        yield note(
            "Coming in the SSO issue: the IdP entity ID and SSO URL, the signing certificate "
            "(PEM, DER, base64 or SAML metadata) with its verdicts, 'Prevent users from logging in "
            "with other SSO providers', and the break-glass admins who keep a way in.",
            id="sso-placeholder")
        yield note("", id="sso-current")

    def refresh_view(self) -> None:
        s = self.wizard.settings
        if s is None:
            return
        sso = s.sso
        lines = [
            f"enforce = {'true' if sso.enforce else 'false'}",
            f"idp_entity_id = {sso.idp_entity_id or '(not set)'}",
            f"idp_sso_url = {sso.idp_sso_url or '(not set)'}",
            f"certificate = {'(set)' if sso.certificate else '(not set)'}",
            "break_glass = " + (", ".join(sso.break_glass) or "(none)"),
        ]
        self.query_one("#sso-current").update("Current settings, from the settings file:\n  "
                                              + "\n  ".join(lines))

    def state(self) -> str:
        s = self.wizard.settings
        if self.wizard.problems.get(self.section):
            return "error"
        # Enforcement is not verified until the SSO step exists: flag it.
        return "warn" if s is not None and s.sso.enforce else "ok"
