"""The fast readers against the general ones (hypothesis).

The typed msgspec reader (engine/typed_users.py) is a second reader of SCIM JSON: for any
document, the records it gives must be the general reader's, odd shapes included. The CSV reader
picks cells by position; it must give what a plain column-by-name reading gives.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.csv_columns import CHUNK, read_columns
from engine.errors import InputError
from engine.names import CORE_USER_SCHEMA, ENTERPRISE_NS
from engine.typed_users import read_typed
from engine.users import (
    TYPED_FROM_BYTES,
    UserRecord,
    _csv_reader,
    _read_csv_rows,
    build_record,
    csv_columns,
    invalid_record,
    parse_active,
    parse_users,
)

FIELDS = ("officeName", "physicalDeliveryOfficeName", "department", "licenseType")

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=6))
words = st.sampled_from(["London", " London ", "san  francisco", "Support", "", "  ", "US", "gb", "Germany",
                         "Narnia", "Dialpad_Support", "work", "ﬁnance", "a@b.example"]) | st.text(max_size=8)
# Mostly strings, as IdPs send them; now and then any other JSON value.
odd_str = st.one_of(words, words, words, scalars, st.lists(scalars, max_size=2),
                    st.dictionaries(st.text(max_size=3), scalars, max_size=2))
logins = st.sampled_from(["ann", "bob", "Ann", "cy"]).map(lambda s: f" {s}@Acme.example") | st.sampled_from(
    ["ann", "bob@", "@x", "a@ b.example", ""]) | st.text(max_size=8)
multi = st.one_of(st.fixed_dictionaries({}, optional={
    "primary": st.sampled_from([True, False, "True", "true", "false", None, 1]),
    "type": st.sampled_from(["work", "Work", "home", None, 3]),
    "value": logins | scalars, "country": odd_str}), scalars)
users = st.fixed_dictionaries({}, optional={
    "schemas": st.sampled_from([[CORE_USER_SCHEMA], [CORE_USER_SCHEMA, ENTERPRISE_NS], [CORE_USER_SCHEMA.upper()],
                                ["urn:other"], []]) | st.lists(scalars, max_size=2) | scalars,
    "userName": logins | logins | scalars,
    "active": st.sampled_from([True, False, "False", "yes", " 0 ", 1, 0, 2, None, "maybe", 1.0]),
    "displayName": odd_str,
    "name": st.fixed_dictionaries({}, optional={"givenName": odd_str, "familyName": odd_str}) | scalars,
    "emails": st.lists(multi, max_size=3) | scalars,
    "addresses": st.lists(multi, max_size=3) | scalars,
    "groups": st.lists(st.fixed_dictionaries({}, optional={"display": odd_str}) | scalars, max_size=3) | scalars,
    ENTERPRISE_NS: st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, odd_str)) | scalars,
    "externalId": scalars,
    "meta": st.dictionaries(st.text(max_size=4), scalars, max_size=3),
    **dict.fromkeys(FIELDS, odd_str),
})
documents = st.lists(st.one_of(users, users, users, scalars), max_size=8).flatmap(lambda items: st.sampled_from([
    items, {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": len(items),
            "Resources": items}, {"Resources": items, "Operations": []},
    items[0] if items else {}]))


def _outcome(data: bytes, typed: bool) -> tuple[str, list[UserRecord]] | str:
    try:
        got = parse_users(data, source="u.json", typed=typed)
    except InputError as exc:
        return exc.line()
    return got.format, got.records


@given(documents, st.booleans())
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_typed_reader_gives_the_general_readers_records(doc: object, ascii_only: bool) -> None:
    data = json.dumps(doc, ensure_ascii=ascii_only).encode()
    assert _outcome(data, typed=True) == _outcome(data, typed=False)


# Users as IdPs send them: every attribute of the type the typed reader expects.
typed_users = st.fixed_dictionaries({"userName": logins}, optional={
    "schemas": st.sampled_from([[CORE_USER_SCHEMA, ENTERPRISE_NS], ["urn:other"]]),
    "active": st.sampled_from([True, False, "False", "maybe"]),
    "displayName": words,
    "name": st.fixed_dictionaries({}, optional={"givenName": words, "familyName": words}),
    "emails": st.lists(st.fixed_dictionaries({"value": logins}, optional={
        "primary": st.sampled_from([True, False, "True"]), "type": st.sampled_from(["work", "home"])}), max_size=2),
    "addresses": st.lists(st.fixed_dictionaries({"country": words}, optional={
        "primary": st.booleans(), "type": st.sampled_from(["work", "Work", "home"])}), max_size=3),
    "groups": st.lists(st.fixed_dictionaries({"display": words}), max_size=2),
    ENTERPRISE_NS: st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, words)),
    **dict.fromkeys(FIELDS, words),
})


@given(st.lists(typed_users, max_size=8), st.booleans())
@settings(max_examples=200)
def test_well_formed_users_take_the_typed_path(items: list[dict], list_response: bool) -> None:
    data = json.dumps({"Resources": items} if list_response else items).encode()
    assert read_typed(data, None) is not None
    assert _outcome(data, typed=True) == _outcome(data, typed=False)


def test_big_files_take_the_typed_path_small_ones_skip_its_import() -> None:
    big = json.dumps([{"userName": f"u{i}@x.example", "officeName": "London"} for i in range(6000)]).encode()
    assert len(big) >= TYPED_FROM_BYTES
    code = ("import sys; from engine.users import parse_users; "
            "parse_users(sys.stdin.buffer.read(), source='u'); print('engine.typed_users' in sys.modules)")
    for data, typed in ((big, "True"), (b'[{"userName": "a@x.example"}]', "False")):
        done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=True)
        assert done.stdout.decode().strip() == typed


@pytest.mark.parametrize("data", [
    b'[{"userName": "a@x.example", "userName": "b@x.example"}]',  # the last of a duplicate key wins
    b'[{"userName": 5, "userName": "b@x.example"}]',
    b'[{"user\\u004eame": "a@x.example", "officeName": "Lon\\u0064on"}]',  # escapes in keys and values
    b'[{"userName": "a@x.example", "officeName": 123456789012345678901234567890}]',  # orjson: a float
    b'[{"userName": "a@x.example", "active": 1}]',
    b'[{"userName": "a@x.example", "addresses": [{"primary": false, "country": "US"},'
    b' {"primary": "True", "country": "GB"}]}]',  # a primary spelled as a string
    b'[{"userName": "a@x.example", "addresses": [{"type": "home", "country": "US"},'
    b' {"type": "Work", "country": " gb "}]}]',
    b'[{"userName": "a@x.example", "addresses": [{"country": "US"}, 7]}]',
    b'[{"userName": "ann", "emails": [{"value": "x@home.example"}, {"value": "a@Acme.example", "primary": "true"}]}]',
    b'[{"userName": "ann@acme.example", "emails": "not a list"}]',  # unread: the userName has a domain
    b'[{"userName": "a@x.example", "displayName": " ", "name": {"givenName": " Ann ", "familyName": null}}]',
    b'[{"userName": "a@x.example", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":'
    b' {"officeName": " "}, "officeName": "London", "department": "Sales"}]',  # enterprise first, then top
    b'[{"userName": "a@x.example", "schemas": ["URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"]},'
    b' {"userName": "b@x.example", "schemas": ["urn:other"]}, {"userName": "c@x.example", "schemas": null}]',
    b'{"Resources": null}',
    b'{"Resources": [{"userName": "a@x.example"}]}\n{"userName": "b@x.example"}',  # NDJSON
])
def test_typed_reader_edge_cases_match_the_general_reader(data: bytes) -> None:
    assert _outcome(data, typed=True) == _outcome(data, typed=False)


def test_a_number_beyond_double_range_in_an_unread_attribute_is_skipped() -> None:
    """The one documented difference: the typed reader does not build attributes it skips."""
    data = b'[{"userName": "a@x.example", "meta": {"version": 1e400}}]'
    assert [r.user_name for r in parse_users(data, source="u", typed=True).records] == ["a@x.example"]
    with pytest.raises(InputError):
        parse_users(data, source="u", typed=False)


# --- CSV: cells by position against cells by name -------------------------------------------

def _reference_csv_records(text: str) -> list[UserRecord]:
    """The plain reading of SPEC 3's CSV: each cell looked up by column name, one row at a time."""
    rows = list(csv.reader(io.StringIO(text, newline="")))  # as open(file, newline="") reads
    cols = csv_columns(rows[0])
    cols.setdefault("userName", cols.get("email", -1))
    out: list[UserRecord] = []
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        v = {name: row[cols[name]].strip() if 0 <= cols.get(name, -1) < len(row) else ""
             for name in ("userName", "givenName", "familyName", "displayName", "email", "active",
                          "officeName", "physicalDeliveryOfficeName", "department", "country",
                          "licenseType", "groups")}
        index = len(out)
        active = parse_active(v["active"])
        if not v["userName"]:
            out.append(invalid_record(index, "missing_userName", f"line {line} has no userName"))
        elif active is None:
            out.append(invalid_record(index, "bad_active", f"line {line}: active = {v['active']!r} is not "
                                "true/false, yes/no or 1/0", v["userName"]))
        else:
            domain = next((c[c.rfind("@") + 1:].strip().lower() for c in (v["userName"], v["email"])
                           if 0 <= c.rfind("@") < len(c) - 1), None)
            out.append(build_record(index, v["userName"], v["displayName"] or " ".join(
                x for x in (v["givenName"], v["familyName"]) if x), active, domain, v["officeName"],
                v["physicalDeliveryOfficeName"], v["department"], v["country"], v["licenseType"],
                tuple(g for g in (x.strip() for x in v["groups"].split(";")) if g)))
    return out


