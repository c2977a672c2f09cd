"""Readers for sample users (SPEC 3): SCIM JSON in all its envelopes, NDJSON and CSV.

Records become lean `UserRecord`s holding only what the rules read, already normalised, so the
rules can be re-run on 100k users each time a setting changes. A bad record never stops the
read: it becomes an invalid record with a code and a sentence saying what is wrong and where.
"""

from __future__ import annotations

import io
import operator
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple  # `Any`: JSON values before the reader checks them

import orjson

from engine.countries import normalise_country
from engine.errors import InputError
from engine.inputfile import read_bytes
from engine.names import CORE_USER_SCHEMA, ENTERPRISE_NS, norm
from engine.perf import drop, paused_gc

if TYPE_CHECKING:
    from engine.rules import Profiles  # which imports this module

# Shared by the three readers (this module's row readers, engine/csv_columns.py and
# engine/typed_users.py), which must give identical records: the progress step, the empty office
# values and groups, and the helpers below that make a record or judge a field.
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 5000


class UserRecord(NamedTuple):
    """One sample user as the rules see it. Office field values are kept raw (for display) and
    normalised (for matching). A tuple, because 100k of them are built on every load."""

    index: int  # type: ignore[assignment]  # the input position; it shadows tuple.index
    user_name: str
    display_name: str = ""
    active: bool = True
    domain: str | None = None
    values: tuple[str, str, str] = ("", "", "")  # officeName, physicalDeliveryOfficeName, department
    keys: tuple[str, str, str] = ("", "", "")
    country: str | None = None  # ISO alpha-2 after normalisation
    country_raw: str = ""
    license_type: str = ""
    groups: tuple[str, ...] = ()
    group_keys: frozenset[str] = frozenset()
    warnings: tuple[str, ...] = ()
    invalid: str | None = None  # a reason code
    invalid_detail: str = ""

    @property
    def reason(self) -> str | None:
        """The preview's reason: the bare code for duplicates (SPEC 3), else code and where."""
        if self.invalid is None or self.invalid == "duplicate_user":
            return self.invalid
        return f"{self.invalid}: {self.invalid_detail}"


_new = tuple.__new__
NO_OFFICE_VALUES = ("", "", "")
NO_GROUPS: frozenset[str] = frozenset()


class UserSet:
    """The sample users read from one file: where from, in which format, and the records in
    input order. A plain class (a dataclass costs the wizard's first frame about a millisecond
    to define, engine.settings says more)."""

    __slots__ = ("format", "profiles", "records", "source")

    def __init__(self, source: str, format: str, records: list[UserRecord]) -> None:
        self.source = source
        self.format = format
        self.records = records
        # engine.rules.Profiles of these records, made by the first preview and kept for the
        # next ones: what the rules read of each user does not change with the settings.
        self.profiles: Profiles | None = None

    def __repr__(self) -> str:
        return f"UserSet(source={self.source!r}, format={self.format!r}, records=<{len(self.records)}>)"


def invalid_record(index: int, code: str, detail: str, user_name: str = "") -> UserRecord:
    """An invalid record: its reason `code` and where, `detail` (SPEC 3)."""
    return UserRecord(index, user_name, invalid=code, invalid_detail=detail)



_TRUE = {"true", "yes", "1", ""}
_FALSE = {"false", "no", "0"}


def parse_active(value: Any) -> bool | None:
    """`active` as SCIM or a CSV gives it; None when it is neither true nor false."""
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


def domain_of(user_name: str, email: str) -> str | None:
    """The text after the userName's last @, else the email's, lower-cased."""
    for candidate in (user_name, email):
        at = candidate.rfind("@")
        if at >= 0 and at < len(candidate) - 1:
            return candidate[at + 1:].strip().lower()
    return None


def _pick(items: Any) -> dict[str, Any] | None:
    """The primary entry of a multi-valued attribute, else type work, else the first (SPEC 3)."""
    if items.__class__ is not list or not items:
        return None
    first = items[0]
    if first.__class__ is dict and first.get("primary") is True:
        return first  # the common case: the IdP lists the primary first
    dicts = [i for i in items if isinstance(i, dict)]
    for i in dicts:
        if i.get("primary") is True or str(i.get("primary")).lower() == "true":
            return i
    for i in dicts:
        if str(i.get("type", "")).lower() == "work":
            return i
    return dicts[0] if dicts else None


