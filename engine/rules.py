"""The provisioning rules (SPEC 5): where each sample user lands, on which license, seat and
number, and why.

`place_users` is the one function the preview, the service and the TUI share. It is written
for re-running on 100k already-read users whenever a setting changes: users the rules cannot
tell apart share one decision of scope, license and office (`Profiles`), so the per-user path
only takes a seat and a number and builds the row from tuples made once per decision.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from functools import partial
from itertools import count
from operator import add, itemgetter
from typing import Any, NamedTuple

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

    index: int  # type: ignore[assignment]  # SPEC 7 names the field; it shadows tuple.index
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
        d: dict[str, object] = dict(zip(JSON_KEYS, self, strict=True))
        d["warnings"] = list(self.warnings)
        return d


JSON_KEYS = ("index", "userName", *Row._fields[2:])
# A row without index and userName (Row[2:]): status, office, office_rule, office_detail, license,
# license_rule, seat, prorated_cost, number, number_source, area_code, reason, warnings. One per
# decision, shared by the rows it makes.
Tail = tuple[str, str | None, str | None, str | None, str | None, str | None, str | None, float | None,
             str | None, str | None, str | None, str | None, tuple[str, ...]]
_new = tuple.__new__
_as_row = partial(_new, Row)
_HEAD = itemgetter(0, 1)  # index, userName


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


_PROFILE = itemgetter(3, 4, 5, 6, 7, 9, 11, 12, 13, 14)  # every field the rules read but index, userName


class Profiles:
    """Which users the rules cannot tell apart: same activity, domain, office fields, country,
    licenseType, groups, reader warnings and validity. Nothing here depends on the settings, so it
    is made once per load (`engine.users.UserSet.profiles`) and a settings change decides scope,
    license and office once per profile (a few hundred for 100k users), not once per user; only
    seats and numbers, which are consumed in input order, are decided per user.

    A profile is named by the position of its first user: `ids[i]` is user i's, `firsts` all.
    """

    __slots__ = ("firsts", "ids", "records")

    def __init__(self, records: Sequence[UserRecord], ids: Sequence[int], firsts: Iterable[int]) -> None:
        self.records = records
        self.ids = ids
        self.firsts = firsts

    @classmethod
    def shared(cls, records: Sequence[UserRecord]) -> Profiles:
        # One pass in C: each user's profile tuple is looked up once; its first user's position
        # is set when it is first met and returned for every user after.
        first: dict[tuple[object, ...], int] = {}
        with paused_gc():
            ids = list(map(first.setdefault, map(_PROFILE, records), count()))
        return cls(records, ids, list(first.values()))

    @classmethod
    def each(cls, records: Sequence[UserRecord]) -> Profiles:
        """Every user decided on its own: the plain path, which the shared one must equal."""
        return cls(records, range(len(records)), range(len(records)))

    def fits(self, records: Sequence[UserRecord]) -> bool:
        return self.records is records and len(self.ids) == len(records)


class Placement:
    """Each user's row without index and userName (its tail: `Row[2:]`, tuples shared by the
    users of one decision) and the tally of those tails: what the summary and the wizard's counts
    are made of, without a pass over 100k rows. The rows themselves are joined when first asked
    for, so the summary can be shown before."""

    __slots__ = ("_rows", "records", "tails", "tally")

    def __init__(self, records: Sequence[UserRecord], tails: list[Tail]) -> None:
        self.records = records
        self.tails = tails
        self.tally: Counter[Tail] = Counter(tails)
        self._rows: list[Row] | None = None

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            with paused_gc():  # in C: index and userName, joined to the tail, made a Row
                self._rows = list(map(_as_row, map(add, map(_HEAD, self.records), self.tails)))
        return self._rows


def place_users(company: Company, records: Sequence[UserRecord], settings: Settings,
                as_of: dt.date, *, seats: Sequence[Sequence[int]] | None = None,
                used_numbers: Collection[str] | None = None,
                profiles: Profiles | None = None) -> list[Row]:
    """Place every record in input order.

    `seats` (seats left per office, per LICENSE_TYPES index) and `used_numbers` (reserved numbers
    already assigned) start from a live state, the service's; else from the directory.
    `profiles` (of these records) are the load's, when the caller keeps them between runs.
    """
    return place(company, records, settings, as_of, seats=seats, used_numbers=used_numbers,
                 profiles=profiles).rows


def place(company: Company, records: Sequence[UserRecord], settings: Settings, as_of: dt.date, *,
          seats: Sequence[Sequence[int]] | None = None, used_numbers: Collection[str] | None = None,
          profiles: Profiles | None = None) -> Placement:
    """`place_users`, the rows to be joined (see `Placement`)."""
    with paused_gc():
        if profiles is None or not profiles.fits(records):
            profiles = Profiles.shared(records)
        state = _State(company, seats, used_numbers)
        return _Run(company, settings, as_of, state).place(records, profiles)


class _Undecided(NamedTuple):
    rec: UserRecord  # the profile's first user
    at: int


class _Placed(NamedTuple):
    """Scope, license and office decided: the user takes a seat of license `li` in office `oi`.
    The rows' fields after index and userName, per seat outcome (`pooled`: the number comes
    from the office's reserved pool while it lasts, else `area_code` as in the tails)."""

    oi: int
    li: int
    available: Tail
    purchased: Tail
    out_of_licenses: Tail
    pooled: bool


