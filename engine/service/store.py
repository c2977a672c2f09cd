"""SQLite storage for the service, behind scim2-server's storage interface (issues 5 and 10).

SQLite (WAL) is the store, queried per request: resources (one row each, with indexed columns
for id, userName, externalId and displayName, all case-insensitive), group memberships (one row
per member, so adding a member to a group of any size is one row), e-mail values, unique
values, placements (seat and number per user), purchases, the company directory and every
settings version. Nothing but the seat and number counters (the `Ledger`) is held in memory.

Every write is one SQLite transaction: a user, its seat, its number, its purchase and the group
memberships it changes commit together or not at all. The counters change with an undo log, so
a failed write leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Union, cast  # `Any`: stored JSON rows and settings data

import orjson
from scim2_models import (
    AttributeBinding,
    InvalidFilterException,
    InvalidValueException,
    Meta,
    NotFoundException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    ScimProvider,
    SearchRequest,
    Uniqueness,
    UniquenessException,
)
from scim2_models import Path as ScimPath
from scim2_models.path import CompareOperator, Comparison, LogicalExpr, Present, ValuePath
from scim2_models.path.expressions import FilterNode, LogicalOperator, Not
from scim2_server.memory import InMemoryStorage, _hashable, _sort_key
from scim2_server.storage import AsyncScimStorage, ScimStorage, SearchPage, search_page
from scim2_server.utils import parametrize

from engine.directory import Company
from engine.errors import InputError
from engine.names import LICENSE_TYPES, norm
from engine.rules import CREATE, INVALID, REJECT, Row, place_users
from engine.service.models import PLACEMENT_NS, Placement
from engine.service.published import published_row
from engine.service.writer import Holder, WriterLock
from engine.settings import Settings
from engine.users import UserRecord, record_from_scim

# Groups named in the body of a POST /Users (read-only in RFC 7643, but IdP exports and some
# clients send them): the service joins the user to them. Set by the service for the request.
GROUP_HINTS: ContextVar[list[str] | None] = ContextVar("scim_assistant_group_hints", default=None)

SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    version TEXT NOT NULL, data TEXT NOT NULL, user_name_ci TEXT, external_id_ci TEXT,
    display_name TEXT, display_name_ci TEXT);
CREATE INDEX IF NOT EXISTS resources_by_type ON resources (type);
CREATE INDEX IF NOT EXISTS resources_by_user_name ON resources (user_name_ci);
CREATE INDEX IF NOT EXISTS resources_by_external_id ON resources (external_id_ci);
CREATE INDEX IF NOT EXISTS resources_by_display_name ON resources (display_name_ci);
CREATE UNIQUE INDEX IF NOT EXISTS groups_by_display_name ON resources (display_name_ci)
    WHERE type = 'Group';
CREATE TABLE IF NOT EXISTS members (
    group_id TEXT NOT NULL, member_id TEXT NOT NULL, type TEXT, display TEXT,
    PRIMARY KEY (group_id, member_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_member ON members (member_id);
CREATE TABLE IF NOT EXISTS emails (seq INTEGER NOT NULL, value_ci TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS emails_by_value ON emails (value_ci);
CREATE INDEX IF NOT EXISTS emails_by_seq ON emails (seq);
CREATE TABLE IF NOT EXISTS uniques (
    urn TEXT NOT NULL, value TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (urn, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uniques_by_id ON uniques (id);
CREATE TABLE IF NOT EXISTS assignments (
    user_id TEXT PRIMARY KEY, office TEXT NOT NULL, office_rule TEXT, license TEXT NOT NULL,
    license_rule TEXT, seat TEXT NOT NULL, number TEXT UNIQUE, number_source TEXT,
    area_code TEXT, prorated_cost REAL NOT NULL DEFAULT 0, placed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS purchases (
    id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, office TEXT NOT NULL,
    license TEXT NOT NULL, prorated_cost REAL NOT NULL, purchased_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS company (
    id INTEGER PRIMARY KEY CHECK (id = 1), source TEXT NOT NULL, toml TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings_versions (
    version INTEGER PRIMARY KEY, data TEXT NOT NULL, author TEXT NOT NULL,
    created_at TEXT NOT NULL, summary TEXT NOT NULL);
CREATE VIEW IF NOT EXISTS seat_counts AS
    SELECT office, license, count(*) AS in_use, sum(seat = 'purchased') AS on_purchased_seats
    FROM assignments GROUP BY office, license;
"""

# Bounded work per request: a scan reads this many rows at a time, and a page of the wider
# filters never holds more than the matches' sort keys in memory.
CHUNK = 500
ASSIGNMENT_COLUMNS = ("office, office_rule, license, license_rule, seat, number, number_source, "
                      "area_code, prorated_cost")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Assignment:
    """A user's live placement: the values of its preview row (SPEC 7)."""

    office: str
    office_rule: str | None
    license: str
    license_rule: str | None
    seat: str
    number: str | None
    number_source: str | None
    area_code: str | None
    prorated_cost: float

    @classmethod
    def from_row(cls, row: Row) -> Assignment:
        return cls(cast(str, row.office), row.office_rule, cast(str, row.license), row.license_rule,
                   cast(str, row.seat), row.number, row.number_source, row.area_code,
                   float(row.prorated_cost or 0.0))

    def extension(self) -> Placement:
        return Placement(office=self.office, office_rule=self.office_rule, license=self.license,
                         license_rule=self.license_rule, seat=self.seat, number=self.number,
                         number_source=self.number_source, area_code=self.area_code,
                         prorated_cost=self.prorated_cost)


