"""An office named with 500 characters, or with a line break in it, keeps every step's tables
and lists readable: the name is cut with "…" in the compact views (the explain popup has it in
full), and a line break shows as `\\x0a` rather than starting a line of its own."""

from __future__ import annotations

from app.sources import Sources
from tests import factories as f
from tests.tui.hostile import screen_text
from tests.waiting import settle

LONG = "Lyon " + "L" * 495
BROKEN = "Nice\nHQ"  # a line break inside an office name (company) and an office value (users)


def long_sources() -> Sources:
    comp = f.company(f.office("Paris", "FR", main=True, voice=1), f.office(LONG, "FR", voice=1),
                     f.office(BROKEN, "FR", voice=1))
    objs = [f.user("ann", office="Paris", country="FR"), f.user("bob", office=LONG, country="FR"),
            f.user("cat", office=BROKEN, country="FR"), f.user("dan", office="Mars\nBase", country="FR"),
            f.user("eve", office="M" * 500, country="FR")]
    return Sources(comp, f.users(*objs), f.settings())


async def _step_text(pilot, app, key: str) -> str:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    await settle(pilot, app)
    return screen_text(app)


async def test_a_line_break_in_a_name_is_written_out_on_every_step(make_app):
    app = make_app(sources=long_sources())
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        for key, name in (("1", "Nice\\x0aHQ"), ("2", "Mars\\x0aBase"), ("3", "Nice\\x0aHQ"), ("4", "Nice\\x0aHQ")):
            # the company's office in step 1's table, 3's rules and 4's seats; an office value that
            # names no office in step 2
            text = await _step_text(pilot, app, key)
            assert name in text, key
            assert not any(line.rstrip().endswith(("Nice", "Mars")) for line in text.splitlines()), key


async def test_a_long_office_name_leaves_the_other_columns_in_view(make_app):
    for size in ((120, 36), (80, 24)):
        app = make_app(sources=long_sources())
        async with app.run_test(size=size, notifications=True) as pilot:
            text = await _step_text(pilot, app, "1")
            paris = next(line for line in text.splitlines() if "Paris ★" in line)
            assert "FR" in paris, size  # the row's other cells on the office's own line
            assert "Lyon LLL" in text and "L" * 200 not in text, size
            text = await _step_text(pilot, app, "2")
            assert "M" * 200 not in text, size  # an unmatched value, cut
            text = await _step_text(pilot, app, "3")
            assert "L" * 200 not in text, size
            text = await _step_text(pilot, app, "6")
            assert "L" * 200 not in text, size  # the office column, cut
            if size == (120, 36):
                assert "Rule" in text  # the column after the office, still in view
                bar = next((line for line in text.splitlines() if "Paris" in line and "█" in line), None)
                assert bar is not None  # the office bars (30 lines and more): the name and its bar on one line
