"""Step 7 of the wizard against the embedded service (the SQLite file in the user data dir):
a push that works, then a push that loses a race (412) and keeps everything typed."""

from __future__ import annotations

import datetime as dt
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.widgets import Button, Static

from engine.client import SettingsClient
from engine.settings import Settings, load_settings
from tests.waiting import settle  # the shared settle fixture's function: waits on conditions

AS_OF = dt.date(2026, 11, 28)


async def push_and_confirm(pilot, panel) -> None:  # type: ignore[no-untyped-def]
    from app.steps.push import ConfirmPush

    panel.query_one("#push", Button).press()
    await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmPush)
    assert "change(s) to the embedded local service" in str(pilot.app.screen.query_one("#confirm-question",
                                                                                        Static).render())
    await pilot.press("y")
    await settle(pilot)


@asynccontextmanager
async def step7(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The wizard on the demo, started in tmp_path, on step 7: (app, pilot, its push panel)."""
    from app.steps.push import PushPanel
    from app.wizard.app import WizardApp

    monkeypatch.chdir(tmp_path)
    app = WizardApp(as_of=AS_OF)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("7")
        await settle(pilot)
        yield app, pilot, app.query_one(PushPanel)


async def test_step7_push_then_a_412(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with step7(tmp_path, monkeypatch) as (app, pilot, panel):
        assert panel.remote is not None and panel.remote.version == "v0"
        assert panel.changes and {c.key for c in panel.changes} >= {"licenses.groups", "scope.domain"}
        assert not panel.query_one("#push", Button).disabled
        assert "55 to create" in str(panel.query_one("#push-headline", Static).render())

        # 1. a push that works: saved first, pushed, step 7 marked ✓
        await push_and_confirm(pilot, panel)
        status = str(panel.query_one("#push-status", Static).render())
        assert "Pushed: the service now has settings v1" in status
        assert panel.changes == [] and panel.query_one("#push", Button).disabled
        assert load_settings(tmp_path / "scim-settings.toml") == app.settings
        assert app.step_state(6) == "ok"
        async with SettingsClient() as client:
            assert (await client.get_settings()).settings == app.settings

        # 2. someone else pushes meanwhile; our push is refused with 412 and nothing is lost
        async with SettingsClient(actor="other admin") as other:
            current = await other.get_settings()
            theirs = current.settings.with_changes("licenses", when_exhausted="reject")
            await other.put_settings(theirs, current.etag)
        app.change_settings("numbers", auto_assign=False)
        await settle(pilot)
        mine = app.settings
        assert [c.key for c in panel.changes or []] == ["numbers.auto_assign"]
        await push_and_confirm(pilot, panel)
        status = str(panel.query_one("#push-status", Static).render())
        assert "someone changed the settings since you loaded them" in status
        assert "Your settings are saved in scim-settings.toml" in status
        assert app.settings == mine  # still in the wizard
        assert load_settings(tmp_path / "scim-settings.toml") == mine  # and on disk
        assert panel.remote is not None and panel.remote.version == "v2"  # the new diff is on screen
        assert [c.key for c in panel.changes or []] == ["licenses.when_exhausted", "numbers.auto_assign"]
        assert app.step_state(6) == "warn"  # saved but refused: not done until a push succeeds

        # 3. "Reload from service" takes their settings into the wizard
        panel.query_one("#push-reload", Button).press()
        await settle(pilot)
        assert app.settings == theirs and app.settings != Settings()
        assert panel.changes == []


async def test_the_save_before_a_push_never_overwrites_silently(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from app.screens.overwrite import OverwriteScreen

    theirs = tmp_path / "scim-settings.toml"
    theirs.write_text("# someone else's\n")
    async with step7(tmp_path, monkeypatch) as (app, pilot, panel):
        version = panel.remote.version
        panel.query_one("#push", Button).press()
        await pilot.pause()
        await pilot.press("y")  # push: yes
        await pilot.pause()
        assert isinstance(app.screen, OverwriteScreen)  # asked before saving over their file
        await pilot.press("escape")  # cancel: neither saved nor pushed
        await settle(pilot)
        assert theirs.read_text() == "# someone else's\n"
        assert panel.remote.version == version
        assert "Not pushed" in str(panel.query_one("#push-status", Static).render())
        await push_and_confirm(pilot, panel)  # asked again: overwrite, then pushed
        assert isinstance(app.screen, OverwriteScreen)
        await pilot.click("#overwrite-overwrite")
        await settle(pilot)
        assert "[office]" in theirs.read_text()
        assert panel.remote.version != version


async def test_step7_says_when_the_service_cannot_say_which_test_sign_ins_passed(
        service, proxy_for, token_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The settings are read, but the service refuses to list the test sign-ins that passed (this
    # token may not): the read still counts, the admin hears what is unknown, and the guard asks.
    from app.steps.push import PushPanel
    from app.steps.sso import guard_for
    from app.wizard.app import WizardApp
    from engine.sso import TEST_SIGN_IN_PROBLEM
    from tests.saml_idp import SSO_URL, SamlIdp

    proxy = proxy_for(service)
    monkeypatch.setenv("SCIM_ASSISTANT_SERVICE_URL", proxy.url)
    monkeypatch.chdir(tmp_path)
    idp = SamlIdp(entity_id="https://idp.test.example/saml/step7")
    async with WizardApp(as_of=AS_OF).run_test(size=(120, 40), notifications=True) as pilot:
        app = pilot.app
        app.change_settings_and_refresh("sso", enforce=True, idp_entity_id=idp.entity_id, idp_sso_url=SSO_URL,
                                        certificate=idp.cert_base64, break_glass=("it-admin@northwind.example",))
        proxy.add("GET", "delay", 0)  # the settings: forwarded as they are
        proxy.add("GET", "status", 403, {})  # the passes: refused
        await pilot.press("7")
        await settle(pilot)
        panel = app.query_one(PushPanel)
        assert "Read the service's settings" in str(panel.query_one("#push-status", Static).render())
        notes = [n for n in app._notifications if n.title == "Test sign-ins unknown"]
        assert len(notes) == 1, [n.message for n in app._notifications]
        assert proxy.url in notes[0].message and "SCIM_ASSISTANT_TOKEN" in notes[0].message
        assert TEST_SIGN_IN_PROBLEM in guard_for(app.settings, app.sources.company, AS_OF, app.sso_passes)
