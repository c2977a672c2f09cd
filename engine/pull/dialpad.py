"""The company directory from Dialpad's public API v2 (README "Pulling real inputs" has every
field's source; tests/fixtures/dialpad/ holds a trimmed answer per endpoint).

Endpoints (developers.dialpad.com/reference): `GET /api/v2/company` (companyget),
`GET /api/v2/offices` with `cursor` paging (officeslist), `GET /api/v2/offices/{id}/available_licenses`
and `GET /api/v2/numbers?status=available` with `cursor` paging (numberslist). Every one is
documented at 1200 requests per minute; the pull spaces its requests to stay under that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any  # `Any`: Dialpad's JSON answers and the TOML data they become, and the cancel flag
from urllib.parse import quote

from engine.countries import normalise_country
from engine.names import LICENSE_TYPES, norm
from engine.pull.http import Policy, Session, check_base_url, expect
from engine.pull.scim_user import obj
from engine.remote_errors import UnexpectedAnswer

DEFAULT_BASE_URL = "https://dialpad.com"
KEY_ENV = "DIALPAD_API_KEY"
RATE_PER_MINUTE = 1200  # documented on every endpoint used here
SERVICE = "Dialpad's API"

# Dialpad's line types (AvailableLicensesProto) onto the license types of the directory.
LINE_TYPES: dict[str, str] = {
    "talk_lines": "Dialpad_Ai Voice",  # a user with a primary number, not a call-center agent
    "contact_center_lines": "Dialpad_Support",  # a call-center agent without a primary number
    "sell_lines": "Dialpad_Ai Sales",  # a call-center agent with a primary number
}

# What the API does not give, when --merge does not either. Each one is listed as "check: ...".
DEFAULT_CURRENCY = "USD"
DEFAULT_PRICES = {"Dialpad_Ai Voice": 27.0, "Dialpad_Support": 80.0, "Dialpad_Ai Sales": 39.0}
DEFAULT_AREA_CODE = "415"

Progress = Callable[[int, int | None, str], None]


@dataclass
class DirectoryPull:
    data: dict[str, Any]  # the company directory, as TOML data (SPEC 2)
    checks: list[str] = field(default_factory=list)  # defaults written: the admin should look
    notes: list[str] = field(default_factory=list)  # things left out, and why
    requests: int = 0


def _count(value: Any) -> int:
    """Seat counts arrive as numbers or as digit strings."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return 0


def area_code_of(number: str) -> str | None:
    """The geographic area code of an E.164 number (NANP: the 3-digit NPA), None when it has none."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    national = phonenumbers.national_significant_number(parsed)
    length = phonenumbers.length_of_geographical_area_code(parsed)
    code = national[:length] if length else ""
    return code if code.isdigit() and 2 <= len(code) <= 5 else None


class DialpadReader:
    def __init__(self, base_url: str, api_key: str, *, policy: Policy | None = None,
                 progress: Progress | None = None, cancel: Any = None) -> None:
        self.base = check_base_url(base_url, what="dialpad.com", option="--base-url") + "/api/v2"
        policy = policy or Policy()
        policy.min_interval = max(policy.min_interval, 60.0 / RATE_PER_MINUTE)
        kwargs: dict[str, Any] = {"cancel": cancel} if cancel is not None else {}
        self.session = Session(SERVICE, f"Dialpad refused the API key ({KEY_ENV})", policy,
                               headers={"Authorization": f"Bearer {api_key}"}, secrets=[api_key], **kwargs)
        self.progress = progress or (lambda done, total, what: None)
        self.done = 0

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        data, _ = self.session.get_json(self.base + path, params=params)
        self.done += 1
        return data

    def _pages(self, path: str, params: dict[str, Any], what: str) -> Iterator[dict[str, Any]]:
        """Every item of a cursor-paged list; a cursor seen twice would loop forever, so it ends the pull."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = self._get(path, {**params, **({"cursor": cursor} if cursor else {})})
            expect(isinstance(page, dict), SERVICE, f"a page of {what} (an object)")
            items = page.get("items") or []
            expect(isinstance(items, list), SERVICE, f"a list of {what} in 'items'")
            yield from (i for i in items if isinstance(i, dict))
            self.progress(self.done, None, what)
            cursor = page.get("cursor")
            if not cursor:
                return
            if cursor in seen:
                raise UnexpectedAnswer(f"{SERVICE} sent the same {what} cursor twice; stopped to avoid a loop")
            seen.add(cursor)

    def read(self) -> tuple[dict[str, Any], list[dict[str, Any]], dict[Any, dict[str, int]], list[dict[str, Any]]]:
        company = self._get("/company")
        expect(isinstance(company, dict), SERVICE, "the company (an object)")
        self.progress(self.done, None, "company")
        offices = list(self._pages("/offices", {}, "offices"))
        licenses: dict[Any, dict[str, int]] = {}
        for office in offices:
            # The id is the API's own text: quoted so it stays one path segment of this request.
            raw = self._get(f"/offices/{quote(str(office.get('id')), safe='')}/available_licenses")
            expect(isinstance(raw, dict), SERVICE, "an office's available licenses (an object)")
            licenses[office.get("id")] = {lic: _count(raw.get(line)) for line, lic in LINE_TYPES.items()}
            self.progress(self.done, None, "licenses")
        numbers = list(self._pages("/numbers", {"status": "available"}, "numbers"))
        return company, offices, licenses, numbers


