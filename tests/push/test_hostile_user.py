"""`push` and `sso-test` tried as a hostile or careless admin would, and against a service that
answers strangely (the fault proxy on loopback): one line, its exit code, no traceback, the token
never shown and never sent anywhere but the address given."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from app.cli import main
from engine.client import retry_after
from tests.push.conftest import TOKEN, FaultProxy, Service
from tests.push.test_push_cli import push, unique_settings
from tests.saml_idp import SamlIdp
from tests.sso.test_sso_test_cli import settings_file as sso_settings


def test_a_url_with_a_password_and_a_bad_port_never_shows_the_password(
        token_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = push(capsys, "--settings", str(unique_settings(tmp_path, "pw")),
                          "--to", "https://admin:hunter2@scim.example.com:99999")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "not in the service URL" in err and "hunter2" not in err


def test_a_redirect_is_not_followed_so_the_token_stays_with_the_service(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy, elsewhere = proxy_for(service), proxy_for(service)
    proxy.add("GET", "answer", 301, {"location": f"{elsewhere.url}/api/v1/settings?x=1"}, [b""])
    code, _, err = push(capsys, "--settings", str(unique_settings(tmp_path, "redirect")), "--to", proxy.url)
    assert code == 3
    assert f"a redirect to {elsewhere.url}/api/v1/settings; redirects are not followed, so the token" in err
    assert elsewhere.seen == []


@pytest.mark.parametrize("token", ["tøken-7f3a9c1e5b", "push test 7f3a9c1e5b", "push\n7f3a9c1e5b"])
def test_a_token_no_service_has_is_refused_before_any_request(
        service: Service, proxy_for: Callable[[Service], FaultProxy], tmp_path: Path, token: str,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    monkeypatch.setenv("SCIM_ASSISTANT_TOKEN", token)
    code, _, err = push(capsys, "--settings", str(unique_settings(tmp_path, "tok")), "--to", proxy.url)
    assert code == 2 and err.count("\n") == 1
    assert "SCIM_ASSISTANT_TOKEN: holds a space, a control character or a non-ASCII character" in err
    assert "7f3a9c1e5b" not in err and proxy.seen == []


def test_a_header_outside_ascii_in_an_answer_is_read(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    proxy.add("GET", "answer", 503, {"retry-after": "\u00b2", "x-note": "caf\u00e9"}, [b"{}"])
    code, _, err = push(capsys, "--settings", str(unique_settings(tmp_path, "latin")), "--to", proxy.url, "--yes")
    assert code == 0, err


@pytest.mark.parametrize(("value", "expected"), [
    ("\u00b2", None), ("\u0661\u0662", None), ("1e9", None), (str(10**9), 1e9), ("9" * 400, float("inf")),
    ("Fri, 31 Dec 9999 23:59:59 GMT", "future"), ("Mon, 01 Jan 0000 00:00:00 GMT", 0.0), ("", None),
])
def test_retry_after_reads_ascii_seconds_and_dates_only(value: str, expected: object) -> None:
    got = retry_after(value)
    if expected == "future":
        assert got is not None and got > 1e9
    else:
        assert got == expected


def test_sso_test_against_a_service_answering_nonsense_exits_3(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    settings = sso_settings(tmp_path, SamlIdp())
    for answer in (b"<html>not json</html>", b"[]", orjson.dumps({"id": "t", "login_url": "javascript:alert(1)",
                                                                  "expires_at": "soon"})):
        proxy.add("POST", "answer", 201, {"content-type": "application/json"}, [answer])
        code = main(["sso-test", "--settings", str(settings), "--to", proxy.url])
        out, err = capsys.readouterr()
        assert code == 3, err
        assert "started a test sign-in without" in err or "not a JSON object" in err
        assert err.count("\n") == 1 and "Traceback" not in err and out == ""


def test_sso_test_prints_the_service_words_escaped(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    started = {"id": "t1", "login_url": "https://sso.example/\x1b]0;pwned\x07", "expires_at": "\x1b[2J"}
    proxy.add("POST", "answer", 201, {"content-type": "application/json"}, [orjson.dumps(started)])
    proxy.add("GET", "answer", 200, {"content-type": "application/json"},
              [orjson.dumps({"status": "failed", "reason": f"\x1b[31mred {TOKEN}"})])
    code = main(["sso-test", "--settings", str(sso_settings(tmp_path, SamlIdp())), "--to", proxy.url])
    out, err = capsys.readouterr()
    assert code == 1
    assert "\x1b" not in out + err and "\x07" not in out
    assert "https://sso.example/\\x1b]0;pwned\\x07" in out and "failed: \\x1b[31mred ***" in err
    assert TOKEN not in out + err


def test_an_empty_token_is_refused_by_the_service_with_the_fix(
        service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SCIM_ASSISTANT_TOKEN", "  ")
    code, _, err = push(capsys, "--settings", str(unique_settings(tmp_path, "empty")), "--to", service.url)
    assert code == 1 and "the service refused the token; set SCIM_ASSISTANT_TOKEN" in err
