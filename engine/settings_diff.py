"""What a push would change: the settings on the service against the admin's, field by field.

A field is a dotted key of SPEC 4 (`office.fields`, `sso.enforce`, ...). Lists are compared as
a whole (their order matters: `office.fields` and `licenses.groups` are priority orders). The
certificate is long and not secret but unreadable: it is summarised by its SHA-256 fingerprint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.settings import Settings

if TYPE_CHECKING:
    from engine.directory import Company

# `Any` here: settings and previews as JSON (the service's answers and `to_dict()`), compared
# value by value whatever their type.

CERTIFICATE_KEY = "sso.certificate"


@dataclass(frozen=True)
class FieldChange:
    key: str
    before: Any  # None when the service does not have the key
    after: Any

    @property
    def section(self) -> str:
        return self.key.partition(".")[0]

    def before_text(self) -> str:
        return format_value(self.key, self.before)

    def after_text(self) -> str:
        return format_value(self.key, self.after)

    def line(self) -> str:
        """One line for the command line: `key: old -> new`."""
        return f"{self.key}: {self.before_text()} -> {self.after_text()}"


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"office": {"fields": [...]}}` -> `{"office.fields": [...]}`, in document order."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def _as_dict(settings: Settings | dict[str, Any]) -> dict[str, Any]:
    return settings.to_dict() if isinstance(settings, Settings) else settings


def diff_settings(before: Settings | dict[str, Any], after: Settings | dict[str, Any]) -> list[FieldChange]:
    """Every field whose value differs, in the order of SPEC 4 (`after`'s order, then keys only
    `before` has)."""
    old, new = flatten(_as_dict(before)), flatten(_as_dict(after))
    changes = [FieldChange(k, old.get(k), v) for k, v in new.items() if _norm(old.get(k)) != _norm(v)]
    changes += [FieldChange(k, v, None) for k, v in old.items() if k not in new]
    return changes


def _norm(value: Any) -> Any:
    # JSON gives lists where the dataclasses give tuples; compare them alike.
    if isinstance(value, tuple | list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def certificate_fingerprint(text: str) -> str | None:
    """The SHA-256 fingerprint (colon hex) of the certificate stored as base64 DER (PEM armour
    tolerated): the hash of the DER bytes, as step 5, `check-cert` and every IdP show it, not of
    the base64 text. None when the text is not base64."""
    body = "".join(line for line in text.split() if not line.startswith("-----"))
    try:
        der = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest()) if der else None


def certificate_summary(text: str) -> str:
    if not text:
        return "(none)"
    fingerprint = certificate_fingerprint(text)
    if fingerprint is None:
        return f"{len(text)} characters, not base64: not a certificate"
    return f"SHA-256 {fingerprint}"


def format_value(key: str, value: Any) -> str:
    """A value as the admin reads it: lists joined, booleans as TOML writes them."""
    if value is None:
        return "(not set)"
    if key == CERTIFICATE_KEY:
        return certificate_summary(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        if not value:
            return "(none)"
        parts = []
        for item in value:
            if isinstance(item, dict) and set(item) == {"group", "license"}:
                parts.append(f"{item['group']} → {item['license']}")
            else:
                parts.append(str(item))
        return ", ".join(parts)
    if value == "":
        return "(empty)"
    return str(value)


def diff_lines(changes: list[FieldChange]) -> list[str]:
    """The diff for the command line, one `  key: old -> new` a change."""
    return [f"  {c.line()}" for c in changes]


# -- dry run: where a service preview differs from the local one ------------------------------

OUTCOME_KEYS = ("status", "office", "license", "seat", "number", "area_code", "reason")


def live_state(company: Company, service_company: dict[str, Any]) -> tuple[list[list[int]], set[str], list[str]]:
    """Seats left and used reserved numbers from the service's `GET /company`, in the order of
    the local directory, for `run_preview(..., seats=, used_numbers=)`. Also the offices that the
    two directories do not share (their seats come from the local directory)."""
    from engine.names import LICENSE_TYPES, norm  # only the dry run needs them

    offices = [o for o in service_company.get("offices", []) if isinstance(o, dict)]
    remote = {norm(str(o.get("name", ""))): o for o in offices}
    seats: list[list[int]] = []
    used: set[str] = set()
    for office in company.offices:
        live = remote.get(office.key)
        if live is None:
            seats.append([office.available_licenses[lic] for lic in LICENSE_TYPES])
            continue
        left = live.get("seats", {})
        seats.append([int(left.get(lic, {}).get("left", office.available_licenses[lic])) for lic in LICENSE_TYPES])
        numbers = live.get("numbers", {})
        free = set(numbers.get("free", []))
        used.update(n for n in numbers.get("reserved", []) if n not in free)
    local = {o.key for o in company.offices}
    unshared = [o.name for o in company.offices if o.key not in remote]
    unshared += [str(o.get("name")) for key, o in remote.items() if key not in local]
    return seats, used, unshared


def _outcome(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row.get(k) for k in OUTCOME_KEYS)


def outcome_text(row: dict[str, Any]) -> str:
    if row.get("status") != "create":
        return f"{row.get('status')} ({row.get('reason')})"
    number = row.get("number") or (f"new number in {row.get('area_code')}" if row.get("area_code")
                                   else row.get("number_source") or "no number")
    return f"{row.get('office')}, {row.get('license')}, seat {row.get('seat')}, {number}"


@dataclass(frozen=True)
class UserDifference:
    index: int
    user_name: str
    before: str
    after: str


@dataclass(frozen=True)
class PreviewExplanation:
    """Local preview (your settings, directory seats) vs the service's (its settings, live
    seats), split in two: what the live seats and numbers change, and what the settings not yet
    pushed change."""

    from_live_state: list[UserDifference]
    from_settings: list[UserDifference]
    unshared_offices: list[str]

    def lines(self, limit: int = 5) -> list[str]:
        out: list[str] = []
        if self.unshared_offices:
            out.append("The service's directory and yours differ: offices only one of them has: "
                       + ", ".join(self.unshared_offices))
        if not self.from_live_state and not self.from_settings:
            out.append("The service's preview matches the local one: no difference.")
            return out
        for title, diffs in (
            ("seats and numbers already used on the service (local preview -> with live seats)",
             self.from_live_state),
            ("settings not pushed yet (service's preview now -> after this push)", self.from_settings),
        ):
            if not diffs:
                out.append(f"0 users differ because of {title.split(' (')[0]}.")
                continue
            out.append(f"{len(diffs)} user(s) differ because of {title}:")
            out += [f"  {d.user_name or '#' + str(d.index)}: {d.before} -> {d.after}" for d in diffs[:limit]]
            if len(diffs) > limit:
                out.append(f"  … and {len(diffs) - limit} more")
        return out


def explain_previews(local: list[dict[str, Any]], local_live: list[dict[str, Any]],
                     service: list[dict[str, Any]], unshared_offices: list[str] | None = None) -> PreviewExplanation:
    """`local`: your settings on the directory's seats; `local_live`: your settings on the live
    seats; `service`: the service's `POST /preview` (its settings on the live seats). Rows are
    matched by index."""

    def diffs(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[UserDifference]:
        out = []
        for x, y in zip(a, b, strict=False):
            if _outcome(x) != _outcome(y):
                out.append(UserDifference(int(x.get("index", 0)), str(x.get("userName") or ""),
                                          outcome_text(x), outcome_text(y)))
        return out

    return PreviewExplanation(diffs(local, local_live), diffs(service, local_live), list(unshared_offices or []))