def pull_directory(base_url: str, api_key: str, *, merge: dict[str, Any] | None = None,
                   merge_source: str = "", today: dt.date | None = None, policy: Policy | None = None,
                   progress: Progress | None = None, cancel: Any = None) -> DirectoryPull:
    reader = DialpadReader(base_url, api_key, policy=policy, progress=progress, cancel=cancel)
    try:
        company, offices, licenses, numbers = reader.read()
        reader.session.check_cancel()
    finally:
        reader.session.close()
    pull = build_directory(company, offices, licenses, numbers, merge=merge, merge_source=merge_source,
                           today=today or dt.date.today())
    pull.requests = reader.session.requests
    return pull


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _country(value: Any) -> str | None:
    code, _ = normalise_country(_text(value)) if _text(value) else (None, None)
    return code


def build_directory(company: dict[str, Any], offices: list[dict[str, Any]],
                    licenses: dict[Any, dict[str, int]], numbers: list[dict[str, Any]], *,
                    merge: dict[str, Any] | None, merge_source: str, today: dt.date) -> DirectoryPull:
    """The directory from what the API said, the merge file's values for what it does not say,
    and defaults (each one a "check: ...") for the rest."""
    merge = merge or {}
    m_company = obj(merge.get("company"))
    m_offices = {norm(o["name"]): o for o in merge.get("offices", [])
                 if isinstance(o, dict) and _text(o.get("name"))} if isinstance(merge.get("offices"), list) else {}
    pull = DirectoryPull({})
    checks, notes = pull.checks, pull.notes
    from_merge = f"from {merge_source}" if merge_source else ""

    # Numbers in an office's pool that nobody has: the office's reserved numbers, in API order.
    pools: dict[str, list[str]] = {}
    area_of_number: dict[str, str] = {}
    for n in numbers:
        number = _text(n.get("number"))
        if _text(n.get("area_code")).isdigit():
            area_of_number[number] = _text(n.get("area_code"))
        if not number or n.get("status", "available") != "available" or n.get("target_id") or n.get("deleted"):
            continue
        pools.setdefault(str(n.get("office_id")), []).append(number)

    out_offices: list[dict[str, Any]] = []
    for office in offices:
        name = _text(office.get("name"))
        if not name:
            notes.append(f"an office without a name (id {office.get('id')}) was left out")
            continue
        state = _text(office.get("state")).lower()
        if state and state != "active":
            notes.append(f"office {name!r} is {state} in Dialpad; left out")
            continue
        merged = m_offices.pop(norm(name), {})
        entry: dict[str, Any] = {"name": name}
        country = _country(office.get("country")) or _country(merged.get("country"))
        if country is None:
            country = "US"
            checks.append(f"office {name!r}: Dialpad gave no country; wrote 'US'")
        entry["country"] = country
        entry["main"] = office.get("is_primary_office") is True
        mainline = next((_text(p) for p in office.get("phone_numbers") or [] if _text(p)), "")
        area = area_of_number.get(mainline) or (area_code_of(mainline) if mainline else None)
        area = area or (merged.get("area_code") if isinstance(merged.get("area_code"), str) else None)
        if area:
            entry["area_code"] = area
        entry["reserved_numbers"] = pools.pop(str(office.get("id")), [])
        entry["available_licenses"] = dict(licenses.get(office.get("id"), dict.fromkeys(LICENSE_TYPES, 0)))
        out_offices.append(entry)
    for office in m_offices.values():
        notes.append(f"office {office.get('name')!r} from {merge_source} is not in Dialpad; left out")
    for office_id, pool in pools.items():
        notes.append(f"{len(pool)} available number(s) of an office not pulled (id {office_id}) left out")
    if out_offices and not any(o["main"] for o in out_offices):
        out_offices[0]["main"] = True
        checks.append(f"Dialpad marked no office as the main office; wrote main = true on {out_offices[0]['name']!r}")

    name = _text(company.get("name")) or _text(m_company.get("name"))
    if not name:
        name = "My company"
        checks.append("company.name: Dialpad gave no company name; wrote 'My company'")
    domains: list[str] = []
    for d in [company.get("domain"), *(m_company.get("domains") or [])]:
        if _text(d) and _text(d).lower() not in domains:
            domains.append(_text(d).lower())
    if not domains:
        domains = ["example.com"]
        checks.append("company.domains: Dialpad gave no domain; wrote 'example.com', put your email domains")
    main = next((o for o in out_offices if o["main"]), None)
    area = (main or {}).get("area_code") or m_company.get("area_code")
    if not (isinstance(area, str) and area.isdigit()):
        area = DEFAULT_AREA_CODE
        checks.append(f"company.area_code: the main office has no number to take it from; wrote {area!r}")
    out_company: dict[str, Any] = {"name": name, "domains": domains}
    master = _text(m_company.get("master_domain")).lower()
    if master and master in domains:
        out_company["master_domain"] = master
    else:
        checks.append("company.master_domain: not in Dialpad's API; left out (each domain runs its own SCIM). "
                      "Set it if one domain provisions all of them")
    out_company["area_code"] = area

    billing: dict[str, Any] | None = obj(merge.get("billing")) or None
    if billing is None:
        start = today.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        billing = {"currency": DEFAULT_CURRENCY, "period_start": start, "period_end": end,
                   "monthly_price": dict(DEFAULT_PRICES)}
        checks.append(f"billing.currency: not in Dialpad's API; wrote {DEFAULT_CURRENCY!r}")
        checks.append(f"billing.period_start, billing.period_end: not in Dialpad's API; wrote this calendar "
                      f"month ({start} to {end})")
        checks.append("billing.monthly_price: not in Dialpad's API; wrote placeholder prices "
                      + ", ".join(f"{k} = {v}" for k, v in DEFAULT_PRICES.items()) + "; put your contract's prices")
    elif from_merge:
        notes.append(f"billing taken {from_merge}")
    pull.data = {"company": out_company, "billing": billing, "offices": out_offices}
    return pull