class _Pending(NamedTuple):
    """An office that depends on the seats left when the user's turn comes (5.4 b's most seats
    left, 5.4 c's offices that can add): decided per user, in input order."""

    rec: UserRecord
    lic: str
    lic_rule: str
    li: int
    warnings: tuple[str, ...]
    why: str
    unmatched: list[int]
    candidates: list[int] | None  # the country's offices (5.4 b); None for best_match (5.4 c)


_Decision = _Placed | _Pending | _Undecided | Tail


def _tail(status: str, reason: str | None, warnings: tuple[str, ...], office: str | None = None,
          rule: str | None = None, detail: str | None = None, lic: str | None = None,
          lic_rule: str | None = None) -> Tail:
    """A row without a seat (skip, invalid, reject), after index and userName."""
    return (status, office, rule, detail, lic, lic_rule, None, None, None, None, None, reason, warnings)


class _Run:
    """One run of the rules: the settings turned into look-ups, and the state consumed."""

    def __init__(self, company: Company, settings: Settings, as_of: dt.date, state: _State) -> None:
        self.state = state
        offices = company.offices
        self.names = [o.name for o in offices]
        self.okeys = okeys = [o.key for o in offices]
        self.office_by_key = {k: i for i, k in enumerate(okeys)}
        self.main_idx = next(i for i, o in enumerate(offices) if o.main)
        self.by_country: dict[str, list[int]] = {}
        for i, o in enumerate(offices):
            self.by_country.setdefault(o.country, []).append(i)
        self.pools = [o.reserved_numbers for o in offices]
        self.areas = [o.area_code or company.area_code for o in offices]
        b = company.billing
        period = period_containing(b.period, as_of)  # the period recurs (SPEC 5.5)
        self.cost_of = [prorate(b.monthly_price[lic], period.start, period.end, as_of)
                        for lic in LICENSE_TYPES]
        s = settings
        self.in_scope = set(company.domains) if company.master_domain else {s.scope_domain(company)}
        self.field_idx = [OFFICE_FIELDS.index(f) for f in s.office.fields]
        self.lic_idx = {lic: i for i, lic in enumerate(LICENSE_TYPES)}
        self.group_rules = [(norm(g.group), g.license, self.lic_idx[g.license]) for g in s.licenses.groups]
        self.azure = s.licenses.provider == "azure"
        self.default_lic = s.licenses.default
        self.default_li = LICENSE_TYPES.index(self.default_lic)
        self.fallback = s.office.country_fallback
        self.mismatch = s.office.mismatch
        self.purchase = s.licenses.when_exhausted == "purchase"
        self.auto_assign = s.numbers.auto_assign
        self.default_idx = (self.office_by_key.get(norm(s.office.default_office))
                            if s.office.default_office else None)
        if self.mismatch == "default_office" and self.default_idx is None:
            raise ValueError(f"default office {s.office.default_office!r} is not in the directory")
        self.score_cache: dict[str, list[float]] = {}

    def place(self, records: Sequence[UserRecord], profiles: Profiles) -> Placement:
        """Seats and numbers per user, in input order; the rest once per profile. The loop only
        picks each user's row tail, tuples made once per decision."""
        state = self.state
        seats_left = state.seats
        next_num = state.next_number
        used = state.used
        pools = self.pools
        purchase = self.purchase
        settle = self.settle
        decide = self.decide
        # A profile is decided at its first user's turn, as the plain path decides every user.
        # Any: the loop tells decisions apart by their exact class, which mypy cannot follow.
        decided: list[Any] = [None] * len(records)
        for i in profiles.firsts:
            decided[i] = _Undecided(records[i], i)
        tails: list[Tail] = []
        keep = tails.append
        for d in map(decided.__getitem__, profiles.ids):
            if type(d) is not _Placed:
                if type(d) is _Undecided:
                    rec, at = d
                    d = decided[at] = decide(rec)
                if type(d) is _Pending:
                    d = settle(d)
                if type(d) is tuple:  # skip, invalid or reject: no seat
                    keep(d)
                    continue
            oi, li, tail, purchased, out_of_licenses, pooled = d
            # 5.5 Seat
            office_seats = seats_left[oi]
            if office_seats[li] > 0:
                office_seats[li] -= 1
            elif purchase:
                tail = purchased
            else:
                keep(out_of_licenses)
                continue
            # 5.6 Number: the office's next unused reserved number, else the tail's area code
            if pooled:
                n = next_num[oi]
                pool = pools[oi]
                while n < len(pool) and pool[n] in used:  # numbers a live state already assigned
                    n += 1
                next_num[oi] = n
                if n < len(pool):
                    next_num[oi] = n + 1
                    tail = (*tail[:8], pool[n], "reserved", None, *tail[11:])
            keep(tail)
        return Placement(records, tails)

    def decide(self, rec: UserRecord) -> _Decision:
        """Scope (5.2), license (5.3) and office (5.4) of one user: a row's tail when it ends
        there, `_Placed` when the office is known, `_Pending` when it depends on seats left."""
        (_, _, _, active, domain, values, keys, country, _, license_type, _,
         group_keys, warnings, invalid, _) = rec
        if invalid:
            return _tail(INVALID, rec.reason, warnings)
        if not active:
            return _tail(SKIP, "inactive", warnings)
        if domain is not None and domain not in self.in_scope:
            return _tail(SKIP, "other_domain", warnings)

        # 5.3 License
        lic = None
        if group_keys:
            for gkey, glic, gli in self.group_rules:
                if gkey in group_keys:
                    lic, lic_rule, li = glic, "group", gli
                    break
        if lic is None:
            lic, lic_rule, li = self.default_lic, "default", self.default_li
            if license_type:
                if self.azure:
                    warnings = (*warnings, "license_type_unsupported")
                else:
                    known = LICENSE_BY_NORM.get(norm(license_type))
                    if known is None:
                        warnings = (*warnings, "unknown_license_type")
                    else:
                        lic, lic_rule, li = known, "attribute", self.lic_idx[known]

        # 5.4 Office
        unmatched: list[int] = []
        for fi in self.field_idx:
            k = keys[fi]
            if k:
                oi = self.office_by_key.get(k)
                if oi is not None:
                    return self.placed(oi, "field", f"{OFFICE_FIELDS[fi]} = '{values[fi]}'", lic,
                                       lic_rule, li, warnings)
                if not unmatched:
                    warnings = (*warnings, "office_value_unmatched")
                unmatched.append(fi)
        why = _why_prefix(rec, unmatched)
        cands = self.by_country.get(country) if self.fallback and country else None
        if cands:
            if len(cands) == 1:
                return self.placed(cands[0], "country", f"{why}; country {country} has one office",
                                   lic, lic_rule, li, warnings)
            if self.main_idx in cands:
                return self.placed(self.main_idx, "country", f"{why}; country {country} has "
                                   f"{len(cands)} offices: the main office", lic, lic_rule, li, warnings)
            return _Pending(rec, lic, lic_rule, li, warnings, why, unmatched, cands)
        if not self.fallback:
            why += "; country fallback is off"
        elif country:
            why += f"; no office in country {country}"
        else:
            why += "; no usable country"
        if self.mismatch == "best_match":
            pending = _Pending(rec, lic, lic_rule, li, warnings, why, unmatched, None)
            # Every office can add when seats are purchased: the choice is the same for all.
            return self.settle(pending) if self.purchase else pending
        if self.mismatch == "default_office":
            return self.placed(self.default_idx, "default_office", f"{why}; the default office",  # type: ignore[arg-type]
                               lic, lic_rule, li, warnings)
        return _tail(REJECT, "no_office_match", warnings, detail=f"{why}; mismatch = reject", lic=lic,
                     lic_rule=lic_rule)

    def settle(self, p: _Pending) -> _Placed | Tail:
        """The office of a `_Pending` user with the seats left now (5.4 b, 5.4 c best_match)."""
        seats_left = self.state.seats
        li, lic, why = p.li, p.lic, p.why
        okeys = self.okeys
        if p.candidates is not None:
            oi = _most_seats_left(p.candidates, seats_left, li, okeys)
            return self.placed(oi, "country", f"{why}; country {p.rec.country} has {len(p.candidates)} "
                               f"offices: most {lic} seats left ({seats_left[oi][li]})",
                               lic, p.lic_rule, li, p.warnings)
        n = len(okeys)
        can_add = range(n) if self.purchase else [i for i in range(n) if seats_left[i][li] > 0]
        if not can_add:
            return _tail(REJECT, "no_office_can_add", p.warnings,
                         detail=f"{why}; no office has a {lic} seat left and seats are not purchased",
                         lic=lic, lic_rule=p.lic_rule)
        keys, values = p.rec.keys, p.rec.values
        best: int | None = None
        best_score = -1.0
        for f in p.unmatched:
            sc = self._scores(keys[f])
            for i in can_add:
                # A first candidate always beats -1: `best` is set before a tie is looked at.
                if sc[i] > best_score or (best is not None and sc[i] == best_score
                                          and okeys[i] < okeys[best]):
                    best, best_score, best_value = i, sc[i], values[f]
        if best is not None and best_score >= BEST_MATCH_MIN_SCORE:
            oi = best
            detail = f"{why}; '{best_value}' is closest to '{self.names[oi]}' (WRatio {best_score:.0f})"
        else:
            close = (f"; no name close enough (best WRatio {best_score:.0f} < "
                     f"{BEST_MATCH_MIN_SCORE})") if best is not None else ""
            if self.main_idx in can_add:
                oi = self.main_idx
                detail = f"{why}{close}; the main office can add"
            else:
                oi = _most_seats_left(can_add, seats_left, li, okeys)
                detail = (f"{why}{close}; the main office has no {lic} seat; most "
                          f"{lic} seats left ({seats_left[oi][li]})")
        return self.placed(oi, "best_match", detail, lic, p.lic_rule, li, p.warnings)

    def _scores(self, value_key: str) -> list[float]:
        got = self.score_cache.get(value_key)
        if got is None:
            from rapidfuzz import fuzz  # 12 ms of import; only 5.4 c's best match scores names

            got = self.score_cache[value_key] = [fuzz.WRatio(value_key, k) for k in self.okeys]
        return got

    def placed(self, oi: int, rule: str, detail: str, lic: str, lic_rule: str, li: int,
               warnings: tuple[str, ...]) -> _Placed:
        """The rows' tails for a user placed in office `oi`, per seat outcome (5.5), with the
        number that needs no pool (5.6)."""
        name = self.names[oi]
        pooled = False
        if lic == CONTACT_CENTER:
            number: tuple[None, str, str | None] = (None, "contact_center", None)
        elif not self.auto_assign:
            number = (None, "auto_assign_off", None)
        else:
            number, pooled = (None, "area_code", self.areas[oi]), True  # once the pool is empty
        head = (CREATE, name, rule, detail, lic, lic_rule)
        return _Placed(oi, li, (*head, "available", 0.0, *number, None, warnings),
                       (*head, "purchased", self.cost_of[li], *number, None, warnings),
                       _tail(REJECT, "out_of_licenses", warnings, name, rule, detail, lic, lic_rule),
                       pooled)


def _most_seats_left(candidates: Sequence[int], seats_left: list[list[int]], li: int, okeys: list[str]) -> int:
    """The office with the most seats of license `li` left now; ties by normalised name (5.4)."""
    return min(candidates, key=lambda i: (-seats_left[i][li], okeys[i]))


def _why_prefix(rec: UserRecord, unmatched: list[int]) -> str:
    if unmatched:
        return "; ".join(f"{OFFICE_FIELDS[f]} = '{rec.values[f]}' names no office" for f in unmatched)
    return "no office field has a value"
