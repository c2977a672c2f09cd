"""The command line against hostile text and unsafe files: names never drive the terminal or a
spreadsheet, `--output` never replaces what it must not, and no input file can exhaust memory."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cli import main
from app.table_report import render_table
from engine.demo import demo_bytes, demo_company, demo_settings
from engine.preview import run_preview
from engine.report import FORMULA_STARTS, neutralise
from engine.users import parse_users

AS_OF = ["--as-of", "2026-11-28"]
ESCAPES = ["evil\x1b]0;pwned\x07@northwind.example", "clear\x1b[2J\x1b[H@northwind.example",
           "rtl\u202egpj.exe@northwind.example", "[bold]Bob[/bold]@northwind.example"]
FORMULAS = ['=HYPERLINK("http://x.example","click")', "+1+1@northwind.example", "-2+3@northwind.example",
            "@SUM(A1)@northwind.example", "\tstart@northwind.example", "\rstart@northwind.example"]


def write_users(path: Path, names: list[str], **extra: str) -> Path:
    users = [{"userName": name, "active": True, **extra} for name in names]
    path.write_bytes(orjson.dumps(users))
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"company": tmp_path / "company.toml", "settings": tmp_path / "settings.toml"}
    for kind, path in paths.items():
        path.write_bytes(demo_bytes(kind))
    paths["users"] = write_users(tmp_path / "users.json", ESCAPES + FORMULAS)
    return paths


def preview(capsys: pytest.CaptureFixture[str], files: dict[str, Path], *more: str) -> tuple[int, str, str]:
    code = main(["preview", "--company", str(files["company"]), "--users", str(files["users"]),
                 "--settings", str(files["settings"]), *AS_OF, *more])
    out, err = capsys.readouterr()
    return code, out, err


# -- the table ---------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", ["200", "80", None])
def test_table_shows_control_characters_escaped(capsys: pytest.CaptureFixture[str], files: dict[str, Path],
                                                monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    code, out, _ = preview(capsys, files, "--format", "table")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\r" not in out
    assert "\\x1b]0;pwned\\x07" in out.replace("\n     ", "")  # folded lines rejoined
    assert "\\u202e" in out.replace("\n     ", "")
    assert "[bold]Bob[/bold]" in out.replace("\n     ", "")  # text, never markup


def test_table_on_a_terminal_uses_only_its_own_colour_codes(files: dict[str, Path]) -> None:
    company = demo_company()
    users = parse_users(files["users"].read_bytes(), source="users.json")
    result = run_preview(company, users, demo_settings(company), dt.date(2026, 11, 28))
    out = render_table(result, company, width=100, color=True)
    assert all(re.fullmatch(r"\x1b\[[0-9]+m", m.group()) for m in re.finditer(r"\x1b[^a-zA-Z]*[a-zA-Z]?", out))
    assert "\\x1b[2J" in out


def test_table_layout_keeps_columns_aligned_for_wide_characters(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str],
                                                                 files: dict[str, Path]) -> None:
    write_users(files["users"], ["中文名字@northwind.example", "ascii@northwind.example"],
                urn_ignored="x")
    code, out, _ = preview(capsys, files, "--format", "table")
    rows = [line for line in out.splitlines() if "@northwind.example" in line]
    from rich.cells import cell_len

    assert code == 0 and len({cell_len(line.split("create")[0]) for line in rows}) == 1


@pytest.mark.parametrize(("columns", "office_cell"), [(80, "Head office xxxx…"),
                                                      (120, "Head office " + "x" * 17 + "…")])
def test_a_very_long_office_name_is_cut_on_a_terminal_and_kept_whole_in_a_file(
        files: dict[str, Path], columns: int, office_cell: str) -> None:
    long_name = "Head office " + "x" * 488
    for kind in ("company", "settings"):  # the main and default office, renamed
        files[kind].write_bytes(demo_bytes(kind).replace(b'"San Francisco"', f'"{long_name}"'.encode()))
    from engine.directory import load_company
    from engine.settings import load_settings

    company = load_company(str(files["company"]))
    settings = load_settings(str(files["settings"]), company)
    users = parse_users(orjson.dumps([{"userName": "al@northwind.example", "active": True,
                                       "addresses": [{"type": "work", "country": "US"}]}]),
                        source="users.json")
    result = run_preview(company, users, settings, dt.date(2026, 11, 28))
    assert result.placement is not None and long_name in str(result.to_dict())

    shown = render_table(result, company, width=columns)
    from rich.cells import cell_len

    assert all(cell_len(line) <= columns for line in shown.splitlines()[:4])  # the users' table
    assert f"al@northwind.example  create  {office_cell}  " in shown  # at most 30 cells, on one line
    assert long_name not in shown  # the per-office table cuts it too
    assert long_name in render_table(result, company)  # a file or a pipe loses nothing


# -- CSV and Markdown ----------------------------------------------------------------------------


def test_csv_neutralises_formula_starts(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, out, _ = preview(capsys, files, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    names = [r["userName"] for r in rows]
    assert code == 0
    for formula in FORMULAS:  # (the reader trims a leading tab or CR from a userName)
        assert "'" + formula in names or formula.strip() in names
    assert not any(n.startswith(("=", "+", "-", "@", "\t", "\r")) for n in names)
    # A reserved E.164 number stays a number.
    assert any(r["number"].startswith("+") for r in rows if r["number"])


@given(st.text())
def test_no_exported_cell_starts_a_formula(text: str) -> None:
    cell = neutralise(text)
    assert not cell.startswith(FORMULA_STARTS) or re.fullmatch(r"\+[0-9]+", cell)
    # Nothing is lost: the cell is the text, or the text behind one added quote.
    assert cell in (text, "'" + text)
    assert (cell != text) == (text.startswith(FORMULA_STARTS) and not re.fullmatch(r"\+[0-9]{2,15}", text))


def test_markdown_neutralises_formulas_and_escapes_pipes_and_newlines(
        capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    write_users(files["users"], ["=cmd|' /C calc'!A0@northwind.example", "two\nlines|x@northwind.example"])
    code, out, _ = preview(capsys, files, "--format", "markdown")
    user_rows = [line for line in out.splitlines() if "northwind.example" in line and line.startswith("| ")]
    assert code == 0 and len(user_rows) == 2
    assert "| '=cmd\\|' /C calc'!A0@northwind.example |" in user_rows[0]
    assert "two lines\\|x@northwind.example" in user_rows[1]
    # Each row still has the header's eleven cell borders (unescaped pipes).
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 11 for row in user_rows)


# -- --output ----------------------------------------------------------------------------------


def _refused(capsys: pytest.CaptureFixture[str], files: dict[str, Path], target: str) -> str:
    code, out, err = preview(capsys, files, "--format", "json", "--output", target)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert target in err
    return err


def test_output_refuses_a_directory(capsys: pytest.CaptureFixture[str], files: dict[str, Path],
                                    tmp_path: Path) -> None:
    assert "is a directory" in _refused(capsys, files, str(tmp_path))


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_output_refuses_a_device_and_leaves_it_a_device(capsys: pytest.CaptureFixture[str],
                                                        files: dict[str, Path], device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    assert "is a device" in _refused(capsys, files, device)
    assert not Path(device).is_file()


def test_output_refuses_a_fifo(capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "FIFO" in _refused(capsys, files, str(fifo))
    assert Path(fifo).is_fifo()


def test_output_refuses_a_symlink_and_keeps_it(capsys: pytest.CaptureFixture[str], files: dict[str, Path],
                                               tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("keep me")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert "symbolic link" in _refused(capsys, files, str(link))
    assert link.is_symlink() and real.read_text() == "keep me"


@pytest.mark.parametrize("kind", ["users", "company", "settings"])
def test_output_refuses_an_input_of_the_run(capsys: pytest.CaptureFixture[str], files: dict[str, Path],
                                            kind: str) -> None:
    before = files[kind].read_bytes()
    assert "an input of this run" in _refused(capsys, files, str(files[kind]))
    assert files[kind].read_bytes() == before


def test_output_still_writes_a_new_or_existing_regular_file(capsys: pytest.CaptureFixture[str],
                                                            files: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    for _ in range(2):
        code, _, err = preview(capsys, files, "--format", "json", "--output", str(target))
        assert code == 0, err
    assert orjson.loads(target.read_bytes())["summary"]


# -- size limits -------------------------------------------------------------------------------


def _scim(*argv: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("scim-assistant")
    return subprocess.run([str(exe), *argv], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env={**os.environ, "SCIM_ASSISTANT_TOKEN": "t" * 20})


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("argv", [
    ["preview", "--company", "{company}", "--users", "/dev/zero"],
    ["preview", "--company", "/dev/zero", "--users", "{users}"],
    ["preview", "--company", "{company}", "--users", "{users}", "--settings", "/dev/zero"],
    ["push", "--settings", "/dev/zero", "--to", "http://127.0.0.1:9"],
    ["check-cert", "/dev/zero"],
    ["serve", "--company", "/dev/zero", "--port", "0", "--db", "{db}"],
], ids=["users", "company", "settings", "push-settings", "check-cert", "serve-company"])
def test_dev_zero_as_any_input_is_one_line_and_exit_2(files: dict[str, Path], tmp_path: Path,
                                                      argv: list[str]) -> None:
    filled = [a.format(company=files["company"], users=files["users"], db=tmp_path / "s.sqlite3")
              for a in argv]
    proc = _scim(*filled)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "/dev/zero" in proc.stderr
    assert "larger than" in proc.stderr or "binary" in proc.stderr


def test_an_oversized_users_file_names_the_limit(capsys: pytest.CaptureFixture[str], files: dict[str, Path],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.inputfile

    monkeypatch.setitem(engine.inputfile.LIMITS, "sample users", 100)
    code, _, err = preview(capsys, files, "--format", "json")
    assert code == 2 and err.count("\n") == 1
    assert str(files["users"]) in err and "larger than 100 bytes, the limit for a sample users file" in err
