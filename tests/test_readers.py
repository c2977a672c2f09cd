"""The sample-user readers (SPEC 3): every envelope, CSV aliases, and bad records as rows."""

from __future__ import annotations

import json

import pytest

from engine.errors import InputError
from engine.names import ENTERPRISE_NS
from engine.users import parse_users

ANN = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ann@acme.example",
       ENTERPRISE_NS: {"officeName": "London", "licenseType": "Dialpad_Support"},
       "addresses": [{"type": "home", "country": "FR"}, {"type": "work", "country": "gb"}],
       "groups": [{"display": "Sales"}], "active": True}
BOB = {"userName": "bob@acme.example", "department": "Berlin", "active": "False"}


def read(data: str | bytes):  # noqa: ANN201
    return parse_users(data.encode() if isinstance(data, str) else data, source="users.x")


@pytest.mark.parametrize(("text", "fmt"), [
    (json.dumps([ANN, BOB]), "scim-array"),
    (json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                 "Resources": [ANN, BOB]}), "list-response"),
    (json.dumps({"Operations": [{"method": "POST", "path": "/Users", "data": ANN},
                                {"method": "post", "path": "/Users", "data": BOB}]}), "bulk"),
    (json.dumps(ANN) + "\n\n" + json.dumps(BOB) + "\n", "ndjson"),
])
def test_every_json_envelope_gives_the_same_records(text: str, fmt: str) -> None:
    users = read(text)
    assert users.format == fmt
    ann, bob = users.records
    assert (ann.user_name, ann.values[0], ann.license_type, ann.country, ann.groups) == \
        ("ann@acme.example", "London", "Dialpad_Support", "GB", ("Sales",))
    assert (bob.active, bob.values[2], bob.domain) == (False, "Berlin", "acme.example")


def test_a_single_user_object_is_one_record() -> None:
    (rec,) = read(json.dumps(ANN)).records
    assert rec.index == 0 and rec.user_name == "ann@acme.example"


def test_country_is_taken_from_primary_then_work_then_first_address() -> None:
    def country(addresses: list[dict]) -> str | None:
        return read(json.dumps({"userName": "x", "addresses": addresses})).records[0].country
    assert country([{"country": "US"}, {"type": "work", "country": "GB", "primary": True}]) == "GB"
    assert country([{"country": "US"}, {"type": "work", "country": "GB"}]) == "GB"
    assert country([{"country": "us"}, {"type": "home", "country": "GB"}]) == "US"


@pytest.mark.parametrize(("raw", "code", "warning"), [
    ("de", "DE", None), ("DEU", "DE", "country_normalised"),
    ("United Kingdom", "GB", "country_normalised"), ("germany", "DE", "country_normalised"),
    ("Narnia", None, "country_unknown"), ("", None, None),
])
def test_country_values_are_normalised(raw: str, code: str | None, warning: str | None) -> None:
    rec = read(json.dumps({"userName": "x", "addresses": [{"country": raw}]})).records[0]
    assert rec.country == code
    assert rec.warnings == ((warning,) if warning else ())


def test_bad_records_become_invalid_rows_that_say_where() -> None:
    text = "\n".join([json.dumps(ANN), "{not json", json.dumps({"displayName": "no login"}),
                      json.dumps({"userName": "ANN@acme.example"}), json.dumps([1]),
                      json.dumps({"userName": "z", "active": "perhaps"})])
    recs = read(text).records
    assert [r.index for r in recs] == [0, 1, 2, 3, 4, 5]
    assert recs[0].invalid is None
    assert recs[1].reason.startswith("bad_json: line 2")
    assert recs[2].reason == "missing_userName: line 3 has no userName"
    assert recs[3].reason == "duplicate_user"  # case-insensitive duplicate of record 0
    assert recs[4].reason.startswith("not_an_object: line 5")
    assert recs[5].reason.startswith("bad_active: line 6")


