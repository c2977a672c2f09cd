"""SQLite storage for the service, behind scim2-server's storage interface (issue 5, item 4).

SQLite (WAL) is the durable record: resources, placements (seat and number per user),
purchases, the company directory and every settings version. A memory index of the resources
(scim2-server's `InMemoryStorage`, which this class extends) serves reads, filters, sorting and
paging, and the `Ledger` holds the live seats and numbers the rules start from.

Every write is one SQLite transaction: a user, its seat, its number, its purchase and the group
memberships it changes commit together or not at all. Memory is only changed after the commit
(the ledger changes earlier, with an undo log), so a failed write leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import orjson
from scim2_models import (
    GroupMember,
    InvalidValueException,
    Meta,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimProvider,
    SearchRequest,
)
from scim2_server.memory import InMemoryStorage
from scim2_server.storage import AsyncScimStorage, SearchPage, search_page

from engine.directory import Company
from engine.errors import InputError
from engine.names import LICENSE_TYPES, norm
from engine.rules import CREATE, INVALID, REJECT, Row, place_users
from engine.service.models import PLACEMENT_NS, Placement
from engine.settings import Settings
from engine.users import UserRecord, record_from_scim

# Groups named in the body of a POST /Users (read-only in RFC 7643, but IdP exports and some
# clients send them): the service joins the user to them. Set by the service for the request.
GROUP_HINTS: ContextVar[list[str] | None] = ContextVar("scim_assistant_group_hints", default=None)

SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL);
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
    """Seats and numbers as they are now: what `place_users` starts from in the service."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self.assignments: dict[str, Assignment] = {}
        self.used: set[str] = set()
        self.in_use: Counter[tuple[str, str]] = Counter()
        self.bought: Counter[tuple[str, str]] = Counter()

    def put(self, user_id: str, new: Assignment | None) -> Assignment | None:
        """Give a user its placement (None frees it); returns the previous one."""
        old = self.assignments.pop(user_id, None)
        if old is not None:
            self.in_use[(old.office, old.license)] -= 1
            if old.number:
                self.used.discard(old.number)
        if new is not None:
            self.assignments[user_id] = new
            self.in_use[(new.office, new.license)] += 1
            if new.number:
                self.used.add(new.number)
        return old

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
    """One storage operation: ledger changes (undone on failure) and the resources to write."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.undo: list[Callable[[], object]] = []
        self.save: dict[str, Resource[Any]] = {}
        self.remove: list[Resource[Any]] = []
        self.placements: dict[str, Assignment | None] = {}
        self.purchases: list[tuple[str, str, str, float]] = []

    def put(self, user_id: str, new: Assignment | None) -> None:
        old = self.ledger.put(user_id, new)
        self.placements[user_id] = new
        self.undo.append(lambda: self.ledger.put(user_id, old))

    def purchase(self, user_id: str, office: str, lic: str, cost: float) -> None:
        self.ledger.bought[(office, lic)] += 1
        self.purchases.append((user_id, office, lic, cost))

        def back() -> None:
            self.ledger.bought[(office, lic)] -= 1
        self.undo.append(back)

    def rollback(self) -> None:
        for step in reversed(self.undo):
            step()


class ServiceDB:
    """The SQLite file: schema, transactions, the directory and the settings versions."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives the process being killed (only an OS crash or
            # power loss can lose the last commits), at a fraction of FULL's fsync cost.
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA busy_timeout=5000")
            self.conn.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            # Most often --db and --company swapped: say so rather than show a traceback.
            raise InputError(self.path, f"is not a database this service can use ({exc}); give --db a "
                             "new or existing service database (the company directory goes to --company)"
                             ) from None
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

    def latest_settings_version(self) -> int:
        row = self.conn.execute("SELECT max(version) FROM settings_versions").fetchone()
        return row[0] or 0

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


