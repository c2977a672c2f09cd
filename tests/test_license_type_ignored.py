"""Entra ID ignores licenseType (SPEC 5.3 b). The warning counts and names only the users whose
licenseType names a license other than the one they get, not every user with a licenseType."""

from __future__ import annotations

import datetime as dt

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from app.wizard.analysis import analyse
from engine.demo import demo_company, demo_settings, demo_users
from engine.names import LICENSE_TYPES
from engine.preview import run_preview
from engine.users import parse_users

AS_OF = dt.date(2026, 11, 28)


def test_demo_names_the_one_user_whose_license_changes() -> None:
    company = demo_company()
    azure = demo_settings(company).with_changes("licenses", provider="azure")
    preview = run_preview(company, demo_users(), azure, AS_OF)
    ignored = analyse(preview).license_type_ignored
    # Three demo users have a licenseType: one names the default, one names no license type.
    assert [(i.user_name, i.named, i.gets) for i in ignored] == [
        ("lucas.martin@northwind.example", "Dialpad_Ai Sales", "Dialpad_Ai Voice")]
    assert sum("license_type_unsupported" in r.warnings for r in preview.rows) == 3


def test_other_providers_have_nothing_to_ignore() -> None:
    company = demo_company()
    preview = run_preview(company, demo_users(), demo_settings(company), AS_OF)
    assert preview.license_type_ignored == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([*LICENSE_TYPES, "", "Premium", "dialpad_support "]), max_size=30))
def test_counted_users_are_exactly_those_honouring_licensetype_would_change(types: list[str]) -> None:
    company = demo_company()
    users = parse_users(orjson.dumps([{"userName": f"u{i}@northwind.example", "licenseType": t}
                                      for i, t in enumerate(types)]), source="users.json")
    base = demo_settings(company).with_changes("licenses", groups=())
    azure = run_preview(company, users, base.with_changes("licenses", provider="azure"), AS_OF)
    okta = run_preview(company, users, base.with_changes("licenses", provider="okta"), AS_OF)
    changed = {a.index for a, o in zip(azure.rows, okta.rows, strict=True) if a.license != o.license}
    assert {i.index for i in azure.license_type_ignored} == changed
