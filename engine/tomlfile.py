"""Reading a TOML file into a dict, with errors that name the file and the line."""

from __future__ import annotations

import tomllib
from typing import Any

from engine.errors import InputError

# `Any`: a TOML document's values, checked by whoever reads the document.


def parse_toml(data: bytes, *, source: str) -> dict[str, Any]:
    if b"\x00" in data:
        raise InputError(source, "is binary, not a TOML text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, f"is not valid TOML: {exc}") from None
