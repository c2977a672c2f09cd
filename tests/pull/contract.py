"""Contract servers for the three APIs the pulls read: ASGI apps served by uvicorn over real HTTP
on 127.0.0.1. They serve the documented response shapes from tests/fixtures/ (see its README for
the reference page behind each file), re-paged into pages as small as a test asks, and they can be
told to answer a status (429 with Retry-After, 503, 401, ...) or to be slow, once, on a path, or
to be hostile: a body sent in chunks (chunked transfer encoding, no Content-Length), as big, as
deep or as slow as a test asks.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import uvicorn

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DIALPAD_KEY = "dialpad-test-key-4c1e9b7a02"
OKTA_TOKEN = "okta-test-token-8d2f6a3e91"
ENTRA_SECRET = "entra-test-secret-5b7c0d1f33"
ENTRA_CLIENT_ID = "3f0c9b8a-1111-4e5f-9a0b-123456789abc"
ENTRA_TENANT = "northwind.onmicrosoft.com"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float
    body: bytes = b""


@dataclass
class ContractServer:
    """The plumbing: faults, slow paths, a log of requests, uvicorn in a thread."""

    page_size: int = 2
    port: int = 0
    # (path prefix, status, headers, body): the body as JSON, or bytes sent as they are
    faults: list[tuple[str, int, dict[str, str], Any]] = field(default_factory=list)
    slow: dict[str, float] = field(default_factory=dict)  # path prefix -> seconds, once
    # (path prefix, status, headers, chunks, seconds between chunks): a streamed answer, once
    streams: list[tuple[str, int, dict[str, str], Iterable[bytes], float]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    slow_started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, path: str, status: int, body: Any = None, **headers: str) -> None:
        """The next request under `path` answers `status` (queued in order)."""
        self.faults.append((path, status, headers, {"error": "injected"} if body is None else body))

    def stream(self, path: str, chunks: Iterable[bytes], status: int = 200, every: float = 0.0,
               **headers: str) -> None:
        """The next request under `path` gets `chunks`, one body message each, `every` seconds
        apart (a trickle); it stops early when the server stops."""
        self.streams.append((path, status, headers, chunks, every))

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            msg = await receive()
            body += msg.get("body", b"")
            more = msg.get("more_body", False)
        path = scope["path"]
        seen = Seen(scope["method"], path, parse_qs(scope.get("query_string", b"").decode()),
                    {k.decode().lower(): v.decode() for k, v in scope["headers"]}, time.time(), body)
        self.seen.append(seen)
        for i, (prefix, status, headers, chunks, every) in enumerate(self.streams):
            if path.startswith(prefix):
                del self.streams[i]
                await self.answer_chunks(send, status, headers, chunks, every)
                return
        for i, (prefix, status, headers, fault_body) in enumerate(self.faults):
            if path.startswith(prefix):
                del self.faults[i]
                await self.answer(send, status, fault_body, headers)
                return
        for prefix, seconds in list(self.slow.items()):
            if path.startswith(prefix):
                del self.slow[prefix]
                self.slow_started.set()
                end = time.monotonic() + seconds
                while time.monotonic() < end and not self.release.is_set():
                    await asyncio.sleep(0.01)
        status, data, headers = self.handle(seen)
        await self.answer(send, status, data, headers)

    def handle(self, req: Seen) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    async def answer(self, send: Any, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        raw = data if isinstance(data, bytes) else json.dumps(data).encode()
        extra = [(k.encode(), str(v).encode()) for k, v in (headers or {}).items()]
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), *extra]})
        await send({"type": "http.response.body", "body": raw})

    async def answer_chunks(self, send: Any, status: int, headers: dict[str, str], chunks: Iterable[bytes],
                            every: float) -> None:
        extra = [(k.encode(), str(v).encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), *extra]})
        for chunk in chunks:
            if self.release.is_set():
                break
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if every:
                await asyncio.sleep(every)  # the fault itself: a trickled answer, not a test waiting
        await send({"type": "http.response.body", "body": b""})

    def page(self, items: list[Any], start: int, size: int) -> tuple[list[Any], int | None]:
        chunk = items[start:start + size]
        return chunk, (start + size if start + size < len(items) else None)

    def start(self) -> ContractServer:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self, log_level="critical", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the contract server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)


def _cursor(query: dict[str, list[str]], name: str) -> int:
    try:
        return int(query.get(name, ["0"])[0])
    except ValueError:
        return 0


class DialpadServer(ContractServer):
    """developers.dialpad.com API v2: company, offices (cursor), available licenses, numbers (cursor)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.company = fixture("dialpad/company.json")
        self.offices = fixture("dialpad/offices.json")["items"]
        self.licenses = fixture("dialpad/available_licenses.json")
        self.numbers = fixture("dialpad/numbers.json")["items"]

    def handle(self, req: Seen) -> tuple[int, Any, dict[str, str]]:
        if req.headers.get("authorization") != f"Bearer {DIALPAD_KEY}":
            return 401, {"error": {"code": 401, "message": "Unauthorized"}}, {}
        path = req.path.removeprefix("/api/v2")
        if path == "/company":
            return 200, self.company, {}
        if path == "/offices":
            return 200, self._paged(self.offices, req), {}
        if path.startswith("/offices/") and path.endswith("/available_licenses"):
            office_id = path.split("/")[2]
            if office_id not in self.licenses:
                return 404, {"error": {"code": 404, "message": "Not Found"}}, {}
            return 200, self.licenses[office_id], {}
        if path == "/numbers":
            status = req.query.get("status", [None])[0]
            numbers = [n for n in self.numbers if status is None or n.get("status") == status]
            return 200, self._paged(numbers, req), {}
        return 404, {"error": {"code": 404, "message": "Not Found"}}, {}

    def _paged(self, items: list[Any], req: Seen) -> dict[str, Any]:
        chunk, nxt = self.page(items, _cursor(req.query, "cursor"), self.page_size)
        return {"items": chunk, **({"cursor": str(nxt)} if nxt is not None else {})}


