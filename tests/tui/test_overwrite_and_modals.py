"""Save and export never replace a file this run did not load or write without asking; every
modal fits 80x24, with its buttons in view and its body scrolled by the keyboard."""

from __future__ import annotations

from app.screens.explain import ExplainScreen
from app.screens.overwrite import OverwriteScreen
from app.steps.review import ReviewStep
from app.steps.sso import EnforceScreen
from tests.tui.hostile import screen_text
from tests.waiting import settle  # the shared settle fixture's function: waits on conditions
from widgets.preview_table import PreviewTable

NARROW = (80, 24)


async def test_ctrl_s_asks_before_replacing_a_file_it_did_not_load(make_app, tmp_path):
    theirs = tmp_path / "scim-settings.toml"
    theirs.write_text("# someone else's\n")
    app = make_app()
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, OverwriteScreen)
        await pilot.press("escape")  # cancel: nothing written
        await pilot.pause()
        assert theirs.read_text() == "# someone else's\n"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.click("#overwrite-rename")  # choose another name: step 7, its path box focused
        await pilot.pause()
        assert theirs.read_text() == "# someone else's\n"
        assert app.focused is app.query_one("#save-path")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.click("#overwrite-overwrite")
        await pilot.pause()
        assert "[office]" in theirs.read_text()
        await pilot.press("ctrl+s")  # written by this run now: no question
        await settle(pilot, app)
        assert not isinstance(app.screen, OverwriteScreen)


async def test_save_and_quit_asks_too_and_stays_when_declined(make_app, tmp_path):
    theirs = tmp_path / "scim-settings.toml"
    theirs.write_text("# someone else's\n")
    app = make_app()
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        app.change_settings("numbers", auto_assign=False)
        await settle(pilot, app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#quit-save")
        await settle(pilot, app)
        assert isinstance(app.screen, OverwriteScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and theirs.read_text() == "# someone else's\n"


async def test_a_loaded_settings_file_is_saved_over_without_a_question(make_app, tmp_path):
    from engine.demo import write_demo

    company, users, settings = write_demo(tmp_path / "mine")
    app = make_app(company_path=str(company), users_path=str(users), settings_path=str(settings))
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await settle(pilot, app)
        while app.sources is None:
            await pilot.pause(0.05)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, OverwriteScreen)
        assert app.saved_settings == app.settings


async def test_an_export_asks_before_replacing_a_file(make_app, tmp_path):
    theirs = tmp_path / "scim-preview.csv"
    theirs.write_text("theirs\n")
    app = make_app()
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("7")
        await settle(pilot, app)
        app.query_one(ReviewStep).export("csv")
        await pilot.pause()
        assert isinstance(app.screen, OverwriteScreen)
        await pilot.click("#overwrite-cancel")
        await pilot.pause()
        assert theirs.read_text() == "theirs\n"


async def test_the_enforcement_question_fits_80x24_and_scrolls(make_app):
    app = make_app()
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("5")
        await pilot.pause()
        await pilot.press("space")  # the switch is focused first
        await pilot.pause()
        assert isinstance(app.screen, EnforceScreen)
        for button in ("#enforce-confirm", "#enforce-cancel"):
            region = app.screen.query_one(button).region
            assert region.bottom <= NARROW[1], button
        dialog = app.screen.query_one("#enforce-dialog")
        assert dialog.max_scroll_y > 0  # more than fits: it scrolls
        await pilot.press("end")
        await pilot.pause()
        assert dialog.scroll_y == dialog.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert dialog.scroll_y == 0


async def test_the_explain_popup_scrolls_to_its_seat_and_number_parts_at_80x24(make_app):
    app = make_app()
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("6")
        await settle(pilot, app)
        table = app.query_one(PreviewTable)
        created = next(i for i in table.view if table.data.rows[i].status == "create")
        table.cursor = table.view.index(created)
        table.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ExplainScreen)
        body = app.screen.query_one("#explain-body")
        assert body.max_scroll_y > 0
        for _ in range(body.max_scroll_y):
            await pilot.press("down")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        text = screen_text(app)
        assert "Number" in text and "Seat" in text
        assert app.screen.query_one("#explain-close").region.bottom <= NARROW[1]


async def test_the_open_and_quit_dialogs_fit_80x24(make_app):
    app = make_app()
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        for button in ("#open-load", "#open-demo", "#open-cancel"):
            assert app.screen.query_one(button).region.bottom <= NARROW[1], button
        await pilot.press("escape")
        app.change_settings("numbers", auto_assign=False)
        await settle(pilot, app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        for button in ("#quit-save", "#quit-discard", "#quit-cancel"):
            assert app.screen.query_one(button).region.bottom <= NARROW[1], button
