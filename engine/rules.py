"""The provisioning rules (SPEC 5): where each sample user lands, on which license, seat and
number, and why.

`place_users` is the one function the preview, the service and the TUI share. It is written
for re-running on 100k already-read users whenever a setting changes, so the per-user path does
only dictionary look-ups and builds strings only where a fallback needs explaining.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import NamedTuple

from rapidfuzz import fuzz

from engine.billing import period_containing
from engine.directory import Company
from engine.names import CONTACT_CENTER, LICENSE_BY_NORM, LICENSE_TYPES, OFFICE_FIELDS, norm
from engine.perf import paused_gc
from engine.settings import Settings
from engine.users import UserRecord

BEST_MATCH_MIN_SCORE = 80

CREATE, SKIP, REJECT, INVALID = "create", "skip", "reject", "invalid"
STATUSES = (CREATE, SKIP, REJECT, INVALID)


class Row(NamedTuple):
    """One preview row: the fields of SPEC 7, in that order. A tuple, so re-running the rules
    on 100k users stays cheap."""

    index: int
    user_name: str
    status: str
    office: str | None
    office_rule: str | None
    office_detail: str | None
    license: str | None
    license_rule: str | None
    seat: str | None
    prorated_cost: float | None
    number: str | None
    number_source: str | None
    area_code: str | None
    reason: str | None
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        d = dict(zip(JSON_KEYS, self, strict=True))
        d["warnings"] = list(self.warnings)
        return d


JSON_KEYS = ("index", "userName", *Row._fields[2:])
_NONE_UNMATCHED: list[int] = []  # shared and never appended to: most users match on a field
_new = tuple.__new__


def prorate(price: float, period_start: dt.date, period_end: dt.date, as_of: dt.date) -> float:
    """monthly_price x days_left / days_in_period, half-even to cents (SPEC 5.5)."""
    days = (period_end - period_start).days
    left = min(max((period_end - as_of).days, 0), days)
    cost = (Decimal(str(price)) * left / days).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    return float(cost)


class _State:
    """Seats and reserved numbers as they are consumed, in input order."""

    def __init__(self, company: Company, seats: Sequence[Sequence[int]] | None,
                 used_numbers: Collection[str] | None) -> None:
        offices = company.offices
        self.seats = [list(s) for s in seats] if seats is not None else [
            [o.available_licenses[lic] for lic in LICENSE_TYPES] for o in offices]
        self.next_number = [0] * len(offices)
        self.used = used_numbers if used_numbers is not None else frozenset()


def _most_seats_left(candidates: Sequence[int], seats_left: list[list[int]], li: int, okeys: list[str]) -> int:
    """The office with the most seats of license `li` left now; ties by normalised name (5.4)."""
    return min(candidates, key=lambda i: (-seats_left[i][li], okeys[i]))


def _why_prefix(rec: UserRecord, unmatched: list[int]) -> str:
    if unmatched:
        return "; ".join(f"{OFFICE_FIELDS[f]} = '{rec.values[f]}' names no office" for f in unmatched)
    return "no office field has a value"


def place_users(company: Company, records: Sequence[UserRecord], settings: Settings,
                as_of: dt.date, *, seats: Sequence[Sequence[int]] | None = None,
                used_numbers: Collection[str] | None = None) -> list[Row]:
    """Place every record in input order.

    `seats` (seats left per office, per LICENSE_TYPES index) and `used_numbers` (reserved numbers
    already assigned) start from a live state, the service's; else from the directory.
    """
    with paused_gc():
        return _place(company, records, settings, as_of, _State(company, seats, used_numbers))


def _place(company: Company, records: Sequence[UserRecord], settings: Settings, as_of: dt.date,
           state: _State) -> list[Row]:
    used = state.used
    offices = company.offices
    names = [o.name for o in offices]
    okeys = [o.key for o in offices]
    office_by_key = {k: i for i, k in enumerate(okeys)}
    main_idx = next(i for i, o in enumerate(offices) if o.main)
    by_country: dict[str, list[int]] = {}
    for i, o in enumerate(offices):
        by_country.setdefault(o.country, []).append(i)
    pools = [o.reserved_numbers for o in offices]
    areas = [o.area_code or company.area_code for o in offices]
    b = company.billing
    period = period_containing(b.period, as_of)  # the period recurs (SPEC 5.5)
    cost_of = [prorate(b.monthly_price[lic], period.start, period.end, as_of)
               for lic in LICENSE_TYPES]

    s = settings
    in_scope = set(company.domains) if company.master_domain else {s.scope_domain(company)}
    field_idx = [OFFICE_FIELDS.index(f) for f in s.office.fields]
    lic_idx = {lic: i for i, lic in enumerate(LICENSE_TYPES)}
    group_rules = [(norm(g.group), g.license, lic_idx[g.license]) for g in s.licenses.groups]
    azure = s.licenses.provider == "azure"
    default_lic = s.licenses.default
    default_li = LICENSE_TYPES.index(default_lic)
    fallback = s.office.country_fallback
    mismatch = s.office.mismatch
    purchase = s.licenses.when_exhausted == "purchase"
    auto_assign = s.numbers.auto_assign
    default_idx = office_by_key.get(norm(s.office.default_office)) if s.office.default_office else None
    if mismatch == "default_office" and default_idx is None:
        raise ValueError(f"default office {s.office.default_office!r} is not in the directory")
    seats_left = state.seats
    next_num = state.next_number
    score_cache: dict[str, list[float]] = {}

    def scores_for(value_key: str) -> list[float]:
        got = score_cache.get(value_key)
        if got is None:
            got = score_cache[value_key] = [fuzz.WRatio(value_key, k) for k in okeys]
        return got

    field_details: list[dict[str, str]] = [{} for _ in OFFICE_FIELDS]
    rows: list[Row] = []
    append = rows.append
    for rec in records:
        # Unpacked once: attribute access on 100k tuples is the loop's main cost.
        (index, user_name, _, active, domain, values, keys, country, _, license_type, _,
         group_keys, warnings, invalid, _) = rec
        if invalid:
            append(_new(Row, (index, user_name, INVALID, None, None, None, None, None, None, None,
                              None, None, None, rec.reason, warnings)))
            continue
        if not active:
            append(_new(Row, (index, user_name, SKIP, None, None, None, None, None, None, None,
                              None, None, None, "inactive", warnings)))
            continue
        if domain is not None and domain not in in_scope:
            append(_new(Row, (index, user_name, SKIP, None, None, None, None, None, None, None,
                              None, None, None, "other_domain", warnings)))
            continue

        # 5.3 License
        lic = None
        if group_keys and group_rules:
            for gkey, glic, gli in group_rules:
                if gkey in group_keys:
                    lic, lic_rule, li = glic, "group", gli
                    break
        if lic is None:
            lic, lic_rule, li = default_lic, "default", default_li
            if license_type:
                if azure:
                    warnings = (*warnings, "license_type_unsupported")
                else:
                    known = LICENSE_BY_NORM.get(norm(license_type))
                    if known is None:
                        warnings = (*warnings, "unknown_license_type")
                    else:
                        lic, lic_rule, li = known, "attribute", lic_idx[known]

        # 5.4 Office
        oi = None
        unmatched: list[int] = _NONE_UNMATCHED
        for fi in field_idx:
            k = keys[fi]
            if k:
                oi = office_by_key.get(k)
                if oi is not None:
                    rule = "field"
                    raw = values[fi]
                    detail = field_details[fi].get(raw)
                    if detail is None:
                        detail = field_details[fi][raw] = f"{OFFICE_FIELDS[fi]} = '{raw}'"
                    break
                if not unmatched:
                    warnings = (*warnings, "office_value_unmatched")
                    unmatched = [fi]
                else:
                    unmatched.append(fi)
        if oi is None:
            why = _why_prefix(rec, unmatched)
            cands = by_country.get(country) if fallback and country else None
            if cands:
                rule = "country"
                if len(cands) == 1:
                    oi = cands[0]
                    detail = f"{why}; country {country} has one office"
                elif main_idx in cands:
                    oi = main_idx
                    detail = f"{why}; country {country} has {len(cands)} offices: the main office"
                else:
                    oi = _most_seats_left(cands, seats_left, li, okeys)
                    detail = (f"{why}; country {country} has {len(cands)} offices: most "
                              f"{lic} seats left ({seats_left[oi][li]})")
            else:
                if not fallback:
                    why += "; country fallback is off"
                elif country:
                    why += f"; no office in country {country}"
                else:
                    why += "; no usable country"
                if mismatch == "best_match":
                    can_add = range(len(offices)) if purchase else [
                        i for i in range(len(offices)) if seats_left[i][li] > 0]
                    if not can_add:
                        append(_new(Row, (index, user_name, REJECT, None, None,
                                   f"{why}; no office has a {lic} seat left and seats are not "
                                   "purchased", lic, lic_rule, None, None, None, None, None,
                                   "no_office_can_add", warnings)))
                        continue
                    rule = "best_match"
                    best, best_score = None, -1.0
                    for f in unmatched:
                        sc = scores_for(keys[f])
                        for i in can_add:
                            if sc[i] > best_score or (sc[i] == best_score and okeys[i] < okeys[best]):
                                best, best_score, best_value = i, sc[i], values[f]
                    if best is not None and best_score >= BEST_MATCH_MIN_SCORE:
                        oi = best
                        detail = (f"{why}; '{best_value}' is closest to '{names[oi]}' "
                                  f"(WRatio {best_score:.0f})")
                    else:
                        close = (f"; no name close enough (best WRatio {best_score:.0f} < "
                                 f"{BEST_MATCH_MIN_SCORE})") if best is not None else ""
                        if main_idx in can_add:
                            oi = main_idx
                            detail = f"{why}{close}; the main office can add"
                        else:
                            oi = _most_seats_left(can_add, seats_left, li, okeys)
                            detail = (f"{why}{close}; the main office has no {lic} seat; most "
                                      f"{lic} seats left ({seats_left[oi][li]})")
                elif mismatch == "default_office":
                    oi = default_idx
                    rule = "default_office"
                    detail = f"{why}; the default office"
                else:
                    append(_new(Row, (index, user_name, REJECT, None, None,
                               f"{why}; mismatch = reject", lic, lic_rule, None, None, None, None,
                               None, "no_office_match", warnings)))
                    continue

        # 5.5 Seat
        office_seats = seats_left[oi]
        if office_seats[li] > 0:
            office_seats[li] -= 1
            seat, cost = "available", 0.0
        elif purchase:
            seat, cost = "purchased", cost_of[li]
        else:
            append(_new(Row, (index, user_name, REJECT, names[oi], rule, detail, lic, lic_rule,
                       None, None, None, None, None, "out_of_licenses", warnings)))
            continue

        # 5.6 Number
        if lic == CONTACT_CENTER:
            number, source, area = None, "contact_center", None
        elif not auto_assign:
            number, source, area = None, "auto_assign_off", None
        else:
            n = next_num[oi]
            pool = pools[oi]
            while n < len(pool) and pool[n] in used:  # numbers a live state already assigned
                n += 1
            if n < len(pool):
                number, source, area = pool[n], "reserved", None
                next_num[oi] = n + 1
            else:
                number, source, area = None, "area_code", areas[oi]
        append(_new(Row, (index, user_name, CREATE, names[oi], rule, detail, lic, lic_rule, seat,
                   cost, number, source, area, None, warnings)))
    return rows
