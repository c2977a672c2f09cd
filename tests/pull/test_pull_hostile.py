"""The pulls against hostile or broken APIs (the contract servers told to misbehave, over real HTTP
on loopback) and a hostile or careless admin: every case ends with one line and its exit code,
no traceback, no secret shown, nothing written and, where the input is unusable, no request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.pull.dialpad import pull_directory
from engine.pull.http import Policy
from engine.pull.okta import pull_okta
from engine.remote_errors import UnexpectedAnswer, Unreachable
from engine.remote_http import MiB
from tests.pull.conftest import assert_no_secret, leftovers, run_cli
from tests.pull.contract import (
    DIALPAD_KEY,
    ENTRA_CLIENT_ID,
    ENTRA_TENANT,
    OKTA_TOKEN,
    DialpadServer,
    EntraServer,
    OktaServer,
)

pytestmark = pytest.mark.usefixtures("credentials")


def huge(mib: int) -> Iterator[bytes]:
    """`mib` MiB of JSON whitespace, 1 MiB a chunk: no Content-Length to refuse it by."""
    return (b" " * MiB for _ in range(mib))


def deep(levels: int = 100_000) -> Iterator[bytes]:
    body = b"[" * levels + b"]" * levels
    return (body[i:i + 8192] for i in range(0, len(body), 8192))


def one_line(err: str) -> None:
    assert err.count("\n") == 1 and "Traceback" not in err, err


@pytest.fixture
def elsewhere() -> Iterator[DialpadServer]:
    """Another host a hostile answer points to: it must never see a request."""
    server = DialpadServer().start()
    yield server
    server.stop()


def test_a_huge_page_is_refused_unread_and_nothing_is_written(capsys: pytest.CaptureFixture[str],
                                                              dialpad: DialpadServer, tmp_path: Path) -> None:
    dialpad.stream("/api/v2/offices", huge(40))
    out = tmp_path / "company.toml"
    out.write_text("# old\n")
    code, stdout, err = run_cli(capsys, "directory", "pull", "--base-url", dialpad.url, "--output", str(out))
    assert code == 3 and stdout == ""
    one_line(err)
    assert "sent an answer larger than 16 MiB, which was not read" in err
    assert f"{dialpad.url}/api/v2/offices" in err  # the URL, without its query
    assert out.read_text() == "# old\n" and leftovers(tmp_path) == []
    assert_no_secret(err)


@pytest.mark.parametrize("api", ["dialpad", "okta", "entra"])
def test_json_nested_too_deep_is_refused_with_the_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                        api: str, request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue(api)
    out = tmp_path / "out"
    if api == "dialpad":
        path = "/api/v2/company"
        argv = ["directory", "pull", "--base-url", server.url]
    elif api == "okta":
        path = "/api/v1/users"
        argv = ["users", "pull", "--from", "okta", "--org-url", server.url]
    else:
        path = f"/{ENTRA_TENANT}/oauth2/v2.0/token"  # the sign-in itself
        argv = ["users", "pull", "--from", "entra", "--tenant", ENTRA_TENANT, "--client-id", ENTRA_CLIENT_ID,
                "--graph-url", server.url, "--login-url", server.url]
    server.stream(path, deep())
    code, _, err = run_cli(capsys, *argv, "--output", str(out))
    assert code == 3
    one_line(err)
    assert "nested deeper than 1024 levels" in err and f"{server.url}{path}" in err
    assert "?" not in err.split(server.url)[1].split()[0]  # no query (limit, $select) in the URL shown
    assert not out.exists() and leftovers(tmp_path) == []
    assert_no_secret(err)


def test_the_answers_of_one_pull_are_capped_together(okta: OktaServer) -> None:
    okta.stream("/api/v1/users/", huge(2))  # a user's groups: within one answer's limit
    with pytest.raises(UnexpectedAnswer, match="passed 1 MiB together"):
        pull_okta(okta.url, OKTA_TOKEN, policy=Policy(max_total_bytes=MiB))


@pytest.mark.parametrize("how", ["trickle", "hang"])
def test_an_answer_that_never_ends_stops_at_the_deadline(dialpad: DialpadServer, how: str) -> None:
    """httpx's timeout is per read: a byte every 50 ms never trips it, so the deadline must."""
    if how == "trickle":
        dialpad.stream("/api/v2/company", (b" " for _ in range(1200)), every=0.05)
    else:  # headers, then silence, on every attempt
        for _ in range(5):
            dialpad.stream("/api/v2/company", (b"" for _ in range(1200)), every=0.05)
    with pytest.raises(Unreachable, match="did not answer in time"):
        pull_directory(dialpad.url, DIALPAD_KEY, policy=Policy(timeout=0.5, deadline=2.0))


