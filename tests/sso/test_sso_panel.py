"""Step 5's "Test sign-in" button driven with Pilot against a real service: the login URL shown
(and copied), the live status, the verdict, and the guard satisfied only after a pass."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from textual.widgets import Button, Static

import widgets.sso_test_panel
from app.wizard.app import WizardApp
from engine.sso import TEST_SIGN_IN_PROBLEM
from tests.saml_idp import SSO_URL, SamlIdp
from tests.service.conftest import Server
from tests.sso.conftest import USER
from tests.sso.test_sso_test_cli import sign_in
from widgets.sso_test_panel import SsoTestPanel

SSO = 4  # step 5
AS_OF = dt.date.today()  # the guard judges the generated certificate against today


@pytest.fixture
def wizard(sso_server: Server, monkeypatch: pytest.MonkeyPatch):
    from app.wizard.app import WizardApp

    monkeypatch.setenv("SCIM_ASSISTANT_SERVICE_URL", sso_server.url)
    monkeypatch.setenv("SCIM_ASSISTANT_TOKEN", sso_server.token)
    monkeypatch.setattr(widgets.sso_test_panel, "POLL_SECONDS", 0.05)
    return WizardApp(as_of=AS_OF)


async def run_panel_test(pilot, idp: SamlIdp, user: str) -> SsoTestPanel:
    app = pilot.app
    app.change_settings_and_refresh("sso", enforce=True, idp_entity_id=idp.entity_id, idp_sso_url=SSO_URL,
                                    certificate=idp.cert_base64, break_glass=("it-admin@northwind.example",))
    await pilot.press("5")
    await pilot.pause()
    panel = app.query_one(SsoTestPanel)
    assert panel.metadata_url.endswith("/saml/metadata")
    start = app.query_one("#sso-test-start", Button)
    start.scroll_visible(animate=False)
    await pilot.pause()
    await pilot.click("#sso-test-start")
    while panel.status in ("idle", "starting"):  # the worker asks the service
        await pilot.pause()
    assert panel.status == "pending", str(app.query_one("#sso-test-status", Static).render())
    assert panel.login_url and "/saml/login/" in panel.login_url
    await pilot.click("#sso-test-copy")
    assert app.clipboard == panel.login_url
    await asyncio.to_thread(sign_in, panel.login_url, idp, user)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return panel


async def test_the_button_runs_a_test_and_a_pass_satisfies_the_guard(wizard) -> None:
    idp = SamlIdp(entity_id="https://idp.test.example/saml/wizard")
    async with wizard.run_test(size=(120, 36)) as pilot:
        from app.steps.sso import SsoStep

        app = pilot.app
        app.change_settings_and_refresh("sso", enforce=True, idp_entity_id=idp.entity_id, idp_sso_url=SSO_URL,
                                        certificate=idp.cert_base64,
                                        break_glass=("it-admin@northwind.example",))
        await pilot.press("5")
        await pilot.pause()
        step = app.query_one(SsoStep)
        assert step.guard_problems() == [TEST_SIGN_IN_PROBLEM]
        assert app.step_state(SSO) == "error"

        panel = await run_panel_test(pilot, idp, USER)
        assert panel.status == "passed"
        assert f"signed in as {USER}" in str(app.query_one("#sso-test-status", Static).render())
        assert step.guard_problems() == []
        assert app.step_state(SSO) == "ok"


async def test_a_refused_sign_in_shows_the_reason(wizard) -> None:
    idp = SamlIdp()
    async with wizard.run_test(size=(120, 36)) as pilot:
        panel = await run_panel_test(pilot, idp, "ann@evil.example")
        assert panel.status == "failed"
        shown = str(pilot.app.query_one("#sso-test-status", Static).render())
        assert "not in a company domain" in shown
        assert pilot.app.step_state(SSO) == "error"


async def test_a_pass_made_outside_the_wizard_satisfies_its_guard(wizard, sso_server: Server) -> None:
    # The admin ran `scim-assistant sso-test` (or another wizard did) before opening step 5: the
    # service holds the pass, and step 5 asks it rather than refusing what the service accepts.
    from app.steps.sso import SsoStep
    from tests.waiting import settle

    idp = SamlIdp(entity_id="https://idp.test.example/saml/outside")
    with sso_server.client() as api:
        started = api.post("/api/v1/sso-tests", json={"idp_entity_id": idp.entity_id, "idp_sso_url": SSO_URL,
                                                     "certificate": idp.cert_base64})
        assert started.status_code == 201, started.text
        assert sign_in(started.json()["login_url"], idp, USER).status_code == 200
    async with wizard.run_test(size=(120, 36)) as pilot:
        app = pilot.app
        app.change_settings_and_refresh("sso", enforce=True, idp_entity_id=idp.entity_id, idp_sso_url=SSO_URL,
                                        certificate=idp.cert_base64, break_glass=("it-admin@northwind.example",))
        await pilot.press("5")
        await settle(pilot, app)
        step = app.query_one(SsoStep)
        assert step.guard_problems() == []
        assert app.step_state(SSO) == "ok"


async def test_a_service_that_cannot_be_asked_is_said_and_the_guard_still_asks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # service_url names a service that is not running: step 5 cannot learn of passes made
    # elsewhere. The admin hears it (a line under the guard and a notice, both naming the URL and
    # what to do); the guard still asks for a test sign-in.
    import engine.client
    from app.steps.sso import SsoStep
    from tests.service.conftest import TOKEN, free_port
    from tests.waiting import settle

    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("SCIM_ASSISTANT_SERVICE_URL", url)
    monkeypatch.setenv("SCIM_ASSISTANT_TOKEN", TOKEN)
    monkeypatch.setattr(engine.client, "BACKOFF_SECONDS", 0.02)  # its retries, quickly
    idp = SamlIdp(entity_id="https://idp.test.example/saml/unasked")
    async with WizardApp(as_of=AS_OF).run_test(size=(120, 36), notifications=True) as pilot:
        app = pilot.app
        app.change_settings_and_refresh("sso", enforce=True, idp_entity_id=idp.entity_id, idp_sso_url=SSO_URL,
                                        certificate=idp.cert_base64, break_glass=("it-admin@northwind.example",))
        await pilot.press("5")
        await settle(pilot, app)
        line = app.query_one("#sso-passes-unknown", Static)
        assert line.display
        shown = str(line.render())
        assert f"{url} could not be reached" in shown and "scim-assistant serve" in shown
        assert "run one below" in shown
        notes = [n for n in app._notifications if n.title == "Test sign-ins unknown"]
        assert len(notes) == 1 and url in notes[0].message and "service_url" in notes[0].message
        assert app.query_one(SsoStep).guard_problems() == [TEST_SIGN_IN_PROBLEM]
        assert app.step_state(SSO) == "error"


async def test_a_service_that_cannot_say_is_said(sso_server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    # The service is there but gives no list (an older one: 404): said too, naming it.
    from tests.push.conftest import FaultProxy
    from tests.waiting import settle

    proxy = FaultProxy(sso_server)  # type: ignore[arg-type] - forwards to any running service
    proxy.start()
    try:
        proxy.add("GET", "status", 404, {})
        monkeypatch.setenv("SCIM_ASSISTANT_SERVICE_URL", proxy.url)
        monkeypatch.setenv("SCIM_ASSISTANT_TOKEN", sso_server.token)
        idp = SamlIdp(entity_id="https://idp.test.example/saml/older")
        async with WizardApp(as_of=AS_OF).run_test(size=(120, 36), notifications=True) as pilot:
            app = pilot.app
            app.change_settings_and_refresh("sso", enforce=True, idp_entity_id=idp.entity_id,
                                            idp_sso_url=SSO_URL, certificate=idp.cert_base64,
                                            break_glass=("it-admin@northwind.example",))
            await pilot.press("5")
            await settle(pilot, app)
            shown = str(app.query_one("#sso-passes-unknown", Static).render())
            assert f"{proxy.url} could not say" in shown
            assert [n.title for n in app._notifications].count("Test sign-ins unknown") == 1
            assert app.step_state(SSO) == "error"
    finally:
        proxy.stop()
