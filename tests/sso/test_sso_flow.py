"""The test sign-in end to end: a real `serve` on loopback, the test IdP signing with signxml, the
admin's browser played by httpx. A good response passes; each attack is refused with its own
reason; enforcement is refused until a test with the same settings passed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import etree

from engine.saml import NS_ASSERTION, NS_DSIG, NS_METADATA, fingerprint_sha256
from tests.certgen import der, make_cert
from tests.saml_idp import SSO_URL, other_key_pem, serialize
from tests.sso.conftest import USER, Flow

A = f"{{{NS_ASSERTION}}}"
SIG = f"{{{NS_DSIG}}}Signature"


def reason_of(page: str) -> str:
    found = re.search(r"<p id=reason>(.*?)</p>", page, re.S)
    assert found, page
    return found.group(1)


def test_metadata_is_public_and_describes_the_sp(flow: Flow) -> None:
    r = flow.browser.get("/saml/metadata")
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    base = flow.server.url
    assert root.get("entityID") == f"{base}/saml/metadata"
    sp = root.find(f"{{{NS_METADATA}}}SPSSODescriptor")
    assert sp.get("WantAssertionsSigned") == "true"
    acs = sp.find(f"{{{NS_METADATA}}}AssertionConsumerService")
    assert acs.get("Location") == f"{base}/saml/acs"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    assert sp.findtext(f"{{{NS_METADATA}}}NameIDFormat") == \
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


def test_the_api_needs_the_token(flow: Flow) -> None:
    assert flow.browser.post("/api/v1/sso-tests", json={}).status_code == 401
    assert flow.browser.get("/api/v1/sso-tests/x").status_code == 401


def test_a_good_response_passes(flow: Flow) -> None:
    test = flow.start()
    assert set(test) == {"id", "login_url", "expires_at"}
    expires = dt.datetime.fromisoformat(test["expires_at"].replace("Z", "+00:00"))
    assert dt.timedelta(minutes=14) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=15)
    assert flow.status(test)["status"] == "pending"
    req = flow.login(test)
    assert req.relay_state == test["id"]
    assert req.acs == f"{flow.server.url}/saml/acs"
    assert req.sp_entity_id == f"{flow.server.url}/saml/metadata"
    r = flow.post(flow.idp.good(req, USER), req.relay_state)
    assert r.status_code == 200 and "passed" in r.text and USER in r.text
    status = flow.status(test)
    assert status["status"] == "passed" and status["user"] == USER and status["reason"] is None
    assert status["finished_at"]
    assert status["fingerprint_sha256"] == fingerprint_sha256(der(flow.idp.cert))


def test_a_signed_response_passes(flow: Flow) -> None:
    test = flow.start()
    req = flow.login(test)
    response = flow.idp.response(req, flow.idp.assertion(req, USER, slot=False), placeholder=True)
    r = flow.post(serialize(flow.idp.sign(response)), req.relay_state)
    assert r.status_code == 200, r.text
    assert flow.status(test)["status"] == "passed"


# -- attacks: each refused with its own reason --------------------------------------------------


def _unsigned(idp, req):
    a = idp.assertion(req, USER)
    a.remove(a.find(SIG))
    return serialize(idp.response(req, a))


def _other_key(idp, req):
    return serialize(idp.response(req, idp.sign(idp.assertion(req, USER), key_pem=other_key_pem())))


def _wrapped(position):
    def build(idp, req):
        root = etree.fromstring(idp.good(req, "nobody@elsewhere.example"))
        evil = idp.assertion(req, USER)
        evil.remove(evil.find(SIG))
        if position == "before":
            root.insert(2, evil)
        else:
            root.append(evil)
        return serialize(root)
    return build


def _moved_signature(idp, req):
    root = etree.fromstring(idp.good(req, USER))
    assertion = root.find(f"{A}Assertion")
    sig = assertion.find(SIG)
    assertion.remove(sig)
    root.insert(1, sig)  # now a child of the Response, still referencing the assertion
    return serialize(root)


def _comment_in_name_id(idp, req):
    signed = idp.good(req, USER + ".evil.example")
    return signed.replace(USER.encode() + b".evil", USER.encode() + b"<!---->.evil")


def _now(minutes):
    return dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)


ATTACKS = {
    "unsigned": (_unsigned, "is not signed"),
    "other key": (_other_key, "does not verify with the candidate certificate"),
    "second assertion before": (_wrapped("before"), "holds 2 assertions"),
    "second assertion after": (_wrapped("after"), "holds 2 assertions"),
    "signature moved": (_moved_signature, "not inside the element it signs"),
    "comment in NameID": (_comment_in_name_id, "NameID contains a comment"),
    "expired": (lambda idp, req: idp.good(req, USER, now=_now(-20)), "expired at"),
    "not yet valid": (lambda idp, req: idp.good(req, USER, not_before=_now(10), not_on_or_after=_now(20)),
                      "not valid yet"),
    "wrong audience": (lambda idp, req: idp.good(req, USER, audience="https://other.example/sp"),
                       "The Audience is"),
    "wrong recipient": (lambda idp, req: idp.good(req, USER, recipient="https://other.example/acs"),
                        "The Recipient is"),
    "wrong destination": (lambda idp, req: idp.good(req, USER, destination="https://other.example/acs"),
                          "The Destination is"),
    "unknown InResponseTo": (lambda idp, req: serialize(idp.response(
        req, idp.sign(idp.assertion(req, USER, in_response_to="_unknown")), in_response_to="_unknown")),
        "unknown InResponseTo"),
    "outside the company domains": (lambda idp, req: idp.good(req, "ann@evil.example"),
                                    "is not in a company domain"),
    "DTD": (lambda idp, req: b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]>'
            + idp.good(req, USER).split(b"?>", 1)[1], "DTD or entity"),
    "issuer": (lambda idp, req: idp.good(req, USER, issuer="https://evil.example/idp"), "Issuer is"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_each_attack_is_refused_with_its_own_reason(flow: Flow, attack: str) -> None:
    build, expected = ATTACKS[attack]
    test = flow.start()
    req = flow.login(test)
    r = flow.post(build(flow.idp, req), req.relay_state)
    assert r.status_code == 400
    reason = reason_of(r.text)
    assert expected in reason
    others = [e for name, (_, e) in ATTACKS.items() if e != expected]
    assert not any(o in reason for o in others), reason
    status = flow.status(test)
    assert status["status"] == "failed" and status["user"] is None
    assert expected in status["reason"]


def test_a_replayed_response_is_refused(flow: Flow) -> None:
    test = flow.start()
    req = flow.login(test)
    good = flow.idp.good(req, USER)
    assert flow.post(good, req.relay_state).status_code == 200
    again = flow.post(good, req.relay_state)
    assert again.status_code == 400
    assert "already answered" in reason_of(again.text)
    assert "not recorded: the test had already passed" in again.text
    assert flow.status(test)["status"] == "passed"  # a verdict, once recorded, stays


def test_a_response_for_another_test_is_refused(flow: Flow) -> None:
    first, second = flow.start(), flow.start()
    req = flow.login(first)
    r = flow.post(flow.idp.good(req, USER), second["id"])
    assert "unknown InResponseTo" in reason_of(r.text)


def test_a_body_over_1_mib_is_refused(flow: Flow) -> None:
    test = flow.start()
    r = flow.browser.post("/saml/acs", content=b"SAMLResponse=" + b"A" * (1024 * 1024) + b"&RelayState="
                          + test["id"].encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert "over 1 MiB" in reason_of(r.text)


def test_unusable_candidate_settings_are_refused(flow: Flow) -> None:
    r = flow.api.post("/api/v1/sso-tests", json={"idp_entity_id": "", "idp_sso_url": "http://idp.example/sso",
                                                  "certificate": "not a certificate"})
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert any("idp_entity_id" in p for p in problems)
    assert any("https" in p for p in problems)
    assert len(problems) == 3


def test_login_for_an_unknown_test_is_404(flow: Flow) -> None:
    assert flow.browser.get("/saml/login/nope").status_code == 404


def test_the_verdict_page_escapes_what_the_idp_sent(flow: Flow) -> None:
    test = flow.start()
    req = flow.login(test)
    r = flow.post(flow.idp.good(req, USER, audience="&lt;script&gt;x"), req.relay_state)
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text


# -- the guard -------------------------------------------------------------------------------------


def test_enforcement_is_refused_before_a_pass_and_accepted_after(flow: Flow) -> None:
    entity = "https://idp.test.example/saml/enforce"
    etag = flow.api.get("/api/v1/settings").headers["ETag"]
    settings = flow.api.get("/api/v1/settings").json()
    settings["sso"] = {"enforce": True, "idp_entity_id": entity, "idp_sso_url": SSO_URL,
                       "certificate": flow.idp.cert_base64, "break_glass": ["admin@northwind.example"]}
    r = flow.api.put("/api/v1/settings", json=settings, headers={"If-Match": etag})
    assert r.status_code == 422
    assert any("run a test sign-in" in p for p in r.json()["problems"])

    # A pass with another SSO URL does not count.
    flow.pass_test(entity_id=entity, sso_url=SSO_URL + "/other")
    r = flow.api.put("/api/v1/settings", json=settings, headers={"If-Match": etag})
    assert r.status_code == 422

    flow.pass_test(entity_id=entity)
    r = flow.api.put("/api/v1/settings", json=settings, headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    looked_up = flow.api.get("/api/v1/sso-tests", params={
        "idp_entity_id": entity, "idp_sso_url": SSO_URL,
        "fingerprint_sha256": fingerprint_sha256(der(flow.idp.cert))}).json()
    assert looked_up["passed"] and looked_up["passed"][0]["status"] == "passed"


def test_a_pass_verified_by_another_certificate_does_not_count(flow: Flow) -> None:
    entity = "https://idp.test.example/saml/other-cert"
    flow.pass_test(entity_id=entity)
    rotated = make_cert(cn="rotated.test.example", serial=0x0DD, valid_from_days=-2)
    r = flow.api.get("/api/v1/sso-tests", params={
        "idp_entity_id": entity, "idp_sso_url": SSO_URL, "fingerprint_sha256": fingerprint_sha256(der(rotated))})
    assert r.json()["passed"] == []