def build_record(index: int, user_name: str, display: str, active: bool, domain: str | None,
                 v0: str, v1: str, v2: str, country_raw: str, license_type: str,
                 groups: tuple[str, ...]) -> UserRecord:
    """The one place records are made, so readers share normalisation."""
    country: str | None = None
    warnings: tuple[str, ...] = ()
    if country_raw:
        country, warning = normalise_country(country_raw)
        if warning:
            warnings = (warning,)
    if v0 or v1 or v2:
        values = (v0, v1, v2)
        # A few distinct office values repeat over 100k users: one look-up instead of three.
        keys = _keys_of.get(values)
        if keys is None:
            keys = (norm(v0) if v0 else "", norm(v1) if v1 else "", norm(v2) if v2 else "")
            if len(_keys_of) < _CACHE_MAX:
                _keys_of[values] = keys
    else:
        values = keys = NO_OFFICE_VALUES
    group_keys = NO_GROUPS
    if groups:
        cached = _group_keys_of.get(groups)
        if cached is None:
            cached = frozenset(norm(x) for x in groups)
            if len(_group_keys_of) < _CACHE_MAX:
                _group_keys_of[groups] = cached
        group_keys = cached
    return _new(UserRecord, (index, user_name, display, active, domain, values, keys, country,
                             country_raw, license_type, groups, group_keys, warnings, None, ""))


_CACHE_MAX = 65536
_keys_of: dict[tuple[str, str, str], tuple[str, str, str]] = {}
_group_keys_of: dict[tuple[str, ...], frozenset[str]] = {}


def _s(value: Any) -> str:
    """A string attribute, trimmed; numbers as text; anything else counts as absent."""
    if value.__class__ is str:
        return value.strip()
    if value is None:  # the common case after str: checked before the slower isinstance
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # noqa: UP038 - faster than a union
        return str(value)
    return ""


def record_from_scim(index: int, obj: Any, where: str = "record {}") -> UserRecord:
    """A SCIM User object to a record. `where` says where it sits, for messages; a `{}` in it
    is replaced by the index, and only when a message is needed (100k f-strings add up)."""
    if obj.__class__ is not dict:
        where = where.format(index)
        return invalid_record(index, "not_an_object", f"{where} is {type(obj).__name__}, not a User object")
    get = obj.get
    schemas = get("schemas")
    if schemas is not None and (schemas.__class__ is not list or (
            CORE_USER_SCHEMA not in schemas and not any(
                isinstance(s, str) and s.lower() == _CORE_LOWER for s in schemas))):
        where = where.format(index)
        return invalid_record(index, "not_a_user", f"{where} has schemas {schemas!r}, not the SCIM User schema")
    user_name = get("userName")
    if user_name.__class__ is not str or not (user_name := user_name.strip()):
        where = where.format(index)
        return invalid_record(index, "missing_userName", f"{where} has no userName")
    active = get("active")
    if active is not True:
        active = parse_active(active)
        if active is None:
            where = where.format(index)
            return invalid_record(index, "bad_active", f"{where}: active = {get('active')!r} is not "
                            "true or false", user_name)
    display = get("displayName")
    display = display.strip() if display.__class__ is str else _s(display)
    if not display:
        name = get("name")
        if name.__class__ is dict:
            display = " ".join(p for p in (_s(name.get("givenName")), _s(name.get("familyName"))) if p)
    at = user_name.rfind("@")
    if 0 <= at < len(user_name) - 1:
        domain: str | None = user_name[at + 1:].lower()
    else:
        email = _pick(get("emails"))
        domain = domain_of("", _s(email.get("value")) if email else "")
    ent = get(ENTERPRISE_NS)
    if ent.__class__ is not dict:
        ent = _NO_ENT
    # Enterprise namespace first, then the top level (SPEC 3); the str test inline is the
    # common case and saves a call per attribute on 100k users.
    v = ent.get("officeName")
    v0 = (v.strip() if v.__class__ is str else _s(v)) or _s(get("officeName"))
    v = ent.get("physicalDeliveryOfficeName")
    v1 = (v.strip() if v.__class__ is str else _s(v)) or _s(get("physicalDeliveryOfficeName"))
    v = ent.get("department")
    v2 = (v.strip() if v.__class__ is str else _s(v)) or _s(get("department"))
    v = ent.get("licenseType")
    license_type = (v.strip() if v.__class__ is str else _s(v)) or _s(get("licenseType"))
    address = _pick(get("addresses"))
    country = _s(address.get("country")) if address else ""
    groups = get("groups")
    names: tuple[str, ...] = ()
    if groups.__class__ is list and groups:
        names = tuple(n for n in (_s(g.get("display")) for g in groups if g.__class__ is dict) if n)
    return build_record(index, user_name, display, active, domain, v0, v1, v2, country, license_type, names)


