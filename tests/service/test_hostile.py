"""The service against hostile clients and the shapes real IdPs send (issue 10), on a real
`serve` over loopback."""

from __future__ import annotations

import socket
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from engine.demo import demo_settings
from tests.service.conftest import Server, start_server
from tests.service.test_placement import ENTERPRISE, PATCH, PLACEMENT, push_settings, user

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def raw(server: Server, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Send bytes as they are (headers no HTTP library would send) and read the whole answer
    (the connection is closed after it)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(head + b"\r\nConnection: close\r\n\r\n" + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data.partition(b"\r\n\r\n")[2]


def auth(server: Server) -> bytes:
    return f"Authorization: Bearer {server.token}".encode()


# -- limits --------------------------------------------------------------------------------------

def test_a_body_over_the_limit_is_refused_before_it_is_read(server: Server) -> None:
    head = (b"POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/scim+json\r\n"
            + auth(server) + b"\r\nContent-Length: 104857600")
    status, body = raw(server, head, b"{" + b" " * 1000)  # the other 100 MB are never sent
    assert status == 413 and b"tooLarge" in body


def test_a_streamed_body_is_cut_at_the_limit_and_max_body_is_taken(tmp_path: Path) -> None:
    server = start_server(tmp_path / "s.sqlite3", args=("--max-body", "4096"))
    try:
        with server.client() as http:
            def chunks():  # no Content-Length: chunked, read until it passes the limit
                for _ in range(100):
                    yield b" " * 1024
            r = http.post("/scim/v2/Users", content=chunks(), headers={"Content-Type": "application/scim+json"})
            assert r.status_code == 413 and r.json()["schemas"] == [ERROR]
            big = http.post("/scim/v2/Users", json=user("big@northwind.example", "London",
                                                        title="x" * 5000))
            assert big.status_code == 413
            assert http.get("/scim/v2/Users").json()["totalResults"] == 0
    finally:
        server.stop()


def test_caps_on_attributes_filters_groups_and_members(server: Server, http: httpx.Client) -> None:
    names = ",".join(f"a{i}" for i in range(200))
    assert http.get("/scim/v2/Users", params={"attributes": names}).status_code == 400
    long_filter = 'userName eq "' + "x" * 5000 + '"'
    r = http.get("/scim/v2/Users", params={"filter": long_filter})
    assert r.status_code == 400 and r.json()["scimType"] == "invalidFilter"
    push_settings(http, demo_settings().to_dict())
    many = [{"display": f"g{i}"} for i in range(150)]
    r = http.post("/scim/v2/Users", json=user("many@northwind.example", "London", groups=many))
    assert r.status_code == 400
    assert http.get("/scim/v2/Groups").json()["totalResults"] == 0
    g = http.post("/scim/v2/Groups", json={"schemas": [GROUP], "displayName": "Big"}).json()
    ops = [{"op": "add", "path": "members", "value": [{"value": f"u{i}"} for i in range(1500)]}]
    r = http.patch(f"/scim/v2/Groups/{g['id']}", json={"schemas": [PATCH], "Operations": ops})
    assert r.status_code == 400 and "1000" in r.json()["detail"]


def test_a_big_preview_does_not_hold_up_other_requests(server: Server, http: httpx.Client) -> None:
    rows = "".join(f"u{i}@northwind.example,London,GB\n" for i in range(150_000))
    csv = ("userName,officeName,country\n" + rows).encode()
    sent = threading.Event()
    order: list[str] = []

    def body():
        yield csv
        sent.set()

    def preview() -> None:
        with server.client(timeout=600) as c, c.stream(
                "POST", "/api/v1/preview", content=body(), headers={"Content-Type": "text/csv"}) as r:
            order.append("preview")  # its answer has started: the preview is computed
            r.read()

    t = threading.Thread(target=preview)
    t.start()
    assert sent.wait(120)
    assert http.get("/api/v1/settings").status_code == 200
    order.append("get")
    t.join(600)
    # The GET sent after the whole preview body is answered before the preview is: the
    # preview runs off the event loop.
    assert order[0] == "get", order


# -- passwords -------------------------------------------------------------------------------------

def test_passwords_are_never_stored_nor_filterable(server: Server, http: httpx.Client) -> None:
    push_settings(http, demo_settings().to_dict())
    r = http.post("/scim/v2/Users", json=user("pw@northwind.example", "London", password="Hunter2-secret"))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    http.put(f"/scim/v2/Users/{rid}", json=user("pw@northwind.example", "London", password="Other-secret"))
    with sqlite3.connect(server.db) as conn:
        dump = "\n".join(conn.iterdump())
    assert "Hunter2-secret" not in dump and "Other-secret" not in dump
    r = http.get("/scim/v2/Users", params={"filter": 'password eq "Hunter2-secret"'})
    assert r.status_code == 400 and r.json()["scimType"] == "invalidFilter"


# -- headers ---------------------------------------------------------------------------------------

def test_a_header_that_is_not_utf8_gets_a_scim_400(server: Server) -> None:
    head = b"GET /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth(server) + b"\r\nX-Name: caf\xe9"
    status, body = raw(server, head)
    assert status == 400 and ERROR.encode() in body and b"Traceback" not in body


def test_without_a_token_only_loopback_hosts_are_served(tmp_path: Path) -> None:
    server = start_server(tmp_path / "open.sqlite3", token="")
    try:
        for host, allowed in ((b"evil.example", False), (b"127.0.0.1:8787", True),
                              (b"localhost", True), (b"[::1]:80", True), (b"127.0.0.1.nip.io", False)):
            status, _ = raw(server, b"GET /api/v1/settings HTTP/1.1\r\nHost: " + host)
            assert (status == 200) == allowed, (host, status)
    finally:
        server.stop()


def test_writes_need_a_json_content_type(server: Server, http: httpx.Client) -> None:
    push_settings(http, demo_settings().to_dict())
    body = httpx.Request("POST", "/", json=user("ct@northwind.example", "London")).content
    for ctype in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": ctype} if ctype else {}
        r = http.post("/scim/v2/Users", content=body, headers=headers)
        assert r.status_code == 415, (ctype, r.text)
    r = http.put("/api/v1/settings", content=b"{}", headers={"Content-Type": "text/plain", "If-Match": "*"})
    assert r.status_code == 415
    assert http.get("/scim/v2/Users").json()["totalResults"] == 0
    assert http.post("/scim/v2/Users", content=body, headers={"Content-Type": "application/json"}).status_code == 201
    # SAML's HTTP-POST binding is a form: the rule lists its paths, and /saml is not one of them
    form = http.post("/saml/acs", content=b"SAMLResponse=x", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code != 415


# -- IdP shapes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", ["value", "Value", "bare"])
def test_manager_shapes_on_post_put_and_patch(server: Server, http: httpx.Client, shape: str) -> None:
    push_settings(http, demo_settings().to_dict())
    boss = http.post("/scim/v2/Users", json=user("boss@northwind.example", "London")).json()["id"]
    manager = {"value": {"value": boss}, "Value": {"Value": boss}, "bare": boss}[shape]
    doc = user("emp@northwind.example", "London", **{ENTERPRISE: {"officeName": "London", "manager": manager}})
    r = http.post("/scim/v2/Users", json=doc)
    assert r.status_code == 201, r.text
    assert r.json()[ENTERPRISE]["manager"]["value"] == boss
    rid = r.json()["id"]
    r = http.put(f"/scim/v2/Users/{rid}", json=doc)
    assert r.status_code == 200, r.text
    patch = {"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": manager}]}
    r = http.patch(f"/scim/v2/Users/{rid}", json=patch)
    assert r.status_code in (200, 204), r.text
    assert http.get(f"/scim/v2/Users/{rid}").json()[ENTERPRISE]["manager"]["value"] == boss


def test_group_names_are_unique_whatever_their_case(http: httpx.Client) -> None:
    def group(name: str) -> httpx.Response:
        return http.post("/scim/v2/Groups", json={"schemas": [GROUP], "displayName": name})

    sales = group("Sales")
    assert sales.status_code == 201
    for name in ("Sales", "SALES", "sales"):
        r = group(name)
        assert r.status_code == 409 and r.json()["scimType"] == "uniqueness", r.text
    other = group("Support").json()
    rename = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "displayName", "value": "sAlEs"}]}
    r = http.patch(f"/scim/v2/Groups/{other['id']}", json=rename)
    assert r.status_code == 409 and r.json()["scimType"] == "uniqueness"
    r = http.put(f"/scim/v2/Groups/{other['id']}", json={"schemas": [GROUP], "displayName": "SALES"})
    assert r.status_code == 409
    assert http.get("/scim/v2/Groups").json()["totalResults"] == 2