csv_cells = st.sampled_from(["", " ", "London", " ann@acme.example ", "a@ b.example", "x@", "TRUE", "no",
                             "maybe", "CC; Sales;", "gb"]) | st.text(alphabet=" ab@;,\"\t", max_size=6)


@given(st.lists(st.sampled_from(["userName", "email", "First Name", "lastName", "name", "Enabled",
                                 "office", "officeLocation", "dept", "usageLocation", "license",
                                 "memberOf", "externalId", "other"]), min_size=1, max_size=14, unique=True)
       .filter(lambda h: "userName" in h or "email" in h),
       st.lists(st.lists(csv_cells, max_size=9), max_size=6))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_csv_cells_by_position_match_cells_by_name(header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    text = out.getvalue()
    got = parse_users(text.encode(), source="u.csv")
    assert got.format == "csv"
    expected = _reference_csv_records(text)
    # duplicates are marked after reading, by the same code for both
    assert [r for r in got.records if r.invalid != "duplicate_user"] == [
        r for r, g in zip(expected, got.records, strict=True) if g.invalid != "duplicate_user"]


ALL_COLUMNS = ("userName,First Name,lastName,name,email,Enabled,office,officeLocation,dept,usageLocation,"
               "license,memberOf")


@pytest.mark.parametrize("text", [
    f"{ALL_COLUMNS}\r\nann@acme.example,Ann\r\nbob@acme.example,Bob,B,,,no,London,,,GB,,CC;x\r\n",  # short rows
    f"{ALL_COLUMNS}\r\n\r\n , ,\r\nann@acme.example,,,,,,,,,,,,extra,cells\r\n",  # blank lines, long rows
    "email,office\r\nann@acme.example\r\n,London\r\nbob@acme.example,Berlin,extra\r\n",  # absent columns
    "userName,office\rann@acme.example,Lon\x0cdon\rbob@acme.example,\"Ber\u2028lin\nMitte\"\n",  # odd line ends
])
def test_csv_rows_of_any_length_match_cells_by_name(text: str) -> None:
    assert parse_users(text.encode(), source="u.csv").records == _reference_csv_records(text)


def _both_csv_readers(text: str) -> tuple[list[UserRecord] | None, list[UserRecord]]:
    data = text.encode()
    by_columns = read_columns(*_csv_reader(data, "u.csv"), None, 0)
    return by_columns, _read_csv_rows(*_csv_reader(data, "u.csv"), None, 0)


@given(st.lists(st.sampled_from(["userName", "email", "First Name", "lastName", "name", "Enabled",
                                 "office", "officeLocation", "dept", "usageLocation", "license",
                                 "memberOf", "externalId"]), min_size=1, max_size=13, unique=True)
       .filter(lambda h: "userName" in h or "email" in h),
       st.lists(st.lists(csv_cells, max_size=9), max_size=1200))
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_the_column_reader_gives_the_row_readers_records(header: list[str], rows: list[list[str]]) -> None:
    """The column reader (engine/csv_columns.py) reads chunks of CHUNK rows; where it answers
    at all, its records are the row reader's, which the reference above holds to SPEC 3."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    by_columns, by_rows = _both_csv_readers(out.getvalue())
    if by_columns is not None:
        assert by_columns == by_rows


def test_a_file_of_common_rows_takes_the_column_reader_and_an_odd_one_the_row_reader() -> None:
    rows = [f"u{i}@acme.example,{'London' if i % 3 else ' Berlin '},{'true' if i % 5 else 'no'},GB,CC; x"
            for i in range(2 * CHUNK + 7)]
    common = "userName,office,active,country,groups\r\n" + "\r\n".join(rows) + "\r\n"
    by_columns, by_rows = _both_csv_readers(common)
    assert by_columns == by_rows and len(by_rows) == 2 * CHUNK + 7
    too_long = "u@acme.example," + "x" * (csv.field_size_limit() + 1) + "\r\n"  # the CSV module refuses it
    for odd in (",London,true,GB,\r\n", "u@acme.example,London,maybe,GB,\r\n", "\r\n", too_long):
        assert _both_csv_readers(common + odd)[0] is None
        assert parse_users((common + odd).encode(), source="u.csv").records[:len(rows)] == by_rows
