"""A preview: the rows of `place_users` plus the summary of SPEC 7, and its JSON shape."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from engine.directory import Company
from engine.rules import CREATE, INVALID, REJECT, SKIP, Row, place_users
from engine.settings import Settings
from engine.users import UserSet


@dataclass
class OfficeTotals:
    users: int = 0
    licenses: dict[str, int] = field(default_factory=dict)
    purchased: dict[str, int] = field(default_factory=dict)
    reserved_numbers: int = 0
    area_code_numbers: int = 0


@dataclass
class Summary:
    counts: dict[str, int]
    offices: dict[str, OfficeTotals]
    purchased: dict[str, int]
    prorated_total: float
    currency: str
    # Not in SPEC 7's JSON, but what the wizard shows: numbers to buy per area code.
    numbers_to_buy: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            **self.counts,
            "offices": {name: {"users": t.users, "licenses": t.licenses, "purchased": t.purchased,
                               "reserved_numbers": t.reserved_numbers,
                               "area_code_numbers": t.area_code_numbers}
                        for name, t in self.offices.items()},
            "purchased": self.purchased,
            "prorated_total": self.prorated_total,
            "currency": self.currency,
        }


def summarise(company: Company, rows: list[Row]) -> Summary:
    counts = {CREATE: 0, SKIP: 0, REJECT: 0, INVALID: 0}
    per_office: dict[str, OfficeTotals] = {}
    purchased: dict[str, int] = {}
    to_buy: dict[str, int] = {}
    total = Decimal(0)
    for row in rows:
        counts[row.status] += 1
        if row.status != CREATE:
            continue
        t = per_office.get(row.office)  # type: ignore[arg-type]
        if t is None:
            t = per_office[row.office] = OfficeTotals()  # type: ignore[index]
        t.users += 1
        t.licenses[row.license] = t.licenses.get(row.license, 0) + 1  # type: ignore[index]
        if row.seat == "purchased":
            t.purchased[row.license] = t.purchased.get(row.license, 0) + 1  # type: ignore[index]
            purchased[row.license] = purchased.get(row.license, 0) + 1  # type: ignore[index]
            total += Decimal(str(row.prorated_cost))
        if row.number_source == "reserved":
            t.reserved_numbers += 1
        elif row.number_source == "area_code":
            t.area_code_numbers += 1
            to_buy[row.area_code] = to_buy.get(row.area_code, 0) + 1  # type: ignore[index]
    # Directory order, so the summary reads like the company's own office list.
    order = {o.name: i for i, o in enumerate(company.offices)}
    offices = dict(sorted(per_office.items(), key=lambda kv: order.get(kv[0], 0)))
    return Summary(counts, offices, purchased, float(total), company.billing.currency, to_buy)


@dataclass
class Preview:
    as_of: dt.date
    rows: list[Row]
    summary: Summary

    def to_dict(self) -> dict[str, object]:
        return {"as_of": self.as_of.isoformat(), "users": [r.to_dict() for r in self.rows],
                "summary": self.summary.to_dict()}


def run_preview(company: Company, users: UserSet, settings: Settings, as_of: dt.date,
                **live_state: object) -> Preview:
    rows = place_users(company, users.records, settings, as_of, **live_state)  # type: ignore[arg-type]
    return Preview(as_of, rows, summarise(company, rows))
