"""The built-in demo exercises every rule path; directory and settings files load and save."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from engine.demo import demo_company, demo_settings, demo_users
from engine.errors import InputError
from engine.preview import run_preview
from engine.settings import GroupMapping, Settings, load_settings, parse_settings, save_settings, settings_problems

AS_OF = dt.date(2026, 11, 28)


def _paths(settings: Settings) -> set[str]:
    rows = run_preview(demo_company(), demo_users(), settings, AS_OF).rows
    found: set[str] = set()
    for r in rows:
        found |= {f"status:{r.status}", f"reason:{r.reason}", f"office_rule:{r.office_rule}",
                  f"license_rule:{r.license_rule}", f"seat:{r.seat}", f"number:{r.number_source}"}
        found |= {f"warning:{w}" for w in r.warnings}
        if r.office_rule == "country":
            found.add("country:" + r.office_detail.rsplit(": ", 1)[-1].split(" (")[0]
                      if ":" in r.office_detail.rsplit(";", 1)[-1] else "country:one office")
        if r.office_rule == "best_match":
            found.add("best_match:" + ("name" if "closest" in r.office_detail else
                                       "main" if "main office can add" in r.office_detail else "seats"))
    return found


def test_demo_settings_alone_cover_the_main_paths() -> None:
    got = _paths(demo_settings(demo_company()))
    expected = {
        "status:create", "status:skip", "status:invalid", "reason:inactive", "reason:other_domain",
        "reason:duplicate_user", "office_rule:field", "office_rule:country", "office_rule:best_match",
        "license_rule:group", "license_rule:attribute", "license_rule:default", "seat:available",
        "seat:purchased", "number:reserved", "number:area_code", "number:contact_center",
        "warning:office_value_unmatched", "warning:unknown_license_type",
        "warning:country_normalised", "warning:country_unknown", "country:the main office",
        "country:one office", "best_match:name", "best_match:main",
    }
    assert expected <= got
    assert any(p.startswith("country:most") for p in got)


def test_demo_with_variant_settings_covers_every_other_path() -> None:
    base = demo_settings(demo_company())
    variants = [
        base.with_changes("office", mismatch="default_office", default_office="Austin"),
        base.with_changes("office", mismatch="reject"),
        base.with_changes("licenses", when_exhausted="reject"),
        base.with_changes("licenses", provider="azure"),
        base.with_changes("numbers", auto_assign=False),
    ]
    got = set().union(*(_paths(v) for v in variants))
    assert {"office_rule:default_office", "reason:no_office_match", "reason:out_of_licenses",
            "reason:no_office_can_add", "best_match:seats", "warning:license_type_unsupported",
            "number:auto_assign_off"} <= got


def test_settings_round_trip_through_toml_atomically(tmp_path: Path) -> None:
    company = demo_company()
    original = demo_settings(company).with_changes("office", fields=("department",))
    path = tmp_path / "settings.toml"
    save_settings(original, path)
    assert load_settings(path, company) == original
    assert sorted(os.listdir(tmp_path)) == ["settings.toml"]  # no temp file left behind


def test_settings_to_dict_is_plain_data_in_the_spec_order() -> None:
    """The settings are msgspec Structs, whose asdict goes one level deep: to_dict must still
    give dicts and lists all the way down, every key present, in SPEC 4's order."""
    data = {
        "version": 1,
        "office": {"fields": ["department", "officeName"], "country_fallback": False,
                   "mismatch": "default_office", "default_office": "London"},
        "scope": {"domain": "northwind.example"},
        "licenses": {"provider": "azure", "default": "Dialpad_Support", "when_exhausted": "reject",
                     "groups": [{"group": "Sales", "license": "Dialpad_Ai Sales"}]},
        "numbers": {"auto_assign": False},
        "sso": {"enforce": True, "idp_entity_id": "urn:idp", "idp_sso_url": "https://idp.example/sso",
                "certificate": "MIIB", "break_glass": ["admin@northwind.example"]},
    }
    got = parse_settings(data, source="s", company=demo_company()).to_dict()
    assert got == data
    assert [list(got)] + [list(v) for v in got.values() if isinstance(v, dict)] == \
        [list(data)] + [list(v) for v in data.values() if isinstance(v, dict)]
    assert Settings().to_dict()["licenses"]["groups"] == [] and Settings().to_dict()["sso"]["break_glass"] == []


def test_equal_settings_are_equal_and_hash_alike_however_made() -> None:
    mine = Settings().with_changes("licenses", groups=(GroupMapping("Sales", "Dialpad_Ai Sales"),))
    again = parse_settings(mine.to_dict(), source="s")
    assert again == mine and hash(again) == hash(mine) and {mine: 1}[again] == 1
    assert mine != Settings() and mine.with_changes("numbers", auto_assign=False) != mine
    assert Settings() == Settings() and Settings().office is not Settings().office  # a default each
    with pytest.raises(AttributeError):
        mine.version = 2  # type: ignore[misc]


def test_a_failed_save_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "settings.toml"
    save_settings(Settings(), path)
    before = path.read_bytes()

    def boom(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        save_settings(Settings().with_changes("numbers", auto_assign=False), path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["settings.toml"]


def test_settings_problems_are_all_listed() -> None:
    problems = settings_problems({"office": {"fields": ["officeName", "officeName", "desk"],
                                             "mismatch": "default_office"},
                                  "licenses": {"groups": [{"group": "", "license": "Gold"}]},
                                  "colour": {}}, demo_company())
    text = "\n".join(problems)
    for fragment in ("unknown section [colour]", "'desk' is not an office field", "more than once",
                     "default_office is required", "licenses.groups[0].group",
                     "licenses.groups[0].license = 'Gold'"):
        assert fragment in text
    with pytest.raises(InputError) as err:
        parse_settings({"numbers": {"auto_assign": "yes"}}, source="s.toml")
    assert err.value.line() == "s.toml: numbers.auto_assign = 'yes' must be true or false"


def test_missing_keys_take_the_spec_defaults() -> None:
    s = parse_settings({}, source="empty")
    assert s == Settings()
    assert s.office.fields == ("officeName", "department") and s.licenses.when_exhausted == "purchase"
    assert s.scope_domain(demo_company()) == "northwind.example"


def test_the_bundled_demo_passes_the_full_directory_checks() -> None:
    # The wizard loads the demo `trusted` (no phonenumbers check, for start-up speed); this is
    # the check it skips.
    from engine.demo import demo_bytes
    from engine.directory import parse_company
    from engine.tomlfile import parse_toml

    full = parse_company(parse_toml(demo_bytes("company"), source="demo"), source="demo")
    assert full == demo_company()
