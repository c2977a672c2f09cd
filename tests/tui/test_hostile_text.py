"""Outside text is data: names with markup or control characters show as they are, on every
step and in every popup, and never crash the app or reach the terminal as escapes."""

from __future__ import annotations

from app.screens.explain import ExplainScreen
from tests.tui.hostile import ANN, BOB, CLICK, ESC_USER, GROUP, OFFICE, hostile_sources, screen_text
from tests.waiting import settle  # the shared settle fixture's function: waits on conditions
from widgets.preview_table import PreviewTable

SIZES = [(120, 36), (80, 24)]


async def test_every_step_shows_hostile_names_as_text(make_app):
    for size in SIZES:
        app = make_app(sources=hostile_sources())
        async with app.run_test(size=size, notifications=True) as pilot:
            seen = ""
            for key in "1234567":
                await pilot.press(key)
                await settle(pilot, app)
                text = screen_text(app)
                assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, key
                seen += text
            assert app.is_running
            assert OFFICE in seen  # the office name as it is, brackets included
            assert "Berlin [/]" in seen
            assert GROUP in seen  # step 4's group list
            assert "\\x1b[2J" in seen  # the escape written out, in the preview table


async def test_the_explain_popup_shows_each_hostile_user(make_app):
    app = make_app(sources=hostile_sources())
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.press("6")
        await settle(pilot, app)
        table = app.query_one(PreviewTable)
        for index, expected in ((0, ANN), (1, BOB), (2, CLICK), (3, "\\x1b[2J")):
            table.focus()
            table.cursor = table.view.index(index)
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, ExplainScreen)
            text = screen_text(app)
            assert expected in text, expected
            assert "\x1b" not in text and "\u202e" not in text
            await pilot.press("escape")
            await pilot.pause()
        assert app.is_running  # `[@click=app.quit]` is a name, not an action
        assert ESC_USER.split("\x1b")[0] in screen_text(app)


async def test_notifications_are_plain_text(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        app.notify(f"{ANN} {CLICK}", title=BOB)
        await pilot.pause()
        await pilot.pause()
        text = screen_text(app)
        assert ANN in text and CLICK in text and BOB in text
