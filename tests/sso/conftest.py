"""A real `scim-assistant serve` on loopback and the test IdP (tests/saml_idp.py) for the test
sign-in's end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.saml_idp import ENTITY_ID, SSO_URL, LoginRequest, SamlIdp, post_form, read_redirect
from tests.service.conftest import Server, start_server

USER = "ava.chen@northwind.example"  # a company domain of the demo directory


@dataclass
class Flow:
    """One service, one IdP; the calls an admin's tools and browser make."""

    server: Server
    idp: SamlIdp
    api: httpx.Client  # with the token
    browser: httpx.Client  # without: the admin's browser

    def start(self, *, certificate: str | None = None, entity_id: str = ENTITY_ID,
              sso_url: str = SSO_URL) -> dict:
        r = self.api.post("/api/v1/sso-tests", json={
            "idp_entity_id": entity_id, "idp_sso_url": sso_url,
            "certificate": self.idp.cert_base64 if certificate is None else certificate})
        assert r.status_code == 201, r.text
        return r.json()

    def login(self, test: dict) -> LoginRequest:
        r = self.browser.get(test["login_url"])
        assert r.status_code == 302, r.text
        assert r.headers["Location"].startswith(SSO_URL)
        return read_redirect(r.headers["Location"])

    def post(self, xml: bytes, relay_state: str) -> httpx.Response:
        return self.browser.post("/saml/acs", data=post_form(xml, relay_state))

    def status(self, test: dict) -> dict:
        r = self.api.get(f"/api/v1/sso-tests/{test['id']}")
        assert r.status_code == 200, r.text
        return r.json()

    def pass_test(self, entity_id: str = ENTITY_ID, sso_url: str = SSO_URL) -> dict:
        self.idp.entity_id = entity_id
        test = self.start(entity_id=entity_id, sso_url=sso_url)
        req = self.login(test)
        r = self.post(self.idp.good(req, USER), req.relay_state)
        assert r.status_code == 200, r.text
        return test


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = start_server(Path(tmp_path_factory.mktemp("sso")) / "service.sqlite3")
    yield s
    s.stop()


@pytest.fixture
def flow(sso_server: Server) -> Iterator[Flow]:
    with sso_server.client() as api, httpx.Client(base_url=sso_server.url, timeout=30) as browser:
        yield Flow(sso_server, SamlIdp(), api, browser)