@pytest.mark.parametrize("status", [301, 307])
def test_a_redirect_to_another_host_is_not_followed(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                                    elsewhere: DialpadServer, tmp_path: Path, status: int) -> None:
    dialpad.fail("/api/v2/company", status, b"", Location=f"{elsewhere.url}/steal?key=1")
    code, _, err = run_cli(capsys, "directory", "pull", "--base-url", dialpad.url,
                           "--output", str(tmp_path / "c.toml"))
    assert code == 3
    one_line(err)
    assert f"a redirect to {elsewhere.url}/steal; redirects are not followed" in err
    assert elsewhere.seen == [] and len(dialpad.seen) == 1
    assert not (tmp_path / "c.toml").exists()


def test_a_next_link_with_a_broken_port_is_refused(capsys: pytest.CaptureFixture[str], okta: OktaServer,
                                                   tmp_path: Path) -> None:
    okta.fail("/api/v1/users", 200, [], Link='<http://127.0.0.1:99999/api/v1/users?after=1>; rel="next"')
    code, _, err = run_cli(capsys, "users", "pull", "--from", "okta", "--org-url", okta.url,
                           "--output", str(tmp_path / "u.ndjson"))
    assert code == 3
    one_line(err)
    assert "next-page link to another host" in err


def test_a_retry_after_that_is_no_number_backs_off_and_one_of_1e9_ends_at_once(
        capsys: pytest.CaptureFixture[str], dialpad: DialpadServer, tmp_path: Path) -> None:
    dialpad.fail("/api/v2/company", 429, **{"Retry-After": "\u00b2"})  # isdigit(), yet not a number
    code, _, err = run_cli(capsys, "directory", "pull", "--base-url", dialpad.url, "--output", str(tmp_path / "a"))
    assert code == 0, err
    before = len(dialpad.seen)
    dialpad.fail("/api/v2/company", 429, **{"Retry-After": str(10**9)})
    code, _, err = run_cli(capsys, "directory", "pull", "--base-url", dialpad.url, "--output", str(tmp_path / "b"))
    assert code == 3 and "asked to wait 1000000000 s (Retry-After)" in err
    one_line(err)
    assert len(dialpad.seen) == before + 1 and not (tmp_path / "b").exists()


