"""The command line end to end: JSON shape, exit codes and one-line errors (SPEC 8)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from engine.demo import demo_bytes

DEMO = ["--as-of", "2026-11-28"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {k: tmp_path / n for k, n in (("company", "company.toml"), ("users", "users.json"),
                                           ("settings", "settings.toml"))}
    for kind, path in paths.items():
        path.write_bytes(demo_bytes(kind))
    return paths


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def args(files: dict[str, Path], **override: str) -> list[str]:
    return ["preview", "--company", override.get("company", str(files["company"])),
            "--users", override.get("users", str(files["users"])),
            "--settings", override.get("settings", str(files["settings"])), *DEMO]


def test_json_output_has_exactly_the_spec_shape(capsys: pytest.CaptureFixture[str],
                                                files: dict[str, Path]) -> None:
    code, out, _ = run(capsys, *args(files), "--format", "json")
    doc = json.loads(out)
    assert code == 0 and list(doc) == ["as_of", "users", "summary"] and doc["as_of"] == "2026-11-28"
    assert list(doc["users"][0]) == ["index", "userName", "status", "office", "office_rule",
                                     "office_detail", "license", "license_rule", "seat",
                                     "prorated_cost", "number", "number_source", "area_code",
                                     "reason", "warnings"]
    assert list(doc["summary"]) == ["create", "skip", "reject", "invalid", "offices", "purchased",
                                    "prorated_total", "currency", "billing_period"]
    s = doc["summary"]
    assert s["create"] + s["skip"] + s["reject"] + s["invalid"] == len(doc["users"])
    assert sum(o["users"] for o in s["offices"].values()) == s["create"]


def test_no_file_arguments_preview_the_demo(capsys: pytest.CaptureFixture[str],
                                            files: dict[str, Path]) -> None:
    _, demo_out, _ = run(capsys, "preview", *DEMO, "--format", "json")
    _, file_out, _ = run(capsys, *args(files), "--format", "json")
    assert demo_out == file_out


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_other_formats_name_every_user(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, _ = run(capsys, "preview", *DEMO, "--format", fmt)
    assert code == 0
    assert "ava.chen@northwind.example" in out and "oliver.brown@northwind.example" in out
    if fmt == "csv":
        assert out.splitlines()[0].startswith("index,userName,status,office")
    if fmt == "table":
        assert "prorated cost" in out


def test_output_file_is_written_whole(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "preview.json"
    code, out, err = run(capsys, "preview", *DEMO, "--format", "json", "--output", str(target))
    assert code == 0 and out == "" and "wrote json preview" in err
    assert json.loads(target.read_text())["summary"]["create"] > 0


BROKEN_COMPANY = {
    "no offices": ('[company]\nname="A"\ndomains=["a.example"]\narea_code="415"\n', "offices"),
    "broken toml": ("[company\nname=", "not valid TOML"),
    "no main": None, "non-bool main": None, "negative seats": None, "bad license": None,
    "bad e164": None,
}


def _edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(("target", "old", "new", "expected"), [
    ("company", "main = true", "main = false", "no main office"),
    ("company", "main = true", 'main = "yes"', "field main: 'yes' is not true or false"),
    ("company", '"Dialpad_Ai Voice" = 8', '"Dialpad_Ai Voice" = -1', "is not a seat count"),
    ("company", '"Dialpad_Ai Voice" = 8', '"Dialpad Voice" = 8', "'Dialpad Voice' is not a license type"),
    ("company", '"+14155550100"', '"+1415555"', "'+1415555' is not a valid E.164 number"),
    ("company", "[[offices]]", "[[offices_]]", "unknown table"),
    ("company", "period_end = 2026-12-01", "period_end = 2026-13-01", "not valid TOML"),
    ("settings", 'mismatch = "best_match"', 'mismatch = "closest"', "office.mismatch = 'closest'"),
    ("settings", 'default_office = "San Francisco"', 'default_office = "Paris"',
     "office.default_office = 'Paris' is not an office"),
    ("settings", 'when_exhausted = "purchase"', "when_exhausted = 3", "licenses.when_exhausted"),
    ("settings", "[numbers]", "[numbers\n", "not valid TOML"),
])
def test_unusable_input_exits_2_with_one_line_naming_file_and_problem(
        capsys: pytest.CaptureFixture[str], files: dict[str, Path], target: str, old: str,
        new: str, expected: str) -> None:
    path = files[target]
    path.write_text(_edit(path.read_text(), old, new))
    code, out, err = run(capsys, *args(files), "--format", "json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(path) in err and expected in err


def test_no_offices_is_refused(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    text = files["company"].read_text()
    files["company"].write_text(text[:text.index("[[offices]]")])
    code, _, err = run(capsys, *args(files))
    assert code == 2 and "offices: none defined" in err


@pytest.mark.parametrize(("users", "expected"), [
    (None, "no such file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "is binary"),
    (b'[{"userName": "a@northwind.example"}, {"user', "is not valid JSON"),
])
def test_missing_binary_and_truncated_user_files_exit_2(
        capsys: pytest.CaptureFixture[str], files: dict[str, Path], users: bytes | None,
        expected: str) -> None:
    if users is None:
        files["users"].unlink()
    else:
        files["users"].write_bytes(users)
    code, _, err = run(capsys, *args(files))
    assert code == 2 and expected in err and str(files["users"]) in err


def test_bad_date_and_half_given_files_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "preview", "--as-of", "2026-02-30")
    assert code == 2 and "--as-of: '2026-02-30' is not a date" in err
    code, _, err = run(capsys, "preview", "--company", "x.toml")
    assert code == 2 and "give both --company and --users" in err


def test_bad_records_do_not_stop_the_run(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    files["users"].write_text('{"userName": "a@northwind.example"}\n{oops\n')
    code, out, _ = run(capsys, *args(files), "--format", "json")
    statuses = [u["status"] for u in json.loads(out)["users"]]
    assert code == 0 and statuses == ["create", "invalid"]


def test_demo_command_writes_three_files_and_refuses_to_overwrite(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "demo", str(tmp_path / "d"))
    assert code == 0 and sorted(p.name for p in (tmp_path / "d").iterdir()) == \
        ["company.toml", "settings.toml", "users.json"]
    code, _, err = run(capsys, "demo", str(tmp_path / "d"))
    assert code == 2 and "--force" in err


def test_the_installed_script_never_prints_a_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("scim-assistant")
    bad = tmp_path / "users.json"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    proc = subprocess.run([str(exe), "preview", "--company", str(bad), "--users", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
