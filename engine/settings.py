"""The settings the admin builds and pushes (SPEC 4): load, validate, save atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msgspec import Struct, field, structs

from engine.atomic import write_atomic
from engine.directory import Company
from engine.errors import InputError
from engine.inputfile import read_bytes
from engine.names import LICENSE_TYPES, OFFICE_FIELDS, PROVIDERS, norm
from engine.tomlfile import parse_toml

# `Any` here: settings as TOML or JSON before they are checked (`settings_problems` says what is
# wrong with each value), and a section's changes by field name.

MISMATCH = ("best_match", "default_office", "reject")
WHEN_EXHAUSTED = ("purchase", "reject")

# The settings are msgspec Structs rather than dataclasses: a Struct class takes about
# 20 µs to create, a dataclass about a millisecond, and these are defined before the
# wizard's first frame. Frozen: a change makes new settings (`with_changes`), compared with ==
# to the saved and pushed ones. gc=False: their fields are strings, numbers and tuples of
# frozen sections, which cannot form a reference cycle.


class GroupMapping(Struct, frozen=True, gc=False):
    group: str
    license: str


class OfficeSettings(Struct, frozen=True, gc=False):
    fields: tuple[str, ...] = ("officeName", "department")
    country_fallback: bool = True
    mismatch: str = "best_match"
    default_office: str = ""


class ScopeSettings(Struct, frozen=True, gc=False):
    domain: str = ""  # empty: the first company domain


class LicenseSettings(Struct, frozen=True, gc=False):
    provider: str = "okta"
    default: str = "Dialpad_Ai Voice"
    when_exhausted: str = "purchase"
    groups: tuple[GroupMapping, ...] = ()


class NumberSettings(Struct, frozen=True, gc=False):
    auto_assign: bool = True


class SsoSettings(Struct, frozen=True, gc=False):
    enforce: bool = False
    idp_entity_id: str = ""
    idp_sso_url: str = ""
    certificate: str = ""
    break_glass: tuple[str, ...] = ()


class Settings(Struct, frozen=True, gc=False):
    version: int = 1
    office: OfficeSettings = field(default_factory=OfficeSettings)
    scope: ScopeSettings = field(default_factory=ScopeSettings)
    licenses: LicenseSettings = field(default_factory=LicenseSettings)
    numbers: NumberSettings = field(default_factory=NumberSettings)
    sso: SsoSettings = field(default_factory=SsoSettings)

    def scope_domain(self, company: Company) -> str:
        return (self.scope.domain or company.domains[0]).lower()

    def to_dict(self) -> dict[str, Any]:
        """The TOML / JSON shape of SPEC 4, with every key present."""
        data: dict[str, Any] = structs.asdict(self)  # one level: each section is still a Struct
        for name in _SECTIONS:
            data[name] = structs.asdict(data[name])
        data["office"]["fields"] = list(self.office.fields)
        data["licenses"]["groups"] = [structs.asdict(g) for g in self.licenses.groups]
        data["sso"]["break_glass"] = list(self.sso.break_glass)
        return data

    def with_changes(self, section: str, **changes: Any) -> Settings:
        return structs.replace(self, **{section: structs.replace(getattr(self, section), **changes)})


_DEFAULT_OFFICE_FIELDS = OfficeSettings().fields  # a Struct's class attribute is its slot, not the default
_SECTIONS: dict[str, set[str]] = {
    "office": {"fields", "country_fallback", "mismatch", "default_office"},
    "scope": {"domain"},
    "licenses": {"provider", "default", "when_exhausted", "groups"},
    "numbers": {"auto_assign"},
    "sso": {"enforce", "idp_entity_id", "idp_sso_url", "certificate", "break_glass"},
}


def _one_of(p: list[str], key: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        p.append(f"{key} = {value!r} is not allowed; use one of {', '.join(allowed)}")


def _is_bool(p: list[str], key: str, value: Any) -> None:
    if not isinstance(value, bool):
        p.append(f"{key} = {value!r} must be true or false")


def _is_text(p: list[str], key: str, value: Any) -> None:
    if not isinstance(value, str):
        p.append(f"{key} = {value!r} must be a string")


def settings_problems(data: dict[str, Any], company: Company | None = None) -> list[str]:
    """Every problem in a settings document, each a sentence naming the key and what to do."""
    p: list[str] = []
    for key, value in data.items():
        if key != "version" and key not in _SECTIONS:
            what = f"unknown section [{key}]" if isinstance(value, dict) else f"unknown top-level key {key}"
            p.append(f"{what}; expected version and the sections {', '.join(_SECTIONS)}")
    version = data.get("version", 1)
    if version != 1:
        p.append(f"version = {version!r} is not supported; this tool writes version = 1")
    sections: dict[str, dict[str, Any]] = {}
    for name, keys in _SECTIONS.items():
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            p.append(f"[{name}] must be a table")
            raw = {}
        for key in raw:
            if key not in keys:
                p.append(f"unknown key {name}.{key}; expected one of {', '.join(sorted(keys))}")
        sections[name] = raw
    office, scope, lic = sections["office"], sections["scope"], sections["licenses"]
    fields = office.get("fields", list(_DEFAULT_OFFICE_FIELDS))
    if not isinstance(fields, list) or not fields:
        p.append("office.fields must be a non-empty list of " + ", ".join(OFFICE_FIELDS))
    else:
        for f in fields:
            if f not in OFFICE_FIELDS:
                p.append(f"office.fields: {f!r} is not an office field; use "
                         + ", ".join(OFFICE_FIELDS))
        if len(set(map(str, fields))) != len(fields):
            p.append("office.fields names a field more than once")
    _is_bool(p, "office.country_fallback", office.get("country_fallback", True))
    mismatch = office.get("mismatch", "best_match")
    _one_of(p, "office.mismatch", mismatch, MISMATCH)
    default_office = office.get("default_office", "")
    _is_text(p, "office.default_office", default_office)
    if mismatch == "default_office" and not (isinstance(default_office, str) and default_office.strip()):
        p.append("office.default_office is required when office.mismatch = 'default_office'")
    elif company and isinstance(default_office, str) and default_office.strip() \
            and company.office_named(default_office) is None:
        p.append(f"office.default_office = {default_office!r} is not an office of "
                 f"{company.name}; use one of " + ", ".join(o.name for o in company.offices))
    domain = scope.get("domain", "")
    _is_text(p, "scope.domain", domain)
    if company and isinstance(domain, str) and domain and domain.lower() not in company.domains:
        p.append(f"scope.domain = {domain!r} is not a company domain; use one of "
                 + ", ".join(company.domains))
    _one_of(p, "licenses.provider", lic.get("provider", "okta"), PROVIDERS)
    _one_of(p, "licenses.default", lic.get("default", "Dialpad_Ai Voice"), LICENSE_TYPES)
    _one_of(p, "licenses.when_exhausted", lic.get("when_exhausted", "purchase"), WHEN_EXHAUSTED)
    groups = lic.get("groups", [])
    if not isinstance(groups, list):
        p.append("licenses.groups must be a list of { group = ..., license = ... }")
        groups = []
    for i, g in enumerate(groups):
        if not isinstance(g, dict) or set(g) != {"group", "license"}:
            p.append(f"licenses.groups[{i}] must be {{ group = \"...\", license = \"...\" }}")
            continue
        if not isinstance(g["group"], str) or not norm(g["group"]):
            p.append(f"licenses.groups[{i}].group must be a non-empty group name")
        _one_of(p, f"licenses.groups[{i}].license", g["license"], LICENSE_TYPES)
    _is_bool(p, "numbers.auto_assign", sections["numbers"].get("auto_assign", True))
    sso = sections["sso"]
    _is_bool(p, "sso.enforce", sso.get("enforce", False))
    for key in ("idp_entity_id", "idp_sso_url", "certificate"):
        _is_text(p, f"sso.{key}", sso.get(key, ""))
    bg = sso.get("break_glass", [])
    if not isinstance(bg, list) or not all(isinstance(x, str) for x in bg):
        p.append("sso.break_glass must be a list of email addresses")
    return p


def settings_warnings(settings: Settings) -> list[str]:
    """What is allowed but surely not meant: a group mapping that repeats an earlier one's
    group. The first match wins (SPEC 5.3 a), so the later one never decides a license."""
    out: list[str] = []
    first: dict[str, int] = {}
    groups = settings.licenses.groups
    for i, g in enumerate(groups):
        key = norm(g.group)
        if key not in first:
            first[key] = i
            continue
        j = first[key]
        earlier = groups[j]
        if earlier.license == g.license:
            out.append(f"licenses.groups[{i}] repeats licenses.groups[{j}] (group {g.group!r} -> "
                       f"{g.license}); remove it")
        else:
            out.append(f"licenses.groups[{i}] ({g.group!r} -> {g.license}) can never be reached: "
                       f"licenses.groups[{j}] maps the same group to {earlier.license} first; "
                       "remove one of them or reorder")
    return out


def parse_settings(data: dict[str, Any], *, source: str, company: Company | None = None) -> Settings:
    problems = settings_problems(data, company)
    if problems:
        raise InputError(source, problems)
    o, s, li = data.get("office", {}), data.get("scope", {}), data.get("licenses", {})
    n, sso = data.get("numbers", {}), data.get("sso", {})
    d = Settings()
    return Settings(
        version=1,
        office=OfficeSettings(
            fields=tuple(o.get("fields", d.office.fields)),
            country_fallback=o.get("country_fallback", True),
            mismatch=o.get("mismatch", "best_match"),
            default_office=o.get("default_office", "").strip(),
        ),
        scope=ScopeSettings(domain=s.get("domain", "").strip().lower()),
        licenses=LicenseSettings(
            provider=li.get("provider", "okta"),
            default=li.get("default", "Dialpad_Ai Voice"),
            when_exhausted=li.get("when_exhausted", "purchase"),
            groups=tuple(GroupMapping(g["group"].strip(), g["license"]) for g in li.get("groups", [])),
        ),
        numbers=NumberSettings(auto_assign=n.get("auto_assign", True)),
        sso=SsoSettings(
            enforce=sso.get("enforce", False),
            idp_entity_id=sso.get("idp_entity_id", "").strip(),
            idp_sso_url=sso.get("idp_sso_url", "").strip(),
            certificate="".join(sso.get("certificate", "").split()),
            break_glass=tuple(x.strip() for x in sso.get("break_glass", []) if x.strip()),
        ),
    )


def load_settings(path: str | Path, company: Company | None = None) -> Settings:
    source = str(path)
    data = parse_toml(read_bytes(path, what="settings"), source=source)
    return parse_settings(data, source=source, company=company)


def dump_settings(settings: Settings) -> bytes:
    import tomli_w  # only when saving: not on the wizard's start-up

    return tomli_w.dumps(settings.to_dict()).encode("utf-8")


def save_settings(settings: Settings, path: str | Path) -> None:
    """Write the settings TOML atomically; the file holds no secret (the token lives elsewhere)."""
    write_atomic(path, dump_settings(settings))