_CORE_LOWER = CORE_USER_SCHEMA.lower()
_NO_ENT: dict[str, Any] = {}


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


# The columns the rules read, in the order `_read_csv` unpacks them.
_CSV_FIELDS = ("userName", "givenName", "familyName", "displayName", "email", "active", "officeName",
               "physicalDeliveryOfficeName", "department", "country", "licenseType", "groups")


def _csv_reader(data: bytes, source: str) -> tuple[Any, list[int]]:
    """A reader past the header row, and the position of each of _CSV_FIELDS (-1: absent).
    `data`: UTF-8 already checked. Read through a text wrapper, as from a file: faster than a
    StringIO of the whole text, which first copies it to four bytes a character."""
    import csv  # here: the wizard's demo (JSON) starts without it

    end = data.find(b"\n")
    first_line = data[:end if end >= 0 else len(data)].decode("utf-8", "replace")  # no copy of the rest
    delimiter = ","
    if "," not in first_line:
        delimiter = "\t" if "\t" in first_line else (";" if ";" in first_line else ",")
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""), delimiter=delimiter)
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
    return reader, [cols.get(name, -1) for name in _CSV_FIELDS]


def _read_csv(data: bytes, source: str, progress: Progress | None) -> list[UserRecord]:
    """The column reader (engine/csv_columns.py) for the common case, else the row reader."""
    from engine.csv_columns import read_columns  # which builds on this module

    total = data.count(b"\n") if progress else 0
    reader, positions = _csv_reader(data, source)
    records = read_columns(reader, positions, progress, total)
    if records is None:
        reader, positions = _csv_reader(data, source)
        records = _read_csv_rows(reader, positions, progress, total)
    return records


def _read_csv_rows(reader: Any, positions: list[int], progress: Progress | None,
                   total: int) -> list[UserRecord]:
    """Row by row, with the line of each bad row in its message."""
    import csv  # its Error only

    # Cells picked by position in one C call: a row shorter than the header is padded, and an
    # absent column reads an empty cell appended at the end (position -1).
    pick = operator.itemgetter(*positions)
    width = max(positions) + 1
    absent = -1 in positions
    out: list[UserRecord] = []
    append = out.append
    strip = str.strip
    index = 0
    while True:
        try:
            for row in reader:
                if len(row) < width:
                    row += [""] * (width - len(row))
                if absent:
                    row.append("")
                (user_name, given, family, display, email, active_text, v0, v1, v2, country,
                 license_type, groups_text) = map(strip, pick(row))
                # One row, inline (a call per row costs more than the rest): messages are built
                # only for invalid rows, the common values are checked before the general ones.
                active = not active_text or active_text == "true" or parse_active(active_text)
                if not user_name:
                    if not "".join(row).strip():
                        continue  # a blank line
                    append(invalid_record(index, "missing_userName", f"line {reader.line_num} has no userName"))
                elif active is None:
                    append(invalid_record(index, "bad_active", f"line {reader.line_num}: active = "
                                    f"{active_text!r} is not true/false, yes/no or 1/0", user_name))
                else:
                    if not display:
                        display = f"{given} {family}" if given and family else given or family
                    at = user_name.rfind("@")  # domain_of, inline for the common case
                    domain = user_name[at + 1:].strip().lower() if 0 <= at < len(user_name) - 1 \
                        else domain_of("", email)
                    groups = tuple(g for g in (x.strip() for x in groups_text.split(";")) if g) \
                        if groups_text else ()
                    append(build_record(index, user_name, display, active, domain, v0, v1, v2, country,
                                  license_type, groups))
                index += 1
                if progress and index % PROGRESS_EVERY == 0:
                    progress(reader.line_num, total)
            return out
        except csv.Error as exc:
            append(invalid_record(index, "bad_csv", f"line {reader.line_num}: {exc}"))
            index += 1


# --- JSON ----------------------------------------------------------------------------------

def _json_error(exc: orjson.JSONDecodeError) -> str:
    return f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); " \
        "the file may be truncated"


