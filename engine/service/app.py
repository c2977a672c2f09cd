"""The provisioning service as one ASGI application (issue 5).

- `/scim/v2/...`: SCIM 2.0 (scim2-server's ASGI application over `ProvisioningStorage`).
- `/api/v1/...`: the settings API (`engine.service.api`).

Every request needs `Authorization: Bearer <token>` when a token is set; without one the
answer is a SCIM 401 error. `create_app` builds it for uvicorn (`scim-assistant serve`) and for
in-process use through `httpx.ASGITransport` (the push's embedded default).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any, cast

import orjson
import tomli_w
from scim2_models import InvalidValueException, ResourceType, SCIMException, UnauthorizedException
from scim2_server.applications.asgi import ASGIApplication
from scim2_server.service import ScimService

from engine.demo import demo_bytes
from engine.directory import Company, parse_company
from engine.inputfile import read_bytes
from engine.service.guards import (
    DEFAULT_MAX_BODY,
    MAX_GROUPS_PER_USER,
    MAX_MEMBERS_PER_PATCH,
    Refusal,
    body_limit,
    check_content_type,
    check_request,
    headers_of,
    read_body,
    replay,
)
from engine.service.models import build_provider
from engine.service.published import serve_create, serve_list
from engine.service.store import GROUP_HINTS, AsyncProvisioningStorage, ProvisioningStorage, ServiceDB
from engine.service.writer import Holder
from engine.settings import Settings, parse_settings
from engine.tomlfile import parse_toml

# `Any` here: the ASGI messages and JSON bodies, whose values the ASGI and SCIM specs shape.

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

SCIM_PREFIX = "/scim"
API_PREFIX = "/api/v1"


class AssistantScimService(ScimService):
    """scim2-server's protocol steps, plus the groups a created User names (see store.GROUP_HINTS)."""

    def read_creation(self, resource_type: ResourceType, body: bytes, content_type: str | None) -> Any:
        resource = super().read_creation(resource_type, body, content_type)
        if resource_type.name == "User":
            try:
                doc = orjson.loads(body)
            except orjson.JSONDecodeError:
                doc = None
            groups = doc.get("groups") if isinstance(doc, dict) else None
            names = [g["display"] for g in groups
                     if isinstance(g, dict) and isinstance(g.get("display"), str)] \
                if isinstance(groups, list) else []
            if len(names) > MAX_GROUPS_PER_USER:
                raise InvalidValueException(detail=f"A user can name at most {MAX_GROUPS_PER_USER} "
                                            f"groups in one request ({len(names)} given)")
            GROUP_HINTS.set(names or None)
        return resource


def company_to_toml(company: Company) -> str:
    """The directory back in its TOML form (SPEC 2), to store a directory given as an object."""
    b = company.billing
    data: dict[str, Any] = {
        "company": {"name": company.name, "domains": list(company.domains), "area_code": company.area_code},
        "billing": {"currency": b.currency, "period_start": b.period_start, "period_end": b.period_end,
                    "monthly_price": dict(b.monthly_price)},
        "offices": [],
    }
    if company.master_domain:
        data["company"]["master_domain"] = company.master_domain
    for o in company.offices:
        office: dict[str, Any] = {"name": o.name, "country": o.country, "main": o.main,
                                  "reserved_numbers": list(o.reserved_numbers),
                                  "available_licenses": dict(o.available_licenses)}
        if o.area_code:
            office["area_code"] = o.area_code
        data["offices"].append(office)
    return tomli_w.dumps(data)


def _load_company(db: ServiceDB, company: Company | str | Path | None) -> Company:
    """The directory given (stored for next time), else the stored one, else the demo."""
    if company is None:
        stored = db.company_toml()
        if stored is not None:
            source, text = stored
            # Checked in full when it was stored: the slow check of its numbers (phonenumbers)
            # is not repeated on every start.
            return parse_company(parse_toml(text.encode(), source=source), source=source, trusted=True)
        text, source = demo_bytes("company").decode("utf-8"), "demo company"
    elif isinstance(company, Company):
        text, source = company_to_toml(company), "company directory"
    else:
        source = str(company)
        data = read_bytes(company, what="company directory")
        parsed = parse_company(parse_toml(data, source=source), source=source)  # refuses non-UTF-8
        db.save_company(source, data.decode("utf-8-sig"))
        return parsed
    parsed = parse_company(parse_toml(text.encode(), source=source), source=source,
                           trusted=company is None)  # the demo's numbers are checked by the tests
    db.save_company(source, text)
    return parsed


