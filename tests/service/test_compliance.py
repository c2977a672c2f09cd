"""SCIM compliance: scim2-tester's check_server with no error, and the Okta SCIM 2.0 spec checks."""

from __future__ import annotations

from typing import Annotated

import httpx
from pydantic import Field
from scim2_models import Email, Group, ResourceType, ScimPolicy, ScimProvider
from scim2_tester import Status, check_server

from engine.service.models import AssistantEnterpriseUser, AssistantUser, service_config
from tests.service.conftest import Server
from tests.service.scimclient import HttpxSCIMClient

USER = "urn:ietf:params:scim:schemas:core:2.0:User"


class CompanyEmail(Email):
    """The IdP's users have addresses in the company domain: users from other domains are
    refused by design (SPEC 5.2, reason other_domain), so the checker's data must be in scope."""

    value: Annotated[str | None, Field(examples=["ada@northwind.example", "bob@northwind.example"])] = None


class CheckedUser(AssistantUser):
    emails: list[CompanyEmail] | None = None  # type: ignore[assignment]


def client_provider() -> ScimProvider:
    """How the checker sees the service: its models, minus the read-only placement extension
    (which a client cannot write; ScimPolicy ignores it in responses)."""
    user = CheckedUser[AssistantEnterpriseUser]
    return ScimProvider(models=[CheckedUser, AssistantEnterpriseUser, Group],
                        resource_types=[ResourceType.from_resource(user), ResourceType.from_resource(Group)],
                        config=service_config(), policy=ScimPolicy(unknown=ScimPolicy.Unknown.ignore))


def test_check_server_finds_no_error(server: Server) -> None:
    with httpx.Client(base_url=server.scim_url, headers=server.headers, timeout=30) as http:
        client = HttpxSCIMClient(http, provider=client_provider())
        results = check_server(client)
    bad = [(r.title, r.reason) for r in results if r.status not in (Status.SUCCESS, Status.SKIPPED)]
    assert results and not bad, bad


def error_of(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert "urn:ietf:params:scim:api:messages:2.0:Error" in body["schemas"]
    assert body["status"] == str(status)
    return body


def user(name: str, **extra: object) -> dict:
    return {"schemas": [USER], "userName": name, "active": True,
            "name": {"givenName": "T", "familyName": name.split("@")[0]},
            "emails": [{"value": name, "type": "work", "primary": True}], **extra}


def test_401_without_or_with_a_wrong_token(server: Server) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
        for path in ("/scim/v2/Users", "/scim/v2/ServiceProviderConfig", "/api/v1/settings"):
            r = httpx.get(server.url + path, headers=headers)
            error_of(r, 401)
            assert r.headers["www-authenticate"].startswith("Bearer")


def test_okta_spec_checks(http: httpx.Client) -> None:
    # create, then the duplicate is a 409 uniqueness
    r = http.post("/scim/v2/Users", json=user("Okta.Test@northwind.example"))
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    body = error_of(http.post("/scim/v2/Users", json=user("okta.test@northwind.example")), 409)
    assert body["scimType"] == "uniqueness"
    # case-insensitive userName eq
    for spelling in ("okta.test@northwind.example", "OKTA.TEST@NORTHWIND.EXAMPLE"):
        r = http.get("/scim/v2/Users", params={"filter": f'userName eq "{spelling}"'})
        assert r.status_code == 200 and r.json()["totalResults"] == 1
        assert r.json()["Resources"][0]["id"] == uid
    r = http.get("/scim/v2/Users", params={"filter": 'userName eq "nobody@northwind.example"'})
    assert r.json()["totalResults"] == 0 and r.json().get("Resources", []) == []
    # 404 as a SCIM error
    error_of(http.get("/scim/v2/Users/does-not-exist"), 404)
    # paging
    for i in range(5):
        assert http.post("/scim/v2/Users", json=user(f"page{i}@northwind.example")).status_code == 201
    r = http.get("/scim/v2/Users", params={"startIndex": 2, "count": 2})
    page = r.json()
    assert page["totalResults"] == 6 and page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert len(page["Resources"]) == 2
    # Okta deactivates with a path-less replace
    patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations": [{"op": "replace", "value": {"active": False}}]}
    r = http.patch(f"/scim/v2/Users/{uid}", json=patch)
    assert r.status_code in (200, 204), r.text
    got = http.get(f"/scim/v2/Users/{uid}").json()
    assert got["active"] is False
    assert "urn:scim-assistant:schemas:extension:placement:2.0:User" not in got


def test_discovery_endpoints(http: httpx.Client) -> None:
    spc = http.get("/scim/v2/ServiceProviderConfig").json()
    assert spc["patch"]["supported"] and spc["filter"]["supported"]
    schemas = {s["id"] for s in http.get("/scim/v2/Schemas").json()["Resources"]}
    assert "urn:scim-assistant:schemas:extension:placement:2.0:User" in schemas
    placement = http.get("/scim/v2/Schemas/urn:scim-assistant:schemas:extension:placement:2.0:User").json()
    assert {a["mutability"] for a in placement["attributes"]} == {"readOnly"}
    types = http.get("/scim/v2/ResourceTypes").json()["Resources"]
    assert {t["name"] for t in types} == {"User", "Group"}
