"""`make bench`: speed and size figures, each a ratio measured in this one run.

- preview: wall time of the whole `scim-assistant preview --format json` process on 100k
  generated SCIM users, against a process that only parses the same file with `orjson.loads`,
  the collector off (target <= 2.0x, aim 1.5x); the same users as CSV against a process that reads
  the file into a list with `csv.reader`, the collector off (target <= 4.0x, aim 3.0x);
- peak memory of the JSON preview process against the orjson process (target <= 1.0x);
- `preview --format table` against `--format json`, same files, fresh processes, CPU time
  (target <= 1.5x);
- re-running only the rules on already-read users, their profiles made (target < 0.25 s);
- the TUI and service figures, when their benchmark modules are present.

The processes compared run in alternating rounds; a ratio is the median of the rounds' ratios,
printed with the load average (the machine is shared: one disturbed round spoils one pair).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import orjson

N_USERS = 100_000
RUNS = 7  # rounds of the process figures
NS = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GIVEN = ["Ava", "Liam", "Mia", "Noah", "Emma", "Oliver", "Sophia", "Lucas", "Isabella", "Ethan",
         "Amelia", "James", "Harper", "Leon", "Mila", "Paul", "Chloe", "Oscar", "Freya", "Jonas"]
FAMILY = ["Chen", "Patel", "Johnson", "Garcia", "Wilson", "Brown", "Lee", "Martin", "Kim", "Nguyen",
          "Schmidt", "Weber", "Evans", "Morris", "Hughes", "Price", "Reed", "Cook", "Dubois", "Murphy"]
OFFICES = [("San Francisco", "US"), ("New York", "US"), ("Austin", "US"), ("Toronto", "CA"),
           ("London", "GB"), ("Manchester", "GB"), ("Berlin", "DE"), ("Munich", "DE")]
TYPOS = ["Londn", "San Fransisco", "NYC", "Remote", "Berlin HQ", ""]
DEPTS = ["Engineering", "Sales", "Support", "Finance", "Marketing", "Operations", "Legal"]


def make_users(n: int, seed: int = 7) -> list[dict]:
    """Realistic Okta-style SCIM users, about 500 bytes each in JSON."""
    rnd = random.Random(seed)
    users = []
    for i in range(n):
        g, f = rnd.choice(GIVEN), rnd.choice(FAMILY)
        office, country = rnd.choice(OFFICES)
        if rnd.random() < 0.1:
            office = rnd.choice(TYPOS)
        login = f"{g.lower()}.{f.lower()}{i}@northwind.example"
        dept = rnd.choice(DEPTS)
        user = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", NS],
            "externalId": f"00u{i:08d}x7",
            "userName": login,
            "name": {"givenName": g, "familyName": f},
            "displayName": f"{g} {f}",
            "emails": [{"value": login, "type": "work", "primary": True}],
            "active": rnd.random() > 0.03,
            "addresses": [{"type": "work", "country": country, "primary": True}],
            NS: {"officeName": office, "department": dept, "employeeNumber": str(100000 + i)},
        }
        if dept == "Support":
            user["groups"] = [{"value": "g-cc", "display": "Contact Center Agents"}]
        users.append(user)
    return users


def to_csv_file(users: list[dict]) -> bytes:
    """The same users as an IdP's CSV export."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["userName", "externalId", "givenName", "familyName", "displayName", "email",
                     "active", "officeName", "department", "country", "groups"])
    for u in users:
        ent = u[NS]
        writer.writerow([u["userName"], u["externalId"], u["name"]["givenName"], u["name"]["familyName"],
                         u["displayName"], u["emails"][0]["value"], str(u["active"]).lower(),
                         ent["officeName"], ent["department"], u["addresses"][0]["country"],
                         ";".join(g["display"] for g in u.get("groups", []))])
    return out.getvalue().encode()


def write_users(folder: str) -> None:
    users = make_users(N_USERS)
    Path(folder, "users.json").write_bytes(orjson.dumps(users))
    Path(folder, "users.csv").write_bytes(to_csv_file(users))


class Run(NamedTuple):
    wall: float  # seconds, launch to exit
    cpu: float  # seconds, user + system
    rss: int  # peak, KiB


