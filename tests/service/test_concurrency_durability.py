"""Many clients at once, and a server killed mid-stream."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from engine.demo import demo_settings
from tests.service.conftest import Server, start_server
from tests.service.test_placement import ENTERPRISE, PLACEMENT, push_settings, user

OFFICES = ["San Francisco", "New York", "Austin", "Toronto", "London", "Manchester", "Berlin", "Munich"]


def all_users(http: httpx.Client) -> list[dict]:
    out: list[dict] = []
    start = 1
    while True:
        page = http.get("/scim/v2/Users", params={"startIndex": start, "count": 1000}).json()
        out += page.get("Resources", [])
        if len(out) >= page["totalResults"] or not page.get("Resources"):
            return out
        start += len(page["Resources"])


def check_consistent(http: httpx.Client, db: Path) -> list[dict]:
    users = all_users(http)
    placed = [u[PLACEMENT] for u in users if PLACEMENT in u]
    numbers = [p["number"] for p in placed if "number" in p]
    assert len(numbers) == len(set(numbers)), "a number is used twice"
    company = http.get("/api/v1/company").json()
    for office in company["offices"]:
        for lic, seats in office["seats"].items():
            mine = [p for p in placed if p["office"] == office["name"] and p["license"] == lic]
            assert seats["in_use"] == len(mine)
            assert seats["in_use"] <= seats["directory"] + seats["purchased"], (office["name"], lic)
            assert sum(p["seat"] == "available" for p in mine) <= seats["directory"]
    with sqlite3.connect(db) as conn:  # nothing half-written: every seat has its user and back
        orphans = conn.execute("SELECT count(*) FROM assignments a LEFT JOIN resources r "
                               "ON r.id = a.user_id WHERE r.id IS NULL").fetchone()[0]
        assert orphans == 0
        assert conn.execute("SELECT count(*) FROM assignments").fetchone()[0] == len(placed)
    return users


def test_eight_clients_create_500_users_at_once(server: Server, http: httpx.Client) -> None:
    push_settings(http, demo_settings().to_dict())

    def worker(k: int) -> list[str]:
        done = []
        with server.client() as c:
            for i in range(k, 500, 8):
                name = f"u{i:03d}@northwind.example"
                r = c.post("/scim/v2/Users", json=user(name, OFFICES[i % len(OFFICES)]))
                assert r.status_code == 201, r.text
                done.append(name)
        return done

    with ThreadPoolExecutor(8) as pool:
        names = [n for chunk in pool.map(worker, range(8)) for n in chunk]
    assert len(names) == 500
    users = check_consistent(http, server.db)
    assert sorted(u["userName"] for u in users) == sorted(names)
    assert all(PLACEMENT in u for u in users)


def test_sigkill_mid_stream_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "kill.sqlite3"
    server = start_server(db)
    acked: list[str] = []
    stop = threading.Event()
    try:
        with server.client() as http:
            push_settings(http, demo_settings().to_dict())

        def stream(k: int) -> None:
            with server.client(timeout=5) as c:
                i = 0
                while not stop.is_set():
                    name = f"k{k}-{i}@northwind.example"
                    i += 1
                    try:
                        r = c.post("/scim/v2/Users", json=user(name, OFFICES[i % len(OFFICES)]))
                    except httpx.HTTPError:
                        return
                    if r.status_code == 201:
                        acked.append(name)

        threads = [threading.Thread(target=stream, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        server.kill()
        stop.set()
        for t in threads:
            t.join(10)
    finally:
        server.kill()
    assert len(acked) > 20
    again = start_server(db)
    try:
        with again.client() as http:
            users = check_consistent(http, db)
            names = {u["userName"] for u in users}
            assert set(acked) <= names
            for u in users:
                assert PLACEMENT in u and u[PLACEMENT]["seat"] in ("available", "purchased")
            # and the service keeps working after the restart
            r = http.post("/scim/v2/Users", json=user("after@northwind.example", "London",
                                                       **{ENTERPRISE: {"officeName": "London"}}))
            assert r.status_code == 201, r.text
    finally:
        again.stop()
