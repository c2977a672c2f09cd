"""Pilot tests for the QA review's layout defects: what the admin must see at 120x36 and 80x24
(frozen user column in the preview, the Seat step's numbers, step 2's lines, narrow layouts)."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Input, RadioButton, Select, Static

from app.screens.explain import ExplainScreen
from widgets.explain import explain_row, explanation_text, seats_taken_before
from widgets.preview_table import PreviewTable

WIDE, NARROW = (120, 36), (80, 24)


def table_lines(table: PreviewTable, rows: int = 6) -> list[str]:
    """The table's lines as drawn now (header first)."""
    return [table.render_line(y).text for y in range(rows)]


def static_lines(widget: Static) -> list[str]:
    """A Static's content rendered at the width it has on screen."""
    width = widget.content_region.width
    console = Console(width=width, color_system=None, legacy_windows=False)
    lines = console.render_lines(widget.content, console.options.update_width(width), pad=False)
    return ["".join(seg.text for seg in line).rstrip() for line in lines]


async def test_preview_shows_every_column_to_the_number_without_scrolling(make_app):
    app = make_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("6")
        table = app.query_one(PreviewTable)
        assert table.scroll_x == 0
        head, *body = table_lines(table)
        # The User column takes the room up to the Number column; Cost and the warnings scroll.
        for title in ("#", "User", "Status", "Office", "Rule", "License", "Seat", "Number"):
            assert title in head, title
        assert table._widths[1] > 20  # User grows at 120 columns
        bought = next(i for i in table.view if table.data.rows[i].seat == "purchased")
        table.cursor = table.view.index(bought)
        await pilot.pause()
        row = table.data.rows[bought]
        line = table.render_line(table.cursor - round(table.scroll_y) + 1).text
        assert "buy" in line
        assert row.number is None or row.number in line  # the whole number, not cut
        await pilot.press("right")
        line = table.render_line(table.cursor - round(table.scroll_y) + 1).text
        assert f"{row.prorated_cost:.2f}" in line  # the cost, one step to the right
        # The engine's words still filter: "purchased" finds the seats to buy.
        table.set_filters(text="purchased")
        assert {table.data.rows[i].seat for i in table.view} == {"purchased"}


async def test_preview_keeps_number_and_user_while_scrolled_right(make_app):
    app = make_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("6")
        table = app.query_one(PreviewTable)
        for _ in range(12):
            await pilot.press("right")
        assert table.scroll_x > 0
        head = table_lines(table, 1)[0]
        assert head.lstrip().startswith("# User") and "Reason / warnings" in head
        # With a text filter on while scrolled right, the matching row still shows its user,
        # next to its warning.
        warned = next(r for r in table.data.rows if r.warnings)
        table.set_filters(text=warned.user_name)
        await pilot.pause()
        assert [table.data.rows[i] for i in table.view] == [warned]
        line = table_lines(table, 2)[1]
        assert warned.user_name[:15] in line
        assert warned.warnings[0][:10] in line
        # A click on a frozen title sorts by it, whatever the scroll.
        await pilot.click(PreviewTable, offset=(4, 0))
        assert table.sort_column == 1
        status = str(app.query_one("#preview-status", Static).render())
        assert "←→" in status and "warnings in full" in status


async def test_explanation_works_the_seat_out_in_numbers(make_app):
    app = make_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("6")
        table = app.query_one(PreviewTable)
        rows = app.preview.rows
        bought = next(r for r in rows if r.seat == "purchased")
        # Replaying the rows: the office had given out every seat of that license before.
        have = app.sources.company.office_named(bought.office).available_licenses[bought.license]
        assert seats_taken_before(bought, rows) == have
        table.cursor = table.view.index(bought.index)
        await pilot.press("enter")
        assert isinstance(app.screen, ExplainScreen)
        text = explanation_text(bought, app.screen.steps)
        assert f"{have} earlier user(s) took one, so 0 seats left when this user's turn came" in text
        b = app.sources.company.billing
        days = (b.period_end - b.period_start).days
        left = (b.period_end - app.as_of).days
        price = b.monthly_price[bought.license]
        assert f"{price:.2f} × {left} ÷ {days} days = {bought.prorated_cost:.2f} {b.currency}" in text
        await pilot.press("escape")
        # A user who took an existing seat: how many were left for them.
        first = next(r for r in rows if r.seat == "available")
        steps = explain_row(first, None, app.settings, app.sources.company, rows=rows, as_of=app.as_of)
        have = app.sources.company.office_named(first.office).available_licenses[first.license]
        assert f"0 earlier user(s) took one, so {have} seat" in explanation_text(first, steps)


async def test_office_stats_keep_each_field_on_one_line(make_app):
    for size in (WIDE, NARROW):
        app = make_app()
        async with app.run_test(size=size, notifications=True) as pilot:
            await pilot.press("2")
            await pilot.pause()
            lines = static_lines(app.query_one("#office-stats", Static))
            assert not any(line.strip() == "now" for line in lines), lines
            placed = app.insights.decided_by_field["officeName"]
            row = next(line for line in lines if "officeName" in line and "values" not in line)
            assert row.split()[-1] == f"{placed:,}", (size, row)  # the count sits on the field's line


async def test_narrow_terminal_keeps_inputs_and_choices_readable(make_app):
    app = make_app()
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("4")
        await pilot.pause()
        assert app.query_one("#group-name", Input).size.width >= 30
        await pilot.press("3")
        await pilot.pause()
        best = app.query_one("#mismatch-best_match", RadioButton)
        assert best.size.height >= 2  # the long choice wraps instead of ending in "…"
        await pilot.press("6")
        await pilot.pause()
        note = app.query_one("#filter-note", Select)
        assert note.size.width >= len("warning") + 3
