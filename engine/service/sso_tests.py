"""The test sign-ins (issue 13), kept apart from the provisioning store: their own tables in the
same SQLite file, their own connection and transactions.

A test holds the candidate IdP settings (not yet pushed), the AuthnRequest IDs sent for it
(each answerable once) and its verdict. It is `pending` until the first response is judged,
then `passed` or `failed` for good; a pending test older than 15 minutes is `expired`.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.sso import PASS_VALID_FOR

TEST_LIFETIME = dt.timedelta(minutes=15)

SCHEMA = """
CREATE TABLE IF NOT EXISTS sso_tests (
    id TEXT PRIMARY KEY, idp_entity_id TEXT NOT NULL, idp_sso_url TEXT NOT NULL,
    certificate TEXT NOT NULL, fingerprint_sha256 TEXT NOT NULL, created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', user TEXT, reason TEXT,
    finished_at TEXT);
CREATE TABLE IF NOT EXISTS sso_test_requests (
    request_id TEXT PRIMARY KEY, test_id TEXT NOT NULL REFERENCES sso_tests(id),
    sent_at TEXT NOT NULL, used_at TEXT);
CREATE INDEX IF NOT EXISTS sso_tests_passed ON sso_tests (idp_entity_id, idp_sso_url, status);
"""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class SsoTest:
    id: str
    idp_entity_id: str
    idp_sso_url: str
    certificate: str
    fingerprint_sha256: str
    created_at: dt.datetime
    expires_at: dt.datetime
    status: str  # pending | passed | failed | expired
    user: str | None
    reason: str | None
    finished_at: dt.datetime | None

    def to_json(self) -> dict[str, object]:
        """The shape of GET /api/v1/sso-tests/{id}."""
        return {"id": self.id, "status": self.status, "user": self.user, "reason": self.reason,
                "fingerprint_sha256": self.fingerprint_sha256,
                "finished_at": _iso(self.finished_at) if self.finished_at else None}


class SsoTests:
    def __init__(self, db_path: str | Path, *, now: Callable[[], dt.datetime] = _utcnow) -> None:
        self.now = now
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None,
                                   timeout=30)
        self._db.execute("PRAGMA busy_timeout = 30000")
        with self._lock:
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def _row(self, row: tuple | None) -> SsoTest | None:
        if row is None:
            return None
        (id_, entity, url, cert, fp, created, expires, status, user, reason, finished) = row
        expires_at = _parse(expires)
        if status == "pending" and self.now() >= expires_at:
            status = "expired"
        return SsoTest(id_, entity, url, cert, fp, _parse(created), expires_at, status, user, reason,
                       _parse(finished) if finished else None)

    def create(self, *, idp_entity_id: str, idp_sso_url: str, certificate: str,
               fingerprint_sha256: str) -> SsoTest:
        now = self.now()
        test_id = secrets.token_urlsafe(18)
        with self._lock:
            self._db.execute(
                "INSERT INTO sso_tests (id, idp_entity_id, idp_sso_url, certificate, fingerprint_sha256, "
                "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (test_id, idp_entity_id, idp_sso_url, certificate, fingerprint_sha256, _iso(now),
                 _iso(now + TEST_LIFETIME)))
        found = self.get(test_id)
        assert found is not None
        return found

    def get(self, test_id: str) -> SsoTest | None:
        with self._lock:
            row = self._db.execute("SELECT id, idp_entity_id, idp_sso_url, certificate, fingerprint_sha256, "
                                   "created_at, expires_at, status, user, reason, finished_at "
                                   "FROM sso_tests WHERE id = ?", (test_id,)).fetchone()
        return self._row(row)

    def add_request(self, test_id: str, request_id: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO sso_test_requests (request_id, test_id, sent_at) VALUES (?, ?, ?)",
                             (request_id, test_id, _iso(self.now())))

    def use_request(self, test_id: str, request_id: str) -> str | None:
        """Consume an AuthnRequest ID a response answers; why it cannot be, or None."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE sso_test_requests SET used_at = ? WHERE request_id = ? AND test_id = ? "
                "AND used_at IS NULL", (_iso(self.now()), request_id, test_id))
            if cursor.rowcount == 1:
                return None
            row = self._db.execute("SELECT test_id FROM sso_test_requests WHERE request_id = ?",
                                   (request_id,)).fetchone()
        if row is not None and row[0] == test_id:
            return ("The response answers a sign-in request that was already answered (InResponseTo "
                    "reused): a replayed response is refused.")
        return ("The response answers no sign-in request of this test (unknown InResponseTo): start "
                "the sign-in from the test's login URL.")

    def finish(self, test_id: str, *, passed: bool, user: str | None, reason: str | None,
               fingerprint_sha256: str | None = None) -> bool:
        """Record the verdict of a pending, unexpired test; False when it was already decided."""
        now = self.now()
        with self._lock:
            cursor = self._db.execute(
                "UPDATE sso_tests SET status = ?, user = ?, reason = ?, finished_at = ?, "
                "fingerprint_sha256 = coalesce(?, fingerprint_sha256) "
                "WHERE id = ? AND status = 'pending' AND expires_at > ?",
                ("passed" if passed else "failed", user, reason, _iso(now), fingerprint_sha256,
                 test_id, _iso(now)))
        return cursor.rowcount == 1

    def passed(self, idp_entity_id: str, idp_sso_url: str, fingerprints: Iterable[str]) -> list[SsoTest]:
        """Tests of exactly these settings that passed within the last 24 hours, newest first."""
        wanted = {fp.upper() for fp in fingerprints}
        since = _iso(self.now() - PASS_VALID_FOR)
        with self._lock:
            rows = self._db.execute(
                "SELECT id, idp_entity_id, idp_sso_url, certificate, fingerprint_sha256, created_at, "
                "expires_at, status, user, reason, finished_at FROM sso_tests WHERE idp_entity_id = ? "
                "AND idp_sso_url = ? AND status = 'passed' AND finished_at >= ? ORDER BY finished_at DESC",
                (idp_entity_id, idp_sso_url, since)).fetchall()
        tests = [self._row(r) for r in rows]
        return [t for t in tests if t is not None and t.fingerprint_sha256.upper() in wanted]
