"""Atomic file writes: a temp file in the same directory, fsync, then rename over the target.

A crash or a full disk leaves either the old file or the new one, never half of either.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


class UnsafeTarget(OSError):
    """A target that is not a regular file: renaming over it would turn a device or a FIFO
    into a file, or fail half-way on a directory."""


def target_problem(path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str] | None] = (),
                   *, can_print: bool = True) -> str | None:
    """Why `path` must not be written, or None: it is a directory, a device, a FIFO, a symlink,
    anything but a regular file, or one of `inputs` (the files this run reads). `can_print`: the
    command prints when --output is left out, and the sentence says so."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be checked ({exc.strerror or exc})"
    kind = info.st_mode
    if stat.S_ISLNK(kind):
        return "is a symbolic link; give the path of a regular file, not a link"
    if stat.S_ISDIR(kind):
        return "is a directory; give a file name"
    hint = " (leave out --output to print)" if can_print else ""
    if stat.S_ISCHR(kind) or stat.S_ISBLK(kind):
        return f"is a device, not a file; give a file name{hint}"
    if stat.S_ISFIFO(kind):
        return f"is a FIFO (named pipe), not a file; give a file name{hint}"
    if not stat.S_ISREG(kind):
        return "is not a regular file; give a file name"
    for source in inputs:
        try:
            if source is not None and os.path.samefile(source, path):
                return f"is {source}, an input of this run; writing it would destroy the input"
        except OSError:
            continue
    return None


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> None:
    """A symlink is written through (its file is replaced, the link kept); a target that is
    not a regular file raises UnsafeTarget (an OSError)."""
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    problem = target_problem(target)
    if problem is not None:
        raise UnsafeTarget(f"{os.fspath(path)} {problem}")
    directory = target.parent if str(target.parent) else Path(".")
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