class OktaServer(ContractServer):
    """developer.okta.com Users API: /api/v1/users (limit, after, Link rel="next"), a user's groups,
    and the X-Rate-Limit-* headers on every answer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.users = fixture("okta/users.json")
        self.groups = fixture("okta/user_groups.json")
        self.exhaust_once = False  # the next answer says no request is left until the reset

    def rate_headers(self) -> dict[str, str]:
        if self.exhaust_once:
            self.exhaust_once = False
            return {"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0",
                    "X-Rate-Limit-Reset": str(int(time.time()) + 1)}
        return {"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "599",
                "X-Rate-Limit-Reset": str(int(time.time()) + 60)}

    def handle(self, req: Seen) -> tuple[int, Any, dict[str, str]]:
        if req.headers.get("authorization") != f"SSWS {OKTA_TOKEN}":
            return 401, {"errorCode": "E0000011", "errorSummary": "Invalid token provided",
                         "errorLink": "E0000011", "errorId": "oae1", "errorCauses": []}, {}
        headers = self.rate_headers()
        parts = req.path.strip("/").split("/")
        if parts[:3] == ["api", "v1", "users"] and len(parts) == 3:
            limit = min(int(req.query.get("limit", ["200"])[0]), self.page_size)
            chunk, nxt = self.page(self.users, _cursor(req.query, "after"), limit)
            links = [f'<{self.url}/api/v1/users?{urlencode({"limit": limit})}>; rel="self"']
            if nxt is not None:
                links.append(f'<{self.url}/api/v1/users?{urlencode({"after": nxt, "limit": limit})}>; rel="next"')
            headers["Link"] = ", ".join(links)
            return 200, chunk, headers
        if len(parts) == 5 and parts[:3] == ["api", "v1", "users"] and parts[4] == "groups":
            if parts[3] not in self.groups:
                return 404, {"errorCode": "E0000007", "errorSummary": "Not found"}, headers
            return 200, self.groups[parts[3]], headers
        return 404, {"errorCode": "E0000022", "errorSummary": "The endpoint does not support this method"}, headers


class EntraServer(ContractServer):
    """login.microsoftonline.com's token endpoint and Microsoft Graph's /v1.0/users and memberOf,
    on one server (--login-url and --graph-url both point at it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = fixture("entra/token.json")
        self.users = fixture("entra/users.json")["value"]
        self.member_of = fixture("entra/member_of.json")

    def handle(self, req: Seen) -> tuple[int, Any, dict[str, str]]:
        if req.method == "POST" and req.path == f"/{ENTRA_TENANT}/oauth2/v2.0/token":
            form = parse_qs(req.body.decode())
            if form.get("grant_type") != ["client_credentials"] or form.get("scope") != [
                    "https://graph.microsoft.com/.default"]:
                return 400, {"error": "invalid_request"}, {}
            if form.get("client_id") != [ENTRA_CLIENT_ID] or form.get("client_secret") != [ENTRA_SECRET]:
                return 401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client "
                             "secret provided.", "error_codes": [7000215]}, {}
            return 200, self.token, {}
        if req.method == "POST" and req.path.endswith("/oauth2/v2.0/token"):
            return 400, {"error": "invalid_request", "error_description": "AADSTS90002: Tenant not found."}, {}
        if req.headers.get("authorization") != f"Bearer {self.token['access_token']}":
            return 401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}}, {}
        parts = req.path.strip("/").split("/")
        if parts == ["v1.0", "users"]:
            top = min(int(req.query.get("$top", ["100"])[0]), self.page_size)
            chunk, nxt = self.page(self.users, _cursor(req.query, "$skiptoken"), top)
            data: dict[str, Any] = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
                                    "value": chunk}
            if nxt is not None:
                query = urlencode({"$select": req.query.get("$select", [""])[0], "$top": top, "$skiptoken": nxt})
                data["@odata.nextLink"] = f"{self.url}/v1.0/users?{query}"
            return 200, data, {}
        if len(parts) == 4 and parts[:2] == ["v1.0", "users"] and parts[3] == "memberOf":
            if parts[2] not in self.member_of:
                return 404, {"error": {"code": "Request_ResourceNotFound"}}, {}
            return 200, self.member_of[parts[2]], {}
        return 404, {"error": {"code": "BadRequest", "message": "Resource not found"}}, {}
