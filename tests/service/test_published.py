"""Plain lists of Users and Groups, and creates, are answered from the stored rows
(engine.service.published): the same answer as scim2-server gives, on a real `serve` over loopback.

scim2-server answers a list that also carries `sortOrder` (without `sortBy` it sorts nothing),
and a POST with any query parameter, so the same request with and without one compares the
two paths."""

from __future__ import annotations

import httpx
import pytest

from engine.demo import demo_settings
from tests.service.conftest import Server
from tests.service.test_placement import ENTERPRISE, PATCH, push_settings, user

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


@pytest.fixture
def filled(server: Server, http: httpx.Client) -> dict[str, str]:
    """Users with groups, emails, a manager (bare, relative and absolute $ref), placed or not;
    groups with users and a group as members, one of them empty."""
    push_settings(http, demo_settings().to_dict())
    ids: dict[str, str] = {}

    def post(path: str, doc: dict) -> str:
        r = http.post(path, json=doc, headers={"Content-Type": "application/scim+json"})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    ids["ann"] = post("/scim/v2/Users", {**user("ann@northwind.example", "London"), "name": {
        "givenName": "Ann", "familyName": "Lee"}} | dict(
        emails=[{"value": "Ann@northwind.example", "type": "work", "primary": True}],
        phoneNumbers=[{"value": "+44 20 1", "type": "work"}], password="never-stored",
        groups=[{"display": "Sales Team"}, {"display": "Everyone"}]))
    ids["bob"] = post("/scim/v2/Users", user("bob@northwind.example", "London",
                                             **{ENTERPRISE: {"officeName": "London",
                                                             "manager": {"value": ids["ann"]}}}))
    ids["cy"] = post("/scim/v2/Users", user("cy@northwind.example", "Berlin", externalId="00u3",
                                            **{ENTERPRISE: {"officeName": "Berlin", "manager": {
                                                "value": ids["ann"], "$ref": f"Users/{ids['ann']}"}}}))
    ids["di"] = post("/scim/v2/Users", user("di@northwind.example", "Berlin", active=False,
                                            **{ENTERPRISE: {"officeName": "Berlin", "manager": {
                                                "value": ids["bob"],
                                                "$ref": f"https://idp.example/Users/{ids['bob']}"}}}))
    ids["empty"] = post("/scim/v2/Groups", {"schemas": [GROUP], "displayName": "Nobody"})
    ids["nested"] = post("/scim/v2/Groups", {"schemas": [GROUP], "displayName": "Nested", "members": [
        {"value": ids["bob"], "type": "User"}, {"value": ids["empty"], "type": "Group"}]})
    r = http.patch(f"/scim/v2/Groups/{ids['nested']}", headers={"Content-Type": "application/scim+json"},
                   json={"schemas": [PATCH], "Operations": [
                       {"op": "add", "path": "members", "value": [{"value": ids["cy"], "display": "Cy"}]}]})
    assert r.status_code in (200, 204), r.text
    return ids


QUERIES = [
    "/scim/v2/Users",
    "/scim/v2/Users?startIndex=2&count=2",
    "/scim/v2/Users?count=0",
    "/scim/v2/Users?startIndex=50",
    '/scim/v2/Users?filter=userName eq "BOB@northwind.example"',
    '/scim/v2/Users?filter=emails[type eq "work"].value eq "ann@northwind.example"',
    '/scim/v2/Users?filter=externalId eq "00u3" and active eq true',
    '/scim/v2/Users?filter=userName sw "c"',
    "/scim/v2/Groups",
    '/scim/v2/Groups?filter=displayName eq "nested"',
    "/scim/v2/Groups?count=1&startIndex=3",
    # errors: the same SCIM error from both paths
    '/scim/v2/Users?filter=password eq "x"',
    "/scim/v2/Users?filter=userName eq",
    "/scim/v2/Users?count=abc",
]


@pytest.mark.parametrize("query", QUERIES)
def test_a_plain_list_is_what_scim2_server_answers(filled: dict[str, str], http: httpx.Client,
                                                   query: str) -> None:
    fast = http.get(query)
    slow = http.get(query + ("&" if "?" in query else "?") + "sortOrder=ascending")
    assert (fast.status_code, fast.json()) == (slow.status_code, slow.json())
    for name in ("content-type", "location", "cache-control"):
        assert fast.headers.get(name) == slow.headers.get(name)
    if fast.status_code == 200:
        assert b", " not in fast.content  # compact: answered from the rows, not by scim2-server


def test_every_listed_resource_is_what_a_get_of_it_answers(filled: dict[str, str], http: httpx.Client) -> None:
    listed = http.get("/scim/v2/Users").json()["Resources"] + http.get("/scim/v2/Groups").json()["Resources"]
    hinted = {d["id"] for d in listed if d.get("displayName") in ("Sales Team", "Everyone")}
    assert {d["id"] for d in listed} == {*filled.values(), *hinted} and len(hinted) == 2
    for doc in listed:
        one = http.get(doc["meta"]["location"])
        assert one.json() == doc
        assert "password" not in doc
    members = {d["displayName"]: d.get("members") for d in listed if "displayName" in d and "members" in d}
    assert {m["value"] for m in members["Nested"]} == {filled["bob"], filled["empty"], filled["cy"]}


def test_a_create_answers_what_scim2_server_answers(filled: dict[str, str], http: httpx.Client) -> None:
    hinted = user("eve@northwind.example", "London", groups=[{"display": "Sales Team"}], password="x",
                  emails=[{"value": "eve@northwind.example", "type": "work"}])
    managed = user("fay@northwind.example", "Berlin", **{ENTERPRISE: {"officeName": "Berlin",
                                                                      "manager": {"value": filled["ann"]}}})
    group = {"schemas": [GROUP], "displayName": "Reports", "members": [{"value": filled["bob"]}]}
    for path, doc in (("/scim/v2/Users", hinted), ("/scim/v2/Users", managed), ("/scim/v2/Groups", group)):
        fast = http.post(path, json=doc, headers={"Content-Type": "application/scim+json"})
        assert fast.status_code == 201, fast.text
        assert b", " not in fast.content  # answered from the row
        assert fast.json() == http.get(fast.headers["location"]).json()
        assert "password" not in fast.json()
        again = {**doc, "userName": "x" + doc["userName"]} if "userName" in doc else {**doc, "displayName": "Other"}
        slow = http.post(path + "?via=scim2-server", json=again, headers={"Content-Type": "application/scim+json"})
        assert slow.status_code == 201 and b", " in slow.content
        for r in (fast, slow):
            meta = r.json()["meta"]
            assert (r.headers["location"], r.headers["content-location"], r.headers["etag"]) == \
                (meta["location"], meta["location"], meta["version"])
        assert {k for k in fast.headers if k not in ("content-length", "date")} == \
            {k for k in slow.headers if k not in ("content-length", "date", "transfer-encoding")}
    # errors are scim2-server's: a clash, a body that is not a User, a rejected user
    clash = http.post("/scim/v2/Users", json=hinted, headers={"Content-Type": "application/scim+json"})
    assert clash.status_code == 409 and clash.json()["scimType"] == "uniqueness"
    bad = http.post("/scim/v2/Users", json={"userName": 3}, headers={"Content-Type": "application/scim+json"})
    assert bad.status_code == 400
    assert http.get("/scim/v2/Users?filter=userName eq \"eve@northwind.example\"").json()["totalResults"] == 1
