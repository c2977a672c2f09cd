"""`scim-assistant users pull` against the Okta and Entra ID contract servers, and a pulled
directory plus pulled users previewed end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.names import CORE_USER_SCHEMA, ENTERPRISE_NS
from engine.users import load_users
from tests.pull.conftest import assert_no_secret, leftovers, run_cli
from tests.pull.contract import (
    ENTRA_CLIENT_ID,
    ENTRA_SECRET,
    ENTRA_TENANT,
    OKTA_TOKEN,
    DialpadServer,
    EntraServer,
    OktaServer,
)

pytestmark = pytest.mark.usefixtures("credentials")


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def okta_pull(capsys: pytest.CaptureFixture[str], server: OktaServer, out: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "users", "pull", "--from", "okta", "--org-url", server.url, "--output", str(out), *extra)


def entra_pull(capsys: pytest.CaptureFixture[str], server: EntraServer, out: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "users", "pull", "--from", "entra", "--tenant", ENTRA_TENANT, "--client-id",
                   ENTRA_CLIENT_ID, "--graph-url", server.url, "--login-url", server.url, "--output", str(out), *extra)


# -- Okta ----------------------------------------------------------------------------------------

def test_okta_users_as_the_scim_app_sends_them(capsys: pytest.CaptureFixture[str], okta: OktaServer,
                                               tmp_path: Path) -> None:
    out = tmp_path / "users.ndjson"
    code, stdout, err = okta_pull(capsys, okta, out)
    assert code == 0, err
    users = read(out)
    assert [u["userName"] for u in users][:2] == ["ann.lee@northwind.example", "bob.stone@northwind.example"]
    assert len(users) == 7
    ann = users[0]
    assert ann == {
        "schemas": [CORE_USER_SCHEMA, ENTERPRISE_NS],
        "userName": "ann.lee@northwind.example",
        "externalId": "00u1ann",
        "name": {"givenName": "Ann", "familyName": "Lee"},
        "displayName": "Ann Lee",
        "title": "Account Executive",
        "preferredLanguage": "en",
        "locale": "en_US",
        "timezone": "America/Los_Angeles",
        "active": True,
        "emails": [{"value": "ann.lee@northwind.example", "type": "work", "primary": True}],
        "phoneNumbers": [{"value": "+1 415 555 0199", "type": "work", "primary": True}],
        "addresses": [{"type": "work", "primary": True, "locality": "San Francisco", "country": "US"}],
        ENTERPRISE_NS: {"employeeNumber": "1000", "organization": "Northwind", "department": "Sales",
                        "manager": {"value": "00u3cai", "displayName": "Cai Wu"}},
        "groups": [{"value": "00gsales", "display": "Sales"}],  # "Everyone" (BUILT_IN) is never pushed
    }
    assert users[3]["active"] is False  # SUSPENDED
    assert users[4]["active"] is True  # PROVISIONED
    assert "addresses" not in users[6] and "department" not in users[6].get(ENTERPRISE_NS, {})
    assert "licenseType" not in json.dumps(users)
    # the preview reads the file as it is
    assert load_users(out).format and not [r for r in load_users(out).records if r.invalid]
    assert "Wrote" in stdout
    assert "note:" not in err  # department is an office field, and Okta sends it by default
    assert_no_secret(stdout, err, files=[out])


def test_okta_paging_groups_and_token(capsys: pytest.CaptureFixture[str], okta: OktaServer, tmp_path: Path) -> None:
    code, _, err = okta_pull(capsys, okta, tmp_path / "u.ndjson")
    assert code == 0, err
    pages = [s for s in okta.seen if s.path == "/api/v1/users"]
    assert len(pages) == 3  # 7 users, 3 a page: every Link rel="next" followed
    assert [s.query.get("after") for s in pages] == [None, ["3"], ["6"]]
    assert len([s for s in okta.seen if s.path.endswith("/groups")]) == 7
    assert {s.headers["authorization"] for s in okta.seen} == {f"SSWS {OKTA_TOKEN}"}


def test_okta_limit_pulls_a_sample(capsys: pytest.CaptureFixture[str], okta: OktaServer, tmp_path: Path) -> None:
    out = tmp_path / "u.ndjson"
    code, _, err = okta_pull(capsys, okta, out, "--limit", "2")
    assert code == 0, err
    assert len(read(out)) == 2
    pages = [s for s in okta.seen if s.path == "/api/v1/users"]
    assert len(pages) == 1 and pages[0].query["limit"] == ["2"]
    with pytest.raises(SystemExit) as exit_:
        okta_pull(capsys, okta, out, "--limit", "0")
    assert exit_.value.code == 2 and "--limit" in capsys.readouterr().err


def test_okta_rate_limit_headers_and_429(capsys: pytest.CaptureFixture[str], okta: OktaServer, tmp_path: Path) -> None:
    okta.exhaust_once = True  # the first answer: no request left until the reset
    okta.fail("/api/v1/users/00u2bob/groups", 429, **{"Retry-After": "1"})
    code, _, err = okta_pull(capsys, okta, tmp_path / "u.ndjson")
    assert code == 0, err
    first, second = okta.seen[0], okta.seen[1]
    assert int(second.at) >= int(first.at) + 1  # waited for X-Rate-Limit-Reset
    bob = [s for s in okta.seen if s.path == "/api/v1/users/00u2bob/groups"]
    assert len(bob) == 2 and bob[1].at - bob[0].at >= 0.9


def test_okta_refused_token(capsys: pytest.CaptureFixture[str], okta: OktaServer, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKTA_API_TOKEN", "bad-token-1234")
    out = tmp_path / "u.ndjson"
    code, stdout, err = okta_pull(capsys, okta, out)
    assert code == 1
    assert err.strip() == "scim-assistant users pull: Okta refused the API token (OKTA_API_TOKEN)"
    assert not out.exists() and "bad-token-1234" not in stdout + err
    monkeypatch.delenv("OKTA_API_TOKEN")
    code, _, err = okta_pull(capsys, okta, out)
    assert code == 2 and "OKTA_API_TOKEN" in err


def test_flags_that_do_not_belong_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "users", "pull", "--from", "okta")
    assert code == 2 and "--org-url" in err
    code, _, err = run_cli(capsys, "users", "pull", "--from", "entra", "--tenant", "t")
    assert code == 2 and "--client-id" in err
    code, _, err = run_cli(capsys, "users", "pull", "--from", "okta", "--org-url", "https://a.okta.com",
                           "--tenant", "t")
    assert code == 2 and "--tenant" in err
    code, _, err = run_cli(capsys, "users", "pull", "--from", "okta", "--org-url", "http://acme.okta.com")
    assert code == 2 and "plain http" in err
    code, _, err = run_cli(capsys, "users", "pull", "--from", "entra", "--tenant", "a/../b", "--client-id", "x")
    assert code == 2 and "--tenant" in err


# -- Entra ID ------------------------------------------------------------------------------------

def test_entra_users_as_the_default_mappings_send_them(capsys: pytest.CaptureFixture[str], entra: EntraServer,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "users.ndjson"
    code, stdout, err = entra_pull(capsys, entra, out)
    assert code == 0, err
    users = read(out)
    assert len(users) == 7
    ann = users[0]
    assert ann == {
        "schemas": [CORE_USER_SCHEMA, ENTERPRISE_NS],
        "userName": "ann.lee@northwind.example",
        "externalId": "ann.lee",  # mailNickname
        "active": True,
        "displayName": "Ann Lee",
        "preferredLanguage": "en-US",
        "name": {"givenName": "Ann", "familyName": "Lee", "formatted": "Ann Lee"},
        "emails": [{"value": "ann.lee@northwind.example", "type": "work", "primary": True}],
        # physicalDeliveryOfficeName (Graph's officeLocation) -> addresses[type eq "work"].formatted
        "addresses": [{"type": "work", "formatted": "San Francisco", "locality": "San Francisco",
                       "country": "United States"}],
        "phoneNumbers": [{"value": "+1 415 555 0188", "type": "work"}],
        ENTERPRISE_NS: {"employeeNumber": "E001", "department": "Sales"},
        "groups": [{"value": ann["groups"][0]["value"], "display": "Sales"}],
    }
    assert users[1]["title"] == "Agent"
    assert [g["display"] for g in users[1]["groups"]] == ["Support", "All staff"]
    assert users[2]["groups"] == []  # a directory role is not a group
    assert users[3]["active"] is False  # accountEnabled false
    assert "licenseType" not in out.read_text() and "physicalDeliveryOfficeName" not in out.read_text()
    assert 'addresses[type eq "work"].formatted' in err and "physicalDeliveryOfficeName" in err
    assert_no_secret(stdout, err, files=[out])


def test_entra_token_paging_and_select(capsys: pytest.CaptureFixture[str], entra: EntraServer, tmp_path: Path) -> None:
    code, _, err = entra_pull(capsys, entra, tmp_path / "u.ndjson", "--limit", "5")
    assert code == 0, err
    token = entra.seen[0]
    assert token.method == "POST" and token.path == f"/{ENTRA_TENANT}/oauth2/v2.0/token"
    assert b"scope=https%3A%2F%2Fgraph.microsoft.com%2F.default" in token.body
    assert b"grant_type=client_credentials" in token.body
    pages = [s for s in entra.seen if s.path == "/v1.0/users"]
    assert len(pages) == 2  # --limit 5 with 3 a page: the second nextLink page ends it
    assert pages[0].query["$top"] == ["5"] and "officeLocation" in pages[0].query["$select"][0]
    assert len(read(tmp_path / "u.ndjson")) == 5
    assert all(s.headers.get("authorization", "").startswith("Bearer ") for s in entra.seen[1:])


def test_entra_full_paging_over_three_pages_with_retries(capsys: pytest.CaptureFixture[str], entra: EntraServer,
                                                         tmp_path: Path) -> None:
    entra.fail("/v1.0/users", 503)
    entra.fail("/v1.0/users/9f1c0a2e-0002-4c7b-9a51-2f0d7c8b0002/memberOf", 429, **{"Retry-After": "1"})
    entra.slow["/v1.0/users/9f1c0a2e-0005"] = 0.3
    out = tmp_path / "u.ndjson"
    code, _, err = entra_pull(capsys, entra, out)
    assert code == 0, err
    assert len([s for s in entra.seen if s.path == "/v1.0/users"]) == 4  # a 503, then 3 pages
    assert len(read(out)) == 7


def test_entra_refused_secret(capsys: pytest.CaptureFixture[str], entra: EntraServer, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTRA_CLIENT_SECRET", "not-the-secret-99")
    out = tmp_path / "u.ndjson"
    code, stdout, err = entra_pull(capsys, entra, out)
    assert code == 1
    assert "Entra ID refused the client credentials (ENTRA_CLIENT_SECRET)" in err
    assert "not-the-secret-99" not in stdout + err and not out.exists()
    assert ENTRA_SECRET not in stdout + err


def test_entra_graph_refusing_the_token_names_the_permissions(capsys: pytest.CaptureFixture[str],
                                                              entra: EntraServer, tmp_path: Path) -> None:
    entra.fail("/v1.0/users", 403)
    code, _, err = entra_pull(capsys, entra, tmp_path / "u.ndjson")
    assert code == 1 and "User.Read.All" in err


def test_entra_failure_keeps_the_old_file(capsys: pytest.CaptureFixture[str], entra: EntraServer,
                                          tmp_path: Path) -> None:
    out = tmp_path / "u.ndjson"
    out.write_text('{"userName": "old@example.com"}\n')
    for _ in range(5):
        entra.fail("/v1.0/users/9f1c0a2e-0004", 502)
    code, _, err = entra_pull(capsys, entra, out)
    assert code == 3 and "502" in err
    assert out.read_text() == '{"userName": "old@example.com"}\n' and leftovers(tmp_path) == []


# -- end to end ------------------------------------------------------------------------------------

@pytest.mark.parametrize("idp", ["okta", "entra"])
def test_pulled_directory_and_users_preview_end_to_end(capsys: pytest.CaptureFixture[str], dialpad: DialpadServer,
                                                       okta: OktaServer, entra: EntraServer, tmp_path: Path,
                                                       idp: str) -> None:
    company, users = tmp_path / "company.toml", tmp_path / "users.ndjson"
    assert run_cli(capsys, "directory", "pull", "--base-url", dialpad.url, "--output", str(company))[0] == 0
    pulled = okta_pull(capsys, okta, users) if idp == "okta" else entra_pull(capsys, entra, users)
    assert pulled[0] == 0
    settings = tmp_path / "settings.toml"
    settings.write_text('[office]\nfields = ["department"]\n[licenses]\nprovider = "%s"\n'
                        'groups = [{ group = "Support", license = "Dialpad_Support" }]\n'
                        % ("okta" if idp == "okta" else "azure"))
    code, out, err = run_cli(capsys, "preview", "--company", str(company), "--users", str(users),
                             "--settings", str(settings), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    rows = {r["userName"]: r for r in doc["users"]}
    assert len(rows) == 7
    assert rows["dee.khan@northwind.example"]["status"] == "skip"  # suspended / disabled
    bob = rows["bob.stone@northwind.example"]
    assert (bob["status"], bob["license"], bob["office"]) == ("create", "Dialpad_Support", "London")
    assert bob["office_rule"] == "country"  # no office field arrives by default: the country places him
    assert rows["ann.lee@northwind.example"]["number"] == "+14155550101"  # the pulled pool, in order


def test_okta_503_then_success_and_a_slow_page(capsys: pytest.CaptureFixture[str], okta: OktaServer,
                                               tmp_path: Path) -> None:
    okta.fail("/api/v1/users", 503)
    okta.slow["/api/v1/users/00u6fay/groups"] = 0.3
    out = tmp_path / "u.ndjson"
    code, _, err = okta_pull(capsys, okta, out)
    assert code == 0, err
    assert okta.slow_started.is_set() and len(read(out)) == 7
    assert [s.path for s in okta.seen[:2]] == ["/api/v1/users", "/api/v1/users"]  # the 503, then again
