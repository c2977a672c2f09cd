"""What the service checks before a request reaches SCIM or the settings API (issue 10).

- Bodies: a limit per path, answered 413 from `Content-Length` before anything is read, or as
  soon as a streamed body passes it (the body is then never held whole).
- Headers: a header that is not UTF-8 is a 400; without a token only loopback `Host` values are
  served (a web page the admin opens cannot reach the service through DNS rebinding); writes
  need a JSON content type on the paths listed in `CONTENT_TYPES` (a page can send a form or
  text/plain without asking, but not JSON).
- Caps on what a single request may ask: attributes, filter length, members per PATCH and
  groups per created user.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any  # `Any`: ASGI scopes and messages, dicts of any values by the ASGI spec
from urllib.parse import parse_qsl

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]

MIB = 1024 * 1024
DEFAULT_MAX_BODY = MIB  # a resource: the biggest real user is a few KiB
BULK_MAX_BODY = 4 * MIB  # what ServiceProviderConfig advertises (models.service_config)
PREVIEW_MAX_BODY = 16 * MIB  # sample users for the service's preview (about 30k users)
MAX_ATTRIBUTES = 100  # names in attributes= or excludedAttributes=
MAX_FILTER_LENGTH = 4096  # characters in filter=
MAX_MEMBERS_PER_PATCH = 1000  # member values in one PATCH of a Group
MAX_GROUPS_PER_USER = 100  # groups named in one POST /Users

JSON_TYPES = ("application/scim+json", "application/json")
# Media types a write must carry, by path prefix (the first prefix that matches decides; paths
# that match none, such as /saml/acs with its HTML form POST, are not checked). The preview
# also reads CSV and NDJSON sample users, which a page cannot send without a preflight.
CONTENT_TYPES: list[tuple[str, tuple[str, ...]]] = [
    ("/api/v1/preview", (*JSON_TYPES, "text/csv", "application/x-ndjson", "application/octet-stream")),
    ("/scim/", JSON_TYPES),
    ("/api/v1/", JSON_TYPES),
]
WRITES = frozenset({"POST", "PUT", "PATCH"})


@dataclass
class Refusal(Exception):
    """A request refused before it is handled: the status, the sentence, the SCIM error type."""

    status: int
    detail: str
    scim_type: str | None = None


def body_limit(path: str, default: int) -> int:
    if path.rstrip("/").endswith("/scim/v2/Bulk"):
        return max(default, BULK_MAX_BODY)
    if path.startswith("/api/v1/preview"):
        return max(default, PREVIEW_MAX_BODY)
    return default


def headers_of(scope: Scope) -> dict[str, str]:
    """The headers as text; a value that is not UTF-8 is refused (400), not a 500."""
    out: dict[str, str] = {}
    for name, value in scope["headers"]:
        try:
            out[name.decode("ascii").lower()] = value.decode("utf-8")
        except UnicodeDecodeError:
            shown = name.decode("latin-1")[:40]
            raise Refusal(400, f"The {shown} header is not UTF-8 text; send it as UTF-8",
                          "invalidSyntax") from None
    return out


def is_loopback_host(host_header: str) -> bool:
    """A Host value naming this machine: localhost (and *.localhost), a loopback address, or a
    `.invalid` name (which no DNS resolves, so no page can send it: the in-process client's)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":")[0]
    if host in ("localhost",) or host.endswith((".localhost", ".invalid")):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_request(scope: Scope, headers: dict[str, str], *, token_set: bool) -> None:
    if not token_set and not is_loopback_host(headers.get("host", "")):
        raise Refusal(403, "Without a token the service only answers requests addressed to "
                      "127.0.0.1 or localhost; set SCIM_ASSISTANT_TOKEN to serve other names")
    query = dict(parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace")))
    for name in ("attributes", "excludedAttributes"):
        if len(query.get(name, "").split(",")) > MAX_ATTRIBUTES:
            raise Refusal(400, f"{name} names more than {MAX_ATTRIBUTES} attributes", "invalidValue")
    if len(query.get("filter", "")) > MAX_FILTER_LENGTH:
        raise Refusal(400, f"The filter is longer than {MAX_FILTER_LENGTH} characters", "invalidFilter")


def check_content_type(scope: Scope, headers: dict[str, str], body: bytes) -> None:
    """A write with a body must say it is JSON (on the paths CONTENT_TYPES lists). An empty body
    changes nothing, and is left to the handler (405 on read-only endpoints)."""
    path: str = scope["path"]
    method = scope["method"].upper()
    if method not in WRITES or not body:
        return
    allowed = next((types for prefix, types in CONTENT_TYPES if path.startswith(prefix)), None)
    given = headers.get("content-type", "").split(";")[0].strip().lower()
    if allowed is not None and given not in allowed:
        raise Refusal(415, f"{method} {path} needs Content-Type {' or '.join(allowed[:2])}"
                      f"{f' (not {given})' if given else ''}", "invalidSyntax")


async def read_body(receive: Receive, headers: dict[str, str], limit: int) -> bytes:
    """The whole body, refused (413) as soon as it is known to pass `limit`."""
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise Refusal(413, f"The body ({int(declared):,} bytes) is larger than the {limit:,} bytes "
                      "this endpoint takes", "tooLarge")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refusal(413, f"The body is larger than the {limit:,} bytes this endpoint takes",
                          "tooLarge")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    """A `receive` that gives the body already read, then waits for the disconnect."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
