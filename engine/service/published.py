"""Answers rendered from the stored rows: plain lists of Users and Groups, and creates (issue
10's speed targets).

scim2-server builds a model of every resource it answers with, copies it to publish it and dumps
it again (for a list, then validates and dumps the list around it): about 1.5 ms a user, 150 ms
a page of 100. The stored row already is the resource's JSON in its published form, less what
publishing adds: `meta.location`, the `groups` or `members` (kept in their own table) and
absolute `$ref` URLs. So
- a list whose query has only `filter`, `startIndex` and `count` (what Okta and Entra ID send),
- a POST to /Users or /Groups without query parameters
are answered here from the rows, while scim2-server still reads the query or validates the body
(same bounds, same errors). Anything else, and every error, is answered by scim2-server:
tests/service/test_published.py checks that both give the same answer.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any  # `Any`: SCIM JSON documents
from urllib.parse import parse_qsl

import orjson
from scim2_models import SCIMException

if TYPE_CHECKING:
    from engine.service.app import ProvisioningService, Scope, Send

LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ENDPOINTS = {"User": "Users", "Group": "Groups"}
QUERY = frozenset({"filter", "startIndex", "count"})
_LIST_PATH = re.compile(r"/v2/(Users|Groups)")


def locate(base: str, reference: str) -> str:
    """A reference as publishing shows it: `Users/<id>` becomes its URL; absolute ones stay."""
    if reference.startswith("/") or ":" in reference.split("/", 1)[0]:
        return reference
    return f"{base}/{reference}"


def published_row(data: str, base_url: str, related: list[dict[str, Any]] | None) -> dict[str, Any]:
    """A stored row as the response shows it. `related`: the user's groups or the group's members
    as the storage reads them (with relative `$ref`), or None."""
    doc: dict[str, Any] = orjson.loads(data)
    base = base_url.rstrip("/")
    meta = doc["meta"]
    meta["location"] = f"{base}/{ENDPOINTS[meta['resourceType']]}/{doc['id']}"
    for key in ("created", "lastModified"):  # rows touched by an earlier version wrote +00:00
        if isinstance(meta.get(key), str) and meta[key].endswith("+00:00"):
            meta[key] = meta[key][:-6] + "Z"
    if related:
        key = "groups" if meta["resourceType"] == "User" else "members"
        doc[key] = [{k: locate(base, v) if k == "$ref" else v for k, v in entry.items() if v is not None}
                    for entry in related]
    manager = doc.get(ENTERPRISE, {}).get("manager")
    if isinstance(manager, dict) and isinstance(manager.get("$ref"), str):
        manager["$ref"] = locate(base, manager["$ref"])
    return doc


async def serve_list(service: ProvisioningService, scope: Scope, send: Send) -> bool:
    """Answer a plain list of Users or Groups from the rows; False leaves it to scim2-server.
    `scope`: the request as scim2-server's application gets it (its root path ends in /scim)."""
    found = _LIST_PATH.fullmatch(service.scim.get_path(scope))
    if scope["method"] != "GET" or found is None:
        return False
    query = dict(parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True))
    if not query.keys() <= QUERY:
        return False
    scim = service.scim_service
    resource_type = service.resource_types[found[1]]
    base_url = service.scim.get_base_url(scope)
    # Within the provider's context, as scim2-server's handler reads and searches (to_thread
    # carries it to the storage's thread).
    with scim.provider:
        try:
            search, position = scim.read_search_query([resource_type], query)
        except Exception:  # noqa: BLE001  # scim2-server answers it, with its own error
            return False
        if search.cursor is not None or position is not None:
            return False
        try:
            total, docs = await asyncio.to_thread(service.storage.search_published, [resource_type],
                                                  search, base_url)
        except SCIMException:  # a filter the storage refuses: scim2-server answers it
            return False
    body: dict[str, Any] = {"schemas": [LIST_RESPONSE], "totalResults": total}
    if search.start_index is not None:
        body["startIndex"] = search.start_index
    body["itemsPerPage"] = len(docs)
    body["Resources"] = docs
    await send_scim(send, 200, body, location=f"{base_url.rstrip('/')}/{found[1]}")
    return True


async def serve_create(service: ProvisioningService, scope: Scope, headers: dict[str, str], body: bytes,
                       send: Send) -> bool:
    """Create a User or Group and answer 201 from its row; False leaves the request to
    scim2-server (which also answers any error: a create that failed left nothing behind)."""
    found = _LIST_PATH.fullmatch(service.scim.get_path(scope))
    if scope["method"] != "POST" or found is None or scope.get("query_string"):
        return False
    scim = service.scim_service
    resource_type = service.resource_types[found[1]]
    with scim.provider:
        try:
            resource = scim.read_creation(resource_type, body, headers.get("content-type"))
        except Exception:  # noqa: BLE001  # scim2-server answers it, with its own error
            return False
        try:
            # The group hints read_creation set travel with the context to_thread copies.
            doc = await asyncio.to_thread(service.storage.create_published, resource_type, resource,
                                          service.scim.get_base_url(scope))
        except SCIMException:
            return False
    meta = doc["meta"]
    await send_scim(send, 201, doc, location=meta["location"], extra=(
        (b"content-location", meta["location"].encode()), (b"etag", meta["version"].encode())))
    return True


async def send_scim(send: Send, status: int, body: dict[str, Any], *, location: str,
                    extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """A SCIM answer with the headers scim2-server gives every answer."""
    payload = orjson.dumps(body)
    headers = [(b"content-type", b"application/scim+json"), (b"content-length", str(len(payload)).encode()),
               *extra, (b"location", location.encode()), (b"cache-control", b"no-cache")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
