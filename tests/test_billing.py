"""The recurring billing period (SPEC 5.5): the period containing a date, and the preview using it."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cli import main
from engine.billing import BillingPeriod, add_months, period_containing, period_months, source_label
from engine.demo import demo_company, demo_settings, demo_users
from engine.preview import run_preview
from engine.report import to_markdown
from tests.factories import company, office, preview, user

D = dt.date
NOV = BillingPeriod(D(2026, 11, 1), D(2026, 12, 1))


def P(a: dt.date, b: dt.date) -> BillingPeriod:  # noqa: N802 - reads like the pair it builds
    return BillingPeriod(a, b)


@pytest.mark.parametrize(("directory", "as_of", "expected"), [
    (NOV, D(2026, 11, 16), NOV),                                             # inside: unchanged
    (NOV, D(2026, 12, 15), P(D(2026, 12, 1), D(2027, 1, 1))),                # one month on
    (NOV, D(2027, 3, 5), P(D(2027, 3, 1), D(2027, 4, 1))),                   # several months on
    (NOV, D(2026, 10, 31), P(D(2026, 10, 1), D(2026, 11, 1))),               # one month back
    (NOV, D(2025, 2, 14), P(D(2025, 2, 1), D(2025, 3, 1))),                  # months back
    (P(D(2026, 1, 15), D(2026, 4, 15)), D(2026, 8, 1), P(D(2026, 7, 15), D(2026, 10, 15))),  # quarters
    (P(D(2026, 1, 15), D(2026, 4, 15)), D(2025, 12, 1), P(D(2025, 10, 15), D(2026, 1, 15))),
    (P(D(2026, 1, 1), D(2027, 1, 1)), D(2029, 6, 1), P(D(2029, 1, 1), D(2030, 1, 1))),     # a year
])
def test_month_periods_shift_forward_and_back(directory: BillingPeriod, as_of: dt.date,
                                              expected: BillingPeriod) -> None:
    assert period_containing(directory, as_of) == expected


@pytest.mark.parametrize(("directory", "as_of", "expected"), [
    (P(D(2026, 11, 1), D(2026, 11, 15)), D(2026, 11, 20), P(D(2026, 11, 15), D(2026, 11, 29))),
    (P(D(2026, 11, 1), D(2026, 11, 15)), D(2026, 12, 31), P(D(2026, 12, 27), D(2027, 1, 10))),
    (P(D(2026, 11, 1), D(2026, 11, 15)), D(2026, 10, 31), P(D(2026, 10, 18), D(2026, 11, 1))),
    (P(D(2026, 11, 1), D(2026, 11, 29)), D(2026, 9, 1), P(D(2026, 8, 9), D(2026, 9, 6))),  # 28 days
    # Feb 28 -> Mar 31 is not Feb 28 plus a month (that is Mar 28): 31 days, not months.
    (P(D(2026, 2, 28), D(2026, 3, 31)), D(2026, 4, 15), P(D(2026, 3, 31), D(2026, 5, 1))),
])
def test_day_periods_shift_by_their_length(directory: BillingPeriod, as_of: dt.date,
                                           expected: BillingPeriod) -> None:
    assert period_containing(directory, as_of) == expected


@pytest.mark.parametrize(("start", "end", "months"), [
    (D(2026, 11, 1), D(2026, 12, 1), 1),
    (D(2026, 1, 31), D(2026, 2, 28), 1),    # the anchor day clamped to February's end
    (D(2024, 1, 31), D(2024, 2, 29), 1),    # in a leap year
    (D(2024, 1, 30), D(2024, 3, 30), 2),
    (D(2026, 1, 31), D(2026, 3, 1), None),  # a month and a day
    (D(2026, 2, 28), D(2026, 3, 28), 1),
    (D(2026, 2, 28), D(2026, 3, 31), None),  # anchor 28, so Mar 28 would be a month
    (D(2026, 11, 1), D(2026, 11, 30), None),
])
def test_a_period_is_months_only_when_its_end_is_the_anchor_day_months_on(
        start: dt.date, end: dt.date, months: int | None) -> None:
    assert period_months(start, end) == months


@pytest.mark.parametrize("leap", [2024, 2026])
@pytest.mark.parametrize("anchor", [29, 30, 31])
def test_anchor_days_29_to_31_clamp_in_february_and_come_back(anchor: int, leap: int) -> None:
    year = leap
    directory = P(D(year - 1, 12, anchor), D(year, 1, anchor))
    feb_end = 29 if calendar.isleap(year) else 28
    in_feb = period_containing(directory, D(year, 2, 15))
    assert in_feb == P(D(year, 1, anchor), D(year, 2, min(anchor, feb_end)))
    # The last days of February (and March 1 when Feb 29 exists but the anchor is later) fall in
    # the period that starts on the clamped day and ends on the anchor day in March.
    after = period_containing(directory, D(year, 2, feb_end))
    if anchor > feb_end:
        assert after == P(D(year, 2, feb_end), D(year, 3, anchor))
    else:
        assert after == P(D(year, 2, anchor), D(year, 3, anchor))
    assert period_containing(directory, D(year, 3, 20)) == after
    assert period_containing(directory, D(year, 3, anchor)) == P(D(year, 3, anchor), D(year, 4, min(anchor, 30)))


def test_the_anchor_31_sequence_is_jan_31_feb_28_mar_31() -> None:
    directory = P(D(2026, 1, 31), D(2026, 2, 28))
    starts = [period_containing(directory, D(2026, m, 15) if m > 1 else D(2026, 2, 1)).start
              for m in (1, 3, 4, 5)]
    assert starts == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]
    assert period_containing(directory, D(2026, 3, 31)) == P(D(2026, 3, 31), D(2026, 4, 30))


@pytest.mark.parametrize("directory", [NOV, P(D(2026, 11, 1), D(2026, 11, 15))])
def test_the_first_and_last_day_of_a_period_belong_to_it(directory: BillingPeriod) -> None:
    later = period_containing(directory, directory.end)
    assert later.start == directory.end  # the end is the next period's first day
    last = later.end - dt.timedelta(days=1)
    assert period_containing(directory, later.start) == later
    assert period_containing(directory, last) == later
    assert period_containing(directory, later.end) != later
    earlier = period_containing(directory, directory.start - dt.timedelta(days=1))
    assert earlier.end == directory.start
    assert period_containing(directory, earlier.start) == earlier


def test_a_period_beyond_the_calendar_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no billing period containing 9999-12-15 fits"):
        period_containing(NOV, D(9999, 12, 15))


DATES = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))


@st.composite
def directories(draw: st.DrawFn) -> BillingPeriod:
    start = draw(DATES)
    if draw(st.booleans()):
        return P(start, add_months(start, draw(st.integers(1, 24))))
    return P(start, start + dt.timedelta(days=draw(st.integers(1, 800))))


@given(directory=directories(), as_of=DATES)
def test_property_the_period_contains_the_date_and_keeps_the_directorys_length(
        directory: BillingPeriod, as_of: dt.date) -> None:
    got = period_containing(directory, as_of)
    assert got.start <= as_of < got.end
    months = period_months(*directory)
    if months is None:
        assert got.days == directory.days
        assert (got.start - directory.start).days % directory.days == 0
    else:
        # Whole periods of `months` from the anchor, both ends on the anchor day, clamped.
        shift = (got.start.year - directory.start.year) * 12 + got.start.month - directory.start.month
        assert shift % months == 0
        assert got == (add_months(directory.start, shift), add_months(directory.start, shift + months))
        last_day = calendar.monthrange(got.start.year, got.start.month)[1]
        assert got.start.day == min(directory.start.day, last_day)


# -- the preview bills the recurring period -------------------------------------------------

def test_a_preview_after_the_directorys_period_bills_the_next_one() -> None:
    comp = company(office("San Francisco", main=True, voice=0))
    p = preview(comp, [user("ann")], as_of=D(2026, 12, 16))  # 16 of 31 days left in December
    assert [(r.seat, r.prorated_cost) for r in p.rows] == [("purchased", 13.94)]
    assert p.summary.to_dict()["billing_period"] == {"start": "2026-12-01", "end": "2027-01-01"}
    assert p.summary.period_line("company.toml's") == (
        "billing period 2026-12-01 → 2027-01-01, shifted from company.toml's 2026-11-01 → 2026-12-01")
    inside = preview(comp, [user("ann")], as_of=D(2026, 11, 16))
    assert inside.summary.period_line("company.toml's") == "billing period 2026-11-01 → 2026-12-01"


@pytest.mark.parametrize("as_of", [D(2020, 1, 1), D(2026, 10, 31), D(2026, 11, 30), D(2026, 12, 1),
                                   D(2027, 2, 28), D(2031, 7, 19)])
def test_the_demo_always_shows_a_non_zero_prorated_cost(as_of: dt.date) -> None:
    comp = demo_company()
    p = run_preview(comp, demo_users(), demo_settings(comp), as_of)
    assert sum(p.summary.purchased.values()) > 0 and p.summary.prorated_total > 0
    assert all(r.prorated_cost for r in p.rows if r.seat == "purchased")


def test_markdown_names_the_period_and_where_it_was_shifted_from() -> None:
    comp = company()
    md = to_markdown(preview(comp, [user("ann")], as_of=D(2027, 1, 2)), "Acme", "company.toml's")
    assert ("- billing period 2027-01-01 → 2027-02-01, shifted from company.toml's "
            "2026-11-01 → 2026-12-01\n") in md


def test_source_label_names_the_file_or_the_demo() -> None:
    assert source_label(None) == "the demo's"
    assert source_label("some/dir/acme.toml") == "acme.toml's"


def test_cli_names_the_shifted_period_in_the_table_and_json(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", str(tmp_path)]) == 0
    capsys.readouterr()
    files = ["--company", str(tmp_path / "company.toml"), "--users", str(tmp_path / "users.json")]
    assert main(["preview", *files, "--as-of", "2026-12-15"]) == 0
    out = capsys.readouterr().out
    assert ("billing period 2026-12-01 → 2027-01-01, shifted from company.toml's "
            "2026-11-01 → 2026-12-01") in out
    assert "prorated cost 0.00" not in out
    assert main(["preview", "--as-of", "2026-12-15"]) == 0  # the demo
    assert "shifted from the demo's 2026-11-01 → 2026-12-01" in capsys.readouterr().out
    assert main(["preview", "--as-of", "2027-01-31", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["billing_period"] == {"start": "2027-01-01", "end": "2027-02-01"}
    assert summary["prorated_total"] > 0


def test_cli_refuses_a_date_whose_period_leaves_the_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "--as-of", "9999-12-20"]) == 2
    err = capsys.readouterr().err
    assert "--as-of: no billing period containing 9999-12-20" in err and "Traceback" not in err