class Ledger:
    """Seat and number counters as they are now: what `place_users` starts from in the service.

    Small whatever the number of users (offices x licenses, and the directory's reserved numbers
    in use); each user's own placement is read from the `assignments` table when needed."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self.used: set[str] = set()
        self.in_use: Counter[tuple[str, str]] = Counter()
        self.bought: Counter[tuple[str, str]] = Counter()

    def count(self, a: Assignment | None, step: int) -> None:
        if a is None:
            return
        self.in_use[(a.office, a.license)] += step
        if a.number:
            (self.used.add if step > 0 else self.used.discard)(a.number)

    def owned(self, office: str, lic: str) -> int:
        o = next((x for x in self.company.offices if x.name == office), None)
        return (o.available_licenses[lic] if o else 0) + self.bought[(office, lic)]

    def seats_left(self) -> list[list[int]]:
        """Seats left per office (directory order) per license type; a purchased seat that was
        freed counts as left, since it is paid for the period."""
        return [[max(o.available_licenses[lic] + self.bought[(o.name, lic)]
                     - self.in_use[(o.name, lic)], 0) for lic in LICENSE_TYPES]
                for o in self.company.offices]


def _inputs(rec: UserRecord) -> tuple[Any, ...]:
    """What placement reads from a user: a change here means the user is placed again."""
    return (rec.invalid, rec.active, rec.domain, rec.keys, rec.country, norm(rec.license_type),
            rec.group_keys)


class _Tx:
    """One storage operation inside one SQLite transaction: placements and purchases are written
    at once; the counters change with an undo log, replayed when the transaction rolls back."""

    def __init__(self, ledger: Ledger, conn: sqlite3.Connection) -> None:
        self.ledger = ledger
        self.conn = conn
        self.undo: list[Callable[[], None]] = []
        self.now = utcnow().isoformat()

    def assignment(self, user_id: str) -> Assignment | None:
        row = self.conn.execute(f"SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE user_id = ?",
                                (user_id,)).fetchone()
        return Assignment(*row) if row else None

    def put(self, user_id: str, new: Assignment | None, *, created: bool = False) -> None:
        """Give a user its placement (None frees its seat and number). `created`: a user created
        in this transaction, which has no placement yet to read and free."""
        old = None if created else self.assignment(user_id)
        if not created:
            self.conn.execute("DELETE FROM assignments WHERE user_id = ?", (user_id,))
        if new is not None:
            self.conn.execute("INSERT INTO assignments VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                              (user_id, new.office, new.office_rule, new.license, new.license_rule,
                               new.seat, new.number, new.number_source, new.area_code,
                               new.prorated_cost, self.now))
        self.ledger.count(old, -1)
        self.ledger.count(new, +1)

        def back() -> None:
            self.ledger.count(new, -1)
            self.ledger.count(old, +1)
        self.undo.append(back)

    def purchase(self, user_id: str, office: str, lic: str, cost: float) -> None:
        self.conn.execute("INSERT INTO purchases (user_id, office, license, prorated_cost, "
                          "purchased_at) VALUES (?,?,?,?,?)", (user_id, office, lic, cost, self.now))
        self.ledger.bought[(office, lic)] += 1

        def back() -> None:
            self.ledger.bought[(office, lic)] -= 1
        self.undo.append(back)

    def rollback(self) -> None:
        for step in reversed(self.undo):
            step()


class ServiceDB:
    """The SQLite file: schema, transactions, the directory and the settings versions."""

    def __init__(self, path: str | Path, *, holder: Holder | None = None) -> None:
        """Open (or create) the file and become its one writer; `holder` says who holds it
        (`serve` with its URL, or the embedded service), for the one who is refused."""
        self.path = str(path)
        self.writer: WriterLock | None = None
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives the process being killed (only an OS crash or
            # power loss can lose the last commits), at a fraction of FULL's fsync cost.
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA busy_timeout=5000")
            tables = {r[0]: r[1] for r in self.conn.execute("SELECT name, sql FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            # Most often --db and --company swapped: say so rather than show a traceback.
            raise InputError(self.path, f"is not a database this service can use ({exc}); give --db a "
                             "new or existing service database (the company directory goes to --company)"
                             ) from None
        if self.path != ":memory:":
            try:
                self.writer = WriterLock.claim(self.path, holder or Holder.this_process())
            except BaseException:
                self.conn.close()
                raise
        # A file of the first layout (one JSON row per resource, memberships inside the groups)
        # is moved aside here and read into the tables by the storage.
        self.legacy = "resources" in tables and "seq INTEGER" not in (tables["resources"] or "")
        if self.legacy and "resources_v1" not in tables:
            self.conn.execute("ALTER TABLE resources RENAME TO resources_v1")
        self.conn.executescript(SCHEMA)
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()
        if self.writer is not None:
            self.writer.release()
            self.writer = None

    # -- company directory --------------------------------------------------------------

    def company_toml(self) -> tuple[str, str] | None:
        row = self.conn.execute("SELECT source, toml FROM company WHERE id = 1").fetchone()
        return (row[0], row[1]) if row else None

    def save_company(self, source: str, toml: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO company (id, source, toml, updated_at) VALUES (1, ?, ?, ?) "
                      "ON CONFLICT (id) DO UPDATE SET source = excluded.source, "
                      "toml = excluded.toml, updated_at = excluded.updated_at",
                      (source, toml, utcnow().isoformat()))

    # -- settings versions --------------------------------------------------------------

    def latest_settings(self) -> tuple[int, dict[str, Any]] | None:
        row = self.conn.execute(
            "SELECT version, data FROM settings_versions ORDER BY version DESC LIMIT 1").fetchone()
        return (row[0], orjson.loads(row[1])) if row else None

    def add_settings(self, expected: int, data: dict[str, Any], author: str, summary: str) -> int | None:
        """Store a new version if the latest is still `expected`; None when it is not (stale)."""
        with self.transaction() as c:
            row = c.execute("SELECT max(version) FROM settings_versions").fetchone()
            latest = row[0] or 0
            if latest != expected:
                return None
            c.execute("INSERT INTO settings_versions VALUES (?, ?, ?, ?, ?)",
                      (latest + 1, orjson.dumps(data).decode(), author, utcnow().isoformat(), summary))
            return latest + 1

    def settings_history(self) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT version, author, created_at, summary FROM settings_versions "
                                 "ORDER BY version DESC").fetchall()
        return [{"version": v, "author": a, "created_at": t, "summary": s} for v, a, t, s in rows]

    def purchases(self) -> list[tuple[str, str, str, float, str]]:
        return self.conn.execute("SELECT user_id, office, license, prorated_cost, purchased_at "
                                 "FROM purchases ORDER BY id").fetchall()


class ProvisioningStorage(ScimStorage):
    """scim2-server's storage interface on SQLite, placing users with the engine's rules.

    Placement applies to resource types whose model carries the placement extension (the
    service's User); other models are only stored, which is what the storage contract tests use.
    A User's `groups` and a Group's `members` are not kept in the resource's row but in the
    `members` table, and put back when a resource is read.
    """

    supports_cursors = False

    def __init__(self, db: ServiceDB, provider: ScimProvider, company: Company,
                 settings: Settings, *, today: Callable[[], dt.date] = dt.date.today,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.db = db
        self.provider = provider
        self.company = company
        self.settings = settings
        self.today = today
        self.clock = clock
        self.lock = db.lock
        self.ledger = Ledger(company)
        self._models: dict[str, type[Resource[Any]]] = {}
        self._uniques: dict[type[Resource[Any]], list[tuple[AttributeBinding, ScimPath]]] = {}
        self._migrate_legacy()
        self._load_counters()

    # -- loading ------------------------------------------------------------------------

    def _model(self, type_name: str) -> type[Resource[Any]]:
        model = self._models.get(type_name)
        if model is None:
            model = self._models[type_name] = cast(type[Resource[Any]], self.provider.model_for(type_name))
        return model

    def _load_counters(self) -> None:
        c = self.db.conn
        for office, lic, n in c.execute("SELECT office, license, count(*) FROM assignments "
                                        "GROUP BY office, license"):
            self.ledger.in_use[(office, lic)] = n
        self.ledger.used = {n for (n,) in c.execute(
            "SELECT number FROM assignments WHERE number IS NOT NULL")}
        for office, lic, n in c.execute(
                "SELECT office, license, count(*) FROM purchases GROUP BY office, license"):
            self.ledger.bought[(office, lic)] = n

    def _migrate_legacy(self) -> None:
        """Read a file of the first layout into the tables, once (memberships out of groups)."""
        c = self.db.conn
        if not c.execute("SELECT 1 FROM sqlite_master WHERE name = 'resources_v1'").fetchone():
            return
        with self.db.transaction():
            for type_name, data in c.execute("SELECT type, data FROM resources_v1").fetchall():
                resource = self._model(type_name).model_validate_json(data)
                self._write_row(c, resource, insert=True)
                if self._has(resource, "members"):
                    self._set_members(c, cast(str, resource.id), self._member_rows(resource))
            c.execute("DROP TABLE resources_v1")

    def set_company(self, company: Company) -> None:
        with self.lock:
            self.company = company
            self.ledger.company = company

    def next_version(self) -> str:
        return f'W/"{uuid.uuid4().hex[:16]}"'

    def generate_id(self, resource_type: ResourceType, resource: Resource[Any]) -> str:
        return uuid.uuid4().hex

    # -- rows ---------------------------------------------------------------------------

    @staticmethod
    def _has(resource_or_model: Any, field: str) -> bool:
        model: Any = resource_or_model if isinstance(resource_or_model, type) else type(resource_or_model)
        return field in model.model_fields

    @staticmethod
    def _places(resource: Resource[Any]) -> bool:
        return PLACEMENT_NS in type(resource).get_extension_models()

    @staticmethod
    def _is_group(resource: Resource[Any]) -> bool:
        return resource.meta is not None and resource.meta.resource_type == "Group"

    @staticmethod
    def _member_rows(group: Resource[Any]) -> dict[str, tuple[str | None, str | None]]:
        return {m.value: (m.type, m.display) for m in (getattr(group, "members", None) or []) if m.value}

    def _write_row(self, c: sqlite3.Connection, resource: Resource[Any], *, insert: bool,
                   unique: dict[str, str] | None = None) -> str:
        """The resource's row, its e-mail values and its unique values (not its memberships;
        `unique`: the values `_check_uniqueness` found, if the resource has not changed since);
        returns the row's JSON."""
        assert resource.meta is not None
        rid = cast(str, resource.id)
        data = resource.model_dump_json(exclude={"groups", "members", "password"})
        user_name = getattr(resource, "user_name", None)
        external_id = getattr(resource, "external_id", None)
        display = getattr(resource, "display_name", None)
        values = (resource.meta.version, data, _ci(user_name), _ci(external_id),
                  display if isinstance(display, str) else None, _ci(display))
        seq = None
        if insert:
            seq = c.execute("INSERT INTO resources (id, type, version, data, user_name_ci, external_id_ci, "
                            "display_name, display_name_ci) VALUES (?,?,?,?,?,?,?,?)",
                            (rid, resource.meta.resource_type, *values)).lastrowid
        else:
            c.execute("UPDATE resources SET version = ?, data = ?, user_name_ci = ?, external_id_ci = ?, "
                      "display_name = ?, display_name_ci = ? WHERE id = ?", (*values, rid))
            c.execute("DELETE FROM emails WHERE seq = (SELECT seq FROM resources WHERE id = ?)", (rid,))
            c.execute("DELETE FROM uniques WHERE id = ?", (rid,))
        emails = {e.value.lower() for e in (getattr(resource, "emails", None) or [])
                  if isinstance(e.value, str) and e.value}
        if emails:
            if seq is None:
                seq = c.execute("SELECT seq FROM resources WHERE id = ?", (rid,)).fetchone()[0]
            c.executemany("INSERT INTO emails VALUES (?, ?)", [(seq, e) for e in emails])
        unique = self._values_of(resource) if unique is None else unique
        c.executemany("INSERT INTO uniques VALUES (?, ?, ?)", [(urn, value, rid) for urn, value in unique.items()])
        return data

    def _touch_row(self, c: sqlite3.Connection, type_name: str, rid: str) -> None:
        """A new version and lastModified for a resource whose memberships changed."""
        row = c.execute("SELECT data FROM resources WHERE id = ? AND type = ?", (rid, type_name)).fetchone()
        if row is None:
            return
        data = orjson.loads(row[0])
        version = self.next_version()
        meta = data.setdefault("meta", {})
        meta["version"] = version
        meta["lastModified"] = self.clock().isoformat().replace("+00:00", "Z")  # as pydantic writes it
        c.execute("UPDATE resources SET version = ?, data = ? WHERE id = ?",
                  (version, orjson.dumps(data).decode(), rid))

    def _set_members(self, c: sqlite3.Connection, gid: str,
                     members: dict[str, tuple[str | None, str | None]]) -> None:
        c.execute("DELETE FROM members WHERE group_id = ?", (gid,))
        c.executemany("INSERT INTO members VALUES (?, ?, ?, ?)",
                      [(gid, mid, t, d) for mid, (t, d) in members.items()])

    def _groups_of(self, c: sqlite3.Connection, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The `groups` of users (RFC 7643 4.1.2), from the memberships."""
        out: dict[str, list[dict[str, Any]]] = {}
        for i in range(0, len(ids), CHUNK):
            part = ids[i:i + CHUNK]
            marks = ",".join("?" * len(part))
            for uid, gid, display in c.execute(
                    f"SELECT m.member_id, m.group_id, g.display_name FROM members m JOIN resources g "
                    f"ON g.id = m.group_id WHERE m.member_id IN ({marks}) ORDER BY g.seq", part):
                out.setdefault(uid, []).append({"value": gid, "display": display, "type": "direct",
                                                "$ref": f"Groups/{gid}"})
        return out

    def _members_of(self, c: sqlite3.Connection, gid: str) -> list[dict[str, Any]]:
        return [{"value": mid, "type": t, "display": d,
                 "$ref": f"{'Groups' if t == 'Group' else 'Users'}/{mid}"}
                for mid, t, d in c.execute("SELECT member_id, type, display FROM members "
                                           "WHERE group_id = ?", (gid,))]

    def _decode(self, c: sqlite3.Connection, rows: list[tuple[str, str, str]], *,
                members: bool = True) -> list[Resource[Any]]:
        """Resources from (id, type, data) rows, with their groups or members put back."""
        user_ids = [rid for rid, t, _ in rows if self._has(self._model(t), "groups")]
        groups = self._groups_of(c, user_ids) if user_ids else {}
        out = []
        for rid, type_name, data in rows:
            model = self._model(type_name)
            extra: list[dict[str, Any]] | None = None
            key = None
            if rid in groups:
                key, extra = "groups", groups[rid]
            elif members and self._has(model, "members"):
                key, extra = "members", self._members_of(c, rid) or None
            if extra:
                doc = orjson.loads(data)
                doc[key] = extra
                out.append(model.model_validate(doc))
            else:
                out.append(model.model_validate_json(data))
        return out

    def _row(self, c: sqlite3.Connection, type_name: str | None, rid: str | None, *,
             members: bool = True) -> Resource[Any] | None:
        row = c.execute("SELECT id, type, data FROM resources WHERE id = ? AND type = ?",
                        (rid, type_name)).fetchone()
        return self._decode(c, [row], members=members)[0] if row else None

    def _stored(self, c: sqlite3.Connection, resource_type: ResourceType, rid: str | None, *,
                members: bool = True) -> Resource[Any]:
        found = self._row(c, resource_type.name, rid, members=members)
        if found is None:
            raise NotFoundException(detail=f"{resource_type.name} {rid!r} not found")
        return found

    # -- uniqueness ---------------------------------------------------------------------

    def _unique_attributes(self, model: type[Resource[Any]]) -> list[tuple[AttributeBinding, ScimPath]]:
        """The attributes of a model whose values are unique, each with its path (what
        scim2-server's InMemoryStorage finds on every write, found once per model)."""
        found = self._uniques.get(model)
        if found is None:
            paths = parametrize(ScimPath, model).iter_paths(
                include_subattributes=False, uniqueness=[Uniqueness.server, Uniqueness.global_])
            bindings = [cast(AttributeBinding, path.resolve()) for path in paths]
            found = self._uniques[model] = [(b, parametrize(ScimPath, model)(b.urn)) for b in bindings]
        return found

    def _values_of(self, resource: Resource[Any]) -> dict[str, str]:
        """The unique values of a resource by attribute URN, compared as scim2-server compares
        them (InMemoryStorage._values_of), as text."""
        values: dict[str, str] = {}
        for attribute, path in self._unique_attributes(type(resource)):
            try:
                value = attribute.comparable(path.get(resource, strict=False))
            except ValueError:  # a string the policy cannot compare clashes with nothing
                continue
            if value is not None:
                held = _hashable(value)
                values[attribute.urn] = held if isinstance(held, str) else repr(held)
        return values

    def _check_uniqueness(self, c: sqlite3.Connection, resource: Resource[Any]) -> dict[str, str]:
        """The resource's unique values, once none is another resource's (else 409)."""
        rid = cast(str, resource.id)
        unique = self._values_of(resource)
        for urn, value in unique.items():
            row = c.execute("SELECT id FROM uniques WHERE urn = ? AND value = ?", (urn, value)).fetchone()
            if row is not None and row[0] != rid:
                raise UniquenessException()
        if self._is_group(resource):
            name = _ci(getattr(resource, "display_name", None))
            row = c.execute("SELECT id FROM resources WHERE type = 'Group' AND display_name_ci = ?",
                            (name,)).fetchone() if name is not None else None
            if row is not None and row[0] != rid:
                # Entra ID matches groups by displayName: two alike would make it lose one.
                raise UniquenessException(detail=f"A group named {resource.display_name!r} "  # type: ignore[attr-defined]
                                          "already exists (group names are unique, whatever their case)")
        return unique

    @staticmethod
    def _check_version(resource: Resource[Any], expected_version: str | None) -> None:
        InMemoryStorage._check_version(resource, expected_version)

    # -- placement ----------------------------------------------------------------------

    def _place(self, tx: _Tx, user: Resource[Any], before: Resource[Any] | None) -> None:
        """Place a created user, or place again an updated one whose placement inputs changed.

        Raises a SCIM 400 (invalidValue) naming the reason code when the rules reject the user.
        """
        uid = cast(str, user.id)
        rec = record_from_scim(0, user.model_dump(), "the User")
        old = tx.assignment(uid) if before is not None else None
        if before is not None:
            prev = record_from_scim(0, before.model_dump(), "the User")
            if _inputs(prev) == _inputs(rec):
                user[Placement] = old.extension() if old else None
                return
        if before is not None:
            tx.put(uid, None)  # the old seat and number go back before the user is placed again
        row = place_users(self.company, [rec], self.settings, self.today(),
                          seats=self.ledger.seats_left(), used_numbers=self.ledger.used)[0]
        if row.status == INVALID:
            raise InvalidValueException(detail=f"{rec.invalid}: {rec.invalid_detail}")
        # An update that takes a user out of scope (another domain) keeps the user but frees its
        # seat and number, as deactivation does: refusing it would make the IdP retry forever.
        unplaced = row.status != CREATE and row.status != REJECT and (
            row.reason == "inactive" or (before is not None and row.reason == "other_domain"))
        if row.status != CREATE and not unplaced:
            where = f" ({row.office_detail})" if row.office_detail else ""
            raise InvalidValueException(
                detail=f"{row.reason}: {row.user_name} cannot be provisioned{where}")
        if unplaced:  # kept, with no seat and no number
            user[Placement] = None
            return
        new = placed_assignment(Assignment.from_row(row), old)
        if new.seat == "purchased" and not (old is not None and old.office == new.office
                                           and old.license == new.license and old.seat == "purchased"):
            tx.purchase(uid, new.office, new.license, new.prorated_cost)
        tx.put(uid, new, created=before is None)
        user[Placement] = new.extension()

    def _relink(self, tx: _Tx, befores: dict[str, Resource[Any]]) -> None:
        """Users whose memberships changed: their `groups` from the table, placed again if
        needed, and a new version."""
        c = tx.conn
        after = self._groups_of(c, list(befores))
        for uid, before in befores.items():
            data = before.model_dump()
            if _group_ids(data.get("groups")) == _group_ids(after.get(uid)):
                continue
            data["groups"] = after.get(uid)
            user = type(before).model_validate(data)
            if self._places(user):
                self._place(tx, user, before)
            self._touch(user)
            self._write_row(c, user, insert=False)

    def _users_before(self, c: sqlite3.Connection, ids: Iterable[str]) -> dict[str, Resource[Any]]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, Resource[Any]] = {}
        for i in range(0, len(ids), CHUNK):
            part = ids[i:i + CHUNK]
            marks = ",".join("?" * len(part))
            rows = c.execute(f"SELECT id, type, data FROM resources WHERE type = 'User' AND id IN ({marks})",
                             part).fetchall()
            out.update({cast(str, r.id): r for r in self._decode(c, rows)})
        return out

    def _touch(self, resource: Resource[Any]) -> None:
        assert resource.meta is not None
        resource.meta = resource.meta.model_copy(update={
            "location": None, "last_modified": self.clock(), "version": self.next_version()})

    def _join_hinted_groups(self, tx: _Tx, uid: str, display: str | None, hints: list[str]) -> None:
        """Join a new user to the groups its POST names, creating the ones that do not exist."""
        c = tx.conn
        group_model = self._model("Group")
        for name in dict.fromkeys(h.strip() for h in hints if h.strip()):
            row = c.execute("SELECT id FROM resources WHERE type = 'Group' AND display_name_ci = ?",
                            (_ci(name),)).fetchone()
            if row is None:
                group = group_model(display_name=name)  # type: ignore[call-arg]
                group.id = gid = uuid.uuid4().hex
                now = self.clock()
                group.meta = Meta(resource_type="Group", created=now, last_modified=now,
                                  version=self.next_version())
                self._write_row(c, group, insert=True)
            else:
                gid = row[0]
                self._touch_row(c, "Group", gid)
            c.execute("INSERT OR IGNORE INTO members VALUES (?, ?, 'User', ?)", (gid, uid, display))

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[_Tx]:
        with self.db.transaction() as c:
            tx = _Tx(self.ledger, c)
            try:
                yield tx
            except BaseException:
                tx.rollback()
                raise

    # -- the storage interface ----------------------------------------------------------

    def get(self, resource_type: ResourceType, resource_id: str, *,
            response_parameters: ResponseParameters[Any] | None = None) -> Resource[Any]:
        with self.lock:
            return self._stored(self.db.conn, resource_type, resource_id,
                                members=_wants(response_parameters, "members"))

    def search(self, resource_types: list[ResourceType], search_request: SearchRequest[Any], *,
               position: Any = None) -> SearchPage:
        with self.lock:
            total, rows = self._search_rows(self.db.conn, resource_types, search_request)
            return SearchPage(total, self._decode(self.db.conn, rows))

    def search_published(self, resource_types: list[ResourceType], search_request: SearchRequest[Any],
                         base_url: str) -> tuple[int, list[dict[str, Any]]]:
        """A page of a search as the response shows it, rendered from the stored rows without
        building a model per resource (engine.service.published); the same resources and values
        as `search` followed by scim2-server's publishing."""
        with self.lock:
            c = self.db.conn
            total, rows = self._search_rows(c, resource_types, search_request)
            user_ids = [rid for rid, t, _ in rows if self._has(self._model(t), "groups")]
            groups = self._groups_of(c, user_ids) if user_ids else {}
            members = {rid: self._members_of(c, rid) for rid, t, _ in rows
                       if rid not in groups and self._has(self._model(t), "members")}
        return total, [published_row(data, base_url, groups.get(rid) or members.get(rid))
                       for rid, _, data in rows]

    def _search_rows(self, c: sqlite3.Connection, resource_types: list[ResourceType],
                     search_request: SearchRequest[Any]) -> tuple[int, list[tuple[str, str, str]]]:
        """The total and the (id, type, data) rows of a page of a search."""
        names = list(dict.fromkeys(cast(str, rt.name) for rt in resource_types))
        scim_filter = search_request.filter
        if scim_filter is not None:
            refuse_password_filter(scim_filter.ast)
            if not scim_filter.models:
                models = tuple(dict.fromkeys(self._model(n) for n in names))
                scim_filter = parametrize(ScimFilter, Union[models])(str(scim_filter))  # noqa: UP007
        start = search_request.start_index_0 or 0
        count = search_request.count
        stop = None if count is None else start + count
        types = f"type IN ({','.join('?' * len(names))})"
        if scim_filter is None and search_request.sort_by is None:
            # The common page: the type index in creation order, and one count.
            total = c.execute(f"SELECT count(*) FROM resources WHERE {types}", names).fetchone()[0]
            rows = c.execute(f"SELECT id, type, data FROM resources WHERE seq IN (SELECT seq FROM "
                             f"resources WHERE {types} ORDER BY seq LIMIT ? OFFSET ?) ORDER BY seq",
                             [*names, -1 if count is None else count, start]).fetchall()
            return total, rows
        where, params = types, list(names)
        narrowed = _narrow(scim_filter.ast) if scim_filter is not None else None
        if narrowed is not None:
            where += f" AND ({narrowed[0]})"
            params += narrowed[1]
        # The filters IdPs send narrow the rows through an index; the rest are read in
        # chunks. The filter's own evaluator decides on every row read, so the SQL only
        # has to keep a superset.
        matches: list[tuple[Any, int]] = []
        last = -1
        while True:
            rows = c.execute(f"SELECT seq, id, type, data FROM resources WHERE {where} AND seq > ? "
                             f"ORDER BY seq LIMIT {CHUNK}", [*params, last]).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            for (seq, *_), resource in zip(rows, self._decode(c, [r[1:] for r in rows]), strict=True):
                if scim_filter is None or scim_filter.match(resource):
                    key = _sort_key(search_request, resource) if search_request.sort_by else None
                    matches.append((key, seq))
        if search_request.sort_by is not None:
            descending = search_request.sort_order == SearchRequest.SortOrder.descending
            matches.sort(key=lambda m: m[0], reverse=descending)
        page = [seq for _, seq in matches[start:stop]]
        rows = []
        for i in range(0, len(page), CHUNK):
            part = page[i:i + CHUNK]
            got = {r[0]: r[1:] for r in c.execute(
                f"SELECT seq, id, type, data FROM resources WHERE seq IN ({','.join('?' * len(part))})",
                part)}
            rows += [got[s] for s in part if s in got]
        return len(matches), rows

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        return self._create(resource_type, resource.model_copy(deep=True))[0]

    def create_published(self, resource_type: ResourceType, resource: Resource[Any],
                         base_url: str) -> dict[str, Any]:
        """Create a resource the caller gives up (it is not copied) and return it as the 201
        response shows it, rendered from its row (engine.service.published)."""
        _, data, related = self._create(resource_type, resource)
        return published_row(data, base_url, related)

    def _create(self, resource_type: ResourceType, resource: Resource[Any]
                ) -> tuple[Resource[Any], str, list[dict[str, Any]] | None]:
        """Store a new resource (changed in place); returns it, its row's JSON, and its groups
        or members as the storage reads them."""
        hints = GROUP_HINTS.get()
        GROUP_HINTS.set(None)
        if self._has(resource, "password"):
            resource.password = None  # type: ignore[attr-defined]  # the service authenticates nobody
        resource.id = rid = self.generate_id(resource_type, resource)
        now = self.clock()
        resource.meta = Meta(resource_type=resource_type.name, created=now, last_modified=now,
                             version=self.next_version())
        with self.lock, self._transaction() as tx:
            c = tx.conn
            unique = self._check_uniqueness(c, resource)  # placement and groups leave these alone
            if self._is_group(resource):
                data = self._write_row(c, resource, insert=True, unique=unique)
                members = self._member_rows(resource)
                befores = self._users_before(c, members)
                self._set_members(c, rid, members)
                self._relink(tx, befores)
                return resource, data, self._members_of(c, rid) if members else None
            groups = None
            if self._places(resource):
                if hints:
                    display = getattr(resource, "display_name", None) or getattr(resource, "user_name", None)
                    self._join_hinted_groups(tx, rid, display, hints)
                    # `groups` is read-only: it shows the memberships just made
                    doc = resource.model_dump()
                    doc["groups"] = groups = self._groups_of(c, [rid]).get(rid)
                    resource = type(resource).model_validate(doc)
                elif getattr(resource, "groups", None):
                    resource.groups = None  # type: ignore[attr-defined]  # a new user is in no group yet
                self._place(tx, resource, None)
            return resource, self._write_row(c, resource, insert=True, unique=unique), groups

    def update(self, resource_type: ResourceType, resource: Resource[Any], *,
               expected_version: str | None = None) -> Resource[Any]:
        with self.lock, self._transaction() as tx:
            c = tx.conn
            stored = self._stored(c, resource_type, resource.id)
            self._check_version(stored, expected_version)
            updated = type(resource).model_validate(resource.model_dump())
            if self._has(updated, "password"):
                updated.password = None  # type: ignore[attr-defined]
            assert stored.meta is not None
            updated.meta = stored.meta.model_copy(update={
                "location": None, "last_modified": self.clock(), "version": self.next_version()})
            self._check_uniqueness(c, updated)
            rid = cast(str, updated.id)
            if self._has(updated, "members"):
                old, new = self._member_rows(stored), self._member_rows(updated)
                renamed = getattr(stored, "display_name", None) != getattr(updated, "display_name", None)
                changed = set(old) ^ set(new) | (set(new) if renamed else set())
                befores = self._users_before(c, changed)
                if old != new:
                    self._set_members(c, rid, new)
                self._write_row(c, updated, insert=False)
                self._relink(tx, befores)
                return updated.model_copy(deep=True)
            if self._has(updated, "groups"):
                # `groups` is read-only: it always follows the Group memberships.
                data = updated.model_dump()
                data["groups"] = self._groups_of(c, [rid]).get(rid)
                updated = type(updated).model_validate(data)
            if self._places(updated):
                self._place(tx, updated, stored)
            self._write_row(c, updated, insert=False)
            return updated.model_copy(deep=True)

    def delete(self, resource_type: ResourceType, resource_id: str, *,
               expected_version: str | None = None) -> None:
        with self.lock, self._transaction() as tx:
            c = tx.conn
            stored = self._stored(c, resource_type, resource_id, members=False)
            self._check_version(stored, expected_version)
            if self._has(stored, "members"):
                ids = [m for (m,) in c.execute("SELECT member_id FROM members WHERE group_id = ?",
                                               (resource_id,))]
                befores = self._users_before(c, ids)
                c.execute("DELETE FROM members WHERE group_id = ?", (resource_id,))
                self._relink(tx, befores)
            else:
                tx.put(resource_id, None)  # frees the seat, releases the number
                for (gid,) in c.execute("SELECT group_id FROM members WHERE member_id = ?",
                                        (resource_id,)).fetchall():
                    self._touch_row(c, "Group", gid)
            c.execute("DELETE FROM members WHERE member_id = ?", (resource_id,))
            c.execute("DELETE FROM emails WHERE seq = (SELECT seq FROM resources WHERE id = ?)",
                      (resource_id,))
            c.execute("DELETE FROM uniques WHERE id = ?", (resource_id,))
            c.execute("DELETE FROM resources WHERE id = ?", (resource_id,))

    def patch_members(self, group_id: str, add: dict[str, str | None], remove: set[str], *,
                      expected_version: str | None = None) -> None:
        """Add and remove members of a group: a row each, whatever the group's size (the PATCH
        Okta and Entra ID send to push group memberships). `add` maps user ids to display."""
        group_type = next(rt for rt in self.provider.resource_types if rt.name == "Group")
        with self.lock, self._transaction() as tx:
            c = tx.conn
            stored = self._stored(c, group_type, group_id, members=False)
            self._check_version(stored, expected_version)
            befores = self._users_before(c, [*add, *remove])
            c.executemany("DELETE FROM members WHERE group_id = ? AND member_id = ?",
                          [(group_id, m) for m in remove])
            c.executemany("INSERT OR IGNORE INTO members VALUES (?, ?, ?, ?)",
                          [(group_id, m, "User" if m in befores else None, d) for m, d in add.items()])
            self._touch_row(c, "Group", group_id)
            self._relink(tx, befores)

    # -- for the settings API -----------------------------------------------------------

    def user_names(self, ids: Iterable[str]) -> dict[str, str]:
        ids = list(ids)
        out: dict[str, str] = {}
        for i in range(0, len(ids), CHUNK):
            part = ids[i:i + CHUNK]
            for rid, data in self.db.conn.execute(
                    f"SELECT id, data FROM resources WHERE id IN ({','.join('?' * len(part))})", part):
                out[rid] = orjson.loads(data).get("userName", "")
        return out

    def user_count(self) -> int:
        return int(self.db.conn.execute("SELECT count(*) FROM resources WHERE type = 'User'").fetchone()[0])

    def placed_count(self) -> int:
        return int(self.db.conn.execute("SELECT count(*) FROM assignments").fetchone()[0])

    def number_holders(self) -> dict[str, str]:
        return dict(self.db.conn.execute("SELECT number, user_id FROM assignments WHERE number IS NOT NULL"))


def placed_assignment(new: Assignment, old: Assignment | None) -> Assignment:
    """What a placement costs and keeps: a user placed again in the same office keeps its
    seat (and how it was paid for) and its reserved number. The one spot where a create's
    cost is settled."""
    if old is not None and old.office == new.office:
        if old.license == new.license:  # same seat: keep how it was paid for
            new = replace(new, seat=old.seat, prorated_cost=old.prorated_cost)
        if old.number_source == "reserved" and new.number_source in ("reserved", "area_code"):
            new = replace(new, number=old.number, number_source="reserved", area_code=None)
    return new


def _group_ids(groups: list[dict[str, Any]] | None) -> list[tuple[Any, Any]]:
    return sorted((g.get("value"), g.get("display")) for g in groups or ())


def _ci(value: Any) -> str | None:
    """A value as the case-insensitive columns hold it (None for a missing or empty one)."""
    return value.lower() if isinstance(value, str) and value else None


def _wants(response_parameters: ResponseParameters[Any] | None, attribute: str) -> bool:
    """Whether a response keeps an attribute (a GET with `excludedAttributes=members` needs no
    members read, as Okta and Entra ID ask for big groups)."""
    if response_parameters is None:
        return True
    def names(paths: Any) -> set[str]:
        return {str(p).split(":")[-1].lower() for p in paths or ()}

    if response_parameters.attributes:
        return any(n.split(".")[0] == attribute for n in names(response_parameters.attributes))
    return attribute not in names(response_parameters.excluded_attributes)


def refuse_password_filter(node: FilterNode) -> None:
    """A filter on `password` would tell a guess from a miss: refused (nothing is stored anyway)."""
    if isinstance(node, Comparison | Present | ValuePath):
        if node.attr_path.attr.lower() == "password":
            raise InvalidFilterException(detail="password cannot be filtered on (passwords are never stored)")
        if isinstance(node, ValuePath):
            refuse_password_filter(node.val_filter)
    elif isinstance(node, LogicalExpr):
        for term in node.terms:
            refuse_password_filter(term)
    elif isinstance(node, Not):
        refuse_password_filter(node.expr)


_INDEXED = {"username": "user_name_ci", "externalid": "external_id_ci", "displayname": "display_name_ci",
            "id": "id"}


def _narrow(node: FilterNode) -> tuple[str, list[Any]] | None:
    """An indexed SQL condition that keeps at least every row the filter matches, for the
    filters IdPs send (`eq` on userName, externalId, displayName, id or an e-mail, `pr`, `and`),
    else None (the rows are then read in chunks)."""
    if isinstance(node, Comparison) and node.op == CompareOperator.eq and isinstance(node.value, str):
        attr = node.attr_path
        if attr.sub_attr is None and attr.attr.lower() in _INDEXED:
            column = _INDEXED[attr.attr.lower()]
            return (f"{column} = ?", [node.value if column == "id" else node.value.lower()])
        if attr.attr.lower() == "emails" and attr.sub_attr in (None, "value"):
            return "seq IN (SELECT seq FROM emails WHERE value_ci = ?)", [node.value.lower()]
        return None
    if isinstance(node, Present) and node.attr_path.sub_attr is None and \
            node.attr_path.attr.lower() in _INDEXED:
        return f"{_INDEXED[node.attr_path.attr.lower()]} IS NOT NULL", []
    if isinstance(node, ValuePath) and node.attr_path.attr.lower() == "emails":
        inner = _narrow_email(node.val_filter)
        return ("seq IN (SELECT seq FROM emails WHERE value_ci = ?)", [inner]) if inner else None
    if isinstance(node, LogicalExpr):
        parts = [_narrow(t) for t in node.terms]
        if node.op == LogicalOperator.and_:
            kept = [p for p in parts if p is not None]
        else:
            kept = [p for p in parts if p is not None] if all(p is not None for p in parts) else []
        if not kept:
            return None
        joiner = " AND " if node.op == LogicalOperator.and_ else " OR "
        return joiner.join(f"({sql})" for sql, _ in kept), [v for _, params in kept for v in params]
    return None


def _narrow_email(node: FilterNode) -> str | None:
    """The e-mail value `emails[type eq "work" and value eq "..."]` asks for, if any."""
    if isinstance(node, Comparison) and node.op == CompareOperator.eq and isinstance(node.value, str) \
            and node.attr_path.attr.lower() == "value" and node.attr_path.sub_attr is None:
        return node.value.lower()
    if isinstance(node, LogicalExpr) and node.op == LogicalOperator.and_:
        return next((v for v in (_narrow_email(t) for t in node.terms) if v), None)
    return None


class AsyncProvisioningStorage(AsyncScimStorage):
    """The storage for scim2-server's ASGI application. Every call runs in a worker thread,
    so that a long page or write never holds up the event loop (and so other requests); the
    storage's lock keeps one write at a time."""

    supports_cursors = False

    def __init__(self, storage: ProvisioningStorage) -> None:
        self.storage = storage

    async def get(self, resource_type: ResourceType, resource_id: str, *,
                  response_parameters: ResponseParameters[Any] | None = None) -> Resource[Any]:
        return await asyncio.to_thread(self.storage.get, resource_type, resource_id,
                                       response_parameters=response_parameters)

    async def search(self, resource_types: list[ResourceType], search_request: SearchRequest[Any],
                     *, position: Any = None) -> SearchPage:
        return await asyncio.to_thread(search_page, self.storage, resource_types, search_request, position)

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        # The group hints travel in a context variable, which to_thread copies along.
        return await asyncio.to_thread(self.storage.create, resource_type, resource)

    async def update(self, resource_type: ResourceType, resource: Resource[Any], *,
                     expected_version: str | None = None) -> Resource[Any]:
        return await asyncio.to_thread(self.storage.update, resource_type, resource,
                                       expected_version=expected_version)

    async def delete(self, resource_type: ResourceType, resource_id: str, *,
                     expected_version: str | None = None) -> None:
        await asyncio.to_thread(self.storage.delete, resource_type, resource_id,
                                expected_version=expected_version)
