"""`scim-assistant directory pull` against the Dialpad contract server."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from engine.directory import load_company
from tests.pull.conftest import assert_no_secret, leftovers, run_cli
from tests.pull.contract import DIALPAD_KEY, DialpadServer

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("credentials")


def pull(capsys: pytest.CaptureFixture[str], server: DialpadServer, out: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "directory", "pull", "--base-url", server.url, "--output", str(out), *extra)


def test_every_field_is_mapped_from_the_api(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                            tmp_path: Path) -> None:
    out = tmp_path / "company.toml"
    code, stdout, err = pull(capsys, dialpad, out)
    assert code == 0, err
    company = load_company(out)  # the preview reads what was written
    assert company.name == "Northwind Traders"
    assert company.domains == ("northwind.example",)
    assert company.master_domain is None
    assert company.area_code == "415"  # the main office's, from its main number
    assert [o.name for o in company.offices] == ["San Francisco", "London", "New York"]  # cancelled one left out
    sf, london, ny = company.offices
    assert (sf.country, sf.main, sf.area_code) == ("US", True, "415")
    assert (london.country, london.main, london.area_code) == ("GB", False, "20")
    assert (ny.country, ny.area_code) == ("US", "212")
    # talk -> Voice, contact_center -> Support, sell -> Sales; digit strings too
    assert sf.available_licenses == {"Dialpad_Ai Voice": 10, "Dialpad_Support": 2, "Dialpad_Ai Sales": 3}
    assert london.available_licenses == {"Dialpad_Ai Voice": 4, "Dialpad_Support": 1, "Dialpad_Ai Sales": 0}
    assert ny.available_licenses == {"Dialpad_Ai Voice": 6, "Dialpad_Support": 0, "Dialpad_Ai Sales": 2}
    # only numbers in the office's pool that nobody has, in the API's order
    assert sf.reserved_numbers == ("+14155550101", "+14155550102")
    assert london.reserved_numbers == ("+442079460001",)
    assert ny.reserved_numbers == ("+12125550120", "+12125550121")
    # defaults for what the API lacks, each one named
    today = dt.date.today()
    assert company.billing.currency == "USD"
    assert company.billing.period_start == today.replace(day=1)
    for field in ("billing.currency", "billing.period_start", "billing.monthly_price", "company.master_domain"):
        assert f"check: {field}" in err
    assert "note: office 'Old Depot' is cancelled in Dialpad; left out" in err
    assert "Wrote" in stdout and "3 office(s)" in stdout
    assert "# check: billing.monthly_price" in out.read_text()
    assert_no_secret(stdout, err, files=[out])


def test_every_cursor_is_followed_with_the_key_and_under_the_rate_limit(
        capsys: pytest.CaptureFixture[str], dialpad: DialpadServer, tmp_path: Path) -> None:
    code, _, err = pull(capsys, dialpad, tmp_path / "company.toml")
    assert code == 0, err
    offices = [s for s in dialpad.seen if s.path == "/api/v2/offices"]
    numbers = [s for s in dialpad.seen if s.path == "/api/v2/numbers"]
    assert len(offices) == 4 and len(numbers) == 6  # a page a item: at least 3 pages each
    assert [s.query.get("cursor") for s in offices] == [None, ["1"], ["2"], ["3"]]
    assert all(s.query["status"] == ["available"] for s in numbers)
    assert {s.headers["authorization"] for s in dialpad.seen} == {f"Bearer {DIALPAD_KEY}"}
    lic = sorted(s.path for s in dialpad.seen if s.path.endswith("/available_licenses"))
    assert len(lic) == 4
    # 1200 requests a minute documented: the pull's pace stays under it
    times = [s.at for s in dialpad.seen]
    per_minute = (len(times) - 1) / (times[-1] - times[0]) * 60
    assert per_minute <= 1200 * 1.05


def test_merge_keeps_what_the_api_does_not_give(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                                tmp_path: Path) -> None:
    merge = tmp_path / "old.toml"
    merge.write_text("""
