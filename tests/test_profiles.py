"""The rules decide scope, license and office once per profile of users they cannot tell apart
(engine.rules.Profiles, kept per load): that must give exactly what deciding each user on its own
gives, for any users, settings and live state. Likewise the summary and the wizard's counts made
from the placement's tally equal those made from the rows."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec import structs

from app.wizard.analysis import analyse
from engine.names import LICENSE_TYPES
from engine.preview import run_preview, summarise, summarise_tally, tally_rows
from engine.rules import Profiles, place
from engine.settings import parse_settings
from engine.users import parse_users
from tests.factories import company, office, user, users

# Two countries with several offices and no main one (GB, DE): their users' office depends on the
# seats left at their turn, so those decisions cannot be shared. Few seats, so they run out.
OFFICES = (office("San Francisco", "US", main=True, numbers=["+14155550100", "+14155550101"], voice=2,
                  support=1),
           office("New York", "US", numbers=["+12125550120"], voice=1, sales=1),
           office("London", "GB", area_code="20", numbers=["+442075550100"], voice=1, sales=1),
           office("Manchester", "GB", area_code="161", voice=2),
           office("Berlin", "DE", numbers=["+493012345601", "+493012345602"], voice=1, support=1),
           office("Munich", "DE", voice=1))
WITH_MASTER = company(*OFFICES)
PER_DOMAIN = company(*OFFICES, master_domain=None)
POOLS = [n for o in WITH_MASTER.offices for n in o.reserved_numbers]
AS_OF = dt.date(2026, 11, 16)

# Few distinct values, so many users share a profile.
places = st.sampled_from(["San Francisco", "london", "Londn", "Manchestr", "Berlin ", "Paris", "", "Sales"])
user_objects = st.fixed_dictionaries(
    {"name": st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
     "domain": st.sampled_from(["acme.example", "acme-eu.example", "other.example"])},
    optional={
        "active": st.sampled_from([True, False]),
        "office": places, "department": places, "pdo": places,
        "country": st.sampled_from(["US", "gb", "Germany", "FR", "Narnia", ""]),
        "license": st.sampled_from([*LICENSE_TYPES, "dialpad_ai  voice", "x"]),
        "groups": st.lists(st.sampled_from(["CC", "Sales", "x"]), max_size=2),
    })
fields = st.lists(st.sampled_from(["officeName", "physicalDeliveryOfficeName", "department"]),
                  min_size=1, max_size=3, unique=True)
setting_docs = st.fixed_dictionaries({
    "office": st.fixed_dictionaries({
        "fields": fields, "country_fallback": st.booleans(),
        "mismatch": st.sampled_from(["best_match", "default_office", "reject"]),
        "default_office": st.sampled_from(["London", "Munich"])}),
    "scope": st.fixed_dictionaries({"domain": st.sampled_from(["acme.example", "acme-eu.example"])}),
    "licenses": st.fixed_dictionaries({
        "provider": st.sampled_from(["okta", "azure"]),
        "default": st.sampled_from(LICENSE_TYPES),
        "when_exhausted": st.sampled_from(["purchase", "reject"]),
        "groups": st.lists(st.sampled_from([{"group": "CC", "license": "Dialpad_Support"},
                                            {"group": "Sales", "license": "Dialpad_Ai Sales"},
                                            {"group": "x", "license": "Dialpad_Ai Voice"}]),
                           max_size=3, unique_by=lambda g: g["group"])}),
    "numbers": st.fixed_dictionaries({"auto_assign": st.booleans()}),
})
live_states = st.one_of(st.none(), st.tuples(
    st.lists(st.lists(st.integers(0, 2), min_size=len(LICENSE_TYPES), max_size=len(LICENSE_TYPES)),
             min_size=len(OFFICES), max_size=len(OFFICES)),
    st.sets(st.sampled_from(POOLS))))


# Users made from a few templates, the country drawn apart: many users share a profile, and
# some differ only by their country.
user_lists = st.tuples(st.lists(user_objects, min_size=1, max_size=5),
                       st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["US", "GB", "de", None])),
                                max_size=40)).map(
    lambda tp: [{**tp[0][i % len(tp[0])], **({"country": c} if c else {})} for i, c in tp[1]])


def _users(objs: list[dict]) -> list:
    return [user(f"{o['name']}{i}@{o['domain']}", office=o.get("office"), department=o.get("department"),
                 pdo=o.get("pdo"), country=o.get("country"), license=o.get("license"),
                 groups=o.get("groups"), active=o.get("active", True))
            for i, o in enumerate(objs)]


@given(user_lists, setting_docs, live_states, st.booleans(),
       st.dates(dt.date(2026, 10, 1), dt.date(2026, 12, 31)))
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_shared_decisions_equal_deciding_each_user(objs: list[dict], doc: dict, live: tuple | None,
                                                   master: bool, as_of: dt.date) -> None:
    comp = WITH_MASTER if master else PER_DOMAIN
    records = users(*_users(objs)).records
    sett = parse_settings(doc, source="s", company=comp)
    state = {} if live is None else {"seats": live[0], "used_numbers": live[1]}
    shared = place(comp, records, sett, as_of, profiles=Profiles.shared(records), **state)
    plain = place(comp, records, sett, as_of, profiles=Profiles.each(records), **state)
    assert shared.rows == plain.rows
    assert shared.tally == plain.tally == tally_rows(plain.rows)
    assert summarise_tally(comp, shared.tally, as_of) == summarise(comp, plain.rows, as_of)


@given(st.lists(user_objects, min_size=1, max_size=30), st.lists(setting_docs, min_size=2, max_size=4))
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
def test_a_loaded_user_set_keeps_its_profiles_across_settings_changes(objs: list[dict], docs: list[dict]) -> None:
    data = json.dumps(_users(objs)).encode()
    loaded = parse_users(data, source="u")
    for doc in docs:
        sett = parse_settings(doc, source="s", company=WITH_MASTER)
        again = run_preview(WITH_MASTER, loaded, sett, AS_OF)
        fresh = run_preview(WITH_MASTER, parse_users(data, source="u"), sett, AS_OF)
        assert again.rows == fresh.rows
        assert again.summary == fresh.summary
        assert loaded.profiles is not None


def test_profiles_follow_the_records_when_they_are_replaced() -> None:
    loaded = users(user("a", office="London"), user("b", office="Berlin"))
    run_preview(WITH_MASTER, loaded, parse_settings({}, source="s"), AS_OF)
    loaded.records = users(user("c", office="Munich")).records
    rows = run_preview(WITH_MASTER, loaded, parse_settings({}, source="s"), AS_OF).rows
    assert [(r.user_name, r.office) for r in rows] == [("c@acme.example", "Munich")]


@given(st.lists(user_objects, max_size=30), setting_docs)
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
def test_the_wizard_counts_from_the_tally_equal_those_from_the_rows(objs: list[dict], doc: dict) -> None:
    loaded = users(*_users(objs))
    preview = run_preview(WITH_MASTER, loaded, parse_settings(doc, source="s", company=WITH_MASTER), AS_OF)
    from_tally = analyse(preview, loaded.records)
    from_rows = analyse(structs.replace(preview, tally=None), loaded.records)
    assert preview.tally is not None
    for name in ("by_rule", "rejects", "decided_by_field", "warnings", "license_rules", "license_type_ignored"):
        assert getattr(from_tally, name) == getattr(from_rows, name), name
    assert from_tally.table.widths == from_rows.table.widths


def test_run_preview_hands_over_its_summary_before_it_returns() -> None:
    got: list[object] = []
    loaded = users(user("a", office="London"), user("b", office="Londn", country="GB"), user("c", active=False))
    preview = run_preview(WITH_MASTER, loaded, parse_settings({}, source="s"), AS_OF, on_summary=got.append)
    assert got == [preview.summary]
    assert preview.summary.counts == {"create": 2, "skip": 1, "reject": 0, "invalid": 0}
