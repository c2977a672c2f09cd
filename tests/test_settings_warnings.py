"""Group mappings that repeat a group are accepted (the file is usable) but said aloud: the
first match wins, so a repeat is dead weight, and one with another license is never reached."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import tomli_w

from app.cli import main
from engine.demo import demo_bytes
from engine.settings import parse_settings, settings_warnings


def _settings(groups: list[dict[str, str]]) -> dict:
    data = tomllib.loads(demo_bytes("settings").decode())
    data["licenses"]["groups"] = groups
    return data


GROUPS = [{"group": "Support", "license": "Dialpad_Support"},
          {"group": "Sales Team", "license": "Dialpad_Ai Sales"},
          {"group": " support ", "license": "Dialpad_Ai Voice"},
          {"group": "SALES  team", "license": "Dialpad_Ai Sales"}]


def test_repeated_and_unreachable_mappings_are_warned_about() -> None:
    warnings = settings_warnings(parse_settings(_settings(GROUPS), source="s.toml"))
    assert len(warnings) == 2
    assert warnings[0].startswith("licenses.groups[2] ('support' -> Dialpad_Ai Voice) can never be reached: "
                                  "licenses.groups[0] maps the same group to Dialpad_Support first")
    assert warnings[1].startswith("licenses.groups[3] repeats licenses.groups[1]")


def test_distinct_mappings_give_no_warning() -> None:
    assert settings_warnings(parse_settings(_settings(GROUPS[:2]), source="s.toml")) == []


def test_preview_prints_the_warnings_on_stderr_and_still_runs(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    files = {kind: tmp_path / f"{kind}.{'json' if kind == 'users' else 'toml'}" for kind in ("company", "users")}
    for kind, path in files.items():
        path.write_bytes(demo_bytes(kind))
    settings = tmp_path / "settings.toml"
    settings.write_text(tomli_w.dumps(_settings(GROUPS)))
    code = main(["preview", "--company", str(files["company"]), "--users", str(files["users"]),
                 "--settings", str(settings), "--as-of", "2026-11-28", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["summary"]["create"] > 0
    lines = err.splitlines()
    assert len(lines) == 2 and all(line.startswith(f"scim-assistant: warning: {settings}: licenses.groups[")
                                   for line in lines)
