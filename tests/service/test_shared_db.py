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
            bad = http.post("/api/v1/preview", content=b"\x00\x01binary",
                            headers={"Content-Type": "application/octet-stream"})
            assert bad.status_code in (400, 422) and "binary" in bad.text
    finally:
        server.stop()


def test_serve_refuses_unusable_databases_and_busy_ports_in_one_line(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    not_a_db = tmp_path / "company.toml"
    not_a_db.write_text('[company]\nname = "x"\n')
    before = not_a_db.read_bytes()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        cases = [(["--db", str(not_a_db)], "is not a database this service can use"),
                 (["--db", str(tmp_path / "missing" / "x.sqlite3")], "its folder does not exist"),
                 (["--db", str(tmp_path / "ok.sqlite3"), "--port", str(port)], "cannot be bound")]
        for args, expected in cases:
            proc = subprocess.run([sys.executable, "-m", "app.cli", "serve", *args], capture_output=True,
                                  text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
            assert proc.returncode == 2, proc.stderr
            assert expected in proc.stderr and "Traceback" not in proc.stderr
            assert len(proc.stderr.strip().splitlines()) == 1
    assert not_a_db.read_bytes() == before
    assert not (tmp_path / "missing").exists()


def test_a_wrong_token_is_told_apart_from_a_missing_one(tmp_path: Path) -> None:
    server = start_server(tmp_path / "service.sqlite3")
    try:
        none = httpx.get(f"{server.url}/scim/v2/Users", timeout=10)
        wrong = httpx.get(f"{server.url}/scim/v2/Users", headers={"Authorization": "Bearer nope"}, timeout=10)
        assert none.status_code == wrong.status_code == 401
        assert "required" in none.json()["detail"] and "refused" in wrong.json()["detail"]
        assert wrong.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    finally:
        server.stop()
