"""The JSON export joined from the rules' tails (engine/report.py) against orjson's own writing
of the preview as a dict (hypothesis): byte for byte, odd userNames and office names included."""

from __future__ import annotations

import datetime as dt
import json

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.preview import run_preview
from engine.report import to_json
from engine.settings import parse_settings
from engine.users import parse_users
from tests.factories import company, office
from tests.test_properties import COMPANY, setting_docs, user_objects

ODD = company(office('Lon"don\\ ", US', "GB", main=True, numbers=["+442071234567"], voice=2),
              office("München\u2028\x1b[31m", "DE", voice=1))
odd_names = st.text(max_size=6).map(lambda s: f"{s}@acme.example") | st.sampled_from(
    ['a"b@acme.example', "x\\y@acme.example", "\u2028@acme.example", "\x00\x1f@acme.example",
     '",\n  "@acme.example', "💡@acme.example"])


def _written_by_orjson(preview: object) -> bytes:
    return orjson.dumps(preview.to_dict(for_json=True),  # type: ignore[attr-defined]
                        option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


@given(st.lists(st.one_of(user_objects, user_objects.map(lambda u: {**u, "userName": "a@acme.example"}),
                          st.fixed_dictionaries({"userName": odd_names}, optional={
                              "officeName": st.sampled_from(['Lon"don\\ ", US', "München", "x"])}),
                          st.integers()), max_size=25),
       setting_docs, st.booleans(), st.dates(dt.date(2026, 10, 1), dt.date(2026, 12, 31)))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_the_json_export_is_orjsons_writing_of_the_preview(objs: list, doc: dict, odd: bool,
                                                           as_of: dt.date) -> None:
    comp = ODD if odd else COMPANY
    if odd:
        doc = {**doc, "office": {**doc["office"], "default_office": "München\u2028\x1b[31m"}}
    users = parse_users(json.dumps(objs).encode(), source="u.json")
    preview = run_preview(comp, users, parse_settings(doc, source="s", company=comp), as_of)
    data = to_json(preview)
    assert data == _written_by_orjson(preview)
    assert json.loads(data)["users"] == [r.to_dict() for r in preview.rows]


def test_no_users_and_the_compact_form_are_written_by_orjson() -> None:
    settings_ = parse_settings({}, source="s", company=COMPANY)
    empty = run_preview(COMPANY, parse_users(b"[]", source="u"), settings_, dt.date(2026, 11, 28))
    assert to_json(empty) == _written_by_orjson(empty)
    some = run_preview(COMPANY, parse_users(b'[{"userName": "a@acme.example"}]', source="u"), settings_,
                       dt.date(2026, 11, 28))
    assert to_json(some, indent=False) == orjson.dumps(some.to_dict(for_json=True), option=orjson.OPT_APPEND_NEWLINE)

