"""Pilot tests for step 1's pull dialogs, against the contract servers: the file is written next to
the settings and loaded; a refusal is one sentence with the fields kept; Cancel writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.screens.pull_directory import PullDirectoryScreen
from app.screens.pull_users import PullUsersScreen
from app.wizard.app import WizardApp
from tests.pull.conftest import SECRETS
from tests.pull.contract import ENTRA_CLIENT_ID, ENTRA_TENANT, DialpadServer, EntraServer, OktaServer
from tests.waiting import workers_done  # a preview replaced by a newer one has ended too

SIZE = (120, 40)
AS_OF = dt.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


async def until(pilot, condition, what: str) -> None:  # type: ignore[no-untyped-def]
    """Wait on a condition, letting the app run; fail with `what` if it never holds."""
    for _ in range(2000):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"never happened: {what}")


async def open_dialog(pilot, app: WizardApp, kind: type) -> None:  # type: ignore[no-untyped-def]
    """Click step 1's link for `kind` (the users link first on the line, the directory's after it)."""
    await pilot.pause()
    await pilot.click("#sources-pull", offset=(2 if kind is PullUsersScreen else 50, 0))
    await until(pilot, lambda: isinstance(app.screen, kind), kind.__name__)


def set_input(app: WizardApp, selector: str, value: str) -> None:
    app.screen.query_one(selector).value = value


async def start_and_finish(pilot, app: WizardApp) -> None:  # type: ignore[no-untyped-def]
    """Press Pull and wait for the thread to end and the dialog to close or show its error."""
    dialog = app.screen
    dialog.finished.clear()
    # The error of a pull before moves the button down once laid out: click where it is then.
    await pilot.pause()
    await pilot.click("#pull-start")
    await until(pilot, lambda: dialog.finished.is_set(), "the pull ended")
    await until(pilot, lambda: app.screen is not dialog or dialog.query_one("#pull-error").display,
                "the dialog closed or showed an error")


@pytest.mark.usefixtures("credentials")
async def test_pull_users_from_okta_writes_and_loads_them(okta: OktaServer, tmp_path: Path) -> None:
    app = WizardApp(as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, app, PullUsersScreen)
        assert "from OKTA_API_TOKEN" in str(app.screen.query_one("#pull-credential").render())
        set_input(app, "#pull-org-url", okta.url)
        set_input(app, "#pull-limit", "4")
        await start_and_finish(pilot, app)
        assert not isinstance(app.screen, PullUsersScreen)
        written = tmp_path / "users.ndjson"
        assert len(written.read_text().splitlines()) == 4
        await until(pilot, lambda: app.sources is not None and app.sources.users_path == str(written.resolve()),
                    "the pulled users loaded")
        await workers_done(app)
        assert app.stats.users == 4
        for secret in SECRETS:
            assert secret not in written.read_text()


@pytest.mark.usefixtures("credentials")
async def test_pull_users_from_entra_and_a_refusal_is_one_sentence(entra: EntraServer, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTRA_CLIENT_SECRET", "wrong-secret-77")
    app = WizardApp(as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, app, PullUsersScreen)
        await pilot.click("#pull-idp-entra")
        for selector, value in (("#pull-tenant", ENTRA_TENANT), ("#pull-client-id", ENTRA_CLIENT_ID),
                                ("#pull-graph-url", entra.url), ("#pull-login-url", entra.url)):
            set_input(app, selector, value)
        await start_and_finish(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, PullUsersScreen)
        error = str(dialog.query_one("#pull-error").render())
        assert error.startswith("✗ Entra ID refused the client credentials (ENTRA_CLIENT_SECRET)")
        assert "\n" not in error.strip() and "wrong-secret-77" not in error
        assert dialog.query_one("#pull-tenant").value == ENTRA_TENANT  # nothing typed is lost
        assert not (tmp_path / "users.ndjson").exists()
        monkeypatch.setenv("ENTRA_CLIENT_SECRET", SECRETS[2])
        await start_and_finish(pilot, app)
        assert not isinstance(app.screen, PullUsersScreen)
        assert len((tmp_path / "users.ndjson").read_text().splitlines()) == 7
        await until(pilot, lambda: app.sources is not None and app.sources.users.source.endswith("users.ndjson"),
                    "the pulled users loaded")
        await workers_done(app)
        await pilot.pause()


async def test_without_a_credential_the_dialog_says_how_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OKTA_API_TOKEN", raising=False)
    app = WizardApp(as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, app, PullUsersScreen)
        set_input(app, "#pull-org-url", "https://acme.okta.com")
        await pilot.click("#pull-start")
        error = str(app.screen.query_one("#pull-error").render())
        assert "set OKTA_API_TOKEN" in error and "okta_token_file" in error


@pytest.mark.usefixtures("credentials")
async def test_pull_the_directory_merges_and_loads_it(dialpad: DialpadServer, tmp_path: Path) -> None:
    app = WizardApp(as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, app, PullDirectoryScreen)
        set_input(app, "#pull-base-url", dialpad.url)
        await start_and_finish(pilot, app)
        assert not isinstance(app.screen, PullDirectoryScreen)
        written = tmp_path / "company.toml"
        await until(pilot, lambda: app.sources is not None and app.sources.company_path == str(written.resolve()),
                    "the pulled directory loaded")
        await workers_done(app)
        assert [o.name for o in app.sources.company.offices] == ["San Francisco", "London", "New York"]
        assert app.sources.users.source.endswith("users.json")  # the demo's users beside it


@pytest.mark.usefixtures("credentials")
async def test_cancel_stops_the_pull_and_writes_nothing(dialpad: DialpadServer, tmp_path: Path) -> None:
    dialpad.slow["/api/v2/numbers"] = 30
    app = WizardApp(as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, app, PullDirectoryScreen)
        dialog = app.screen
        set_input(app, "#pull-base-url", dialpad.url)
        await pilot.click("#pull-start")
        await until(pilot, dialpad.slow_started.is_set, "the pull reached the slow page")
        assert dialog.query_one("#pull-progress").display
        await pilot.click("#pull-cancel")
        assert not isinstance(app.screen, PullDirectoryScreen)
        dialpad.release.set()
        await until(pilot, dialog.finished.is_set, "the pull's thread ended")
        await workers_done(app)
        assert not (tmp_path / "company.toml").exists()
        assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []
        assert app.sources is not None and app.sources.is_demo


async def test_step_2_says_when_the_idp_sends_no_office_field(tmp_path: Path) -> None:
    from engine.demo import write_demo

    company, _, _ = write_demo(tmp_path / "demo")
    users = tmp_path / "users.ndjson"  # as Entra's defaults send them when department is empty
    users.write_text('{"userName": "a@northwind.example", "addresses": [{"type": "work", "formatted": "London"}]}\n'
                     '{"userName": "b@northwind.example"}\n')
    app = WizardApp(str(company), str(users), as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.stats is not None and app.stats.users == 2, "the users loaded")
        await workers_done(app)
        await pilot.press("2")
        await until(pilot, lambda: app.query("#office-stats"), "step 2 built")
        await workers_done(app)
        await pilot.pause()
        from tests.tui.test_qa_layout import static_lines

        shown = " ".join(static_lines(app.query_one("#office-stats")))
        assert "None of the 2 users carries an office field" in " ".join(shown.split())


async def test_the_palette_opens_the_pull_dialogs() -> None:
    app = WizardApp(as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Pull the directory")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PullDirectoryScreen), "the directory dialog")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, PullDirectoryScreen), "the dialog closed")


async def test_u_and_d_on_step_1_open_the_dialogs() -> None:
    app = WizardApp(as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.query_one("#provider").focus()
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, PullUsersScreen), "the users dialog")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, PullUsersScreen), "the dialog closed")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, PullDirectoryScreen), "the directory dialog")


@pytest.mark.parametrize(("size", "where"), [((80, 24), (5, 1)), ((120, 40), (50, 0))])
async def test_the_directory_link_takes_its_click_wherever_it_sits(size: tuple[int, int],
                                                                   where: tuple[int, int]) -> None:
    # At 80 columns the two links wrapped and the second's lower half took no click: now stacked.
    app = WizardApp(as_of=AS_OF)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        links = app.screen.query_one("#sources-pull")
        await until(pilot, lambda: links.size.width > 0, "the links laid out")
        await pilot.click("#sources-pull", offset=where)
        await until(pilot, lambda: isinstance(app.screen, PullDirectoryScreen), "the directory dialog")
