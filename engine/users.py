"""Readers for sample users (SPEC 3): SCIM JSON in all its envelopes, NDJSON and CSV.

Records become lean `UserRecord`s holding only what the rules read, already normalised, so the
rules can be re-run on 100k users each time a setting changes. A bad record never stops the
read: it becomes an invalid record with a code and a sentence saying what is wrong and where.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from engine.countries import normalise_country
from engine.errors import InputError
from engine.names import CORE_USER_SCHEMA, ENTERPRISE_NS, OFFICE_FIELDS, norm
from engine.tomlfile import read_bytes

Progress = Callable[[int, int], None]
_PROGRESS_EVERY = 5000


class UserRecord:
    """One sample user as the rules see it. Field values are kept raw (for display) and
    normalised (for matching)."""

    __slots__ = ("index", "user_name", "display_name", "active", "domain", "values", "keys",
                 "country", "country_raw", "license_type", "groups", "group_keys", "warnings",
                 "invalid", "invalid_detail")

    def __init__(self, index: int, user_name: str) -> None:
        self.index = index
        self.user_name = user_name
        self.display_name = ""
        self.active = True
        self.domain: str | None = None
        self.values: tuple[str, str, str] = ("", "", "")  # officeName, physicalDelivery..., department
        self.keys: tuple[str, str, str] = ("", "", "")
        self.country: str | None = None
        self.country_raw = ""
        self.license_type = ""
        self.groups: tuple[str, ...] = ()
        self.group_keys: frozenset[str] = frozenset()
        self.warnings: tuple[str, ...] = ()
        self.invalid: str | None = None  # a reason code
        self.invalid_detail = ""

    def value_of(self, field_name: str) -> str:
        return self.values[OFFICE_FIELDS.index(field_name)]

    @property
    def reason(self) -> str | None:
        """The reason shown in the preview: the bare code for duplicates (SPEC 3), else code and where."""
        if self.invalid is None or self.invalid == "duplicate_user":
            return self.invalid
        return f"{self.invalid}: {self.invalid_detail}"


@dataclass
class UserSet:
    source: str
    format: str
    records: list[UserRecord]

    @property
    def invalid(self) -> list[UserRecord]:
        return [r for r in self.records if r.invalid]


def _invalid(index: int, code: str, detail: str, user_name: str = "") -> UserRecord:
    rec = UserRecord(index, user_name)
    rec.invalid = code
    rec.invalid_detail = detail
    return rec


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


_TRUE = {"true", "yes", "1", ""}
_FALSE = {"false", "no", "0"}


def _active(value: Any) -> bool | None:
    if value is None or value is True or value is False:
        return value is not False
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None


def _domain_of(user_name: str, email: str) -> str | None:
    for candidate in (user_name, email):
        at = candidate.rfind("@")
        if at >= 0 and at < len(candidate) - 1:
            return candidate[at + 1:].strip().lower()
    return None


def _pick(items: Any) -> dict[str, Any] | None:
    """The primary entry of a multi-valued attribute, else type work, else the first (SPEC 3)."""
    if not isinstance(items, list) or not items:
        return None
    dicts = [i for i in items if isinstance(i, dict)]
    for i in dicts:
        if i.get("primary") is True or str(i.get("primary")).lower() == "true":
            return i
    for i in dicts:
        if str(i.get("type", "")).lower() == "work":
            return i
    return dicts[0] if dicts else None


def _fill(rec: UserRecord, values: list[str], country: str, license_type: str,
          groups: Iterable[str]) -> None:
    rec.values = (values[0], values[1], values[2])
    rec.keys = (norm(values[0]) if values[0] else "", norm(values[1]) if values[1] else "",
                norm(values[2]) if values[2] else "")
    rec.country_raw = country
    if country:
        code, warning = normalise_country(country)
        rec.country = code
        if warning:
            rec.warnings = (warning,)
    rec.license_type = license_type
    g = tuple(x for x in groups if x)
    if g:
        rec.groups = g
        rec.group_keys = frozenset(norm(x) for x in g)


def record_from_scim(index: int, obj: Any, where: str) -> UserRecord:
    """A SCIM User object to a record; `where` says where it sits, for messages."""
    if not isinstance(obj, dict):
        return _invalid(index, "not_an_object", f"{where} is {type(obj).__name__}, not a User object")
    schemas = obj.get("schemas")
    if schemas is not None and (not isinstance(schemas, list) or not any(
            isinstance(s, str) and s.lower() == CORE_USER_SCHEMA.lower() for s in schemas)):
        return _invalid(index, "not_a_user", f"{where} has schemas {schemas!r}, not the SCIM User schema")
    user_name = obj.get("userName")
    if not isinstance(user_name, str) or not user_name.strip():
        return _invalid(index, "missing_userName", f"{where} has no userName")
    rec = UserRecord(index, user_name.strip())
    active = _active(obj.get("active"))
    if active is None:
        return _invalid(index, "bad_active", f"{where}: active = {obj.get('active')!r} is not "
                        "true or false", rec.user_name)
    rec.active = active
    name = obj.get("name")
    display = _text(obj.get("displayName"))
    if not display and isinstance(name, dict):
        display = " ".join(p for p in (_text(name.get("givenName")), _text(name.get("familyName"))) if p)
    rec.display_name = display
    email = _pick(obj.get("emails"))
    rec.domain = _domain_of(rec.user_name, _text(email.get("value")) if email else "")
    ent = obj.get(ENTERPRISE_NS)
    if not isinstance(ent, dict):
        ent = {}
    values = [_text(ent.get(f)) or _text(obj.get(f)) for f in OFFICE_FIELDS]
    address = _pick(obj.get("addresses"))
    country = _text(address.get("country")) if address else ""
    license_type = _text(ent.get("licenseType")) or _text(obj.get("licenseType"))
    groups = obj.get("groups")
    names = [_text(g.get("display")) for g in groups if isinstance(g, dict)] \
        if isinstance(groups, list) else []
    _fill(rec, values, country, license_type, names)
    return rec


# --- CSV -----------------------------------------------------------------------------------

def _header_key(header: str) -> str:
    text = header.split("[")[0]  # Google exports say "Email Address [Required]"
    return "".join(ch for ch in text.casefold() if ch.isalnum())


_ALIASES: dict[str, tuple[str, ...]] = {
    "userName": ("username", "login", "userprincipalname", "upn", "user"),
    "externalId": ("externalid", "objectid", "immutableid", "employeeid"),
    "givenName": ("givenname", "firstname", "first"),
    "familyName": ("familyname", "lastname", "surname", "sn", "last"),
    "displayName": ("displayname", "fullname", "name"),
    "email": ("email", "mail", "emailaddress", "primaryemail", "workemail", "emails"),
    "active": ("active", "enabled", "accountenabled"),
    "officeName": ("officename", "office"),
    "physicalDeliveryOfficeName": ("physicaldeliveryofficename", "officelocation",
                                   "physicaldeliveryoffice", "location"),
    "department": ("department", "dept"),
    "country": ("country", "usagelocation", "countrycode", "c", "countryname"),
    "licenseType": ("licensetype", "license", "licence", "licencetype"),
    "groups": ("groups", "group", "memberof"),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}


def csv_columns(header: list[str]) -> dict[str, int]:
    """Map canonical column names to positions; the first matching header wins."""
    columns: dict[str, int] = {}
    for pos, h in enumerate(header):
        name = _ALIAS_TO_FIELD.get(_header_key(h))
        if name and name not in columns:
            columns[name] = pos
    return columns


def _read_csv(text: str, source: str, progress: Progress | None) -> Iterator[UserRecord]:
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = "\t" if "\t" in first_line else (";" if ";" in first_line else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InputError(source, "has no header row; expected a CSV with a userName column") from None
    cols = csv_columns(header)
    if "userName" not in cols and "email" in cols:
        cols["userName"] = cols["email"]  # exports without a login column use the email as login
    if "userName" not in cols:
        raise InputError(source, "is neither SCIM JSON nor a CSV with a userName (or email) column; "
                         f"header row was {first_line[:80]!r}")
    get_cols = [(name, cols.get(name)) for name in _ALIASES]
    total = text.count("\n")
    index = 0
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = reader.line_num
            yield _invalid(index, "bad_csv", f"line {line}: {exc}")
            index += 1
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        yield _csv_record(index, row, get_cols, line)
        index += 1
        if progress and index % _PROGRESS_EVERY == 0:
            progress(line, total)


def _csv_record(index: int, row: list[str], get_cols: list[tuple[str, int | None]],
                line: int) -> UserRecord:
    v: dict[str, str] = {}
    for name, pos in get_cols:
        v[name] = row[pos].strip() if pos is not None and pos < len(row) else ""
    where = f"line {line}"
    if not v["userName"]:
        return _invalid(index, "missing_userName", f"{where} has no userName")
    rec = UserRecord(index, v["userName"])
    active = _active(v["active"])
    if active is None:
        return _invalid(index, "bad_active", f"{where}: active = {v['active']!r} is not "
                        "true/false, yes/no or 1/0", rec.user_name)
    rec.active = active
    rec.display_name = v["displayName"] or " ".join(x for x in (v["givenName"], v["familyName"]) if x)
    rec.domain = _domain_of(rec.user_name, v["email"])
    groups = (g.strip() for g in v["groups"].split(";")) if v["groups"] else ()
    _fill(rec, [v[f] for f in OFFICE_FIELDS], v["country"], v["licenseType"], groups)
    return rec


# --- JSON ----------------------------------------------------------------------------------

def _json_error(exc: orjson.JSONDecodeError) -> str:
    return f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); " \
        "the file may be truncated"


def _from_document(doc: Any, source: str) -> tuple[str, Iterator[tuple[Any, str]]]:
    """The user objects in a parsed JSON document, with where each one sits."""
    if isinstance(doc, list):
        return "scim-array", ((u, f"record {i}") for i, u in enumerate(doc))
    if not isinstance(doc, dict):
        raise InputError(source, "is JSON but neither a User, a list of Users, a ListResponse "
                         "nor a BulkRequest")
    if "Resources" in doc:
        res = doc["Resources"]
        if not isinstance(res, list):
            raise InputError(source, "is a ListResponse whose Resources is not a list")
        return "list-response", ((u, f"Resources[{i}]") for i, u in enumerate(res))
    if "Operations" in doc:
        ops = doc["Operations"]
        if not isinstance(ops, list):
            raise InputError(source, "is a BulkRequest whose Operations is not a list")
        return "bulk", (_bulk_op(i, op) for i, op in enumerate(ops))
    return "scim-json", iter([(doc, "the User object")])


class _NotCreate:
    """Marks a bulk operation that is not a POST of a User."""

    def __init__(self, detail: str) -> None:
        self.detail = detail


def _bulk_op(i: int, op: Any) -> tuple[Any, str]:
    where = f"Operations[{i}]"
    if not isinstance(op, dict):
        return op, where
    method = str(op.get("method", "")).upper()
    if method != "POST":
        return _NotCreate(f"{where} is a {method or 'method-less'} operation; only POST creates "
                          "are previewed"), where
    return op.get("data"), f"{where}.data"


def _records(items: Iterable[tuple[Any, str]], progress: Progress | None,
             total: int) -> Iterator[UserRecord]:
    for index, (obj, where) in enumerate(items):
        if isinstance(obj, _BadLine):
            yield _invalid(index, "bad_json", obj.detail)
        elif isinstance(obj, _NotCreate):
            yield _invalid(index, "not_a_create", obj.detail)
        else:
            yield record_from_scim(index, obj, where)
        if progress and (index + 1) % _PROGRESS_EVERY == 0:
            progress(index + 1, total)


def _ndjson(lines: list[tuple[int, bytes]]) -> Iterator[tuple[Any, str]]:
    for number, line in lines:
        try:
            yield orjson.loads(line), f"line {number}"
        except orjson.JSONDecodeError as exc:
            yield _BadLine(f"line {number} is not valid JSON ({exc.msg})"), f"line {number}"


class _BadLine(_NotCreate):
    pass


def _decode(data: bytes, source: str) -> bytes:
    """UTF-8 bytes without BOM; UTF-16 exports (Excel 'Unicode text') are converted."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise InputError(source, "looks like UTF-16 but does not decode; save it as UTF-8") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:65536]:
        raise InputError(source, "is binary, not SCIM JSON or CSV text")
    return data