@pytest.mark.parametrize("key", ["clé-4c1e9b7a02", "dialpad key 4c1e9b7a02", "dialpad\x1b[2J4c1e9b7a02"])
def test_a_credential_no_api_has_is_refused_before_any_request(capsys: pytest.CaptureFixture[str],
                                                               dialpad: DialpadServer, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("DIALPAD_API_KEY", key)
    code, _, err = run_cli(capsys, "directory", "pull", "--base-url", dialpad.url, "--output", str(tmp_path / "c"))
    assert code == 2
    one_line(err)
    assert "DIALPAD_API_KEY: holds a space, a control character or a non-ASCII character" in err
    assert "4c1e9b7a02" not in err and dialpad.seen == []


def test_a_token_file_holding_a_non_ascii_token_is_refused(capsys: pytest.CaptureFixture[str], okta: OktaServer,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = tmp_path / "okta-token"
    token.write_text("tøken-8d2f6a3e91\n")
    token.chmod(0o600)
    monkeypatch.delenv("OKTA_API_TOKEN")
    monkeypatch.setenv("SCIM_ASSISTANT_OKTA_TOKEN_FILE", str(token))
    code, _, err = run_cli(capsys, "users", "pull", "--from", "okta", "--org-url", okta.url,
                           "--output", str(tmp_path / "u.ndjson"))
    assert code == 2 and f"{token}: holds a space" in err and "8d2f6a3e91" not in err
    assert okta.seen == []


def test_an_output_that_is_a_device_is_refused_before_any_request(capsys: pytest.CaptureFixture[str],
                                                                   dialpad: DialpadServer) -> None:
    code, _, err = run_cli(capsys, "directory", "pull", "--base-url", dialpad.url, "--output", "/dev/null")
    assert code == 2 and "/dev/null: is a device, not a file; give a file name" in err
    one_line(err)
    assert dialpad.seen == []


@pytest.mark.parametrize(("url", "expected"), [
    ("https://admin:hunter2@dialpad.example:99999", "must not hold a user name or password"),
    ("https://hunter2@dialpad.example", "must not hold a user name or password"),
    ("https://dialpad.example:99999", "has no valid port"),
    ("http://dialpad.example", "refusing plain http to dialpad.example"),
    ("ftp://hunter2:x@dialpad.example", "must not hold a user name or password"),
])
def test_unusable_urls_exit_2_without_echoing_a_password(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                         url: str, expected: str) -> None:
    code, _, err = run_cli(capsys, "directory", "pull", "--base-url", url, "--output", str(tmp_path / "c"))
    assert code == 2 and expected in err and "hunter2" not in err
    one_line(err)


def test_an_entra_token_answer_that_is_not_json_is_one_line(capsys: pytest.CaptureFixture[str],
                                                            entra: EntraServer, tmp_path: Path) -> None:
    entra.fail(f"/{ENTRA_TENANT}/oauth2/v2.0/token", 200, b"<html>\x1b]0;pwned\x07</html>")
    code, _, err = run_cli(capsys, "users", "pull", "--from", "entra", "--tenant", ENTRA_TENANT, "--client-id",
                           ENTRA_CLIENT_ID, "--graph-url", entra.url, "--login-url", entra.url,
                           "--output", str(tmp_path / "u.ndjson"))
    assert code == 3 and "sent something that is not JSON" in err
    one_line(err)
    assert_no_secret(err)


def test_a_retry_after_of_0_or_a_past_date_still_backs_off(capsys: pytest.CaptureFixture[str],
                                                           okta: OktaServer, tmp_path: Path) -> None:
    for value in ("0", "Wed, 21 Oct 2015 07:28:00 GMT", "0"):
        okta.fail("/api/v1/users", 503, **{"Retry-After": value})
    code, _, err = run_cli(capsys, "users", "pull", "--from", "okta", "--org-url", okta.url,
                           "--output", str(tmp_path / "u.ndjson"))
    assert code == 0, err
    tries = [s.at for s in okta.seen if s.path == "/api/v1/users"][:4]
    gaps = [b - a for a, b in zip(tries, tries[1:], strict=False)]
    # The doubling backoff from 0.25 s (jitter at most -20%), not an immediate retry.
    assert len(gaps) == 3 and all(gap >= 0.8 * 0.25 * 2**i for i, gap in enumerate(gaps)), gaps


@pytest.mark.parametrize("key", ["", "   ", "\n"])
def test_an_empty_credential_is_no_credential(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("DIALPAD_API_KEY", key)
    code, _, err = run_cli(capsys, "directory", "pull", "--base-url", dialpad.url, "--output", str(tmp_path / "c"))
    assert code == 2 and "no Dialpad API key: set DIALPAD_API_KEY" in err
    one_line(err)
    assert dialpad.seen == []