[company]
name = "Old name"
domains = ["northwind.example", "northwind-eu.example"]
master_domain = "northwind.example"
area_code = "212"

[billing]
currency = "EUR"
period_start = 2026-11-15
period_end = 2026-12-15
monthly_price = { "Dialpad_Ai Voice" = 20.0, "Dialpad_Support" = 70.0, "Dialpad_Ai Sales" = 30.0 }

[[offices]]
name = "Gone Office"
country = "FR"
main = true
""")
    out = tmp_path / "company.toml"
    code, _, err = pull(capsys, dialpad, out, "--merge", str(merge))
    assert code == 0, err
    company = load_company(out)
    assert company.name == "Northwind Traders"  # the API's
    assert company.domains == ("northwind.example", "northwind-eu.example")
    assert company.master_domain == "northwind.example"
    assert company.billing.currency == "EUR"
    assert company.billing.period_start == dt.date(2026, 11, 15)
    assert company.billing.monthly_price["Dialpad_Support"] == 70.0
    assert "check: billing" not in err and "check: company.master_domain" not in err
    assert "office 'Gone Office'" in err


def test_429_with_retry_after_and_503_then_success(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                                  tmp_path: Path) -> None:
    dialpad.fail("/api/v2/offices", 429, **{"Retry-After": "1"})
    dialpad.fail("/api/v2/numbers", 503)
    code, _, err = pull(capsys, dialpad, tmp_path / "company.toml")
    assert code == 0, err
    offices = [s for s in dialpad.seen if s.path == "/api/v2/offices"]
    assert offices[1].at - offices[0].at >= 0.9  # waited as Retry-After asked
    assert len(load_company(tmp_path / "company.toml").offices) == 3


def test_a_slow_page_still_arrives(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer, tmp_path: Path) -> None:
    dialpad.slow["/api/v2/numbers"] = 0.5
    code, _, err = pull(capsys, dialpad, tmp_path / "company.toml")
    assert code == 0, err
    assert dialpad.slow_started.is_set()


def test_a_refused_key_exits_1_and_writes_nothing(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIALPAD_API_KEY", "wrong-key-0000")
    out = tmp_path / "company.toml"
    out.write_text("# the admin's old file\n")
    code, stdout, err = pull(capsys, dialpad, out)
    assert code == 1
    assert err.strip() == "scim-assistant directory pull: Dialpad refused the API key (DIALPAD_API_KEY)"
    assert out.read_text() == "# the admin's old file\n"
    assert "wrong-key-0000" not in stdout + err
    assert leftovers(tmp_path) == []


def test_a_key_file_from_the_config_must_be_0600(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIALPAD_API_KEY")
    key = tmp_path / "dialpad.key"
    key.write_text(DIALPAD_KEY + "\n")
    key.chmod(0o644)
    config = Path(os.environ["SCIM_ASSISTANT_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'dialpad_key_file = "{key}"\n')
    code, _, err = pull(capsys, dialpad, tmp_path / "company.toml")
    assert code == 2 and "chmod 600" in err and "DIALPAD_API_KEY" in err
    key.chmod(0o600)
    code, _, err = pull(capsys, dialpad, tmp_path / "company.toml")
    assert code == 0, err


def test_no_key_bad_url_and_plain_http_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli(capsys, "directory", "pull", "--base-url", "http://dialpad.example.com",
                           "--output", str(tmp_path / "c.toml"))
    assert code == 2 and "plain http" in err
    code, _, err = run_cli(capsys, "directory", "pull", "--base-url", "not a url", "--output", str(tmp_path / "c.toml"))
    assert code == 2
    monkeypatch.delenv("DIALPAD_API_KEY")
    code, _, err = run_cli(capsys, "directory", "pull", "--output", str(tmp_path / "c.toml"))
    assert code == 2 and "DIALPAD_API_KEY" in err
    code, _, err = run_cli(capsys, "directory", "pull", "--merge", str(tmp_path / "missing.toml"))
    assert code == 2 and "missing.toml" in err
    assert not (tmp_path / "c.toml").exists()


def test_an_api_that_keeps_failing_exits_3_and_keeps_the_old_file(
        capsys: pytest.CaptureFixture[str], dialpad: DialpadServer, tmp_path: Path) -> None:
    for _ in range(5):
        dialpad.fail("/api/v2/company", 503)
    out = tmp_path / "company.toml"
    out.write_text("# old\n")
    code, _, err = pull(capsys, dialpad, out)
    assert code == 3 and "503" in err and "5 attempt(s)" in err
    assert out.read_text() == "# old\n" and leftovers(tmp_path) == []


def test_a_retry_after_beyond_the_deadline_ends_at_once(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                                        tmp_path: Path) -> None:
    dialpad.fail("/api/v2/company", 429, **{"Retry-After": "3600"})
    code, _, err = pull(capsys, dialpad, tmp_path / "company.toml")
    assert code == 3 and "Retry-After" in err
    assert len(dialpad.seen) == 1


def test_nothing_listens_exits_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = run_cli(capsys, "directory", "pull", "--base-url", f"http://127.0.0.1:{port}",
                           "--output", str(tmp_path / "c.toml"))
    assert code == 3 and "nothing answers" in err


def test_ctrl_c_leaves_no_partial_file(dialpad: DialpadServer, tmp_path: Path) -> None:
    dialpad.slow["/api/v2/numbers"] = 30
    out = tmp_path / "company.toml"
    env = {**os.environ, "DIALPAD_API_KEY": DIALPAD_KEY}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "directory", "pull", "--base-url", dialpad.url,
                             "--output", str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert dialpad.slow_started.wait(60), "the pull never reached the slow page"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert not out.exists() and leftovers(tmp_path) == []
    assert DIALPAD_KEY.encode() not in err


def test_the_written_file_is_valid_toml_with_dates(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                                   tmp_path: Path) -> None:
    out = tmp_path / "company.toml"
    assert pull(capsys, dialpad, out)[0] == 0
    data = tomllib.loads(out.read_text())
    assert isinstance(data["billing"]["period_start"], dt.date)
    assert set(data) == {"company", "billing", "offices"}


def test_an_output_that_cannot_be_written_is_refused_before_any_request(
        capsys: pytest.CaptureFixture[str], dialpad: DialpadServer, tmp_path: Path) -> None:
    code, _, err = pull(capsys, dialpad, tmp_path / "no-such-folder" / "company.toml")
    assert code == 2 and "folder does not exist" in err
    code, _, err = pull(capsys, dialpad, tmp_path)
    assert code == 2 and "is a folder" in err
    assert dialpad.seen == []


def test_an_api_error_is_shown_escaped_with_the_key_masked(capsys: pytest.CaptureFixture[str],
                                                           dialpad: DialpadServer, tmp_path: Path) -> None:
    # A server that echoes the request's headers, with a terminal escape in its words, and the key
    # where a 200-character cut would have split it.
    head = "\x1b]0;pwned\x07\x1b[2J " + "x" * 150 + " Authorization: Bearer "
    body = (head + "x" * (192 - len(head)) + DIALPAD_KEY).encode()  # 8 of its characters before 200
    dialpad.fail("/api/v2/company", 400, body)
    code, _, err = pull(capsys, dialpad, tmp_path / "company.toml")
    assert code == 3 and "400" in err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b]0;pwned" in err
    assert_no_secret(err)
    assert DIALPAD_KEY[:8] not in err


def test_an_office_id_stays_one_path_segment(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                             tmp_path: Path) -> None:
    # An id is the API's text: a '?' in it must not start a query of the licenses request.
    odd = "5068549373853696?x=1"
    dialpad.offices[0] = {**dialpad.offices[0], "id": odd, "office_id": odd}
    dialpad.licenses[odd] = dialpad.licenses.pop("5068549373853696")
    out = tmp_path / "company.toml"
    code, _, err = pull(capsys, dialpad, out)
    assert code == 0, err
    sf = load_company(out).offices[0]
    assert sf.available_licenses == {"Dialpad_Ai Voice": 10, "Dialpad_Support": 2, "Dialpad_Ai Sales": 3}
