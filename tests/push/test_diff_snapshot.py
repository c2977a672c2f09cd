"""A snapshot of the step 7 panel: the demo settings against a service that still has the
defaults, with a guard failure. Update with `pytest tests/push --snapshot-update`."""

from __future__ import annotations

from textual.app import App, ComposeResult

from engine.demo import demo_settings
from engine.settings import Settings
from engine.settings_diff import diff_settings
from widgets.push_panel import PushPanel

SUMMARY = {"create": 55, "skip": 3, "reject": 0, "invalid": 3, "offices": {},
           "purchased": {"Dialpad_Ai Voice": 9, "Dialpad_Support": 4}, "prorated_total": 48.1, "currency": "USD"}


class DiffApp(App[None]):
    def compose(self) -> ComposeResult:
        yield PushPanel()

    def on_mount(self) -> None:
        panel = self.query_one(PushPanel)
        local = demo_settings().with_changes("sso", enforce=True)
        panel.show_service("http://127.0.0.1:8787", "v0")
        panel.show_diff(diff_settings(Settings(), local))
        panel.show_headline(SUMMARY)
        panel.show_guard(["Set the IdP entity ID (sso.idp_entity_id): copy it from the IdP's SAML app, "
                          "or load its metadata."])


def test_diff_snapshot(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(DiffApp(), terminal_size=(110, 30))
