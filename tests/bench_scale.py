"""Benchmark: the service at real scale (issue 10). Each figure is printed beside its target.

The stored users are written straight into a fresh database in the service's own row format
(through `ProvisioningStorage._write_row`, without placement), since creating 100k users over
HTTP would take minutes; then `scim-assistant serve` is started on it and measured over loopback.
"""

from __future__ import annotations

import http.client as httpclient
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

STORED = 100_000
GROUP_MEMBERS = 10_000
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
OFFICES = ["San Francisco", "New York", "Austin", "Toronto", "London", "Manchester", "Berlin", "Munich"]


def fill(db: Path, n: int) -> list[str]:
    """n users and one group holding the first GROUP_MEMBERS of them; returns the user ids."""
    from scim2_models import Meta

    from engine.demo import demo_company
    from engine.service.models import build_provider
    from engine.service.store import ProvisioningStorage, ServiceDB
    from engine.settings import Settings

    provider = build_provider()
    storage = ProvisioningStorage(ServiceDB(db), provider, demo_company(), Settings())
    model = provider.model_for("User")
    ids = []
    with storage.db.transaction() as c:
        now = storage.clock()
        for i in range(n):
            u = model.model_validate({"userName": f"user{i}@northwind.example", "externalId": f"00u{i:08d}",
                                      "emails": [{"value": f"user{i}@northwind.example", "type": "work"}],
                                      ENTERPRISE: {"officeName": OFFICES[i % len(OFFICES)]}})
            u.id = uuid.uuid4().hex
            u.meta = Meta(resource_type="User", created=now, last_modified=now, version='W/"1"')
            storage._write_row(c, u, insert=True)
            ids.append(u.id)
        group = provider.model_for("Group")(display_name="Everyone")
        group.id = "g-everyone"
        group.meta = Meta(resource_type="Group", created=now, last_modified=now, version='W/"1"')
        storage._write_row(c, group, insert=True)
        c.executemany("INSERT INTO members VALUES ('g-everyone', ?, 'User', NULL)",
                      [(uid,) for uid in ids[:GROUP_MEMBERS]])
    storage.db.close()
    return ids


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Conn:
    def __init__(self, port: int, token: str) -> None:
        self.c = httpclient.HTTPConnection("127.0.0.1", port, timeout=120)
        self.h = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}

    def __call__(self, method: str, path: str, body: object = None) -> tuple[int, float]:
        start = time.perf_counter()
        self.c.request(method, path, body=None if body is None else json.dumps(body), headers=self.h)
        r = self.c.getresponse()
        r.read()
        return r.status, (time.perf_counter() - start) * 1000


def create_with_groups(conn: Conn, pid: int, tag: str, n: int = 200) -> float:
    """CPU ms of the server per create carrying 3 groups (as Okta and Entra push them)."""
    before = cpu_of(pid)
    for i in range(n):
        body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": f"{tag}{i}@northwind.example", ENTERPRISE: {"officeName": OFFICES[i % 8]},
                "groups": [{"display": "Sales Team"}, {"display": "Everyone"}, {"display": f"Team {i % 10}"}]}
        status, _ = conn("POST", "/scim/v2/Users", body)
        assert status == 201, status
    return (cpu_of(pid) - before) * 1000 / n


