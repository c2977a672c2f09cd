"""The settings API at /api/v1 (issue 5, item 5).

- `GET /settings`: the current settings (SPEC 4 as JSON) with an `ETag` ("v<version>";
  version 0 is the defaults, before anything was pushed).
- `PUT /settings`: needs `If-Match` with the current ETag (or `*`). Missing: 428 Precondition
  Required (RFC 6585), so that a client cannot overwrite blindly. Stale: 412. Invalid: 422 with
  `problems`, every one listed (the settings model, then the SSO lock-out guard). Stored as a
  new version; 200 with the new ETag. `X-Actor` names who pushed (default "api").
- `GET /settings/history`: every version, newest first: who, when, and what changed.
- `GET /company`: the directory with live seats (owned, in use, left, purchased) and pools, and
  `billing.current_period`, the recurring billing period (SPEC 5.5) a create is billed for today.
- `POST /preview`: sample users (any input the preview reader takes: SCIM JSON, NDJSON, CSV) in
  the body; SPEC 7 JSON computed against the live seats and numbers. `?as_of=YYYY-MM-DD`
  (default: the service's date).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson

from engine.billing import BillingPeriod, period_containing
from engine.errors import InputError
from engine.names import LICENSE_TYPES
from engine.preview import run_preview
from engine.settings import Settings, parse_settings, settings_problems
from engine.users import parse_users

# `Any` here: request and response bodies as JSON, and the ASGI messages.

if TYPE_CHECKING:
    from engine.service.app import ProvisioningService, Receive, Scope, Send

MAX_BODY = 64 * 1024 * 1024


def etag_of(version: int) -> str:
    return f'"v{version}"'


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: data}


def change_summary(before: Settings, after: Settings) -> str:
    """What changed between two settings, one `key: old -> new` per change (the certificate is
    summarised, not copied)."""
    old, new = _flatten(before.to_dict()), _flatten(after.to_dict())
    parts = []
    for key in new:
        if old.get(key) != new[key]:
            if key == "sso.certificate":
                parts.append("sso.certificate changed")
            else:
                parts.append(f"{key}: {old.get(key)!r} -> {new[key]!r}")
    return "; ".join(parts) or "no change"


def sso_problems(data: dict[str, Any], domains: list[str], today: dt.date,
                 tested: Callable[[str, str, str], bool] | None = None) -> list[str]:
    """The SSO lock-out guard (engine.sso), when it is there."""
    try:
        from engine.sso import guard_problems
    except ImportError:  # pragma: no cover - the guard is a sibling module
        return []
    sso = data.get("sso") or {}
    entity, url, cert = (str(sso.get(k, "")) for k in ("idp_entity_id", "idp_sso_url", "certificate"))
    return guard_problems(
        enforce=bool(sso.get("enforce", False)), idp_entity_id=str(sso.get("idp_entity_id", "")),
        idp_sso_url=str(sso.get("idp_sso_url", "")), certificate=str(sso.get("certificate", "")),
        break_glass=list(sso.get("break_glass", [])), company_domains=domains, today=today,
        sign_in_tested=None if tested is None or not sso.get("enforce") else tested(entity, url, cert))


class HttpError(Exception):
    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


class SettingsApi:
    def __init__(self, service: ProvisioningService) -> None:
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from engine.service.app import API_PREFIX, error_body, send_json  # app.py imports this module

        method = scope["method"].upper()
        path = scope["path"][len(API_PREFIX):].rstrip("/")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        routes = {
            "/settings": {"GET": self.get_settings, "PUT": self.put_settings},
            "/settings/history": {"GET": self.history},
            "/company": {"GET": self.company},
            "/preview": {"POST": self.preview},
        }
        try:
            methods = routes.get(path)
            if methods is None:
                raise HttpError(404, f"No API endpoint at {API_PREFIX}{path}")
            handler = methods.get(method)
            if handler is None:
                raise HttpError(405, f"{method} is not supported on {API_PREFIX}{path}; use "
                                + ", ".join(methods))
            body = await _read_body(receive)
            # In a worker thread, encoding included: a big preview never holds up other requests.
            status, payload, extra_headers = await asyncio.to_thread(_encoded, handler, headers, query, body)
        except HttpError as exc:
            extra_headers = {"Allow": ", ".join(routes[path])} if exc.status == 405 else {}
            await send_json(send, exc.status, error_body(exc.status, exc.detail, **exc.extra),
                            extra_headers)
            return
        await send_json(send, status, payload, extra_headers)

    # -- handlers: (headers, query, body) -> (status, json, headers) -------------------------

    def get_settings(self, headers: dict[str, str], query: dict[str, str], body: bytes) -> Any:
        s = self.service
        return 200, s.settings.to_dict(), {"ETag": etag_of(s.settings_version)}

    def put_settings(self, headers: dict[str, str], query: dict[str, str], body: bytes) -> Any:
        s = self.service
        if_match = headers.get("if-match")
        if if_match is None:
            raise HttpError(428, "PUT /settings needs If-Match with the ETag of GET /settings, so "
                            "that settings pushed meanwhile are not overwritten")
        current = etag_of(s.settings_version)
        tags = [t.strip() for t in if_match.split(",")]
        if "*" not in tags and current not in tags and f"W/{current}" not in tags:
            raise HttpError(412, f"The settings changed since they were read (now {current}); "
                            "GET /settings again and re-apply the change")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise HttpError(400, f"The body is not JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise HttpError(422, "The body must be a settings object (SPEC 4)",
                            problems=["the body must be a JSON object"])
        company = s.company
        problems = settings_problems(data, company)
        if not problems:
            problems = sso_problems(data, list(company.domains), dt.date.today(), s.saml.sign_in_tested)
        if problems:
            raise HttpError(422, f"The settings have {len(problems)} problem(s)", problems=problems)
        new = parse_settings(data, source="request body", company=company)
        with s.storage.lock:
            version = s.db.add_settings(s.settings_version, new.to_dict(),
                                        headers.get("x-actor", "api")[:200],
                                        change_summary(s.settings, new))
            if version is None:
                raise HttpError(412, "The settings changed meanwhile; GET /settings again")
            s.settings_version = version
            s.storage.settings = new
        return 200, new.to_dict(), {"ETag": etag_of(version)}

    def history(self, headers: dict[str, str], query: dict[str, str], body: bytes) -> Any:
        return 200, {"versions": self.service.db.settings_history()}, {}

    def company(self, headers: dict[str, str], query: dict[str, str], body: bytes) -> Any:
        s = self.service
        c = s.company
        with s.storage.lock:
            storage = s.storage
            ledger = storage.ledger
            by_number = storage.number_holders()
            offices: list[dict[str, Any]] = []
            for o in c.offices:
                seats = {}
                for lic in LICENSE_TYPES:
                    owned = ledger.owned(o.name, lic)
                    in_use = ledger.in_use[(o.name, lic)]
                    seats[lic] = {"directory": o.available_licenses[lic],
                                  "purchased": ledger.bought[(o.name, lic)],
                                  "in_use": in_use, "left": max(owned - in_use, 0)}
                offices.append({
                    "name": o.name, "country": o.country, "main": o.main,
                    "area_code": o.area_code or c.area_code, "seats": seats,
                    "numbers": {"reserved": list(o.reserved_numbers),
                                "free": [n for n in o.reserved_numbers if n not in ledger.used],
                                "assigned": {n: by_number[n] for n in o.reserved_numbers
                                             if n in by_number}},
                })
            bought = s.db.purchases()
            names = storage.user_names({*by_number.values(), *(p[0] for p in bought)})
            for office in offices:
                assigned = office["numbers"]["assigned"]
                for n, uid in assigned.items():
                    assigned[n] = names.get(uid, uid)
            purchases = [{"user": names.get(uid, uid), "office": office, "license": lic,
                          "prorated_cost": cost, "at": at}
                         for uid, office, lic, cost, at in bought]
            users = {"placed": storage.placed_count(), "total": storage.user_count()}
        b = c.billing
        return 200, {
            "name": c.name, "domains": list(c.domains), "master_domain": c.master_domain,
            "area_code": c.area_code,
            "billing": {"currency": b.currency, "period_start": b.period_start.isoformat(),
                        "period_end": b.period_end.isoformat(), "monthly_price": b.monthly_price,
                        # What a create today is billed for: the directory's period, recurring.
                        "current_period": _period_on(b.period, s.today()).to_dict()},
            "offices": offices, "purchases": purchases,
            "users": users,
        }, {}

    def preview(self, headers: dict[str, str], query: dict[str, str], body: bytes) -> Any:
        s = self.service
        as_of = s.today()
        if "as_of" in query:
            try:
                as_of = dt.date.fromisoformat(query["as_of"])
            except ValueError:
                raise HttpError(400, f"as_of = {query['as_of']!r} is not a date (YYYY-MM-DD)") from None
        _period_on(s.company.billing.period, as_of)
        try:
            users = parse_users(body, source="request body")
        except InputError as exc:
            raise HttpError(422, exc.line(), problems=exc.problems) from None
        with s.storage.lock:
            preview = run_preview(s.company, users, s.settings, as_of,
                                  seats=s.storage.ledger.seats_left(),
                                  used_numbers=set(s.storage.ledger.used))
        return 200, preview.to_dict(), {}


def _period_on(directory: BillingPeriod, day: dt.date) -> BillingPeriod:
    try:
        return period_containing(directory, day)
    except ValueError as exc:
        raise HttpError(400, f"as_of: {exc}") from None


def _encoded(handler: Any, headers: dict[str, str], query: dict[str, str], body: bytes) -> Any:
    status, payload, extra = handler(headers, query, body)
    return status, RawJson(orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)), extra


class RawJson(bytes):
    """A body already encoded as JSON (send_json sends it as it is)."""


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    size = 0
    more = True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise HttpError(413, f"The body is larger than {MAX_BODY} bytes")
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)
