"""Properties of the IdP → SCIM mappings and of the paging guards, without a server."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.pull.entra import entra_to_scim
from engine.pull.okta import okta_to_scim, same_origin
from engine.pull.scim_user import ndjson
from engine.users import parse_users

OKTA_FIELDS = ("login", "email", "firstName", "lastName", "displayName", "title", "department", "countryCode",
               "city", "state", "zipCode", "streetAddress", "primaryPhone", "mobilePhone", "secondEmail",
               "employeeNumber", "organization", "division", "costCenter", "manager", "managerId", "locale")
ENTRA_FIELDS = ("userPrincipalName", "mail", "givenName", "surname", "displayName", "jobTitle", "department",
                "officeLocation", "city", "state", "postalCode", "country", "mobilePhone", "faxNumber",
                "employeeId", "mailNickname", "preferredLanguage")
values = st.one_of(st.none(), st.text(max_size=12), st.integers(), st.booleans())
groups = st.lists(st.tuples(st.text(string.ascii_letters, max_size=6), st.text(max_size=8)), max_size=3)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(OKTA_FIELDS), values), st.sampled_from(["ACTIVE", "SUSPENDED", "STAGED", ""]),
       groups)
def test_any_okta_profile_becomes_a_record_the_preview_reads(profile, status, gs) -> None:  # type: ignore[no-untyped-def]
    user = okta_to_scim({"id": "00u1", "status": status, "profile": profile},
                        [{"id": gid, "type": "OKTA_GROUP", "profile": {"name": name}} for gid, name in gs])
    records = parse_users(ndjson([user]), source="pulled").records
    assert len(records) == 1
    assert records[0].active is (status != "SUSPENDED") or records[0].invalid
    assert "licenseType" not in user


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(ENTRA_FIELDS), values), st.sampled_from([True, False, None]), groups)
def test_any_graph_user_becomes_a_record_the_preview_reads(graph_user, enabled, gs) -> None:  # type: ignore[no-untyped-def]
    user = entra_to_scim({"id": "x", "accountEnabled": enabled, **graph_user}, gs)
    records = parse_users(ndjson([user]), source="pulled").records
    assert len(records) == 1
    assert "licenseType" not in user and "physicalDeliveryOfficeName" not in str(user)


def test_a_next_link_is_followed_only_to_the_same_origin() -> None:
    assert same_origin("https://acme.okta.com/api/v1/users?after=1", "https://acme.okta.com")
    assert not same_origin("https://evil.example/api/v1/users", "https://acme.okta.com")
    assert not same_origin("http://acme.okta.com/api/v1/users", "https://acme.okta.com")
    assert not same_origin("https://acme.okta.com:8443/x", "https://acme.okta.com")
