"""The company directory (SPEC 2): offices, seats, reserved numbers and billing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from msgspec import Struct

from engine.billing import BillingPeriod
from engine.countries import is_alpha2
from engine.errors import InputError
from engine.inputfile import read_bytes
from engine.names import LICENSE_TYPES, norm
from engine.tomlfile import parse_toml

# `Any` here: the directory TOML's values, each checked before it is used.

# msgspec Structs, not dataclasses, for a cheap start-up (engine.settings says why). gc=False:
# their fields are text, numbers, dates, and dicts and tuples of those, which cannot form a
# reference cycle.


class Office(Struct, frozen=True, gc=False):
    name: str
    country: str
    main: bool
    area_code: str | None
    reserved_numbers: tuple[str, ...]
    available_licenses: dict[str, int]  # every license type present, 0 when absent in the file

    @property
    def key(self) -> str:
        return norm(self.name)


class Billing(Struct, frozen=True, gc=False):
    currency: str
    period_start: dt.date
    period_end: dt.date
    monthly_price: dict[str, float]

    @property
    def period(self) -> BillingPeriod:
        """The directory's own period; `engine.billing.period_containing` gives the one billed."""
        return BillingPeriod(self.period_start, self.period_end)


class Company(Struct, frozen=True, gc=False):
    name: str
    domains: tuple[str, ...]
    master_domain: str | None
    area_code: str
    billing: Billing
    offices: tuple[Office, ...] = ()

    @property
    def main_office(self) -> Office:
        return next(o for o in self.offices if o.main)

    def office_named(self, name: str) -> Office | None:
        key = norm(name)
        return next((o for o in self.offices if o.key == key), None)


