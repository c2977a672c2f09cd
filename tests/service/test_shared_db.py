"""`scim-assistant serve` and the wizard's embedded service use one SQLite file, one writer at a
time: the push goes through the running service rather than write the file beside it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from engine.client import PushError, SyncSettingsClient
from engine.demo import demo_settings
from engine.service.app import create_app
from engine.service.writer import DatabaseBusy
from tests.service.conftest import ROOT, TOKEN, free_port, start_server


def test_one_writer_per_database(tmp_path: Path) -> None:
    """A second serve on the file exits 2 naming the holder; the embedded push goes through the
    running service; an embedded service holding the file makes the push refuse."""
    db = tmp_path / "shared.sqlite3"
    server = start_server(db)
    try:
        second = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--db", str(db), "--port",
                                 str(free_port())], capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert second.returncode == 2, second.stderr
        assert len(second.stderr.strip().splitlines()) == 1 and "Traceback" not in second.stderr
        assert f"process {server.proc.pid}" in second.stderr and server.url in second.stderr
        with pytest.raises(DatabaseBusy):
            create_app(db, token=None)
        with SyncSettingsClient(None, db_path=db, token=TOKEN) as client:
            assert not client.embedded and server.url in client.where
            remote = client.get_settings()
            pushed = client.put_settings(demo_settings().with_changes("numbers", auto_assign=False), remote.etag)
        with server.client() as http:
            got = http.get("/api/v1/settings")
            assert got.headers["etag"] == pushed.etag and got.json()["numbers"]["auto_assign"] is False
    finally:
        server.stop()
    embedded = create_app(db, token=None)  # the file is free again once serve is gone
    try:
        with pytest.raises(PushError, match="is being written by process"):
            SyncSettingsClient(None, db_path=db, token=TOKEN)
        refused = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--db", str(db), "--port",
                                  str(free_port())], capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert refused.returncode == 2 and "an embedded service" in refused.stderr
    finally:
        embedded.close()


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
