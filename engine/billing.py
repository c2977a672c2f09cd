"""The recurring billing period (SPEC 5.5): which period contains a date, and how to say so.

The directory holds one period. Billing repeats it: by whole months when the period is a whole
number of months (every period starts on the first one's day of the month, clamped to the
month's last day, so anchor 31 gives Jan 31, Feb 28, Mar 31), else by its length in days.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import NamedTuple


class BillingPeriod(NamedTuple):
    """`[start, end)`: `end` is the first day of the next period, as in the directory."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day < self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    def text(self) -> str:
        return f"{self.start.isoformat()} → {self.end.isoformat()}"


def add_months(anchor: dt.date, months: int) -> dt.date:
    """`anchor` moved by `months`, its day clamped to the target month's last day."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def period_months(start: dt.date, end: dt.date) -> int | None:
    """The period's length in whole months (anchor day kept, clamped), or None when it is not."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months >= 1 and add_months(start, months) == end:
        return months
    return None


def period_containing(directory: BillingPeriod, as_of: dt.date) -> BillingPeriod:
    """The period of the directory's recurrence that contains `as_of` (the directory's own
    when it already does). Raises ValueError when that period would leave the calendar
    (year 1 to 9999)."""
    if as_of in directory:
        return directory
    start, end = directory
    try:
        months = period_months(start, end)
        if months is not None:
            # Whole periods between the anchor and as_of, then a step either way for the
            # days of the month; each period is counted from the anchor, so its day is kept.
            k = ((as_of.year - start.year) * 12 + as_of.month - start.month) // months
            while add_months(start, k * months) > as_of:
                k -= 1
            while add_months(start, (k + 1) * months) <= as_of:
                k += 1
            return BillingPeriod(add_months(start, k * months), add_months(start, (k + 1) * months))
        length = (end - start).days
        k = (as_of - start).days // length
        return BillingPeriod(start + dt.timedelta(days=k * length),
                             start + dt.timedelta(days=(k + 1) * length))
    except (ValueError, OverflowError):
        raise ValueError(f"no billing period containing {as_of.isoformat()} fits in the calendar "
                         "(years 1 to 9999)") from None


def period_line(used: BillingPeriod, directory: BillingPeriod, source: str) -> str:
    """The one line naming the period billed, and the directory's when it was shifted.
    `source`: whose period that was, for example "company.toml's" or "the demo's"."""
    line = f"billing period {used.text()}"
    return line if used == directory else f"{line}, shifted from {source} {directory.text()}"


def source_label(company_path: str | None) -> str:
    """Whose period: the directory file's name, or the demo's."""
    if company_path is None:
        return "the demo's"
    name = company_path.replace("\\", "/").rsplit("/", 1)[-1] or company_path
    return f"{name}'s"