# -- the store -------------------------------------------------------------------------------------

def test_a_member_is_a_row_and_places_the_user_again(server: Server, http: httpx.Client) -> None:
    push_settings(http, demo_settings().to_dict())
    ann = http.post("/scim/v2/Users", json=user("ann@northwind.example", "London")).json()
    assert ann[PLACEMENT]["license"] != "Dialpad_Support"
    cc = http.post("/scim/v2/Groups", json={"schemas": [GROUP], "displayName": "Contact Center Agents"}).json()
    add = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [{"value": ann["id"]}]}]}
    assert http.patch(f"/scim/v2/Groups/{cc['id']}", json=add).status_code in (200, 204)
    got = http.get(f"/scim/v2/Users/{ann['id']}").json()
    assert [g["display"] for g in got["groups"]] == ["Contact Center Agents"]
    assert got[PLACEMENT]["license"] == "Dialpad_Support"
    assert got["meta"]["version"] != ann["meta"]["version"]
    with sqlite3.connect(server.db) as conn:
        assert conn.execute("SELECT count(*) FROM members WHERE group_id = ?", (cc["id"],)).fetchone()[0] == 1
        data = conn.execute("SELECT data FROM resources WHERE id = ?", (cc["id"],)).fetchone()[0]
        assert "members" not in data  # not a copy of the membership inside the group's row
    remove = {"schemas": [PATCH], "Operations": [{"op": "remove", "path": f'members[value eq "{ann["id"]}"]'}]}
    assert http.patch(f"/scim/v2/Groups/{cc['id']}", json=remove).status_code in (200, 204)
    got = http.get(f"/scim/v2/Users/{ann['id']}").json()
    assert "groups" not in got and got[PLACEMENT]["license"] != "Dialpad_Support"


def test_the_filters_idps_send(http: httpx.Client) -> None:
    push_settings(http, demo_settings().to_dict())
    doc = user("Eve@Northwind.example", "London", externalId="00uEVE",
               emails=[{"value": "eve.work@northwind.example", "type": "work", "primary": True}])
    eve = http.post("/scim/v2/Users", json=doc).json()["id"]
    http.post("/scim/v2/Users", json=user("frank@northwind.example", "London"))
    for f in ('userName eq "eve@northwind.example"', 'externalId eq "00uEVE"',
              'emails[type eq "work"].value eq "EVE.work@northwind.example"',
              'userName eq "eve@northwind.example" and externalId pr', 'emails.value eq "eve.work@northwind.example"'):
        page = http.get("/scim/v2/Users", params={"filter": f}).json()
        assert page["totalResults"] == 1 and page["Resources"][0]["id"] == eve, f
    first = http.get("/scim/v2/Users", params={"startIndex": 1, "count": 1}).json()
    second = http.get("/scim/v2/Users", params={"startIndex": 2, "count": 1}).json()
    assert first["totalResults"] == 2 and first["Resources"][0]["id"] == eve
    assert second["Resources"][0]["userName"] == "frank@northwind.example"