def push_demo(conn: Conn) -> None:
    from engine.demo import demo_settings

    conn.c.request("GET", "/api/v1/settings", headers=conn.h)
    r = conn.c.getresponse()
    r.read()
    etag = r.getheader("etag")
    conn.c.request("PUT", "/api/v1/settings", body=json.dumps(demo_settings().to_dict()),
                   headers={**conn.h, "If-Match": etag, "Content-Type": "application/json"})
    conn.c.getresponse().read()


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def run() -> list[str]:
    from tests.service.conftest import TOKEN, start_server

    lines = []
    with tempfile.TemporaryDirectory(prefix="scim-scale-") as tmp:
        small, big = Path(tmp) / "small.sqlite3", Path(tmp) / "big.sqlite3"
        fill(small, 1_000)
        ids = fill(big, STORED)
        # creates with groups at 1k stored users, then at 30k+ (the 100k file)
        s = start_server(small)
        try:
            conn = Conn(s.port, TOKEN)
            push_demo(conn)
            cpu_1k = create_with_groups(conn, s.proc.pid, "a")
        finally:
            s.stop()
        # start-up, best of 3 launches each (other work on the machine only slows a launch
        # down), an empty database and the 100k one alternately, so that the cost of the stored
        # users shows beside that of the imports
        launches: dict[str, list[tuple[float, float]]] = {"empty": [], "big": []}
        for i in range(3):
            launches["empty"].append(launch(Path(tmp) / f"empty{i}.sqlite3"))
            launches["big"].append(launch(big))
        (started_empty, cpu_empty), (started, cpu_started) = (min(launches[k]) for k in ("empty", "big"))
        env = {**os.environ, "SCIM_ASSISTANT_TOKEN": TOKEN}
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--db", str(big), "--port",
                                 str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            conn = _connect(port, proc)
            push_demo(conn)
            cpu_big = create_with_groups(conn, proc.pid, "b")
            filt = [conn("GET", f"/scim/v2/Users?filter=userName%20eq%20%22user{i * 97}@northwind.example%22")[1]
                    for i in range(50)]
            pages = [conn("GET", f"/scim/v2/Users?startIndex={1 + i * 1999}&count=100")[1] for i in range(30)]
            patch = []
            for i in range(30):
                body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                    {"op": "add", "path": "members", "value": [{"value": ids[GROUP_MEMBERS + i]}]}]}
                status, ms = conn("PATCH", "/scim/v2/Groups/g-everyone", body)
                assert status in (200, 204), status
                patch.append(ms)
            rss = rss_mib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(30)
    ratio = cpu_big / cpu_1k
    p50 = statistics.median
    lines += [
        f"scale: creates with 3 groups: {cpu_1k:.1f} ms CPU at 1k stored, {cpu_big:.1f} ms at {STORED // 1000}k: "
        f"{ratio:.2f}x (target <= 1.25x) {verdict(ratio <= 1.25)}",
        f"scale: start-up of serve with {STORED // 1000}k users stored, launch to the first SCIM answer: "
        f"{started:.2f} s, {cpu_started:.2f} s of its CPU (target < 1 s) {verdict(started < 1)}; an empty "
        f"database: {started_empty:.2f} s, {cpu_empty:.2f} s CPU (best of 3 each; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
        f"scale: RSS of serve with {STORED // 1000}k users stored: {rss:.0f} MiB (target < 200 MiB) "
        f"{verdict(rss < 200)}",
        f"scale: GET filter userName eq at {STORED // 1000}k: p50 {p50(filt):.1f} ms (target < 10 ms) "
        f"{verdict(p50(filt) < 10)}",
        f"scale: GET startIndex=N&count=100 at {STORED // 1000}k: p50 {p50(pages):.1f} ms (target < 100 ms) "
        f"{verdict(p50(pages) < 100)}",
        f"scale: PATCH adding one member to a {GROUP_MEMBERS // 1000}k-member group: p50 {p50(patch):.1f} ms "
        f"(target < 20 ms) {verdict(p50(patch) < 20)}",
    ]
    return lines


def launch(db: Path) -> tuple[float, float]:
    """Seconds from launching `serve` on `db` to its first SCIM answer, and the CPU seconds the
    process used by then (what the machine's load does not change)."""
    from tests.service.conftest import TOKEN

    port = _free_port()
    env = {**os.environ, "SCIM_ASSISTANT_TOKEN": TOKEN}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--db", str(db), "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _connect(port, proc, "/scim/v2/Users?count=1")
        return time.perf_counter() - start, cpu_of(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)


def _free_port() -> int:
    from tests.service.conftest import free_port

    return free_port()


def _connect(port: int, proc: subprocess.Popen[bytes], path: str = "/api/v1/settings") -> Conn:
    from tests.service.conftest import TOKEN

    while True:
        if proc.poll() is not None:
            raise SystemExit("bench: serve exited")
        try:
            conn = Conn(port, TOKEN)
            status, _ = conn("GET", path)
            if status == 200:
                return conn
        except OSError:
            time.sleep(0.01)


if __name__ == "__main__":
    print("\n".join(run()))
