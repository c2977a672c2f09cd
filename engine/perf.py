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
