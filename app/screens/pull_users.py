"""The dialog "Pull users from Okta / Entra ID…": sample users as the IdP's SCIM app would send
them with its default mappings, written as NDJSON next to the settings."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioButton, RadioSet

from app.screens.pull_dialog import Progress, PullDialog, Pulled

DEFAULT_LIMIT = "500"


class PullUsersScreen(PullDialog):
    TITLE = "Pull users from Okta / Entra ID"
    NOTE = ("Reads users and their groups and writes them as that IdP's SCIM app sends them with its default "
            "attribute mappings, so the preview shows what will really arrive. Leave the limit empty for all.")

    def __init__(self, output: str, idp: str = "okta", defaults: dict[str, str | None] | None = None) -> None:
        super().__init__(output)
        self.idp = idp
        self.defaults = {k: v for k, v in (defaults or {}).items() if v}

    def fields(self) -> ComposeResult:
        from engine.pull.entra import DEFAULT_GRAPH_URL, DEFAULT_LOGIN_URL

        d = self.defaults
        with RadioSet(id="pull-idp"):
            yield RadioButton("Okta", value=self.idp == "okta", id="pull-idp-okta")
            yield RadioButton("Entra ID", value=self.idp == "entra", id="pull-idp-entra")
        with Vertical(id="pull-okta"):
            yield Label("Okta org URL")
            yield Input(d.get("okta_org_url", ""), id="pull-org-url", placeholder="https://acme.okta.com",
                        compact=True)
        with Vertical(id="pull-entra"):
            yield Label("Tenant ID (or domain)")
            yield Input(d.get("entra_tenant", ""), id="pull-tenant", compact=True)
            yield Label("Application (client) ID")
            yield Input(d.get("entra_client_id", ""), id="pull-client-id", compact=True)
            yield Label("Microsoft Graph / sign-in URLs")
            yield Input(d.get("graph_url", DEFAULT_GRAPH_URL), id="pull-graph-url", compact=True)
            yield Input(d.get("login_url", DEFAULT_LOGIN_URL), id="pull-login-url", compact=True)
        yield Label("At most this many users (a sample)")
        yield Input(d.get("limit", DEFAULT_LIMIT), id="pull-limit", compact=True, type="integer")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_idp()

    @on(RadioSet.Changed, "#pull-idp")
    def _idp_changed(self, event: RadioSet.Changed) -> None:
        self.idp = "okta" if event.index == 0 else "entra"
        self._show_idp()
        self._show_credential()

    def _show_idp(self) -> None:
        self.query_one("#pull-okta").display = self.idp == "okta"
        self.query_one("#pull-entra").display = self.idp == "entra"

    def credential(self) -> tuple[str | None, str]:
        from app.commands.pulling import credential

        if self.idp == "okta":
            return credential("OKTA_API_TOKEN", "okta_token_file", "Okta API token")
        return credential("ENTRA_CLIENT_SECRET", "entra_secret_file", "Entra ID client secret")

    def check(self) -> str | None:
        if self.idp == "okta" and not self.value("pull-org-url"):
            return "Give your Okta org URL, such as https://acme.okta.com."
        if self.idp == "entra" and not (self.value("pull-tenant") and self.value("pull-client-id")):
            return "Give the tenant ID and the application (client) ID of the app registration."
        limit = self.value("pull-limit")
        if limit and (not limit.isdigit() or int(limit) < 1):
            return "The limit is a whole number of at least 1, or empty for every user."
        return None

    def pull(self, secret: str, output: Path, progress: Progress) -> Pulled:
        from app.commands.pulling import pull_policy
        from app.commands.users import office_field_hint, pull_users
        from app.config import load_config
        from engine.atomic import write_atomic
        from engine.pull.scim_user import ndjson
        from engine.remote_errors import Cancelled

        limit = int(self.value("pull-limit")) if self.value("pull-limit") else None
        users = pull_users(self.idp, org_url=self.value("pull-org-url"), tenant=self.value("pull-tenant"),
                           client_id=self.value("pull-client-id"), graph_url=self.value("pull-graph-url"),
                           login_url=self.value("pull-login-url"), credential=secret, limit=limit,
                           policy=pull_policy(load_config(), at_least=300.0),
                           progress=lambda done, total: progress(done, total, "users"),
                           cancel=self.cancel_event)
        if self.cancel_event.is_set():
            raise Cancelled("cancelled")
        write_atomic(output, ndjson(users))
        hint = office_field_hint(users, self.idp)
        name = "Okta" if self.idp == "okta" else "Entra ID"
        return Pulled("users", str(output), f"{len(users):,} user(s) from {name}", [hint] if hint else [])
