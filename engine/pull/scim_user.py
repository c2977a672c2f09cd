"""Building SCIM 2.0 User objects (RFC 7643) the way an IdP's SCIM app sends them: attributes
with no value are left out, as both Okta and Entra ID leave them out of their requests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any  # `Any`: the IdP's JSON before it is checked

from engine.names import CORE_USER_SCHEMA, ENTERPRISE_NS


def clean(value: Any) -> Any:
    """Drop empty strings, None, empty lists and empty objects, recursively."""
    if isinstance(value, dict):
        out = {k: clean(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [clean(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    if isinstance(value, str):
        return value.strip()
    return value


def obj(value: Any) -> dict[str, Any]:
    """An object from an answer, or an empty one when it is anything else."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def scim_user(core: dict[str, Any], enterprise: dict[str, Any], groups: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A User with the enterprise extension when it has any value, and `groups` as
    `[{"value": id, "display": name}]`."""
    ent = clean(enterprise)
    user: dict[str, Any] = {"schemas": [CORE_USER_SCHEMA, *([ENTERPRISE_NS] if ent else [])]}
    user.update(clean(core))
    if ent:
        user[ENTERPRISE_NS] = ent
    user["groups"] = [{"value": gid, "display": name} for gid, name in groups if name]
    return user


def ndjson(users: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(u, ensure_ascii=False) + "\n" for u in users).encode("utf-8")
