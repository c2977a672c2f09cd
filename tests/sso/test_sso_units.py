"""The test sign-in's parts on their own: the store's clock rules (15 minutes to sign in, 24 hours
a pass counts, each request answerable once), the guard's last condition, the Redirect binding."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from engine.saml import SpUrls, authn_request, inflate_request, redirect_url
from engine.service.sso_tests import SsoTests
from engine.sso import TEST_SIGN_IN_PROBLEM, PassedSignIns, certificate_fingerprints, guard_problems
from tests.certgen import bare_base64, make_cert
from tests.service.conftest import ROOT, free_port

FP = "AB:CD"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def store(tmp_path: Path) -> tuple[SsoTests, Clock]:
    clock = Clock()
    return SsoTests(tmp_path / "db.sqlite3", now=clock), clock


def test_a_pending_test_expires_after_15_minutes(tmp_path: Path) -> None:
    tests, clock = store(tmp_path)
    t = tests.create(idp_entity_id="e", idp_sso_url="u", certificate="c", fingerprint_sha256=FP)
    clock.now += dt.timedelta(minutes=14, seconds=59)
    assert tests.get(t.id).status == "pending"
    clock.now += dt.timedelta(seconds=1)
    assert tests.get(t.id).status == "expired"
    assert tests.finish(t.id, passed=True, user="a@b", reason=None) is False
    assert tests.get(t.id).status == "expired"


def test_the_first_verdict_stays(tmp_path: Path) -> None:
    tests, _ = store(tmp_path)
    t = tests.create(idp_entity_id="e", idp_sso_url="u", certificate="c", fingerprint_sha256=FP)
    assert tests.finish(t.id, passed=False, user=None, reason="no") is True
    assert tests.finish(t.id, passed=True, user="a@b", reason=None) is False
    assert tests.get(t.id).to_json()["status"] == "failed"


def test_a_pass_counts_for_24_hours_for_the_same_settings_only(tmp_path: Path) -> None:
    tests, clock = store(tmp_path)
    t = tests.create(idp_entity_id="e", idp_sso_url="u", certificate="c", fingerprint_sha256=FP)
    tests.finish(t.id, passed=True, user="a@b", reason=None, fingerprint_sha256=FP)
    assert [p.id for p in tests.passed("e", "u", [FP.lower()])] == [t.id]
    assert tests.passed("e", "u2", [FP]) == [] and tests.passed("e2", "u", [FP]) == []
    assert tests.passed("e", "u", ["FF:FF"]) == []
    clock.now += dt.timedelta(hours=23, minutes=59)
    assert tests.passed("e", "u", [FP])
    clock.now += dt.timedelta(minutes=2)
    assert tests.passed("e", "u", [FP]) == []


def test_each_request_id_is_answerable_once_and_only_by_its_test(tmp_path: Path) -> None:
    tests, _ = store(tmp_path)
    a = tests.create(idp_entity_id="e", idp_sso_url="u", certificate="c", fingerprint_sha256=FP)
    b = tests.create(idp_entity_id="e", idp_sso_url="u", certificate="c", fingerprint_sha256=FP)
    tests.add_request(a.id, "_r1")
    assert "unknown InResponseTo" in tests.use_request(b.id, "_r1")
    assert tests.use_request(a.id, "_r1") is None
    assert "reused" in tests.use_request(a.id, "_r1")
    assert "unknown InResponseTo" in tests.use_request(a.id, "_nope")


def test_the_guard_demands_a_test_only_with_enforcement() -> None:
    cert = bare_base64(make_cert())
    good = dict(enforce=True, idp_entity_id="https://idp.example.com", idp_sso_url="https://idp.example.com/sso",
                certificate=cert, break_glass=["it@acme.example"], company_domains=["acme.example"],
                today=dt.date.today())
    assert guard_problems(**good) == []  # None: the caller cannot know, the service decides
    assert guard_problems(**good, sign_in_tested=True) == []
    assert guard_problems(**good, sign_in_tested=False) == [TEST_SIGN_IN_PROBLEM]
    assert guard_problems(**{**good, "enforce": False}, sign_in_tested=False) == []
    assert "run a test sign-in" in TEST_SIGN_IN_PROBLEM


def test_passes_seen_by_the_wizard_match_settings_exactly() -> None:
    cert, other = bare_base64(make_cert()), bare_base64(make_cert(cn="other.example", serial=7))
    passes = PassedSignIns()
    assert not passes.tested("e", "u", cert)
    now = dt.datetime.now(dt.UTC)
    passes.record("e", "u", certificate_fingerprints(cert)[0].lower(), now)
    assert passes.tested(" e ", "u", cert, now)
    assert not passes.tested("e", "u", other, now)
    assert not passes.tested("e", "https://other", cert, now)
    assert not passes.tested("e", "u", cert, now + dt.timedelta(hours=24, seconds=1))


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789=&%/", max_size=30),
       st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s and s))
def test_the_redirect_binding_round_trips(query: str, relay: str) -> None:
    sp = SpUrls("https://scim.example.com")
    base = "https://idp.example.com/sso" + (f"?{query}" if query else "")
    xml = authn_request(sp, request_id="_abc", destination=base, now=dt.datetime.now(dt.UTC))
    location = redirect_url(base, xml, relay)
    parsed = parse_qs(urlsplit(location).query, keep_blank_values=True)
    assert parsed["RelayState"][-1] == relay
    assert inflate_request(parsed["SAMLRequest"][-1]) == xml
    assert location.startswith("https://idp.example.com/sso?")


def test_sso_test_exits_3_when_the_service_cannot_be_reached(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f'version = 1\n[sso]\nidp_entity_id = "e"\nidp_sso_url = "https://idp.example.com/sso"\n'
                    f'certificate = "{bare_base64(make_cert())}"\n')
    r = subprocess.run([sys.executable, "-m", "app.cli", "sso-test", "--settings", str(path), "--to",
                        f"http://127.0.0.1:{free_port()}"], cwd=ROOT, text=True, capture_output=True,
                       timeout=120, env={**os.environ, "SCIM_ASSISTANT_REQUEST_TIMEOUT": "1"})
    assert r.returncode == 3, r.stderr
    assert "could not reach" in r.stderr and "Traceback" not in r.stderr
