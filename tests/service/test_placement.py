"""Placement in the service: the same engine as the preview, on live seats and numbers."""

from __future__ import annotations

import json

import httpx

from engine.demo import demo_bytes, demo_settings
from tests.service.conftest import Server

PLACEMENT = "urn:scim-assistant:schemas:extension:placement:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
FIELDS = {"office": "office", "officeRule": "office_rule", "license": "license",
          "licenseRule": "license_rule", "seat": "seat", "number": "number",
          "numberSource": "number_source", "areaCode": "area_code", "proratedCost": "prorated_cost"}


def push_settings(http: httpx.Client, settings: dict) -> str:
    etag = http.get("/api/v1/settings").headers["etag"]
    r = http.put("/api/v1/settings", json=settings, headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    return r.headers["etag"]


def user(name: str, office: str | None = None, **extra: object) -> dict:
    doc: dict = {"schemas": [USER], "userName": name, "active": True}
    if office is not None:
        doc[ENTERPRISE] = {"officeName": office}
    doc.update(extra)
    return doc


def placement(r: httpx.Response) -> dict:
    assert r.status_code in (200, 201), r.text
    return r.json().get(PLACEMENT, {})


def test_preview_equals_reality_for_the_demo(http: httpx.Client) -> None:
    push_settings(http, demo_settings().to_dict())
    preview = http.post("/api/v1/preview", content=demo_bytes("users"),
                        headers={"Content-Type": "application/json"})
    assert preview.status_code == 200, preview.text
    rows = preview.json()["users"]
    users = json.loads(demo_bytes("users"))["Resources"]
    assert len(rows) == len(users)
    created = 0
    for row, doc in zip(rows, users, strict=True):
        r = http.post("/scim/v2/Users", json=doc)
        if row["status"] == "create":
            got = placement(r)
            want = {k: row[v] for k, v in FIELDS.items() if row[v] is not None}
            assert got == want, (row["userName"], got, want)
            created += 1
        elif row["status"] == "skip" and row["reason"] == "inactive":
            assert r.status_code == 201 and PLACEMENT not in r.json()
        elif row["reason"] == "duplicate_user":
            assert r.status_code == 409, r.text
        else:
            assert r.status_code == 400, (row, r.text)
            if row["status"] in ("reject", "skip"):
                assert row["reason"] in r.json()["detail"]
    assert created > 30
    company = http.get("/api/v1/company").json()
    assert company["users"]["placed"] == created


def test_reject_reasons_are_scim_400(http: httpx.Client) -> None:
    s = demo_settings().to_dict()
    s["office"]["mismatch"] = "reject"
    s["office"]["country_fallback"] = False
    push_settings(http, s)
    r = http.post("/scim/v2/Users", json=user("a@northwind.example", "Atlantis"))
    assert r.status_code == 400 and "no_office_match" in r.json()["detail"]
    assert r.json()["scimType"] == "invalidValue"
    r = http.post("/scim/v2/Users", json=user("a@elsewhere.example", "Austin"))
    assert r.status_code == 400 and "other_domain" in r.json()["detail"]
    s["licenses"]["when_exhausted"] = "reject"
    push_settings(http, s)
    # Austin has one Sales seat
    ok = http.post("/scim/v2/Users", json=user("s1@northwind.example", "Austin",
                                                **{ENTERPRISE: {"officeName": "Austin",
                                                                "licenseType": "Dialpad_Ai Sales"}}))
    assert placement(ok)["license"] == "Dialpad_Ai Sales"
    r = http.post("/scim/v2/Users", json=user("s2@northwind.example", "Austin",
                                               **{ENTERPRISE: {"officeName": "Austin",
                                                               "licenseType": "Dialpad_Ai Sales"}}))
    assert r.status_code == 400 and "out_of_licenses" in r.json()["detail"]
    s["office"]["mismatch"] = "best_match"
    push_settings(http, s)
    for i in range(5):  # Manchester and Munich hold no Support seat; others run out
        http.post("/scim/v2/Users", json=user(f"cc{i}@northwind.example", "Nowhere",
                                              **{ENTERPRISE: {"officeName": "Nowhere",
                                                              "licenseType": "Dialpad_Support"}}))
    offices = http.get("/api/v1/company").json()["offices"]
    seats = {o["name"]: o["seats"]["Dialpad_Support"]["left"] for o in offices}
    if not any(seats.values()):
        r = http.post("/scim/v2/Users", json=user("cc9@northwind.example", "Nowhere",
                                                   **{ENTERPRISE: {"licenseType": "Dialpad_Support"}}))
        assert r.status_code == 400 and "no_office_can_add" in r.json()["detail"]


def office_numbers(http: httpx.Client, office: str) -> dict:
    return next(o for o in http.get("/api/v1/company").json()["offices"] if o["name"] == office)


def test_deactivate_delete_move_and_relicense(http: httpx.Client) -> None:
    push_settings(http, demo_settings().to_dict())
    r = http.post("/scim/v2/Users", json=user("mo@northwind.example", "Toronto"))
    p = placement(r)
    uid = r.json()["id"]
    assert p["office"] == "Toronto" and p["number"] == "+14165550100"
    toronto = office_numbers(http, "Toronto")
    assert toronto["seats"]["Dialpad_Ai Voice"]["in_use"] == 1
    # Entra: capitalised op, "False" string
    r = http.patch(f"/scim/v2/Users/{uid}", json={"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": "active", "value": "False"}]})
    assert r.status_code in (200, 204), r.text
    got = http.get(f"/scim/v2/Users/{uid}").json()
    assert got["active"] is False and PLACEMENT not in got
    toronto = office_numbers(http, "Toronto")
    assert toronto["seats"]["Dialpad_Ai Voice"]["in_use"] == 0
    assert "+14165550100" in toronto["numbers"]["free"]
    # reactivate, then move to Berlin: seat and number move
    http.patch(f"/scim/v2/Users/{uid}", json={"schemas": [PATCH], "Operations": [
        {"op": "replace", "value": {"active": True}}]})
    assert http.get(f"/scim/v2/Users/{uid}").json()[PLACEMENT]["office"] == "Toronto"
    r = http.patch(f"/scim/v2/Users/{uid}", json={"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": f"{ENTERPRISE}:officeName", "value": "Berlin"}]})
    got = http.get(f"/scim/v2/Users/{uid}").json()[PLACEMENT]
    assert got["office"] == "Berlin" and got["number"] == "+493012345601"
    assert "+14165550100" in office_numbers(http, "Toronto")["numbers"]["free"]
    assert office_numbers(http, "Berlin")["seats"]["Dialpad_Ai Voice"]["in_use"] == 1
    # Entra: manager as a string
    r = http.patch(f"/scim/v2/Users/{uid}", json={"schemas": [PATCH], "Operations": [
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "boss-id"}]})
    assert r.status_code in (200, 204), r.text
    assert http.get(f"/scim/v2/Users/{uid}").json()[ENTERPRISE]["manager"]["value"] == "boss-id"
    # group membership re-licenses (the way Okta and Entra push groups)
    g = http.post("/scim/v2/Groups", json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                          "displayName": "Contact Center Agents"})
    gid = g.json()["id"]
    r = http.patch(f"/scim/v2/Groups/{gid}", json={"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": uid}]}]})
    assert r.status_code in (200, 204), r.text
    got = http.get(f"/scim/v2/Users/{uid}").json()
    assert got[PLACEMENT]["license"] == "Dialpad_Support" and got[PLACEMENT]["licenseRule"] == "group"
    assert "number" not in got[PLACEMENT]
    assert [x["display"] for x in got["groups"]] == ["Contact Center Agents"]
    berlin = office_numbers(http, "Berlin")
    assert berlin["seats"]["Dialpad_Ai Voice"]["in_use"] == 0
    assert berlin["seats"]["Dialpad_Support"]["in_use"] == 1
    r = http.patch(f"/scim/v2/Groups/{gid}", json={"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": f'members[value eq "{uid}"]'}]})
    assert r.status_code in (200, 204), r.text
    assert http.get(f"/scim/v2/Users/{uid}").json()[PLACEMENT]["license"] == "Dialpad_Ai Voice"
    # licenseType change
    r = http.patch(f"/scim/v2/Users/{uid}", json={"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": f"{ENTERPRISE}:licenseType", "value": "Dialpad_Ai Sales"}]})
    got = http.get(f"/scim/v2/Users/{uid}").json()[PLACEMENT]
    assert got["license"] == "Dialpad_Ai Sales" and got["licenseRule"] == "attribute"
    # delete frees everything
    assert http.delete(f"/scim/v2/Users/{uid}").status_code == 204
    berlin = office_numbers(http, "Berlin")
    assert all(v["in_use"] == 0 for v in berlin["seats"].values())
    assert berlin["numbers"]["assigned"] == {}
    assert http.get(f"/scim/v2/Users/{uid}").status_code == 404


