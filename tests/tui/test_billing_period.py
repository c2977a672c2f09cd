"""The wizard bills the recurring billing period (SPEC 5.5) and says when it shifted it."""

from __future__ import annotations

import datetime as dt

from app.wizard.app import WizardApp
from widgets.explain import explain_row

SIZE = (120, 36)
LATER = dt.date(2027, 1, 16)  # the demo's November 2026 has passed


async def test_step_4_names_the_shifted_period_and_the_cost_is_not_zero() -> None:
    app = WizardApp(as_of=LATER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("4")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.preview is not None and app.preview.summary.prorated_total > 0
        text = "\n".join(str(r) for r in app.query_one("#licenses-results").content.renderables)
        assert "for the period 2027-01-01 to 2027-02-01 (as of 2027-01-16)" in text
        assert ("Billing period 2027-01-01 → 2027-02-01, shifted from the demo's "
                "2026-11-01 → 2026-12-01.") in text
        # The explanation works the cost out on the same period.
        row = next(r for r in app.preview.rows if r.seat == "purchased")
        assert app.sources is not None and app.settings is not None
        rec = app.sources.users.records[row.index]
        seat = explain_row(row, rec, app.settings, app.sources.company, rows=app.preview.rows,
                           as_of=LATER)[3]
        assert any("× 16 ÷ 31 days" in c and "2027-01-01..2027-02-01" in c for c in seat.checks)


async def test_step_4_has_no_shift_note_inside_the_directorys_period() -> None:
    app = WizardApp(as_of=dt.date(2026, 11, 28))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("4")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = "\n".join(str(r) for r in app.query_one("#licenses-results").content.renderables)
        assert "for the period 2026-11-01 to 2026-12-01" in text and "shifted" not in text
