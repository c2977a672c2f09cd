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

from rapidfuzz import fuzz

from engine.directory import Company
from engine.names import CONTACT_CENTER, LICENSE_BY_NORM, LICENSE_TYPES, OFFICE_FIELDS, norm
from engine.settings import Settings
from engine.users import UserRecord

BEST_MATCH_MIN_SCORE = 80

CREATE, SKIP, REJECT, INVALID = "create", "skip", "reject", "invalid"
STATUSES = (CREATE, SKIP, REJECT, INVALID)


class Row:
    """One preview row: the fields of SPEC 7, in that order."""

    __slots__ = ("index", "user_name", "status", "office", "office_rule", "office_detail",
                 "license", "license_rule", "seat", "prorated_cost", "number", "number_source",
                 "area_code", "reason", "warnings")

    def __init__(self, index: int, user_name: str, status: str, office: str | None,
                 office_rule: str | None, office_detail: str | None, license: str | None,
                 license_rule: str | None, seat: str | None, prorated_cost: float | None,
                 number: str | None, number_source: str | None, area_code: str | None,
                 reason: str | None, warnings: tuple[str, ...]) -> None:
        self.index = index
        self.user_name = user_name
        self.status = status
        self.office = office
        self.office_rule = office_rule
        self.office_detail = office_detail
        self.license = license
        self.license_rule = license_rule
        self.seat = seat
        self.prorated_cost = prorated_cost
        self.number = number
        self.number_source = number_source
        self.area_code = area_code
        self.reason = reason
        self.warnings = warnings

    def to_dict(self) -> dict[str, object]:
        return {"index": self.index, "userName": self.user_name, "status": self.status,
                "office": self.office, "office_rule": self.office_rule,
                "office_detail": self.office_detail, "license": self.license,
                "license_rule": self.license_rule, "seat": self.seat,
                "prorated_cost": self.prorated_cost, "number": self.number,
                "number_source": self.number_source, "area_code": self.area_code,
                "reason": self.reason, "warnings": list(self.warnings)}


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
    state = _State(company, seats, used_numbers)
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
    lic_idx = {lic: i for i, lic in enumerate(LICENSE_TYPES)}
    b = company.billing
    cost_of = [prorate(b.monthly_price[lic], b.period_start, b.period_end, as_of)
               for lic in LICENSE_TYPES]

    s = settings
    in_scope = set(company.domains) if company.master_domain else {s.scope_domain(company)}
    field_idx = [OFFICE_FIELDS.index(f) for f in s.office.fields]
    group_rules = [(norm(g.group), g.license) for g in s.licenses.groups]
    azure = s.licenses.provider == "azure"
    default_lic = s.licenses.default
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

    rows: list[Row] = []
    append = rows.append
    for rec in records:
        if rec.invalid:
            append(Row(rec.index, rec.user_name, INVALID, None, None, None, None, None, None, None,
                       None, None, None, rec.reason, rec.warnings))
            continue
        warnings = rec.warnings
        if not rec.active:
            append(Row(rec.index, rec.user_name, SKIP, None, None, None, None, None, None, None,
                       None, None, None, "inactive", warnings))
            continue
        if rec.domain is not None and rec.domain not in in_scope:
            append(Row(rec.index, rec.user_name, SKIP, None, None, None, None, None, None, None,
                       None, None, None, "other_domain", warnings))
            continue

        # 5.3 License
        lic = None
        if group_rules and rec.group_keys:
            for gkey, glic in group_rules:
                if gkey in rec.group_keys:
                    lic, lic_rule = glic, "group"
                    break
        if lic is None:
            lic, lic_rule = default_lic, "default"
            if rec.license_type:
                if azure:
                    warnings = (*warnings, "license_type_unsupported")
                else:
                    known = LICENSE_BY_NORM.get(norm(rec.license_type))
                    if known is None:
                        warnings = (*warnings, "unknown_license_type")
                    else:
                        lic, lic_rule = known, "attribute"
        li = lic_idx[lic]

        # 5.4 Office
        oi = None
        unmatched: list[int] = []
        keys = rec.keys
        for fi in field_idx:
            k = keys[fi]
            if k:
                oi = office_by_key.get(k)
                if oi is not None:
                    rule = "field"
                    detail = f"{OFFICE_FIELDS[fi]} = '{rec.values[fi]}'"
                    break
                if not unmatched:
                    warnings = (*warnings, "office_value_unmatched")
                unmatched.append(fi)
        if oi is None:
            why = _why_prefix(rec, unmatched)
            cands = by_country.get(rec.country) if fallback and rec.country else None
            if cands:
                rule = "country"
                if len(cands) == 1:
                    oi = cands[0]
                    detail = f"{why}; country {rec.country} has one office"
                elif main_idx in cands:
                    oi = main_idx
                    detail = f"{why}; country {rec.country} has {len(cands)} offices: the main office"
                else:
                    oi = min(cands, key=lambda i: (-seats_left[i][li], okeys[i]))
                    detail = (f"{why}; country {rec.country} has {len(cands)} offices: most "
                              f"{lic} seats left ({seats_left[oi][li]})")
            else:
                if not fallback:
                    why += "; country fallback is off"
                elif rec.country:
                    why += f"; no office in country {rec.country}"
                else:
                    why += "; no usable country"
                if mismatch == "best_match":
                    can_add = range(len(offices)) if purchase else [
                        i for i in range(len(offices)) if seats_left[i][li] > 0]
                    if not can_add:
                        append(Row(rec.index, rec.user_name, REJECT, None, None,
                                   f"{why}; no office has a {lic} seat left and seats are not "
                                   "purchased", lic, lic_rule, None, None, None, None, None,
                                   "no_office_can_add", warnings))
                        continue
                    rule = "best_match"
                    best, best_score = None, -1.0
                    for f in unmatched:
                        sc = scores_for(keys[f])
                        for i in can_add:
                            if sc[i] > best_score or (sc[i] == best_score and okeys[i] < okeys[best]):
                                best, best_score, best_value = i, sc[i], rec.values[f]
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
                            oi = min(can_add, key=lambda i: (-seats_left[i][li], okeys[i]))
                            detail = (f"{why}{close}; the main office has no {lic} seat; most "
                                      f"{lic} seats left ({seats_left[oi][li]})")
                elif mismatch == "default_office":
                    oi = default_idx
                    rule = "default_office"
                    detail = f"{why}; the default office"
                else:
                    append(Row(rec.index, rec.user_name, REJECT, None, None,
                               f"{why}; mismatch = reject", lic, lic_rule, None, None, None, None,
                               None, "no_office_match", warnings))
                    continue

        # 5.5 Seat
        office_seats = seats_left[oi]
        if office_seats[li] > 0:
            office_seats[li] -= 1
            seat, cost = "available", 0.0
        elif purchase:
            seat, cost = "purchased", cost_of[li]
        else:
            append(Row(rec.index, rec.user_name, REJECT, names[oi], rule, detail, lic, lic_rule,
                       None, None, None, None, None, "out_of_licenses", warnings))
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
        append(Row(rec.index, rec.user_name, CREATE, names[oi], rule, detail, lic, lic_rule, seat,
                   cost, number, source, area, None, warnings))
    return rows
