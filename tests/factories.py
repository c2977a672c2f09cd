"""Small builders for companies, settings and users, so each test states only what it checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.directory import Company, parse_company
from engine.names import ENTERPRISE_NS
from engine.preview import Preview, run_preview
from engine.rules import Row
from engine.settings import Settings, parse_settings
from engine.users import UserSet, parse_users

AS_OF = dt.date(2026, 11, 16)  # 15 of 30 days left in the billing period


def office(name: str, country: str = "US", *, main: bool = False, area_code: str | None = None,
           numbers: list[str] | None = None, **seats: int) -> dict[str, Any]:
    licenses = {"Dialpad_Ai Voice": seats.get("voice", 0), "Dialpad_Support": seats.get("support", 0),
                "Dialpad_Ai Sales": seats.get("sales", 0)}
    data: dict[str, Any] = {"name": name, "country": country, "main": main,
                            "reserved_numbers": numbers or [], "available_licenses": licenses}
    if area_code:
        data["area_code"] = area_code
    return data


def company(*offices: dict[str, Any], master_domain: str | None = "acme.example",
            domains: tuple[str, ...] = ("acme.example", "acme-eu.example")) -> Company:
    comp: dict[str, Any] = {"name": "Acme", "domains": list(domains), "area_code": "415"}
    if master_domain:
        comp["master_domain"] = master_domain
    data = {"company": comp,
            "billing": {"currency": "USD", "period_start": dt.date(2026, 11, 1),
                        "period_end": dt.date(2026, 12, 1),
                        "monthly_price": {"Dialpad_Ai Voice": 27.0, "Dialpad_Support": 80.0,
                                          "Dialpad_Ai Sales": 39.0}},
            "offices": list(offices) or [office("San Francisco", main=True, voice=10)]}
    return parse_company(data, source="test company")


def settings(**sections: dict[str, Any]) -> Settings:
    return parse_settings(dict(sections), source="test settings")


def user(name: str, *, office: str | None = None, department: str | None = None,
         pdo: str | None = None, country: str | None = None, license: str | None = None,
         groups: list[str] | None = None, active: bool | str = True, top_level: bool = False,
         **extra: Any) -> dict[str, Any]:
    u: dict[str, Any] = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                         "userName": name if "@" in name else f"{name}@acme.example",
                         "active": active, **extra}
    ent: dict[str, Any] = {}
    for key, value in (("officeName", office), ("department", department),
                       ("physicalDeliveryOfficeName", pdo), ("licenseType", license)):
        if value is not None:
            ent[key] = value
    if top_level:
        u.update(ent)
    elif ent:
        u[ENTERPRISE_NS] = ent
    if country is not None:
        u["addresses"] = [{"type": "work", "country": country, "primary": True}]
    if groups:
        u["groups"] = [{"value": g, "display": g} for g in groups]
    return u


def users(*objs: dict[str, Any]) -> UserSet:
    import json

    return parse_users(json.dumps(list(objs)).encode(), source="test users")


def preview(comp: Company, objs: list[dict[str, Any]] | UserSet, sett: Settings | None = None,
            as_of: dt.date = AS_OF) -> Preview:
    us = objs if isinstance(objs, UserSet) else users(*objs)
    return run_preview(comp, us, sett or Settings(), as_of)


def rows(comp: Company, objs: list[dict[str, Any]], sett: Settings | None = None) -> list[Row]:
    return preview(comp, objs, sett).rows
