"""`scim-assistant push` against a real service on loopback: every way it can go wrong says so
clearly, exits with the right code and leaves the local settings file byte for byte as it was."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from app.cli import main
from engine.demo import demo_bytes
from engine.settings import Settings
from tests.push.conftest import TOKEN, FaultProxy, Service, free_port


def settings_file(tmp_path: Path, name: str = "settings.toml", **sections: dict[str, Any]) -> Path:
    """The demo settings with some sections changed, written as TOML."""
    import tomllib

    data = tomllib.loads(demo_bytes("settings").decode())
    for section, changes in sections.items():
        data[section].update(changes)
    path = tmp_path / name
    path.write_bytes(tomli_w.dumps(data).encode())
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def push(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["push", *args])
    out, err = capsys.readouterr()
    assert TOKEN not in out and TOKEN not in err
    assert "Traceback" not in err
    return code, out, err


def unique_settings(tmp_path: Path, tag: str) -> Path:
    """Settings that differ from whatever the shared service holds (a fresh default office)."""
    return settings_file(tmp_path, f"{tag}.toml", licenses={"default": "Dialpad_Ai Sales"},
                         numbers={"auto_assign": tag.endswith("b")},
                         sso={"break_glass": [f"{tag}@northwind.example"]})


def test_push_shows_the_diff_then_pushes_then_has_nothing_to_push(
        service: Service, token_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = unique_settings(tmp_path, "first")
    before = digest(path)
    etag, _ = service.settings()
    code, out, err = push(capsys, "--settings", str(path), "--to", service.url)
    assert code == 0, err
    assert "sso.break_glass:" in out and "first@northwind.example" in out
    assert "Pushed: the service now has settings" in out
    assert service.settings()[0] != etag
    assert service.history()[0]["author"] == "scim-assistant"
    code, out, err = push(capsys, "--settings", str(path), "--to", service.url)
    assert code == 0 and "No change" in out
    assert digest(path) == before


def test_service_down(token_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = unique_settings(tmp_path, "down")
    before = digest(path)
    url = f"http://127.0.0.1:{free_port()}"
    code, out, err = push(capsys, "--settings", str(path), "--to", url, "--yes")
    assert code == 3
    assert f"could not reach {url}: nothing answers there" in err
    assert "5 attempt(s)" in err and "nothing was pushed" in err
    assert "Your settings file was not changed." in err
    assert digest(path) == before


def test_wrong_token(service: Service, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SCIM_ASSISTANT_TOKEN", "not-the-token-0000")
    path = unique_settings(tmp_path, "wrongtoken")
    before, etag = digest(path), service.settings()[0]
    code, out, err = push(capsys, "--settings", str(path), "--to", service.url)
    assert code == 1
    assert "the service refused the token; set SCIM_ASSISTANT_TOKEN" in err
    assert "not-the-token-0000" not in out + err
    assert digest(path) == before and service.settings()[0] == etag


def test_no_token_at_all(service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = unique_settings(tmp_path, "notoken")
    code, _, err = push(capsys, "--settings", str(path), "--to", service.url)
    assert code == 1 and "set SCIM_ASSISTANT_TOKEN" in err


def test_412_race_two_pushes_from_the_same_etag(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    path = unique_settings(tmp_path, "race-mine")
    before = digest(path)
    theirs = Settings().with_changes("licenses", default="Dialpad_Support").to_dict()
    proxy.add("PUT", "race", theirs)  # the other admin pushes first, from the same ETag
    code, out, err = push(capsys, "--settings", str(path), "--to", proxy.url)
    assert code == 1
    assert "someone changed the settings since you loaded them" in err
    # the way back: the new diff against what the other admin pushed
    assert "The service now has settings" in err and "licenses.default: Dialpad_Support -> Dialpad_Ai Sales" in err
    assert "Run the push again" in err
    assert digest(path) == before
    assert service.settings()[1]["licenses"]["default"] == "Dialpad_Support"
    assert service.history()[0]["author"] == "the other admin"
    # pushing again, from the new ETag, works
    code, out, err = push(capsys, "--settings", str(path), "--to", service.url)
    assert code == 0, err


def test_two_clients_same_etag_second_gets_stale(service: Service, tmp_path: Path) -> None:
    from engine.client import StaleSettings, SyncSettingsClient

    with SyncSettingsClient(service.url, token=TOKEN) as a, SyncSettingsClient(service.url, token=TOKEN) as b:
        ra, rb = a.get_settings(), b.get_settings()
        assert ra.etag == rb.etag
        a.put_settings(ra.settings.with_changes("numbers", auto_assign=not ra.settings.numbers.auto_assign), ra.etag)
        with pytest.raises(StaleSettings) as info:
            b.put_settings(rb.settings.with_changes("licenses", when_exhausted="reject"), rb.etag)
        assert info.value.exit_code == 1


def test_422_lists_each_problem_on_its_own_line(
        service: Service, token_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = settings_file(tmp_path, office={"mismatch": "default_office", "default_office": "Atlantis"},
                         scope={"domain": "elsewhere.example"})
    before, etag = digest(path), service.settings()[0]
    code, out, err = push(capsys, "--settings", str(path), "--to", service.url)
    assert code == 1
    assert "the service refused the settings (2 problem(s)):" in err
    lines = err.splitlines()
    assert any(line.startswith("  - office.default_office = 'Atlantis' is not an office") for line in lines)
    assert any(line.startswith("  - scope.domain = 'elsewhere.example' is not a company domain") for line in lines)
    assert digest(path) == before and service.settings()[0] == etag


def test_429_with_retry_after_is_honoured(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    proxy.add("GET", "status", 429, {"Retry-After": "1"})
    path = unique_settings(tmp_path, "slow-b")
    before = digest(path)
    code, out, err = push(capsys, "--settings", str(path), "--to", proxy.url)
    assert code == 0, err
    gets = [t for m, p, t in proxy.seen if m == "GET" and p == "/api/v1/settings"]
    assert len(gets) >= 2 and gets[1] - gets[0] >= 0.95  # waited as asked, not the 20 ms backoff
    assert digest(path) == before


def test_429_asking_longer_than_the_deadline_gives_up(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    proxy.add("GET", "status", 429, {"Retry-After": "3600"})
    path = unique_settings(tmp_path, "later")
    started = time.monotonic()
    code, _, err = push(capsys, "--settings", str(path), "--to", proxy.url)
    assert code == 3 and "asked to wait 3600 s (Retry-After)" in err
    assert time.monotonic() - started < 5


def test_503_then_success(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    proxy.add("PUT", "status", 503, {})
    path = unique_settings(tmp_path, "flaky")
    before = digest(path)
    code, out, err = push(capsys, "--settings", str(path), "--to", proxy.url)
    assert code == 0, err
    assert "Pushed" in out
    assert [m for m, p, _ in proxy.seen if m == "PUT"] == ["PUT", "PUT"]
    assert service.settings()[1]["sso"]["break_glass"] == ["flaky@northwind.example"]
    assert digest(path) == before


def test_service_killed_mid_push(
        fresh_service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(fresh_service)
    proxy.add("PUT", "kill_after_forward")
    path = unique_settings(tmp_path, "killed")
    before = digest(path)
    code, out, err = push(capsys, "--settings", str(path), "--to", proxy.url)
    assert code == 3
    assert "could not reach" in err and "the push may not have been stored" in err
    assert "Check that the service runs" in err and "Your settings file was not changed." in err
    assert digest(path) == before


def test_killed_push_that_was_stored_is_recognised_after_restart(
        fresh_service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The answer was lost but the PUT was stored: once the service is back, the retried PUT's
    412 is recognised as our own push (the service holds exactly our settings)."""
    from tests.push.conftest import start_service

    proxy = proxy_for(fresh_service)
    proxy.add("PUT", "kill_after_forward")
    path = unique_settings(tmp_path, "stored")
    code, _, err = push(capsys, "--settings", str(path), "--to", proxy.url)
    assert code == 3
    back = start_service(fresh_service.db)
    try:
        assert back.settings()[1]["sso"]["break_glass"] == ["stored@northwind.example"]
        code, out, err = push(capsys, "--settings", str(path), "--to", back.url)
        assert code == 0 and "No change" in out
    finally:
        back.stop()


