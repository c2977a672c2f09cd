"""The rough edges a new admin hits (issue 11): step 4's wording and order, step 3's problems
kept to step 3, the preview's keys, sort and filter, steps opened at their top, honest
clipboard notices, clearing a certificate, and a step key typed as the app starts."""

from __future__ import annotations

from textual import events
from textual.widgets import Button, Input, Static

from app.sources import Sources
from engine.demo import demo_company, demo_settings, demo_users
from tests import factories as f
from tests.tui.hostile import screen_text
from tests.waiting import settle  # the shared settle fixture's function: waits on conditions
from widgets.office_bars import OfficeBars
from widgets.preview_table import COLUMN_NAMES, PreviewTable

WIDE, NARROW = (120, 36), (80, 24)


def many_offices() -> Sources:
    """Area codes whose text order differs from their numeric order, one office with one user,
    and an office where thousands of users buy a handful of seats."""
    comp = f.company(f.office("Big", main=True, area_code="1212", voice=9000),
                     f.office("Solo", area_code="212", voice=0),
                     f.office("Tiny", area_code="30", voice=0))
    objs = [f.user(f"u{i}", office="Big") for i in range(13_160)]
    objs += [f.user("solo", office="Solo"), f.user("t1", office="Tiny"), f.user("t2", office="Tiny")]
    return Sources(comp, f.users(*objs), f.settings())


async def test_step_4_sorts_area_codes_as_numbers_and_separates_thousands(make_app):
    app = make_app(sources=many_offices())
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        text = screen_text(app)
        assert "Voice 4,160" in text  # seats to buy in Big, with a thousands separator
        results = "\n".join(str(r) for r in app.query_one("#licenses-results").content.renderables[1:])
        assert "30: 2, 212: 1, 1212:" in results  # numeric, as the command line lists them


async def test_office_bars_say_1_user_and_keep_the_seats_to_buy_at_80_columns(make_app):
    app = make_app(sources=many_offices())
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("6")
        await settle(pilot, app)
        await pilot.press("b")  # the bars are hidden below 30 rows
        await pilot.pause()
        bars = app.query_one(OfficeBars)
        lines = [line.plain for line in bars.render().renderables]
        solo = next(line for line in lines if line.startswith("Solo"))
        assert " 1 user," in solo and "1 users" not in solo
        assert "▒" in solo  # one seat to buy among 13,160 users still shows
        assert all(len(line) <= bars.size.width - 2 for line in lines[:-1])  # no line wraps


async def test_a_step_3_error_leaves_step_2_alone(make_app):
    app = make_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        app.query_one("#mismatch-mode").focus()
        await pilot.press("down", "enter")  # default office...
        app.query_one("#default-office").clear()  # ...and none picked
        await settle(pilot, app)
        assert app.problems.get("mismatch")
        assert app.step_state(2) == "error"
        assert app.step_state(1) != "error"


async def test_escape_in_the_filter_gives_the_keys_back_to_the_table(make_app):
    app = make_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("6", "ctrl+f")
        await pilot.press(*"lon")
        await pilot.press("escape")
        table = app.query_one(PreviewTable)
        assert table.has_focus
        await pilot.press("s")
        assert table.sort_column == 0  # s sorts: the table has the keys
        assert app.query_one("#filter-text", Input).value == "lon"


async def test_the_text_filter_matches_the_raw_office_fields(make_app):
    comp = f.company(f.office("San Francisco", main=True, voice=10))
    objs = [f.user("ann", office="Paris"), f.user("bob", department="Research Paris"), f.user("cy")]
    app = make_app(sources=Sources(comp, f.users(*objs), f.settings()))
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("6")
        await settle(pilot, app)
        table = app.query_one(PreviewTable)
        table.set_filters(text="paris")
        assert [table.data.rows[i].user_name for i in table.view] == ["ann@acme.example", "bob@acme.example"]


async def test_after_a_sort_the_view_follows_the_row(make_app):
    app = make_app()
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("6")
        await settle(pilot, app)
        table = app.query_one(PreviewTable)
        table.focus()
        await pilot.press("end")
        row = table.current_row
        for column in range(len(COLUMN_NAMES)):
            table.sort_by(column)
            await pilot.pause()
            assert table.current_row == row
            top = round(table.scroll_y)
            assert top <= table.cursor < top + table._page, COLUMN_NAMES[column]


async def test_returning_to_a_step_shows_it_from_its_top(make_app):
    app = make_app()
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("4")
        await pilot.pause()
        step = app.query_one("#licenses")
        step.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert step.scroll_y > 0
        await pilot.press("1", "4")
        await pilot.pause()
        assert step.scroll_y == 0


async def test_the_number_column_holds_uk_and_german_numbers(make_app):
    numbers = ["+442079460958", "+4930901820123456"[:16]]
    comp = f.company(f.office("London", "GB", main=True, voice=5, numbers=numbers))
    objs = [f.user("ann", office="London"), f.user("bob", office="London")]
    for size in (NARROW, (200, 40)):
        app = make_app(sources=Sources(comp, f.users(*objs), f.settings()))
        async with app.run_test(size=size, notifications=True) as pilot:
            await pilot.press("6")
            await settle(pilot, app)
            table = app.query_one(PreviewTable)
            assert table._widths[COLUMN_NAMES.index("Number")] >= max(map(len, numbers))
            if size[0] == 200:
                text = screen_text(app)
                assert all(n in text for n in numbers)


async def test_copying_says_what_was_done_not_that_it_arrived(make_app):
    from app.clipboard import SENT_TITLE

    app = make_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("2")
        await pilot.pause()
        app.query_one("#office-copy", Button).press()
        await pilot.pause()
        notes = list(app._notifications)
        assert notes and notes[-1].title == SENT_TITLE and "OSC 52" in notes[-1].message
        assert "Copied" not in notes[-1].title
        assert app.clipboard == app.query_one("#office").mapping_text()


async def test_clear_empties_a_pasted_certificate(make_app):
    from tests.tui.test_sso_step import b64, cert_for

    app = make_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("5")
        await pilot.pause()
        area = app.query_one("#sso-certificate")
        area.load_text(b64(cert_for(200)))
        await settle(pilot, app)
        assert app.settings.sso.certificate
        app.query_one("#sso-clear", Button).press()
        await settle(pilot, app)
        assert area.text == "" and app.settings.sso.certificate == ""


async def test_a_step_key_typed_as_the_app_starts_then_quit_does_not_crash(make_app):
    app = make_app(sources=Sources(demo_company(), demo_users(), demo_settings(demo_company())))
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        for key in "6":
            app.post_message(events.Key(key, key))
        app.exit()  # closing while step 6 mounts: nothing is looked up in a screen taken down
        await pilot.pause()
    assert app.return_code in (0, None)


async def test_problems_quoting_names_are_text(make_app):
    app = make_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("4")
        await pilot.pause()
        step = app.query_one("#licenses")
        step.show_problems(app.query_one("#licenses-problems", Static), ["group '[b]x[/i]' is odd"])
        await pilot.pause()
        assert "[b]x[/i]" in screen_text(app)


async def test_step_1s_pull_keys_work_from_the_list_of_steps_and_only_on_step_1(make_app):
    from app.screens.pull_users import PullUsersScreen

    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, app)
        assert app.focused is not None and app.focused.id == "steps"  # where the app starts
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, PullUsersScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("u")
        await pilot.pause()
        assert not isinstance(app.screen, PullUsersScreen)
