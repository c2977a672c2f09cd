"""Reading an input file whole, bounded: every reader goes through `read_bytes`, so `/dev/zero`
or a runaway export is refused with one line instead of filling memory.

The limits are documented in the README ("Size limits"); each is far above a real file of its
kind (100,000 SCIM users are about 60 MB).
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError

MIB = 1024 * 1024
# What the file is (the `what` of `read_bytes`) -> the most bytes it may hold.
LIMITS: dict[str, int] = {
    "sample users": 256 * MIB,
    "company directory": 8 * MIB,
    "settings": 1 * MIB,
    "certificate": 1 * MIB,
    "token": 64 * 1024,
}


def size_text(limit: int) -> str:
    if limit >= MIB:
        return f"{limit / MIB:g} MiB"
    return f"{limit / 1024:g} KiB" if limit >= 1024 else f"{limit} bytes"


def too_big(source: str, what: str, limit: int) -> InputError:
    return InputError(source, f"is larger than {size_text(limit)}, the limit for a {what} file; "
                      "check that it is the right file")


def read_bytes(path: str | Path, *, what: str, limit: int | None = None) -> bytes:
    """The file's bytes, at most `limit` (default: the limit for `what`); every OS failure and
    an oversized file become one clear InputError naming the file."""
    p = Path(path)
    cap = LIMITS[what] if limit is None else limit
    try:
        with p.open("rb") as handle:
            data = handle.read(cap + 1)  # one byte over says "too big" without reading on
    except FileNotFoundError:
        raise InputError(str(p), f"no such file; check the path of the {what}") from None
    except IsADirectoryError:
        raise InputError(str(p), f"is a directory, not a {what} file") from None
    except PermissionError:
        raise InputError(str(p), "permission denied; check the file's permissions") from None
    except MemoryError:
        raise too_big(str(p), what, cap) from None
    except OSError as exc:
        raise InputError(str(p), f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > cap:
        raise too_big(str(p), what, cap)
    return data