def test_non_user_resources_and_non_post_bulk_operations_are_invalid() -> None:
    text = json.dumps({"Operations": [
        {"method": "PATCH", "data": ANN},
        {"method": "POST", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                    "displayName": "x"}}]})
    a, b = read(text).records
    assert a.invalid == "not_a_create" and "Operations[0]" in a.reason
    assert b.invalid == "not_a_user" and "Operations[1].data" in b.reason


CSV = ("Login,First Name,Last Name,Mail,Office Location,Department,usageLocation,License,"
       "Groups,Enabled\n"
       "ann@acme.example,Ann,Lee,ann@acme.example,London,Sales,GBR,Dialpad_Support,Sales; Support,YES\n"
       "\n"
       "bob,Bob,Ray,bob@acme-eu.example,,Berlin,,,,0\n"
       "carol@acme.example,Carol,,,,,,,,maybe\n")


def test_csv_with_idp_export_headers_is_read_by_alias() -> None:
    users = read(CSV)
    assert users.format == "csv"
    ann, bob, carol = users.records
    assert (ann.values, ann.country, ann.warnings, ann.license_type, ann.groups, ann.active) == \
        (("", "London", "Sales"), "GB", ("country_normalised",), "Dialpad_Support", ("Sales", "Support"), True)
    assert ann.display_name == "Ann Lee"
    assert (bob.index, bob.domain, bob.active) == (1, "acme-eu.example", False)  # blank line skipped
    assert carol.invalid == "bad_active" and "line 5" in carol.reason


def test_csv_semicolon_and_tab_delimiters_and_email_as_login() -> None:
    users = read("email;department\nann@acme.example;Sales\n")
    assert users.records[0].user_name == "ann@acme.example"
    assert read("userName\tcountry\nann\tDE\n").records[0].country == "DE"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "is empty"),
    (b"\x00\x01\x02binary", "is binary"),
    (b'[{"userName": "a"}, {"userN', "is not valid JSON (line 1"),
    (b'{\n  "userName": "a",\n', "is not valid JSON (line 3"),
    (b"just some words\nand more", "userName (or email) column"),
    (b"userName\nbj\xc3\x28rn\n", "not UTF-8"),
    (b'{"Resources": 5}', "Resources is not a list"),
])
def test_unusable_files_raise_one_clear_error_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as err:
        read(data)
    assert err.value.line().startswith("users.x: ")
    assert message in err.value.line()


def test_utf8_bom_and_utf16_exports_are_read() -> None:
    assert read("\ufeffuserName\nann\n".encode()).records[0].user_name == "ann"
    assert read("userName\nann\n".encode("utf-16")).records[0].user_name == "ann"


def test_progress_is_reported_for_large_inputs() -> None:
    seen: list[tuple[int, int]] = []
    big = json.dumps([{"userName": f"u{i}"} for i in range(12000)]).encode()
    parse_users(big, source="big", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (12000, 12000) and len(seen) >= 3


def test_the_country_table_read_from_pycountrys_database_equals_its_api() -> None:
    import pycountry

    from engine.countries import _iso3166

    keys = ("alpha_2", "alpha_3", "name", "common_name", "official_name")
    api = [{k: getattr(c, k) for k in keys if getattr(c, k, None)} for c in pycountry.countries]
    assert [{k: v for k, v in c.items() if k in keys} for c in _iso3166()] == api


def test_duplicates_are_found_under_casefolding_whether_or_not_names_are_lower_case() -> None:
    for first, second in (("ann@acme.example", "ann@acme.example"), ("strasse@acme.example", "straße@acme.example"),
                          ("ANN@acme.example", "ann@acme.example")):
        data = f'[{{"userName": "{first}"}}, {{"userName": "bob@acme.example"}}, {{"userName": "{second}"}}]'
        recs = parse_users(data.encode(), source="u.json").records
        assert [r.invalid for r in recs] == [None, None, "duplicate_user"], (first, second)
    lower = parse_users(b'[{"userName": "ann@acme.example"}, {"userName": "bob@acme.example"}]', source="u").records
    assert [r.invalid for r in lower] == [None, None]
