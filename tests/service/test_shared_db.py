"""`scim-assistant serve` and the wizard's embedded service share one SQLite file: a version
pushed through either is what the other serves at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from engine.demo import demo_settings
from engine.service.app import create_app
from tests.service.conftest import start_server


def test_a_version_pushed_in_process_is_served_by_the_running_service(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite3"
    server = start_server(db)
    embedded = create_app(db, token=None)

    async def push_embedded(etag: str, body: dict) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=embedded), base_url="http://x") as c:
            return await c.put("/api/v1/settings", json=body, headers={"If-Match": etag})

    try:
        with server.client() as http:
            etag = http.get("/api/v1/settings").headers["etag"]
            pushed = demo_settings().with_changes("numbers", auto_assign=False).to_dict()
            put = asyncio.run(push_embedded(etag, pushed))
            assert put.status_code == 200
            got = http.get("/api/v1/settings")
            assert got.headers["etag"] == put.headers["etag"]
            assert got.json()["numbers"]["auto_assign"] is False
            stale = http.put("/api/v1/settings", json=pushed, headers={"If-Match": etag})
            assert stale.status_code == 412
    finally:
        embedded.close()
        server.stop()


def test_post_preview_takes_csv_users(tmp_path: Path) -> None:
    server = start_server(tmp_path / "service.sqlite3")
    csv = "userName,officeName,country\nann@northwind.example,London,GB\nbob@northwind.example,Nowhere,FR\n"
    try:
        with server.client() as http:
            r = http.post("/api/v1/preview?as_of=2026-11-28", content=csv.encode(),
                          headers={"Content-Type": "text/csv"})
            assert r.status_code == 200, r.text
            doc = r.json()
            assert doc["as_of"] == "2026-11-28"
            assert [(u["userName"], u["office"], u["office_rule"]) for u in doc["users"]][0] == \
                ("ann@northwind.example", "London", "field")
            assert doc["summary"]["create"] + doc["summary"]["reject"] == 2
            bad = http.post("/api/v1/preview", content=b"\x00\x01binary")
            assert bad.status_code in (400, 422) and "binary" in bad.text
    finally:
        server.stop()