def _from_document(doc: Any, source: str, progress: Progress | None) -> tuple[str, list[UserRecord]]:
    """The records of a parsed JSON document, in order."""
    if isinstance(doc, list):
        return "scim-array", _read_list(doc, "record {}", progress)
    if not isinstance(doc, dict):
        raise InputError(source, "is JSON but neither a User, a list of Users, a ListResponse "
                         "nor a BulkRequest")
    if "Resources" in doc:
        res = doc["Resources"]
        if not isinstance(res, list):
            raise InputError(source, "is a ListResponse whose Resources is not a list")
        return "list-response", _read_list(res, "Resources[{}]", progress)
    if "Operations" in doc:
        ops = doc["Operations"]
        if not isinstance(ops, list):
            raise InputError(source, "is a BulkRequest whose Operations is not a list")
        return "bulk", list(_records((_bulk_op(i, op) for i, op in enumerate(ops)), progress, len(ops)))
    return "scim-json", [record_from_scim(0, doc, "the User object")]


def _read_list(items: list[Any], where: str, progress: Progress | None) -> list[UserRecord]:
    """The hot path for 100k users: a comprehension per chunk, progress between chunks."""
    total = len(items)
    out: list[UserRecord] = []
    for start in range(0, total, PROGRESS_EVERY):
        stop = min(total, start + PROGRESS_EVERY)
        out.extend([record_from_scim(i, items[i], where) for i in range(start, stop)])
        if progress:
            progress(stop, total)
    return out


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
            yield invalid_record(index, "bad_json", obj.detail)
        elif isinstance(obj, _NotCreate):
            yield invalid_record(index, "not_a_create", obj.detail)
        else:
            yield record_from_scim(index, obj, where)
        if progress and (index + 1) % PROGRESS_EVERY == 0:
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


# From this size on, JSON is first tried with the typed reader; below it, importing that reader
# and building its decoders costs more than the reader saves (the wizard's demo is 20 KiB).
TYPED_FROM_BYTES = 256 * 1024


def parse_users(data: bytes, *, source: str, progress: Progress | None = None,
                typed: bool | None = None) -> UserSet:
    """The users of a file's bytes. `typed`: try the typed reader first (True), never (False),
    or for files of TYPED_FROM_BYTES and more (None); the tests hold both readers to the same
    records."""
    if typed is None:
        typed = len(data) >= TYPED_FROM_BYTES
    with paused_gc():
        return _parse_users(data, source, progress, typed)


def _parse_users(data: bytes, source: str, progress: Progress | None, typed: bool) -> UserSet:
    data = _decode(data, source)
    start = data.lstrip()[:1]
    if not start:
        raise InputError(source, "is empty; export some users as SCIM JSON or CSV")
    if start in (b"{", b"["):
        if typed:
            # Deferred: typed_users builds on this module's record helpers.
            from engine.typed_users import read_typed

            fast = read_typed(data, progress)
            if fast is not None:
                return _finish(UserSet(source, *fast))
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            doc_error = exc
        else:
            fmt, records = _from_document(doc, source, progress)
            drop(doc)
            return _finish(UserSet(source, fmt, records))
        lines = [(n, line) for n, line in enumerate(data.split(b"\n"), 1) if line.strip()]
        if start == b"{" and len(lines) > 1 and _is_json_object(lines[0][1]):
            records = list(_records(_ndjson(lines), progress, len(lines)))
            return _finish(UserSet(source, "ndjson", records))
        raise InputError(source, _json_error(doc_error))
    try:
        if not data.isascii():  # ASCII is UTF-8, and checked ten times faster
            data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    return _finish(UserSet(source, "csv", _read_csv(data, source, progress)))


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


_INVALID, _USER_NAME = operator.itemgetter(13), operator.itemgetter(1)


def _finish(users: UserSet) -> UserSet:
    """Mark later duplicates of a userName (case-insensitive) invalid (SPEC 3)."""
    records = users.records
    valid = [rec for rec in records if not rec.invalid] if any(map(_INVALID, records)) else records
    names = list(map(_USER_NAME, valid))
    text = "".join(names)
    # Names that are their own casefold (the usual lower-case logins; casefolding goes a
    # character at a time, so one pass over the joined text tells) are duplicates only when equal.
    if len(set(names) if text == text.casefold() else set(map(str.casefold, names))) == len(names):
        return users  # the common case, checked in C
    seen: dict[str, int] = {}
    for pos, rec in enumerate(records):
        if rec.invalid:
            continue
        first = seen.setdefault(rec.user_name.casefold(), rec.index)
        if first != rec.index:
            records[pos] = rec._replace(invalid="duplicate_user",
                                        invalid_detail=f"same userName as record {first}")
    return users


def load_users(path: str | Path, progress: Progress | None = None) -> UserSet:
    return parse_users(read_bytes(path, what="sample users"), source=str(path), progress=progress)