class ProvisioningStorage(InMemoryStorage):
    """scim2-server's storage interface over SQLite, placing users with the engine's rules.

    Placement applies to resource types whose model carries the placement extension (the
    service's User); other models are only stored, which is what the storage contract tests use.
    """

    supports_cursors = False

    def __init__(self, db: ServiceDB, provider: ScimProvider, company: Company,
                 settings: Settings, *, today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__()
        self.db = db
        self.provider = provider
        self.company = company
        self.settings = settings
        self.today = today
        self.ledger = Ledger(company)
        self._members: dict[str, set[str]] = {}  # group id -> user ids
        self._load()

    # -- loading ------------------------------------------------------------------------

    def _model(self, type_name: str) -> type[Resource[Any]]:
        return cast(type[Resource[Any]], self.provider.model_for(type_name))

    def _load(self) -> None:
        rows = self.db.conn.execute("SELECT type, data FROM resources").fetchall()
        models: dict[str, type[Resource[Any]]] = {}
        resources = []
        for type_name, data in rows:
            model = models.get(type_name)
            if model is None:
                model = models[type_name] = self._model(type_name)
            resources.append(model.model_validate_json(data))
        self.resources = resources
        for res in resources:
            self._index_members(res)
        for row in self.db.conn.execute(
                "SELECT user_id, office, office_rule, license, license_rule, seat, number, "
                "number_source, area_code, prorated_cost FROM assignments"):
            self.ledger.put(row[0], Assignment(*row[1:]))
        for office, lic, n in self.db.conn.execute(
                "SELECT office, license, count(*) FROM purchases GROUP BY office, license"):
            self.ledger.bought[(office, lic)] = n

    def set_company(self, company: Company) -> None:
        with self.lock:
            self.company = company
            self.ledger.company = company

    def next_version(self) -> str:
        return f'W/"{uuid.uuid4().hex[:16]}"'

    # -- helpers ------------------------------------------------------------------------

    @staticmethod
    def _places(resource: Resource[Any]) -> bool:
        return PLACEMENT_NS in type(resource).get_extension_models()

    @staticmethod
    def _is_group(resource: Resource[Any]) -> bool:
        return resource.meta is not None and resource.meta.resource_type == "Group"

    def _index_members(self, resource: Resource[Any]) -> None:
        if self._is_group(resource):
            self._members[cast(str, resource.id)] = {
                m.value for m in (getattr(resource, "members", None) or [])
                if m.value and (m.type in (None, "User"))}

    def _current(self, tx: _Tx, type_name: str, rid: str) -> Resource[Any] | None:
        """A resource as this operation sees it: written earlier in it, else stored."""
        if rid in tx.save:
            return tx.save[rid]
        stored = self._resources.get(type_name, {}).get(rid)
        return stored.model_copy(deep=True) if stored is not None else None

    def _touch(self, resource: Resource[Any]) -> None:
        assert resource.meta is not None
        resource.meta = resource.meta.model_copy(update={
            "location": None, "last_modified": self.clock(), "version": self.next_version()})

    @staticmethod
    def _with_groups(user: Resource[Any], user_id: str, members: dict[str, set[str]],
                     groups: dict[str, Resource[Any]]) -> Resource[Any]:
        """The user with its read-only `groups` set from the memberships (RFC 7643 4.1.2)."""
        found = [{"value": gid, "display": getattr(g, "display_name", None), "type": "direct",
                  "$ref": f"Groups/{gid}"}
                 for gid, g in groups.items() if user_id in members.get(gid, ())]
        data = user.model_dump()
        data.pop("groups", None)
        if found:
            data["groups"] = found
        return type(user).model_validate(data)

    # -- placement ----------------------------------------------------------------------

    def _place(self, tx: _Tx, user: Resource[Any], before: Resource[Any] | None) -> None:
        """Place a created user, or place again an updated one whose placement inputs changed.

        Raises a SCIM 400 (invalidValue) naming the reason code when the rules reject the user.
        """
        uid = cast(str, user.id)
        rec = record_from_scim(0, user.model_dump(), "the User")
        old = self.ledger.assignments.get(uid)
        if before is not None:
            prev = record_from_scim(0, before.model_dump(), "the User")
            if _inputs(prev) == _inputs(rec):
                user[Placement] = old.extension() if old else None
                return
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
        new = Assignment.from_row(row)
        if old is not None and old.office == new.office:
            if old.license == new.license:  # same seat: keep how it was paid for
                new = _replace(new, seat=old.seat, prorated_cost=old.prorated_cost)
            if old.number_source == "reserved" and new.number_source in ("reserved", "area_code"):
                new = _replace(new, number=old.number, number_source="reserved", area_code=None)
        if new.seat == "purchased" and not (old is not None and old.office == new.office
                                           and old.license == new.license and old.seat == "purchased"):
            tx.purchase(uid, new.office, new.license, new.prorated_cost)
        tx.put(uid, new)
        user[Placement] = new.extension()

    def _relink(self, tx: _Tx, user_ids: set[str], members: dict[str, set[str]],
                groups: dict[str, Resource[Any]]) -> None:
        """Give users their `groups` from the memberships, and place them again if needed."""
        for uid in sorted(user_ids):
            user = self._current(tx, "User", uid)
            if user is None:
                continue
            before = user
            user = self._with_groups(user, uid, members, groups)
            if user.model_dump() == before.model_dump():
                continue
            if self._places(user):
                self._place(tx, user, before)
            self._touch(user)
            tx.save[uid] = user

    def _join_hinted_groups(self, tx: _Tx, user: Resource[Any], hints: list[str],
                            members: dict[str, set[str]], groups: dict[str, Resource[Any]]) -> None:
        uid = cast(str, user.id)
        display = getattr(user, "display_name", None) or getattr(user, "user_name", None)
        by_name = {norm(getattr(g, "display_name", "") or ""): gid for gid, g in groups.items()}
        group_model = self._model("Group")
        for name in dict.fromkeys(h.strip() for h in hints if h.strip()):
            gid = by_name.get(norm(name))
            if gid is None:
                group = group_model(display_name=name)  # type: ignore[call-arg]
                group.id = gid = uuid.uuid4().hex
                now = self.clock()
                group.meta = Meta(resource_type="Group", created=now, last_modified=now,
                                  version=self.next_version())
                by_name[norm(name)] = gid
                members[gid] = set()
            else:
                group = cast(Resource[Any], self._current(tx, "Group", gid))
                self._touch(group)
            if uid not in members[gid]:
                # `ref` is typed as a Reference; pydantic takes the plain "Users/<id>" string.
                group.members = [*(getattr(group, "members", None) or []),  # type: ignore[attr-defined]
                                 GroupMember(value=uid, type="User", display=display,
                                             ref=f"Users/{uid}")]  # type: ignore[arg-type]
                members[gid].add(uid)
            groups[gid] = group
            tx.save[gid] = group

    # -- commit -------------------------------------------------------------------------

    def _commit(self, tx: _Tx) -> None:
        now = utcnow().isoformat()
        try:
            with self.db.transaction() as c:
                for res in tx.remove:
                    c.execute("DELETE FROM resources WHERE id = ?", (res.id,))
                for uid, a in tx.placements.items():
                    c.execute("DELETE FROM assignments WHERE user_id = ?", (uid,))
                    if a is not None:
                        c.execute("INSERT INTO assignments VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                                  (uid, a.office, a.office_rule, a.license, a.license_rule, a.seat,
                                   a.number, a.number_source, a.area_code, a.prorated_cost, now))
                for uid, office, lic, cost in tx.purchases:
                    c.execute("INSERT INTO purchases (user_id, office, license, prorated_cost, "
                              "purchased_at) VALUES (?,?,?,?,?)", (uid, office, lic, cost, now))
                for res in tx.save.values():
                    assert res.meta is not None
                    c.execute("INSERT OR REPLACE INTO resources VALUES (?, ?, ?)",
                              (res.id, res.meta.resource_type, res.model_dump_json()))
        except BaseException:
            tx.rollback()
            raise
        for res in tx.remove:
            self._remove(_key(res))
            self._members.pop(cast(str, res.id), None)
        for res in tx.save.values():
            self._store(res, self._values_of(res))
            self._index_members(res)

    def _run(self, tx: _Tx, body: Callable[[], None]) -> None:
        try:
            body()
        except BaseException:
            tx.rollback()
            raise
        self._commit(tx)

    # -- the storage interface ----------------------------------------------------------

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        hints = GROUP_HINTS.get()
        GROUP_HINTS.set(None)
        with self.lock:
            resource = resource.model_copy(deep=True)
            resource.id = self.generate_id(resource_type, resource)
            now = self.clock()
            resource.meta = Meta(resource_type=resource_type.name, created=now, last_modified=now,
                                 version=self.next_version())
            self._check_uniqueness(resource, self._values_of(resource))
            tx = _Tx(self.ledger)

            def body() -> None:
                if self._is_group(resource):
                    self._group_written(tx, resource, before=None)
                    return
                if self._places(resource):
                    if hints:
                        members = {k: set(v) for k, v in self._members.items()}
                        groups = dict(self._resources.get("Group", {}))
                        self._join_hinted_groups(tx, resource, hints, members, groups)
                        created[0] = self._with_groups(resource, cast(str, resource.id), members, groups)
                    self._place(tx, created[0], None)
                tx.save[cast(str, resource.id)] = created[0]

            created = [resource]
            self._run(tx, body)
            return created[0].model_copy(deep=True)

    def _group_written(self, tx: _Tx, group: Resource[Any], before: Resource[Any] | None) -> None:
        gid = cast(str, group.id)
        tx.save[gid] = group
        members = {k: set(v) for k, v in self._members.items()}
        old = members.get(gid, set())
        new = {m.value for m in (getattr(group, "members", None) or [])
               if m.value and m.type in (None, "User")}
        members[gid] = new
        groups = dict(self._resources.get("Group", {}))
        groups[gid] = group
        renamed = before is not None and getattr(before, "display_name", None) != getattr(
            group, "display_name", None)
        self._relink(tx, (old ^ new) | (new if renamed else set()), members, groups)

    def update(self, resource_type: ResourceType, resource: Resource[Any], *,
               expected_version: str | None = None) -> Resource[Any]:
        with self.lock:
            stored = self._stored(resource_type, resource.id)
            self._check_version(stored, expected_version)
            updated = type(resource).model_validate(resource.model_dump())
            assert stored.meta is not None
            updated.meta = stored.meta.model_copy(update={
                "location": None, "last_modified": self.clock(), "version": self.next_version()})
            self._check_uniqueness(updated, self._values_of(updated))
            tx = _Tx(self.ledger)
            uid = cast(str, updated.id)

            def body() -> None:
                if self._is_group(updated):
                    self._group_written(tx, updated, before=stored)
                    return
                if self._places(updated):
                    # `groups` is read-only: it always follows the Group memberships.
                    result[0] = self._with_groups(updated, uid, self._members,
                                                  self._resources.get("Group", {}))
                    self._place(tx, result[0], stored)
                tx.save[uid] = result[0]

            result = [updated]
            self._run(tx, body)
            return result[0].model_copy(deep=True)

    def delete(self, resource_type: ResourceType, resource_id: str, *,
               expected_version: str | None = None) -> None:
        with self.lock:
            stored = self._stored(resource_type, resource_id)
            self._check_version(stored, expected_version)
            tx = _Tx(self.ledger)

            def body() -> None:
                tx.remove.append(stored)
                members = {k: set(v) for k, v in self._members.items()}
                groups = dict(self._resources.get("Group", {}))
                if self._is_group(stored):
                    affected = members.pop(resource_id, set())
                    groups.pop(resource_id, None)
                    self._relink(tx, affected, members, groups)
                    return
                if resource_id in self.ledger.assignments:
                    tx.put(resource_id, None)  # frees the seat, releases the number
                for gid, uids in members.items():
                    if resource_id in uids:
                        group = cast(Resource[Any], self._current(tx, "Group", gid))
                        group.members = [m for m in group.members  # type: ignore[attr-defined]
                                         if m.value != resource_id] or None
                        self._touch(group)
                        tx.save[gid] = group

            self._run(tx, body)

    # -- for the settings API -----------------------------------------------------------

    def user_names(self) -> dict[str, str]:
        return {uid: getattr(u, "user_name", "") for uid, u in self._resources.get("User", {}).items()}