def parse_users(data: bytes, *, source: str, progress: Progress | None = None) -> UserSet:
    data = _decode(data, source)
    start = data.lstrip()[:1]
    if not start:
        raise InputError(source, "is empty; export some users as SCIM JSON or CSV")
    if start in (b"{", b"["):
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            doc_error = exc
        else:
            fmt, items = _from_document(doc, source)
            total = len(doc) if isinstance(doc, list) else len(
                doc.get("Resources") or doc.get("Operations") or [1]) if isinstance(doc, dict) else 1
            del doc
            return _finish(UserSet(source, fmt, list(_records(items, progress, total))))
        lines = [(n, line) for n, line in enumerate(data.split(b"\n"), 1) if line.strip()]
        if start == b"{" and len(lines) > 1 and _is_json_object(lines[0][1]):
            records = list(_records(_ndjson(lines), progress, len(lines)))
            return _finish(UserSet(source, "ndjson", records))
        raise InputError(source, _json_error(doc_error))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    return _finish(UserSet(source, "csv", list(_read_csv(text, source, progress))))


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _finish(users: UserSet) -> UserSet:
    """Mark later duplicates of a userName (case-insensitive) invalid (SPEC 3)."""
    seen: dict[str, int] = {}
    for rec in users.records:
        if rec.invalid:
            continue
        key = rec.user_name.casefold()
        first = seen.setdefault(key, rec.index)
        if first != rec.index:
            rec.invalid = "duplicate_user"
            rec.invalid_detail = f"same userName as record {first}"
    return users


def load_users(path: str | Path, progress: Progress | None = None) -> UserSet:
    return parse_users(read_bytes(path, what="sample users"), source=str(path), progress=progress)
