"""Pausing the cyclic garbage collector around allocation-heavy phases.

Reading 100k users or placing them creates millions of containers and no reference cycles; with
the collector running, CPython rescans them again and again and the phase takes twice as long.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_kept: list[object] | None = None


def exit_without_freeing() -> None:
    """For a one-shot command whose process ends with os._exit: the collector stays off, and
    `drop` keeps what it is given instead of freeing it. Freeing a 100k-user structure object by
    object costs about 0.05 s, for memory the exit returns anyway."""
    global _kept
    gc.disable()
    _kept = []


def drop(obj: object) -> None:
    """Let go of a big structure: freed when the caller lets go of it, unless the process is
    about to exit (see `exit_without_freeing`)."""
    if _kept is not None:
        _kept.append(obj)
