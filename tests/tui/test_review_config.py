"""Step 7's review and the app config: TOML shown whole, ✓ only after a push, files remembered,
the theme applied."""

from __future__ import annotations

import tomllib
from pathlib import Path

from app.steps.review import ReviewStep
from engine.demo import write_demo
from tests.waiting import settle  # the shared settle fixture's function: waits on conditions

SIZE = (120, 36)


async def test_the_settings_to_push_show_every_toml_section(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("7")
        await settle(pilot, app)
        shown = str(app.query_one("#review-settings").render())
        for section in ("[office]", "[scope]", "[licenses]", "[numbers]", "[sso]"):
            assert section in shown


async def test_saving_is_not_pushing_the_step_is_done_only_after_a_push(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("7")
        await settle(pilot, app)
        step = app.query_one(ReviewStep)
        step.query_one("#save-path").value = str(tmp_path / "s.toml")
        step.save()
        await settle(pilot, app)
        assert (tmp_path / "s.toml").exists()
        assert app.step_state(6) == "warn"
        app.pushed_settings = app.settings  # what the push panel records after a successful push
        assert app.step_state(6) == "ok"


async def test_files_used_are_remembered_and_offered_next_time(make_app, tmp_path):
    paths = write_demo(tmp_path / "mine")
    config = Path(tmp_path / "config" / "scim-assistant.toml")
    app = make_app(company_path=str(paths[0]), users_path=str(paths[1]), settings_path=str(paths[2]))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        # The config is read half a second after the first frame, then written in a worker: wait
        # for the file (a loaded machine can take longer than any fixed pause).
        for _ in range(600):  # at most 30 s
            if config.exists() and "last" in tomllib.loads(config.read_text()):
                break
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
    saved = tomllib.loads(config.read_text())
    assert saved["last"] == {"company": str(paths[0].resolve()), "users": str(paths[1].resolve()),
                             "settings": str(paths[2].resolve())}
    assert "token" not in config.read_text().lower()

    from app.screens.open_files import OpenFilesScreen

    demo = make_app()
    async with demo.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, demo)
        demo.action_open_files()
        await pilot.pause()
        screen = demo.screen
        assert isinstance(screen, OpenFilesScreen)
        assert screen.query_one("#open-company").value == str(paths[0].resolve())


async def test_the_theme_comes_from_the_config(make_app, monkeypatch):
    monkeypatch.setenv("SCIM_ASSISTANT_THEME", "textual-light")
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        assert app.theme == "textual-light"


async def test_the_identity_provider_list_follows_every_way_of_choosing(make_app):
    from app.steps.sources import ProviderList

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        providers = app.query_one(ProviderList)
        assert providers.chosen == "okta" and providers.label(0) == "◉ Okta"
        app.change_settings_and_refresh("licenses", provider="google")  # what the palette does
        await settle(pilot, app)
        assert providers.chosen == "google" and app.settings.licenses.provider == "google"
        await pilot.click(ProviderList, offset=(4, 2))  # the second option: Entra ID
        await settle(pilot, app)
        assert app.settings.licenses.provider == "azure" and providers.chosen == "azure"
