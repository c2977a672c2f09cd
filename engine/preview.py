"""A preview: the rows of `place` plus the summary of SPEC 7, and its JSON shape."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from operator import itemgetter

from msgspec import Struct, field

from engine.billing import BillingPeriod, period_containing, period_line
from engine.directory import Company
from engine.names import LICENSE_BY_NORM, LICENSE_TYPES, norm
from engine.rules import CREATE, INVALID, REJECT, SKIP, Placement, Profiles, Row, Tail, place
from engine.settings import Settings
from engine.users import UserRecord, UserSet

LICENSE_TYPE_UNSUPPORTED = "license_type_unsupported"

# msgspec Structs, not dataclasses, for a cheap start-up (engine.settings says why).


class OfficeTotals(Struct):
    users: int = 0
    licenses: dict[str, int] = field(default_factory=dict)
    purchased: dict[str, int] = field(default_factory=dict)
    reserved_numbers: int = 0
    area_code_numbers: int = 0


class Summary(Struct):
    counts: dict[str, int]
    offices: dict[str, OfficeTotals]
    purchased: dict[str, int]
    prorated_total: float
    currency: str
    # Not in SPEC 7's JSON, but what the wizard shows: numbers to buy per area code.
    numbers_to_buy: dict[str, int] = field(default_factory=dict)
    # The period billed (SPEC 5.5) and the directory's, which differ when it was shifted.
    billing_period: BillingPeriod | None = None
    directory_period: BillingPeriod | None = None

    def period_line(self, source: str = "the directory's") -> str:
        """"billing period A → B", with ", shifted from `source` C → D" when it was shifted."""
        if self.billing_period is None or self.directory_period is None:
            return ""
        return period_line(self.billing_period, self.directory_period, source)

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
            **({"billing_period": self.billing_period.to_dict()} if self.billing_period else {}),
        }


Tally = Counter[Tail]  # a row's fields after index and userName (Row[2:]) -> how many rows
_TAIL = itemgetter(slice(2, None))


def tally_rows(rows: Iterable[Row]) -> Tally:
    return Counter(map(_TAIL, rows))


def summarise(company: Company, rows: list[Row], as_of: dt.date) -> Summary:
    """The totals of SPEC 7, with the billing period that contains `as_of`."""
    return summarise_tally(company, tally_rows(rows), as_of)


def summarise_tally(company: Company, tally: Tally, as_of: dt.date) -> Summary:
    """`summarise` from the rows' tally (engine.rules.Placement): the loop sees only distinct
    rows, a few hundred for 100k users."""
    counts = {CREATE: 0, SKIP: 0, REJECT: 0, INVALID: 0}
    per_office: dict[str, OfficeTotals] = {}
    purchased: dict[str, int] = {}
    to_buy: dict[str, int] = {}
    total = Decimal(0)
    for (status, office, _, _, lic, _, seat, cost, _, source, area, _, _), n in tally.items():
        counts[status] += n
        if status != CREATE:
            continue
        # A created row always has an office and a license (SPEC 7), and an area code when its
        # number comes from one.
        assert office is not None and lic is not None
        t = per_office.get(office)
        if t is None:
            t = per_office[office] = OfficeTotals()
        t.users += n
        t.licenses[lic] = t.licenses.get(lic, 0) + n
        if seat == "purchased":
            t.purchased[lic] = t.purchased.get(lic, 0) + n
            purchased[lic] = purchased.get(lic, 0) + n
            total += Decimal(str(cost)) * n
        if source == "reserved":
            t.reserved_numbers += n
        elif source == "area_code":
            assert area is not None
            t.area_code_numbers += n
            to_buy[area] = to_buy.get(area, 0) + n
    # Directory order for offices and license order for counts, so output is stable.
    order = {o.name: i for i, o in enumerate(company.offices)}
    offices = dict(sorted(per_office.items(), key=lambda kv: order.get(kv[0], 0)))
    for t in offices.values():
        t.licenses = _in_license_order(t.licenses)
        t.purchased = _in_license_order(t.purchased)
    directory = company.billing.period
    return Summary(counts, offices, _in_license_order(purchased), float(total),
                   company.billing.currency, dict(sorted(to_buy.items(), key=lambda kv: (len(kv[0]), kv[0]))),
                   period_containing(directory, as_of), directory)


def _in_license_order(counts: dict[str, int]) -> dict[str, int]:
    return {lic: counts[lic] for lic in LICENSE_TYPES if counts.get(lic)}


class IgnoredLicenseType(Struct, frozen=True, gc=False):
    """A user whose licenseType names a license it will not get, because Entra ID (Azure)
    does not send licenseType over SCIM (SPEC 5.3 b). gc=False: numbers and text only, no cycle."""

    index: int
    user_name: str
    license_type: str  # as in the sample file
    named: str         # the license type it names
    gets: str          # the license the user gets instead (a group mapping's or the default)


def ignored_license_types(records: list[UserRecord], rows: list[Row]) -> list[IgnoredLicenseType]:
    """The users the Entra ID licenseType warning is about: those whose licenseType names a
    known license other than the one they get. A licenseType naming the license they get
    anyway, or naming none, changes nothing, and is not counted."""
    out = []
    for rec, row in zip(records, rows, strict=True):
        if row[14] and LICENSE_TYPE_UNSUPPORTED in row[14]:
            named = LICENSE_BY_NORM.get(norm(rec.license_type))
            if named is not None and named != row[6]:
                out.append(IgnoredLicenseType(row[0], row[1], rec.license_type, named, str(row[6])))
    return out


class Preview(Struct):
    as_of: dt.date
    # The rules' result: the rows are joined when first read (an export to JSON needs none).
    placement: Placement
    summary: Summary
    # Only with provider azure: the users whose licenseType is ignored to a difference.
    license_type_ignored: list[IgnoredLicenseType] = field(default_factory=list)
    tally: Tally | None = None  # of the rows (the placement's), for counts without a pass

    @property
    def rows(self) -> list[Row]:
        return self.placement.rows

    def to_dict(self, *, for_json: bool = False) -> dict[str, object]:
        """SPEC 7 as Python data. `for_json` leaves each row's warnings a tuple, which orjson
        writes as an array: no per-row copy when 100k rows are only being serialised."""
        users = _json_rows(self.rows) if for_json else [r.to_dict() for r in self.rows]
        return {"as_of": self.as_of.isoformat(), "users": users, "summary": self.summary.to_dict()}


def _json_rows(rows: list[Row]) -> list[dict[str, object]]:
    """Each row as the dict of SPEC 7 (JSON_KEYS, in order). Spelled out rather than
    `dict(zip(JSON_KEYS, row))`: a dict display with constant keys is built in one step, twice
    as fast on 100k rows."""
    return [{"index": index, "userName": user_name, "status": status, "office": office,
             "office_rule": office_rule, "office_detail": office_detail, "license": license_,
             "license_rule": license_rule, "seat": seat, "prorated_cost": prorated_cost,
             "number": number, "number_source": number_source, "area_code": area_code,
             "reason": reason, "warnings": warnings}
            for (index, user_name, status, office, office_rule, office_detail, license_, license_rule,
                 seat, prorated_cost, number, number_source, area_code, reason, warnings) in rows]


def run_preview(company: Company, users: UserSet, settings: Settings, as_of: dt.date, *,
                on_summary: Callable[[Summary], object] | None = None, **live_state: object) -> Preview:
    """The preview; `on_summary` gets its summary as soon as it is known, before the rows are
    joined (the wizard shows it at once)."""
    records = users.records
    profiles = users.profiles
    if profiles is None or not profiles.fits(records):
        # Once per load: kept on the UserSet for the next preview of the same users.
        profiles = users.profiles = Profiles.shared(records)
    placed = place(company, records, settings, as_of, profiles=profiles, **live_state)  # type: ignore[arg-type]
    summary = summarise_tally(company, placed.tally, as_of)
    if on_summary is not None:
        on_summary(summary)
    ignored = ignored_license_types(records, placed.rows) if settings.licenses.provider == "azure" else []
    return Preview(as_of, placed, summary, ignored, placed.tally)
