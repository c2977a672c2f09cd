"""The preview table's filter text (widgets/table_data.py): made once per distinct row tail and
set of office values, it must equal each row's own text, case-folded whole (`text_of`)."""

from __future__ import annotations

import datetime as dt

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.demo import demo_company, demo_settings
from engine.preview import run_preview
from engine.users import parse_users
from widgets.table_data import TableData

COMPANY = demo_company()
SETTINGS = demo_settings(COMPANY)
# Letters whose case-folding is not one to one (ß → ss, final sigma, dotted capital I) among
# plain ones, and the demo's office names, so some users are placed and some are not.
TEXT = st.text(alphabet=st.sampled_from("aAzZßẞΣσςİı 0@.-_é"), max_size=12)
OFFICE = st.one_of(st.sampled_from([o.name for o in COMPANY.offices] + ["", "NEW YORK", "Lndon"]), TEXT)


def user(name: str, office: str, department: str, license_type: str) -> dict[str, object]:
    return {"userName": f"{name}@northwind.example", "active": True, "licenseType": license_type,
            "addresses": [{"type": "work", "country": "US"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": department},
            "officeName": office}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(TEXT, OFFICE, OFFICE, st.sampled_from(["", "Dialpad_Support", "sales"])),
                min_size=1, max_size=30))
def test_the_filter_text_of_each_row_is_that_rows_own_text(specs: list[tuple[str, str, str, str]]) -> None:
    users = parse_users(orjson.dumps([user(*spec) for spec in specs]), source="users.json")
    preview = run_preview(COMPANY, users, SETTINGS, dt.date(2026, 11, 28))
    data = TableData(preview.rows, users.records)
    assert data.hay == [data.text_of(r) for r in preview.rows]
    # A user is found by the office value it gave, whatever its case.
    for hay, (_, office, _, _) in zip(data.hay, specs, strict=True):
        assert office.strip().casefold() in hay  # the readers trim a value