class ProvisioningService:
    """The ASGI application: routing, authentication, and the state both halves share."""

    def __init__(self, db_path: str | Path, *, token: str | None,
                 company: Company | str | Path | None = None,
                 today: Callable[[], dt.date] = dt.date.today, holder: Holder | None = None,
                 max_body: int = DEFAULT_MAX_BODY, public_url: str | None = None) -> None:
        self.token = token or None
        self.today = today  # the billing date: placement and GET /api/v1/company use it
        self.max_body = max_body
        self.db = ServiceDB(db_path, holder=holder)
        self.company = _load_company(self.db, company)
        # This process is the database's one writer (engine.service.writer): the settings change
        # only through its own API, so they are read once here, not checked on every request.
        latest = self.db.latest_settings()
        self.settings_version = 0
        settings = Settings()
        if latest is not None:
            self.settings_version, data = latest
            settings = parse_settings(data, source=f"settings version {latest[0]}")
        self.provider = build_provider()
        self.storage = ProvisioningStorage(self.db, self.provider, self.company, settings, today=today)
        self.scim_service = AssistantScimService(self.provider)
        self.resource_types = {cast(str, rt.endpoint).strip("/"): rt for rt in self.provider.resource_types}
        self.scim = ASGIApplication(AsyncProvisioningStorage(self.storage), self.provider,
                                    self.scim_service)
        from engine.service.api import SettingsApi  # it imports this module: loaded once both exist

        self.api = SettingsApi(self)
        from engine.service.saml import SamlRoutes

        self.saml = SamlRoutes(self, db_path, public_url)  # the test sign-in (issue 13)

    @property
    def settings(self) -> Settings:
        return self.storage.settings

    def close(self) -> None:
        self.saml.close()
        self.db.close()

    # -- authentication -----------------------------------------------------------------

    def authorized(self, headers: dict[str, str]) -> bool:
        if self.token is None:
            return True
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            return hmac.compare_digest(given.strip().encode(), self.token.encode())
        return False

    async def unauthorized(self, send: Send, scope: Scope) -> None:
        given = any(name.lower() == b"authorization" for name, _ in scope["headers"])
        detail = ("The bearer token was refused; check SCIM_ASSISTANT_TOKEN on both sides" if given
                  else "A bearer token is required (Authorization: Bearer <token>)")
        response = self.scim_service.error_response(UnauthorizedException(detail=detail))
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="SCIM"')
        await send_json(send, int(response.status), response.body, response.headers)

    # -- ASGI ---------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await ASGIApplication.serve_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        public = self.saml.is_public(path)  # the browser and the IdP: no token, by nature
        try:
            headers = headers_of(scope)
            if not public and not self.authorized(headers):
                await self.unauthorized(send, scope)
                return
            check_request(scope, headers, token_set=self.token is not None)
            if public:  # its own 1 MiB cap and form check, answered as a page for the browser
                await self.saml.public(scope, receive, send)
                return
            body = await read_body(receive, headers, body_limit(path, self.max_body))
            check_content_type(scope, headers, body)
        except Refusal as refused:
            await send_refusal(send, refused)
            return
        receive = replay(body)
        if self.saml.is_api(path):
            await self.saml.api(scope, receive, send)
            return
        if path == SCIM_PREFIX or path.startswith(SCIM_PREFIX + "/"):
            root = scope.get("root_path", "") + SCIM_PREFIX
            scim_scope = {**scope, "root_path": root, "path": scope.get("root_path", "") + path}
            try:
                if await serve_list(self, scim_scope, send) or \
                        await serve_create(self, scim_scope, headers, body, send) or \
                        await self.patch_members(scope, headers, body, send):
                    return
            except Refusal as refused:
                await send_refusal(send, refused)
                return
            await self.scim(scim_scope, receive, send)
            return
        if path.startswith(API_PREFIX + "/"):
            await self.api(scope, receive, send)
            return
        await send_json(send, 404, error_body(404, f"Nothing at {path}; SCIM is at {SCIM_PREFIX}/v2 "
                                              f"and the settings API at {API_PREFIX}"))

    async def patch_members(self, scope: Scope, headers: dict[str, str], body: bytes, send: Send) -> bool:
        """PATCH of a Group's members (how Okta and Entra ID push memberships): a row per member
        added or removed, answered 204 without reading the group's other members. Any other
        PATCH goes through scim2-server (False)."""
        found = _GROUP_PATH.fullmatch(scope["path"])
        if scope["method"].upper() != "PATCH" or found is None:
            return False
        changes = member_changes(body)
        if changes is None or scope.get("query_string"):
            return False
        add, remove = changes
        if len(add) + len(remove) > MAX_MEMBERS_PER_PATCH:
            raise Refusal(400, f"One PATCH can add or remove at most {MAX_MEMBERS_PER_PATCH} members "
                          f"({len(add) + len(remove)} given); send them in several", "invalidValue")
        expected = headers.get("if-match")
        try:
            await asyncio.to_thread(self.storage.patch_members, found[1], add, remove,
                                    expected_version=expected.strip() if expected else None)
        except SCIMException as exc:
            response = self.scim_service.error_response(exc)
            await send_json(send, int(response.status), response.body, response.headers)
            return True
        await send_json(send, 204, None)
        return True


