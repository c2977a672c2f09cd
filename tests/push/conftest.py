"""A real service on loopback (`scim-assistant serve` in a subprocess, with a bearer token), and a
small fault proxy (uvicorn in a thread) that can answer 429/503, race a push, or kill the
service in the middle of one."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

import engine.client
from tests.service.conftest import Server, free_port, start_server

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "push-test-token-7f3a9c1e5b"  # distinctive, so a scan for it cannot miss


def wait_for_port(port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"the service exited: {err}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on port {port}")


class Service(Server):
    """The service conftest's server, with the settings API calls the push tests read back."""

    def http(self) -> httpx.Client:
        return self.client(timeout=10)

    def settings(self) -> tuple[str, dict[str, Any]]:
        with self.http() as c:
            r = c.get("/api/v1/settings")
            r.raise_for_status()
            return r.headers["ETag"], r.json()

    def history(self) -> list[dict[str, Any]]:
        with self.http() as c:
            return c.get("/api/v1/settings/history").json()["versions"]


def start_service(db: Path) -> Service:
    s = start_server(db, token=TOKEN)
    return Service(s.db, s.port, s.proc, s.token)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One service for a module: tests work relative to its current ETag."""
    s = start_service(tmp_path_factory.mktemp("svc") / "service.sqlite3")
    yield s
    s.stop()


@pytest.fixture
def fresh_service(tmp_path: Path) -> Iterator[Service]:
    s = start_service(tmp_path / "fresh.sqlite3")
    yield s
    s.stop()


# -- the fault proxy ---------------------------------------------------------------------------

Fault = Callable[[dict[str, Any], bytes], Any]


@dataclass
class FaultProxy:
    """Forwards to `upstream`; the next request matching a queued fault gets the fault instead.

    A fault is (method, action) where action is a tuple:
      ("status", code, headers)  answer that status without forwarding;
      ("race", settings_dict)     first PUT these settings upstream with the same If-Match;
      ("kill_after_forward",)     forward, then kill the service and break the connection;
      ("kill_before_forward",)    kill the service, then break the connection;
      ("answer", code, headers, chunks)  answer `chunks` (an iterable of bytes, or a function of
                                  the request's headers giving one) without forwarding;
      ("delay", seconds)          forward, but only after `seconds` (a slow service).
    When the upstream is down, answers 502 like a reverse proxy would.
    """

    upstream: Service
    port: int = 0
    faults: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    seen: list[tuple[str, str, float]] = field(default_factory=list)
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, method: str, *action: Any) -> None:
        self.faults.append((method, action))

    def _take(self, method: str) -> tuple[Any, ...] | None:
        for i, (m, action) in enumerate(self.faults):
            if m == method:
                del self.faults[i]
                return action
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        self.seen.append((method, path, time.monotonic()))
        body = b""
        more = True
        while more:
            msg = await receive()
            body += msg.get("body", b"")
            more = msg.get("more_body", False)
        headers = [(k.decode(), v.decode()) for k, v in scope["headers"] if k.lower() not in (b"host",)]
        action = self._take(method)
        if action and action[0] == "status":
            extra = [(k.encode(), str(v).encode()) for k, v in action[2].items()]
            await send({"type": "http.response.start", "status": action[1],
                        "headers": [(b"content-type", b"application/json"), *extra]})
            await send({"type": "http.response.body", "body": b'{"detail": "injected fault"}'})
            return
        if action and action[0] == "answer":
            _, code, extra, chunks = action
            if callable(chunks):
                chunks = chunks(dict(headers))
            await send({"type": "http.response.start", "status": code,
                        "headers": [(k.encode(), str(v).encode()) for k, v in extra.items()]})
            for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        if action and action[0] == "delay":
            await asyncio.sleep(action[1])  # the fault itself: a slow answer, not a test waiting
        if action and action[0] == "kill_before_forward":
            self.upstream.kill()
            raise ConnectionAbortedError("the service was killed")  # uvicorn drops the connection
        if action and action[0] == "race":
            if_match = dict((k.lower(), v) for k, v in headers).get("if-match", "*")
            async with httpx.AsyncClient(base_url=self.upstream.url, timeout=10) as c:
                r = await c.put("/api/v1/settings", json=action[1],
                                headers={"If-Match": if_match, "Authorization": f"Bearer {TOKEN}",
                                         "X-Actor": "the other admin"})
                assert r.status_code == 200, r.text
        query = scope.get("query_string", b"").decode()
        url = self.upstream.url + path + (f"?{query}" if query else "")
        try:
            async with httpx.AsyncClient(timeout=10) as c:
                r = await c.request(method, url, content=body, headers=headers)
        except httpx.TransportError:
            await send({"type": "http.response.start", "status": 502,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": b'{"detail": "bad gateway"}'})
            return
        if action and action[0] == "kill_after_forward":
            self.upstream.kill()
            # Start the answer, then break it off: the client sees the connection drop.
            await send({"type": "http.response.start", "status": r.status_code,
                        "headers": [(b"content-length", str(len(r.content)).encode())]})
            raise ConnectionAbortedError("the service was killed mid-answer")
        keep = [(k.encode(), v.encode()) for k, v in r.headers.items()
                if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding")]
        await send({"type": "http.response.start", "status": r.status_code, "headers": keep})
        await send({"type": "http.response.body", "body": r.content})

    def start(self) -> None:
        self.port = free_port()
        config = uvicorn.Config(self, host="127.0.0.1", port=self.port, log_level="critical",
                                access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)


@pytest.fixture
def proxy_for() -> Iterator[Callable[[Service], FaultProxy]]:
    started: list[FaultProxy] = []

    def make(upstream: Service) -> FaultProxy:
        p = FaultProxy(upstream)
        p.start()
        started.append(p)
        return p

    yield make
    for p in started:
        p.stop()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries keep their shape (doubling, capped) but start at 20 ms, so tests stay fast."""
    monkeypatch.setattr(engine.client, "BACKOFF_SECONDS", 0.02)


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SCIM_ASSISTANT_TOKEN", TOKEN)
    return TOKEN


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)
