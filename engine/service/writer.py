"""One writer per service database (issue 10): `serve` or the embedded service, never both.

Two writers on one file would each count seats and numbers from their own view and hand out
the same seat twice. The writer holds an exclusive `flock` on `<db>.writer` for as long as it
runs; the kernel drops the lock when the process ends, even on SIGKILL, so a crash never leaves
a stale lock. The file says who holds it (process id, and the URL when it is `serve`), so the
one refused can name the holder, and the embedded push can use the running service instead.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from engine.errors import InputError


@dataclass(frozen=True)
class Holder:
    """Who writes a database: a process, and the URL it serves on (None when embedded)."""

    pid: int
    url: str | None = None

    @classmethod
    def this_process(cls, url: str | None = None) -> Holder:
        return cls(os.getpid(), url)

    def describe(self) -> str:
        where = f"`scim-assistant serve` at {self.url}" if self.url else "an embedded service"
        return f"process {self.pid} ({where})"


class DatabaseBusy(InputError):
    """Another process is the database's writer."""

    def __init__(self, db: str, holder: Holder | None) -> None:
        self.holder = holder
        who = holder.describe() if holder else "another process"
        super().__init__(db, f"is already served by {who}; stop it or give another --db "
                         "(one writer per database, so that no seat or number is given twice)")


def lock_path(db: str | Path) -> Path:
    return Path(f"{db}.writer")


def read_holder(db: str | Path) -> Holder | None:
    """The holder the lock file names, if it can be read."""
    try:
        data = orjson.loads(lock_path(db).read_bytes())
        url = data.get("url")
        return Holder(int(data["pid"]), url if isinstance(url, str) else None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


class WriterLock:
    """The exclusive lock of one database, held until `release` (or the process ends)."""

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd

    @classmethod
    def claim(cls, db: str | Path, holder: Holder) -> WriterLock:
        fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseBusy(str(db), read_holder(db)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, orjson.dumps({"pid": holder.pid, "url": holder.url}), 0)
        return cls(fd)

    def announce(self, holder: Holder) -> None:
        """Name the holder again, once its URL is known."""
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, orjson.dumps({"pid": holder.pid, "url": holder.url}), 0)

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def running_service(db: str | Path) -> Holder | None:
    """The `serve` process writing this database now, if any (None when it is free, or held by
    an embedded service, which has no URL to use)."""
    try:
        fd = os.open(lock_path(db), os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return read_holder(db) or Holder(0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