def _replace(a: Assignment, **changes: Any) -> Assignment:
    from dataclasses import replace
    return replace(a, **changes)


def _key(resource: Resource[Any]) -> tuple[str | None, str]:
    assert resource.meta is not None
    return resource.meta.resource_type, cast(str, resource.id)


class AsyncProvisioningStorage(AsyncScimStorage):
    """The storage for scim2-server's ASGI application. Every call is short and runs without an
    await, so one request's write never interleaves with another's."""

    supports_cursors = False

    def __init__(self, storage: ProvisioningStorage) -> None:
        self.storage = storage

    async def get(self, resource_type: ResourceType, resource_id: str, *,
                  response_parameters: ResponseParameters[Any] | None = None) -> Resource[Any]:
        return self.storage.get(resource_type, resource_id, response_parameters=response_parameters)

    async def search(self, resource_types: list[ResourceType], search_request: SearchRequest[Any],
                     *, position: Any = None) -> SearchPage:
        return search_page(self.storage, resource_types, search_request, position)

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        return self.storage.create(resource_type, resource)

    async def update(self, resource_type: ResourceType, resource: Resource[Any], *,
                     expected_version: str | None = None) -> Resource[Any]:
        return self.storage.update(resource_type, resource, expected_version=expected_version)

    async def delete(self, resource_type: ResourceType, resource_id: str, *,
                     expected_version: str | None = None) -> None:
        self.storage.delete(resource_type, resource_id, expected_version=expected_version)