_GROUP_PATH = re.compile(r"/scim/v2/Groups/([^/]+)")
_MEMBER_VALUE = re.compile(r'members\[\s*value\s+eq\s+"([^"]+)"\s*\]', re.IGNORECASE)


def member_changes(body: bytes) -> tuple[dict[str, str | None], set[str]] | None:
    """The members a PATCH adds and removes, when that is all it does; else None."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    ops = doc.get("Operations") if isinstance(doc, dict) else None
    if not isinstance(ops, list) or not ops:
        return None
    add: dict[str, str | None] = {}
    remove: set[str] = set()
    for op in ops:
        if not isinstance(op, dict):
            return None
        kind, path, value = str(op.get("op", "")).lower(), op.get("path"), op.get("value")
        if not isinstance(path, str):
            return None
        single = _MEMBER_VALUE.fullmatch(path.strip())
        if kind == "remove" and single and value is None:
            remove.add(single[1])
            continue
        if path.strip().lower() != "members" or kind not in ("add", "remove") or not isinstance(value, list):
            return None
        for member in value:
            if not isinstance(member, dict) or not isinstance(member.get("value"), str) or not member["value"]:
                return None
            if kind == "add":
                display = member.get("display")
                add[member["value"]] = display if isinstance(display, str) else None
                remove.discard(member["value"])
            else:
                remove.add(member["value"])
                add.pop(member["value"], None)
    return add, remove


async def send_refusal(send: Send, refused: Refusal) -> None:
    extra = {"scimType": refused.scim_type} if refused.scim_type else {}
    await send_json(send, refused.status, error_body(refused.status, refused.detail, **extra))


def error_body(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status),
            "detail": detail, **extra}


async def send_json(send: Send, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    from engine.service.api import RawJson

    payload = b"" if body is None else body if isinstance(body, RawJson) else json.dumps(body).encode()
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    if status == HTTPStatus.NO_CONTENT:
        payload = b""
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in hdrs.items()]})
    await send({"type": "http.response.body", "body": payload})


def create_app(db_path: str | Path, *, token: str | None, company: Company | str | Path | None = None,
               today: Callable[[], dt.date] = dt.date.today, holder: Holder | None = None,
               max_body: int = DEFAULT_MAX_BODY, public_url: str | None = None) -> ProvisioningService:
    """The service as an ASGI application, on the SQLite file `db_path` (":memory:" works too).

    `token`: the bearer token every request must carry (None: no authentication, for loopback
    and in-process use only). `company`: a directory (object or TOML path) to load or update;
    None uses the stored one, or the demo the first time. `holder`: who writes the file (see
    engine.service.writer; default this process, embedded). `max_body`: the body limit of a
    resource, in bytes (Bulk and the preview take more, see engine.service.guards).
    `public_url`: the base URL the IdP and the browser see (SAML addresses); None: the address
    the request came in on.
    """
    return ProvisioningService(db_path, token=token, company=company, today=today, holder=holder,
                               max_body=max_body, public_url=public_url)
