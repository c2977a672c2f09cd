"""The fast reader for big SCIM JSON files: a typed decode of only what the rules read.

msgspec decodes an array of Users, or a ListResponse, straight into small Structs holding the
attributes of SPEC 3, skipping every other attribute without building it: about half the time
and memory of building the whole document as dicts. The types are the common, well-formed
shapes only (strings, `active` as a boolean or a string, lists of objects). A document with any
record that does not fit them (a number where a string is expected, an address that is not an
object...) is not read here at all: `read_typed` answers None and the general reader, which
handles every shape, reads the whole document. So both readers give identical records; the
tests hold them to that.

One difference remains, in what counts as JSON: an attribute the rules do not read is skipped
unbuilt, so a number beyond the range of a double or nesting deeper than 1024 levels there does
not stop this reader, where orjson refuses the whole file.
"""

from __future__ import annotations

from typing import Any  # `Any`: JSON values msgspec leaves undecoded, checked by the general reader's rules

import msgspec

from engine.names import CORE_USER_SCHEMA, ENTERPRISE_NS
from engine.perf import drop
from engine.users import PROGRESS_EVERY, Progress, UserRecord, build_record, domain_of, invalid_record, parse_active

_CORE_LOWER = CORE_USER_SCHEMA.lower()


class _Multi(msgspec.Struct, gc=False):
    """An entry of `emails` or `addresses`: `primary` as the IdPs send it, true or "True"."""

    primary: bool | str | None = None
    type: str | None = None
    value: str | None = None
    country: str | None = None


class _Name(msgspec.Struct, gc=False, rename="camel"):
    given_name: str | None = None
    family_name: str | None = None


class _Group(msgspec.Struct, gc=False):
    display: str | None = None


class _Office(msgspec.Struct, gc=False, rename="camel"):
    """The office attributes, in the enterprise namespace or at the top level (SPEC 3)."""

    office_name: str | None = None
    physical_delivery_office_name: str | None = None
    department: str | None = None
    license_type: str | None = None


_NO_OFFICE = _Office()
_ABSENT = msgspec.Raw()


class _User(_Office, gc=False, rename={
        "user_name": "userName", "display_name": "displayName", "enterprise": ENTERPRISE_NS,
        "office_name": "officeName", "physical_delivery_office_name": "physicalDeliveryOfficeName",
        "license_type": "licenseType"}):
    # Raw (the JSON text, unparsed) where the rules rarely look: decoded only when needed.
    schemas: msgspec.Raw = _ABSENT
    user_name: str | None = None
    active: bool | str | None = None
    display_name: str | None = None
    name: msgspec.Raw = _ABSENT
    emails: msgspec.Raw = _ABSENT
    addresses: list[_Multi] | None = None
    groups: list[_Group] | None = None
    enterprise: _Office | None = None


class _ListResponse(msgspec.Struct, gc=False):
    Resources: list[_User]  # noqa: N815 - the SCIM attribute's own spelling


_array = msgspec.json.Decoder(list[_User])
_list_response = msgspec.json.Decoder(_ListResponse)
_schemas = msgspec.json.Decoder(list[str] | None)
_name = msgspec.json.Decoder(_Name | None)
_emails = msgspec.json.Decoder(list[_Multi] | None)


def _lazy(decoder: msgspec.json.Decoder[Any], raw: msgspec.Raw) -> Any:
    """A Raw attribute decoded; one of another shape sends the document to the general reader."""
    return decoder.decode(raw) if raw else None


def read_typed(data: bytes, progress: Progress | None) -> tuple[str, list[UserRecord]] | None:
    """The format and records of an array of Users or a ListResponse, or None when the document
    is anything else or has a record of another shape (the general reader then reads it)."""
    try:
        if data.lstrip()[:1] == b"[":
            fmt, users, where = "scim-array", _array.decode(data), "record {}"
        else:
            fmt, users, where = "list-response", _list_response.decode(data).Resources, "Resources[{}]"
        total = len(users)
        out: list[UserRecord] = []
        user_schemas = [_ABSENT]  # the spellings of `schemas` already found to name a User
        for start in range(0, total, PROGRESS_EVERY):
            stop = min(total, start + PROGRESS_EVERY)
            out.extend([_record(i, users[i], where, user_schemas) for i in range(start, stop)])
            if progress:
                progress(stop, total)
    except (msgspec.DecodeError, RecursionError):
        return None
    drop(users)
    return fmt, out


def _pick(items: list[_Multi] | None) -> _Multi | None:
    """users._pick on Structs: primary, else type work, else the first."""
    if not items:
        return None
    if items[0].primary is True:
        return items[0]
    for i in items:
        p = i.primary
        if p is True or (p.__class__ is str and p.lower() == "true"):
            return i
    for i in items:
        if i.type is not None and i.type.lower() == "work":
            return i
    return items[0]


def _first(ent: str | None, top: str | None) -> str:
    """The enterprise namespace's value, else the top level's (SPEC 3), trimmed."""
    v = ent.strip() if ent is not None else ""
    return v or (top.strip() if top is not None else "")


def _record(index: int, u: _User, where: str, user_schemas: list[msgspec.Raw]) -> UserRecord:
    """users.record_from_scim on a typed User: the same checks, messages and record."""
    raw = u.schemas
    if raw not in user_schemas:  # every user of a file spells it alike: decoded once
        schemas = _lazy(_schemas, raw)
        if schemas is not None and CORE_USER_SCHEMA not in schemas and not any(
                s.lower() == _CORE_LOWER for s in schemas):
            return invalid_record(index, "not_a_user", f"{where.format(index)} has schemas {schemas!r}, "
                            "not the SCIM User schema")
        if len(user_schemas) < 8:
            user_schemas.append(raw)
    user_name = u.user_name
    if user_name is None or not (user_name := user_name.strip()):
        return invalid_record(index, "missing_userName", f"{where.format(index)} has no userName")
    active: Any = u.active
    if active is not True:
        active = parse_active(active)
        if active is None:
            return invalid_record(index, "bad_active", f"{where.format(index)}: active = {u.active!r} is "
                            "not true or false", user_name)
    display = u.display_name
    display = display.strip() if display is not None else ""
    if not display and (name := _lazy(_name, u.name)) is not None:
        given, family = name.given_name, name.family_name
        display = " ".join(p for p in (given.strip() if given else "", family.strip() if family else "") if p)
    at = user_name.rfind("@")
    if 0 <= at < len(user_name) - 1:
        domain: str | None = user_name[at + 1:].lower()
    else:
        email = _pick(_lazy(_emails, u.emails))
        domain = domain_of("", email.value.strip() if email and email.value else "")
    ent = u.enterprise or _NO_OFFICE
    v0 = _first(ent.office_name, u.office_name)
    v1 = _first(ent.physical_delivery_office_name, u.physical_delivery_office_name)
    v2 = _first(ent.department, u.department)
    license_type = _first(ent.license_type, u.license_type)
    address = _pick(u.addresses)
    country = address.country.strip() if address and address.country else ""
    groups = u.groups
    names: tuple[str, ...] = ()
    if groups:
        names = tuple(n for n in (g.display.strip() for g in groups if g.display) if n)
    return build_record(index, user_name, display, active, domain, v0, v1, v2, country, license_type, names)
