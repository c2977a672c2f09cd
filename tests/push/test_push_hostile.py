"""`scim-assistant push` against hostile or broken servers (a fault proxy on loopback): what a
server says is shown as a bounded, cleaned excerpt with the token masked; huge or deep answers
are refused with a sentence; one deadline covers the whole push; a past Retry-After does not
make the retries hammer the service; only real loopback addresses may use plain http."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

import engine.client
from engine.client import ServiceUnavailable, SyncSettingsClient
from engine.settings import load_settings
from tests.push.conftest import ROOT, TOKEN, FaultProxy, Service
from tests.push.test_push_cli import push, unique_settings


def test_an_answer_echoing_the_token_shows_a_masked_bounded_excerpt(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)

    def echo(headers: dict[str, str]) -> list[bytes]:
        detail = f"you sent {headers['authorization']}\x1b]0;pwned\x07 " + "blah " * 50_000
        return [orjson.dumps({"detail": detail})]

    proxy.add("GET", "answer", 500, {"content-type": "application/json"}, echo)
    code, _, err = push(capsys, "--settings", str(unique_settings(tmp_path, "echo")), "--to", proxy.url)
    assert code == 3  # `push` checks the token appears nowhere
    assert "you sent Bearer ***" in err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b]0;pwned\\x07" in err
    assert len(err) < 800


def test_a_refusal_listing_thousands_of_problems_is_cut_and_masked(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    problems = [f"problem {i}: token {TOKEN}" for i in range(5000)]
    proxy.add("PUT", "answer", 422, {"content-type": "application/json"}, [orjson.dumps({"problems": problems})])
    code, _, err = push(capsys, "--settings", str(unique_settings(tmp_path, "many")), "--to", proxy.url, "--yes")
    assert code == 1
    lines = err.splitlines()
    assert "(5000 problem(s))" in lines[0] and "  - problem 0: token ***" in lines
    assert "  - … and 4980 more" in lines and len(lines) < 30


def test_an_etag_echoing_the_token_is_refused(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    _, current = service.settings()
    proxy.add("GET", "answer", 200, {"content-type": "application/json", "etag": f'"{TOKEN}"'},
              [orjson.dumps(current)])
    code, _, err = push(capsys, "--settings", str(unique_settings(tmp_path, "etag")), "--to", proxy.url)
    assert code == 3 and "sent an ETag that is not a version" in err


def test_a_100k_deep_json_answer_exits_3_with_a_sentence(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    proxy = proxy_for(service)
    proxy.add("GET", "answer", 200, {"content-type": "application/json", "etag": '"1"'},
              [b"[" * 100_000 + b"]" * 100_000])
    code, _, err = push(capsys, "--settings", str(unique_settings(tmp_path, "deep")), "--to", proxy.url)
    assert code == 3
    assert "not a JSON object of a sensible depth" in err.splitlines()[0]


def test_a_huge_answer_is_refused_without_being_read_into_memory(
        service: Service, proxy_for: Callable[[Service], FaultProxy], tmp_path: Path) -> None:
    proxy = proxy_for(service)
    chunk = b" " * 2**20
    proxy.add("GET", "answer", 200, {"content-type": "application/json", "etag": '"1"'}, (chunk for _ in range(300)))
    path = unique_settings(tmp_path, "huge")
    # Started by a small Python that reports its child's peak memory: on Linux a child's
    # ru_maxrss starts from its parent's size at the fork, and pytest's grows with the tests run
    # before this one.
    runner = ("import os, subprocess, sys\n"
              "child = subprocess.Popen(sys.argv[1:], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,"
              " stdin=subprocess.DEVNULL)\n"
              "_, status, usage = os.wait4(child.pid, 0)\n"
              "sys.stderr.write(child.stderr.read().decode())\n"
              "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n")
    done = subprocess.run([sys.executable, "-c", runner, sys.executable, "-m", "app.cli", "push", "--settings",
                           str(path), "--to", proxy.url], cwd=ROOT, capture_output=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, "SCIM_ASSISTANT_TOKEN": TOKEN}, check=True)
    err = done.stderr.decode()
    code, maxrss = (int(x) for x in done.stdout.split())
    assert code == 3, err
    assert "larger than 4 MiB, which was not read" in err and "Traceback" not in err
    assert maxrss < 200 * 1024  # KiB: far below the 300 MiB sent


def test_one_deadline_covers_the_whole_push(
        service: Service, proxy_for: Callable[[Service], FaultProxy], tmp_path: Path) -> None:
    """Each answer alone comes well within the deadline; the three of a push together do not."""
    proxy = proxy_for(service)
    for method in ("GET", "GET", "PUT"):
        proxy.add(method, "delay", 0.8)
    settings = load_settings(unique_settings(tmp_path, "slow"))
    with SyncSettingsClient(proxy.url, token=TOKEN, timeout=5, deadline=2.0, max_attempts=1) as client, \
            pytest.raises(ServiceUnavailable, match="deadline of the push passed|did not answer in time"):
        remote = client.get_settings()
        client.company()
        client.put_settings(settings, remote.etag)


def test_a_retry_after_date_in_the_past_still_backs_off(
        service: Service, proxy_for: Callable[[Service], FaultProxy], token_env: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(engine.client, "BACKOFF_SECONDS", 0.1)
    proxy = proxy_for(service)
    for _ in range(3):
        proxy.add("GET", "status", 503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    code, _, err = push(capsys, "--settings", str(unique_settings(tmp_path, "past")), "--to", proxy.url)
    assert code == 0, err
    gets = [t for m, p, t in proxy.seen if m == "GET" and p == "/api/v1/settings"]
    gaps = [b - a for a, b in zip(gets, gets[1:4], strict=False)]
    # The doubling backoff (jitter at most -20%), not an immediate retry.
    assert len(gaps) == 3 and all(gap >= 0.8 * 0.1 * 2**i for i, gap in enumerate(gaps)), gaps


@pytest.mark.parametrize(("url", "expected"), [
    ("http://evil.localhost:8787", "refusing plain http to evil.localhost"),
    ("http://127.0.0.1:99999", "has no valid port"),
    ("http://localhost.evil.example", "refusing plain http to localhost.evil.example"),
])
def test_urls_refused_with_one_line_and_exit_2(token_env: str, tmp_path: Path, url: str, expected: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = push(capsys, "--settings", str(unique_settings(tmp_path, "url")), "--to", url)
    assert code == 2 and out == "" and err.count("\n") == 1 and expected in err