def _run(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Wall time, CPU time and peak RSS of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def rounds(cmds: list[list[str]], env: dict[str, str], runs: int = RUNS) -> list[list[Run]]:
    """Each command's runs, `runs` rounds of all of them in turn (alternately, each round starting
    one further, so a slow spell of this shared machine hits all of them alike)."""
    for cmd in cmds:
        _run(cmd, env)  # untimed: fills the bytecode cache, as an installed package has one
    results: list[list[Run]] = [[] for _ in cmds]
    for r in range(runs):
        for i in range(len(cmds)):
            k = (i + r) % len(cmds)
            results[k].append(_run(cmds[k], env))
    return results


def median_ratio(runs: list[Run], floors: list[Run], of: Callable[[Run], float]) -> float:
    """The median of the ratios of runs made in the same round: one spoilt round spoils one."""
    return statistics.median(of(r) / of(f) for r, f in zip(runs, floors, strict=True))


def bench_engine(tmp: Path) -> list[str]:
    from engine.demo import demo_bytes, demo_company, demo_settings
    from engine.rules import Profiles, place_users
    from engine.users import load_users

    json_file, csv_file = tmp / "users.json", tmp / "users.csv"
    # Made in a child: a child's peak RSS counts its parent's pages until it execs, so the parent
    # stays small rather than hold 100k users while it launches the measured processes.
    subprocess.run([sys.executable, "-c", f"from tests.bench import write_users; write_users({str(tmp)!r})"],
                   check=True)
    company_file = tmp / "company.toml"
    company_file.write_bytes(demo_bytes("company"))
    settings_file = tmp / "settings.toml"
    settings_file.write_bytes(demo_bytes("settings"))
    size = json_file.stat().st_size
    exe = str(Path(sys.executable).with_name("scim-assistant"))
    # No child compiles anything: with PYTHONDONTWRITEBYTECODE (set on some machines) only our
    # sources would be compiled on every launch, the stdlib's being precompiled.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")

    def preview(users_file: Path, fmt: str = "json") -> list[str]:
        return [exe, "preview", "--company", str(company_file), "--users", str(users_file), "--settings",
                str(settings_file), "--as-of", "2026-11-28", "--format", fmt, "--output", str(tmp / f"out.{fmt}")]

    orjson_floor, json_preview, csv_floor, csv_preview, table_preview = rounds([
        [sys.executable, "-c", "import gc; gc.disable(); import orjson; "
         f"orjson.loads(open({str(json_file)!r}, 'rb').read())"],
        preview(json_file),
        [sys.executable, "-c", "import gc; gc.disable(); import csv; "
         f"list(csv.reader(open({str(csv_file)!r}, newline='', encoding='utf-8')))"],
        preview(csv_file),
        preview(json_file, "table"),
    ], env)
    company = demo_company()
    settings = demo_settings(company)
    records = load_users(json_file).records
    as_of = dt.date(2026, 11, 28)
    # What the rules read of each user is sorted into profiles once per load (the TUI keeps them
    # on the UserSet); a settings change re-runs the rules with them.
    profiling = min(_timed(lambda: Profiles.shared(records)) for _ in range(5))
    profiles = Profiles.shared(records)
    rerun = min(_timed(lambda: place_users(company, records, settings, as_of, profiles=profiles))
                for _ in range(5))
    # (wall time of the best of five: the TUI re-runs the rules in one thread)
    verdict = lambda ok: "ok" if ok else "MISSED"  # noqa: E731

    def wall(r: Run) -> float:
        return r.wall

    def cpu(r: Run) -> float:
        return r.cpu

    def line(name: str, runs: list[Run]) -> str:
        return (f"{name:34s} {statistics.median(map(wall, runs)):6.2f} s wall {statistics.median(map(cpu, runs)):6.2f} "
                f"s CPU   peak RSS {max(r.rss for r in runs) / 1024:7.1f} MiB  (medians)")

    def ratio(name: str, runs: list[Run], floors: list[Run], target: float, aim: float) -> str:
        w = median_ratio(runs, floors, wall)
        best = min(map(wall, runs)) / min(map(wall, floors))
        return (f"{name:34s} {w:6.2f}x wall (CPU {median_ratio(runs, floors, cpu):.2f}x; best against best "
                f"{best:.2f}x)  target <= {target}x, aim {aim}x: {verdict(w <= target)}")

    mem = max(r.rss for r in json_preview) / max(r.rss for r in orjson_floor)
    table_cpu = median_ratio(table_preview, json_preview, cpu)
    return [
        f"users file: {N_USERS:,} users, {size / N_USERS:.0f} bytes/user as JSON, {size / 2**20:.1f} MiB; "
        f"{csv_file.stat().st_size / 2**20:.1f} MiB as CSV ({RUNS} alternating rounds; ratios are the median "
        f"of each round's; load average {os.getloadavg()[0]:.1f})",
        line("floor: orjson.loads, GC off", orjson_floor),
        line("preview --format json (JSON)", json_preview),
        line("floor: csv.reader list, GC off", csv_floor),
        line("preview --format json (CSV)", csv_preview),
        ratio("preview JSON / orjson.loads", json_preview, orjson_floor, 2.0, 1.5),
        ratio("preview CSV / csv.reader", csv_preview, csv_floor, 4.0, 3.0),
        f"{'preview JSON / orjson.loads memory':34s} {mem:6.2f}x  (target <= 1.0x) {verdict(mem <= 1.0)}",
        f"{'rules re-run on 100k users':34s} {rerun:6.3f} s   (target < 0.25 s) {verdict(rerun < 0.25)}; "
        f"their profiles, once per load: {profiling:.3f} s",
        line("preview --format table (JSON)", table_preview),
        f"{'table / json preview CPU time':34s} {table_cpu:6.2f}x  (target <= 1.5x) {verdict(table_cpu <= 1.5)}",
    ]


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="scim-bench-") as tmp:
        lines = bench_engine(Path(tmp))
    for line in lines:
        print(line, flush=True)
    for module in ("tests.bench_tui", "tests.bench_service", "tests.bench_scale"):
        try:
            bench = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        for line in bench.run():
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
