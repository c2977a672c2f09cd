"""The lock-out guard: enforcing SSO is not pushed until nobody is locked out (SPEC section 6)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.sso import BLOCKED_SIGN_IN_METHODS, guard_problems, locked_out_users
from tests.certgen import bare_base64, expiring_in, make_cert, pem

DOMAINS = ["acme.example", "acme-eu.example"]


@pytest.fixture(scope="module")
def good() -> dict:
    return {
        "enforce": True,
        "idp_entity_id": "https://idp.example.com/saml",
        "idp_sso_url": "https://idp.example.com/sso",
        "certificate": bare_base64(make_cert()),
        "break_glass": ["admin@acme.example"],
        "company_domains": DOMAINS,
        "today": datetime.now(UTC).date(),
    }


def test_good_settings_may_be_pushed(good):
    assert guard_problems(**good) == []


def test_nothing_is_checked_without_enforcement(good):
    empty = {"idp_entity_id": "", "idp_sso_url": "", "certificate": "", "break_glass": []}
    assert guard_problems(**{**good, **empty, "enforce": False}) == []


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"idp_entity_id": "  "}, "entity ID"),
        ({"idp_sso_url": ""}, "SSO URL"),
        ({"idp_sso_url": "http://idp.example.com/sso"}, "https"),
        ({"idp_sso_url": "https://"}, "https"),
        ({"certificate": ""}, "signing certificate"),
        ({"certificate": "not a certificate"}, "Fix the certificate"),
        ({"certificate": bare_base64(make_cert(valid_from_days=-400, valid_for_days=30))},
         "expired"),
        ({"certificate": bare_base64(make_cert(key="rsa1024"))}, "1024"),
        # Made in the test, as tests/test_certs.py does: made at collection, a run that passes
        # midnight (UTC) would find one day fewer left.
        (lambda: {"certificate": bare_base64(expiring_in(13))}, "14 more days"),
        ({"break_glass": []}, "break-glass"),
        ({"break_glass": ["admin@gmail.example", "not-an-address"]}, "company domain"),
        ({"break_glass": ["admin@acme.example.evil"]}, "company domain"),
        ({"company_domains": []}, "company.domains"),
    ],
    ids=["entity-id", "url-missing", "url-http", "url-no-host", "cert-missing", "cert-garbage",
         "cert-expired", "cert-weak", "cert-13-days", "break-glass-none",
         "break-glass-outside", "break-glass-suffix", "no-domains"],
)
def test_each_failed_condition_is_one_sentence(good, change, phrase):
    change = change() if callable(change) else change
    problems = guard_problems(**{**good, **change})
    assert len(problems) == 1, problems
    assert phrase in problems[0]


@pytest.mark.parametrize(
    "change",
    [
        lambda: {"certificate": bare_base64(expiring_in(14))},  # made in the test (see above)
        {"certificate": pem(make_cert()).decode()},
        {"certificate": bare_base64(make_cert(key="ec"))},  # a warning does not block
        {"break_glass": ["someone@gmail.example", " Admin@ACME-EU.example "]},
        {"company_domains": ["ACME.example"]},
    ],
    ids=["cert-14-days", "pem", "ec-warning", "break-glass-case", "domain-case"],
)
def test_conditions_that_hold(good, change):
    change = change() if callable(change) else change
    assert guard_problems(**{**good, **change}) == []


def test_every_failure_is_reported_at_once(good):
    bad = {"idp_entity_id": "", "idp_sso_url": "ftp://x", "certificate": "", "break_glass": []}
    assert len(guard_problems(**{**good, **bad})) == 4


def test_blocked_sign_in_methods():
    assert BLOCKED_SIGN_IN_METHODS == ("Google OAuth", "Microsoft OAuth", "email/password")


@dataclass
class User:
    user_name: str
    domain: str | None
    active: bool = True


def test_locked_out_users_and_why():
    users = [
        User("ann@acme.example", "acme.example"),
        User("bob@ACME-EU.example", "ACME-EU.example"),
        User("cat@contractor.example", "contractor.example"),
        {"user_name": "dan@acme.example", "domain": "acme.example", "active": False},
        User("eve@gmail.example", "gmail.example"),  # break-glass: keeps a way in
        User("fay@acme.example", "acme.example", active=False),  # break-glass, but deactivated
        User("gus", None),
        User("hal@acme.example", None),  # domain from the user name
    ]
    locked = locked_out_users(users, DOMAINS, ["EVE@gmail.example", "fay@acme.example"])
    assert [(u.user_name, u.reason) for u in locked] == [
        ("cat@contractor.example", "other_domain"),
        ("dan@acme.example", "inactive"),
        ("fay@acme.example", "inactive"),
        ("gus", "no_domain"),
    ]
    assert "break-glass" in locked[2].detail
    assert "contractor.example" in locked[0].detail


def test_engine_does_not_import_the_ui():
    code = ("import sys, engine.sso, engine.certs; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('textual', 'rich', 'app', 'widgets')]; print(bad); sys.exit(bool(bad))")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
