"""Two services on one SQLite file (the embedded push and `serve`) agree on the settings."""

from __future__ import annotations

from pathlib import Path

import httpx

from engine.demo import demo_settings
from engine.service.app import create_app


def test_a_version_pushed_by_another_process_is_served_at_once(tmp_path: Path) -> None:
    import asyncio

    db = tmp_path / "shared.sqlite3"
    first, second = create_app(db, token=None), create_app(db, token=None)

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://a") as a, \
                httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://b") as b:
            etag = (await b.get("/api/v1/settings")).headers["etag"]
            pushed = demo_settings().with_changes("numbers", auto_assign=False).to_dict()
            put = await a.put("/api/v1/settings", json=pushed, headers={"If-Match": etag})
            assert put.status_code == 200
            got = await b.get("/api/v1/settings")
            assert got.headers["etag"] == put.headers["etag"]
            assert got.json()["numbers"]["auto_assign"] is False
            stale = await b.put("/api/v1/settings", json=pushed, headers={"If-Match": etag})
            assert stale.status_code == 412

    try:
        asyncio.run(scenario())
    finally:
        first.close()
        second.close()