class _Problems:
    """Collects every problem in a directory so the admin can fix them in one pass."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where}: {what}")


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _area_code(value: Any) -> bool:
    return isinstance(value, str) and value.isdigit() and 2 <= len(value) <= 5


def _parse_billing(raw: Any, p: _Problems) -> Billing | None:
    if not isinstance(raw, dict):
        p.add("[billing]", "missing; add currency, period_start, period_end and monthly_price")
        return None
    currency: Any = raw.get("currency")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        p.add("billing.currency", f"{currency!r} is not a 3-letter currency code such as 'USD'")
    start: Any = raw.get("period_start")
    end: Any = raw.get("period_end")
    for key, value in (("period_start", start), ("period_end", end)):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            p.add(f"billing.{key}", f"{value!r} is not a date; write it as YYYY-MM-DD, unquoted")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and not end > start:
        p.add("billing.period_end", "must be after period_start")
    prices = raw.get("monthly_price")
    clean: dict[str, float] = {}
    if not isinstance(prices, dict):
        p.add("billing.monthly_price", "missing; give a price for each of " + ", ".join(LICENSE_TYPES))
    else:
        for key, value in prices.items():
            if key not in LICENSE_TYPES:
                p.add(f"billing.monthly_price.{key!r}", "is not a license type; use one of "
                      + ", ".join(LICENSE_TYPES))
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                p.add(f"billing.monthly_price.{key!r}", f"{value!r} is not a price (a number >= 0)")
            else:
                clean[key] = float(value)
        for lic in LICENSE_TYPES:
            if lic not in prices:
                p.add("billing.monthly_price", f"has no price for {lic!r}")
    if p.items:
        return None
    return Billing(currency.upper(), start, end, clean)


def _parse_office(i: int, raw: Any, p: _Problems, seen_numbers: dict[str, str],
                  trusted: bool = False) -> Office | None:
    where = f"offices[{i}]"
    if not isinstance(raw, dict):
        p.add(where, "is not a table; write each office as [[offices]]")
        return None
    name: Any = raw.get("name")
    if not _text(name):
        p.add(f"{where}.name", "missing or empty; every office needs a name")
        return None
    where = f"office {name!r}"
    before = len(p.items)
    country: Any = raw.get("country")
    if not (isinstance(country, str) and is_alpha2(country)):
        p.add(f"{where}, field country", f"{country!r} is not an ISO 3166-1 alpha-2 code such as 'US'")
    main = raw.get("main", False)
    if not isinstance(main, bool):
        p.add(f"{where}, field main", f"{main!r} is not true or false")
    area = raw.get("area_code")
    if area is not None and not _area_code(area):
        p.add(f"{where}, field area_code", f"{area!r} is not an area code (2 to 5 digits, quoted)")
    numbers = raw.get("reserved_numbers", [])
    if not isinstance(numbers, list):
        p.add(f"{where}, field reserved_numbers", "must be a list of E.164 numbers")
        numbers = []
    for number in numbers:
        if not (_looks_e164(number) if trusted else _is_e164(number)):
            p.add(f"{where}, field reserved_numbers", f"{number!r} is not a valid E.164 number "
                  "(such as '+14155550100')")
        elif number in seen_numbers:
            p.add(f"{where}, field reserved_numbers",
                  f"{number} is already reserved for office {seen_numbers[number]!r}")
        else:
            seen_numbers[number] = name
    seats_raw = raw.get("available_licenses", {})
    seats = {lic: 0 for lic in LICENSE_TYPES}
    if not isinstance(seats_raw, dict):
        p.add(f"{where}, field available_licenses", "must be a table of license type = seats")
        seats_raw = {}
    for lic, count in seats_raw.items():
        if lic not in LICENSE_TYPES:
            p.add(f"{where}, field available_licenses", f"{lic!r} is not a license type; use one of "
                  + ", ".join(LICENSE_TYPES))
        elif isinstance(count, bool) or not isinstance(count, int) or count < 0:
            p.add(f"{where}, field available_licenses.{lic!r}",
                  f"{count!r} is not a seat count (a whole number >= 0)")
        else:
            seats[lic] = count
    unknown = sorted(set(raw) - {"name", "country", "main", "area_code", "reserved_numbers",
                                 "available_licenses"})
    if unknown:
        p.add(where, f"unknown field(s) {', '.join(unknown)}")
    if len(p.items) > before:
        return None
    return Office(name.strip(), country.upper(), main, area, tuple(numbers), seats)


def _looks_e164(number: Any) -> bool:
    return isinstance(number, str) and number.startswith("+") and number[1:].isdigit() and 8 <= len(number) <= 16


def _is_e164(number: Any) -> bool:
    import phonenumbers  # 35 ms with its metadata; only a directory with reserved numbers needs it

    if not isinstance(number, str) or not number.startswith("+"):
        return False
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) and phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.E164) == number


def parse_company(data: dict[str, Any], *, source: str, trusted: bool = False) -> Company:
    """The directory, or an InputError listing every problem. `trusted` is for the bundled demo
    only (its numbers are checked with phonenumbers by the tests): it skips that slow check so
    the wizard opens sooner."""
    p = _Problems()
    # A misspelt table explains the errors that follow from it, so it is reported first.
    unknown = sorted(set(data) - {"company", "billing", "offices"})
    if unknown:
        p.add("top level", f"unknown table(s) {', '.join(unknown)}; expected company, billing, offices")
    comp = data.get("company")
    if not isinstance(comp, dict):
        raise InputError(source, "[company]: missing; add a [company] table with name, domains, area_code")
    name: Any = comp.get("name")
    if not _text(name):
        p.add("company.name", "missing or empty")
    domains = comp.get("domains")
    if not (isinstance(domains, list) and domains and all(_text(d) and "@" not in d for d in domains)):
        p.add("company.domains", "must be a non-empty list of email domains such as 'acme.example'")
        domains = []
    domains = [d.strip().lower() for d in domains]
    master = comp.get("master_domain")
    if master is not None:
        if not _text(master):
            p.add("company.master_domain", "must be a domain name, or be left out")
        elif master.strip().lower() not in domains:
            p.add("company.master_domain", f"{master!r} is not one of company.domains")
    area: Any = comp.get("area_code")
    if not _area_code(area):
        p.add("company.area_code", f"{area!r} is not an area code (2 to 5 digits, quoted)")
    billing = _parse_billing(data.get("billing"), p)
    raw_offices = data.get("offices")
    offices: list[Office] = []
    if not isinstance(raw_offices, list) or not raw_offices:
        p.add("offices", "none defined; add at least one [[offices]] table")
    else:
        seen_numbers: dict[str, str] = {}
        seen_names: dict[str, str] = {}
        for i, raw in enumerate(raw_offices):
            office = _parse_office(i, raw, p, seen_numbers, trusted)
            if office is None:
                continue
            if office.key in seen_names:
                p.add(f"office {office.name!r}, field name",
                      f"same name as office {seen_names[office.key]!r} once normalised")
                continue
            seen_names[office.key] = office.name
            offices.append(office)
        mains = [o.name for o in offices if o.main]
        if offices and not p.items and len(mains) != 1:
            p.add("offices", "no main office; set main = true on exactly one office" if not mains
                  else f"several main offices ({', '.join(mains)}); set main = true on exactly one")
    if p.items:
        raise InputError(source, p.items)
    assert billing is not None
    return Company(name.strip(), tuple(domains), master.strip().lower() if master else None,
                   area, billing, tuple(offices))


def load_company(path: str | Path) -> Company:
    source = str(path)
    return parse_company(parse_toml(read_bytes(path, what="company directory"), source=source),
                         source=source)
