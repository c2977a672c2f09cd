"""Property tests (hypothesis) for the readers and the rules."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import InputError
from engine.names import ENTERPRISE_NS, LICENSE_TYPES
from engine.preview import run_preview
from engine.settings import parse_settings
from engine.tomlfile import parse_toml
from engine.users import parse_users
from tests.factories import company, office

COMPANY = company(office("San Francisco", "US", main=True, numbers=["+14155550100", "+14155550101"],
                         voice=3, support=1),
                  office("New York", "US", numbers=["+12125550120"], voice=1, sales=2),
                  office("London", "GB", area_code="20", voice=2),
                  office("Berlin", "DE", numbers=["+493012345601"], voice=1))

names = st.sampled_from(["San Francisco", "new york", "Londn", "London ", "Berlin", "Paris", "", "  "])
countries = st.sampled_from(["US", "gb", "DEU", "Germany", "FR", "Narnia", ""])
user_objects = st.fixed_dictionaries(
    {"userName": st.sampled_from(["a", "b", "c", "d", "e", "f"]).map(lambda s: f"{s}@acme.example")
     | st.text(max_size=8)},
    optional={
        "active": st.sampled_from([True, False, "False", "true", 1, None, "maybe"]),
        ENTERPRISE_NS: st.fixed_dictionaries({}, optional={
            "officeName": names, "department": names,
            "licenseType": st.sampled_from([*LICENSE_TYPES, "x", ""])}),
        "addresses": st.lists(st.fixed_dictionaries({"country": countries}), max_size=2),
        "groups": st.lists(st.fixed_dictionaries({"display": st.sampled_from(["CC", "Sales", "x"])}),
                           max_size=2),
    })
setting_docs = st.fixed_dictionaries({
    "office": st.fixed_dictionaries({
        "fields": st.sampled_from([["officeName"], ["department", "officeName"]]),
        "country_fallback": st.booleans(),
        "mismatch": st.sampled_from(["best_match", "default_office", "reject"]),
        "default_office": st.just("London")}),
    "licenses": st.fixed_dictionaries({
        "provider": st.sampled_from(["okta", "azure"]),
        "when_exhausted": st.sampled_from(["purchase", "reject"]),
        "groups": st.just([{"group": "CC", "license": "Dialpad_Support"},
                           {"group": "Sales", "license": "Dialpad_Ai Sales"}])}),
    "numbers": st.fixed_dictionaries({"auto_assign": st.booleans()}),
})


@given(st.binary(max_size=400))
@settings(max_examples=300)
def test_readers_never_crash_on_arbitrary_bytes(data: bytes) -> None:
    for reader in (lambda: parse_users(data, source="f"), lambda: parse_toml(data, source="f")):
        try:
            reader()
        except InputError as exc:
            assert exc.line().startswith("f: ")


@given(st.lists(st.one_of(user_objects, st.integers(), st.text(max_size=5)), max_size=25),
       setting_docs, st.dates(dt.date(2026, 10, 1), dt.date(2026, 12, 31)), st.booleans())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_rules_invariants(objs: list, doc: dict, as_of: dt.date, ndjson: bool) -> None:
    data = "\n".join(json.dumps(o) for o in objs) if ndjson else json.dumps(objs)
    try:
        users = parse_users(data.encode(), source="u")
    except InputError:
        return  # e.g. an empty NDJSON file or a lone scalar: refused as a whole, cleanly
    preview = run_preview(COMPANY, users, parse_settings(doc, source="s", company=COMPANY), as_of)
    rows = preview.rows
    # every user gets exactly one row and one status, in input order
    assert [r.index for r in rows] == list(range(len(users.records)))
    assert all(r.status in ("create", "skip", "reject", "invalid") for r in rows)
    created = [r for r in rows if r.status == "create"]
    # a reserved number is never given twice
    numbers = [r.number for r in created if r.number]
    assert len(numbers) == len(set(numbers))
    # seats: never more "available" than the office had
    used = Counter((r.office, r.license) for r in created if r.seat == "available")
    for (name, lic), n in used.items():
        assert n <= COMPANY.office_named(name).available_licenses[lic]
    # cost is never negative, and only purchased seats cost anything
    assert all((r.prorated_cost or 0) >= 0 for r in rows)
    assert all(r.prorated_cost == 0 for r in created if r.seat == "available")
    # non-create rows carry a reason; skip and invalid rows carry no placement
    assert all(r.reason for r in rows if r.status != "create")
    assert all(r.office is None and r.seat is None for r in rows if r.status in ("skip", "invalid"))
    # the summary counts equal the rows
    s = preview.summary
    assert s.counts == dict(Counter(r.status for r in rows), **{
        k: 0 for k in ("create", "skip", "reject", "invalid") if k not in {r.status for r in rows}})
    assert sum(t.users for t in s.offices.values()) == len(created)
    assert sum(s.purchased.values()) == sum(1 for r in created if r.seat == "purchased")
    assert round(sum(r.prorated_cost for r in created), 2) == s.prorated_total