def test_lock_out_guard_refuses_and_the_service_is_unchanged(
        service: Service, token_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = settings_file(tmp_path, sso={"enforce": True, "idp_sso_url": "http://idp.example/sso",
                                        "break_glass": ["someone@gmail.example"]})
    before = digest(path)
    etag, history = service.settings()[0], len(service.history())
    code, out, err = push(capsys, "--settings", str(path), "--to", service.url, "--yes")
    assert code == 1
    assert "SSO enforcement would lock people out" in err
    assert "https" in err and "break-glass" in err and "certificate" in err
    assert "neither was the service" in err
    assert service.settings()[0] == etag and len(service.history()) == history
    assert digest(path) == before


def test_plain_http_refused_unless_loopback(token_env: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = unique_settings(tmp_path, "http")
    code, _, err = push(capsys, "--settings", str(path), "--to", "http://scim.example.com")
    assert code == 2 and "refusing plain http to scim.example.com" in err


def test_unusable_settings_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[office]\nmismatch = 'sideways'\n")
    code, _, err = push(capsys, "--settings", str(bad))
    assert code == 2 and "bad.toml" in err and "office.mismatch" in err


def test_dry_run_explains_and_pushes_nothing(
        service: Service, token_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = settings_file(tmp_path, office={"mismatch": "reject", "country_fallback": False})
    etag = service.settings()[0]
    code, out, err = push(capsys, "--settings", str(path), "--to", service.url, "--dry-run")
    assert code == 0, err
    assert "Dry run: nothing was pushed" in out
    assert "Local preview (your settings, directory seats)" in out
    assert "Service's preview now (its settings, live seats)" in out
    assert "office.mismatch: best_match -> reject" in out
    assert "user(s) differ because of settings not pushed yet" in out
    assert service.settings()[0] == etag


def test_token_file_must_be_private(service: Service, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o644)
    monkeypatch.setenv("SCIM_ASSISTANT_TOKEN_FILE", str(token_file))
    path = unique_settings(tmp_path, "tokenfile")
    code, _, err = push(capsys, "--settings", str(path), "--to", service.url)
    assert code == 2 and "mode 0644" in err and "chmod 600" in err
    token_file.chmod(0o600)
    code, out, err = push(capsys, "--settings", str(path), "--to", service.url)
    assert code == 0, err


def test_embedded_default_is_the_serve_default_db(
        token_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.commands.serve import default_db
    from engine.client import default_db_path

    assert Path(default_db()) == default_db_path()
    path = unique_settings(tmp_path, "embedded")
    code, out, err = push(capsys, "--settings", str(path))
    assert code == 0, err
    assert f"the embedded service ({default_db_path()})" in out and "Pushed" in out
    assert default_db_path().exists()
    code, out, _ = push(capsys, "--settings", str(path))
    assert code == 0 and "No change" in out


def test_the_token_appears_in_no_file_written(
        service: Service, token_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    from app.config import config_file, load_config, save_config

    path = unique_settings(tmp_path, "scan")
    code, _, _ = push(capsys, "--settings", str(path), "--to", service.url)
    assert code == 0
    config = load_config(service_url=service.url)
    assert config.bearer_token() is not None
    saved = save_config(config)
    assert saved == config_file()
    roots = [tmp_path, Path(os.environ["HOME"]), service.db.parent]
    for root in roots:
        for f in root.rglob("*"):
            if f.is_file():
                assert TOKEN.encode() not in f.read_bytes(), f
    assert TOKEN not in repr(config) and TOKEN not in str(config.model_dump())