def test_settings_api(server: Server, http: httpx.Client) -> None:
    r = http.get("/api/v1/settings")
    etag = r.headers["etag"]
    body = demo_settings().to_dict()
    assert http.put("/api/v1/settings", json=body).status_code == 428
    ok = http.put("/api/v1/settings", json=body, headers={"If-Match": etag, "X-Actor": "ann"})
    assert ok.status_code == 200 and ok.headers["etag"] != etag
    stale = http.put("/api/v1/settings", json=body, headers={"If-Match": etag})
    assert stale.status_code == 412
    bad = dict(body, office={"fields": ["nope"], "mismatch": "sometimes"},
               sso={"enforce": True, "break_glass": []})
    r = http.put("/api/v1/settings", json=bad, headers={"If-Match": ok.headers["etag"]})
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert len(problems) >= 2 and any("office.fields" in p for p in problems)
    assert any("office.mismatch" in p for p in problems)
    sso_only = dict(body, sso={"enforce": True, "idp_entity_id": "", "idp_sso_url": "http://x",
                               "certificate": "", "break_glass": []})
    r = http.put("/api/v1/settings", json=sso_only, headers={"If-Match": ok.headers["etag"]})
    assert r.status_code == 422 and len(r.json()["problems"]) >= 3
    history = http.get("/api/v1/settings/history").json()["versions"]
    assert len(history) == 1 and history[0]["author"] == "ann" and "office" in history[0]["summary"]
    assert httpx.put(server.url + "/api/v1/settings", json=body).status_code == 401
