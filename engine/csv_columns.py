"""The fast reader for CSV users: a column at a time, a chunk of rows at a time.

csv.reader still parses the file; then each column the rules read is picked and trimmed in C
(`map`), and what depends only on a cell's value (activity, country, office keys, groups,
domain case) is worked out once per distinct value, a few hundred for 100k users, instead of
once per row. Chunks keep the rows in the CPU's cache, as the row reader does: read whole, the
file's rows cost more than this saves. The records are the row reader's (engine/users.py), the
tests hold them to that. Only the common case is read here: a file with a row the CSV module
refuses, a row without a userName (a blank line among them) or an `active` that is not a
boolean answers None, and the row reader, which numbers the lines for its messages, reads the
whole file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import partial
from itertools import count, islice, repeat
from operator import itemgetter
from typing import Any

from engine.countries import normalise_country
from engine.names import norm
from engine.users import _EMPTY3, _NO_GROUPS, _PROGRESS_EVERY, Progress, UserRecord, _active, _domain_of

_as_record = partial(tuple.__new__, UserRecord)
CHUNK = 500
_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)


class _Values(dict[Any, Any]):
    """A cell's value -> what it gives, worked out when a value is first met."""

    def __init__(self, work: object) -> None:
        super().__init__()
        self.work = work

    def __missing__(self, key: object) -> object:
        got = self[key] = self.work(key)  # type: ignore[operator]
        return got


def _active_of(text: str) -> bool | None:
    return not text or text == "true" or _active(text)


def _values_keys(values: tuple[str, str, str]) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    if values == _EMPTY3:
        return _EMPTY3, _EMPTY3
    return values, tuple(norm(x) if x else "" for x in values)  # type: ignore[return-value]


def _same(text: str) -> str:
    return text


def _country_of(raw: str) -> tuple[str | None, tuple[str, ...]]:
    code, warning = normalise_country(raw) if raw else (None, None)
    return code, (warning,) if warning else ()


def _groups_of(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    names = tuple(g for g in (x.strip() for x in text.split(";")) if g) if text else ()
    return names, frozenset(map(norm, names)) if names else _NO_GROUPS


def _lower(after_at: str) -> str:
    return after_at.strip().lower()


def read_columns(reader: Iterator[list[str]], positions: list[int], progress: Progress | None,
                 total: int) -> list[UserRecord] | None:
    """The records of the rows left in `reader`, or None when one is not the common case.
    `positions`: the cell of each of users._CSV_FIELDS, -1 for an absent column."""
    width = max(positions) + 1
    strip = str.strip
    active_of, values_of, country_of = _Values(_active_of), _Values(_values_keys), _Values(_country_of)
    groups_of, lowered, same = _Values(_groups_of), _Values(_lower), _Values(_same)
    out: list[UserRecord] = []
    while True:
        try:
            rows = list(islice(reader, CHUNK))
        except csv.Error:
            return None
        if not rows:
            return out
        n = len(rows)
        if min(map(len, rows)) < width:
            for row in rows:  # short rows read empty cells, as in the row reader
                if len(row) < width:
                    row += [""] * (width - len(row))

        def column(field: int) -> list[str]:
            pos = positions[field]
            return list(map(strip, map(itemgetter(pos), rows))) if pos >= 0 else [""] * n  # noqa: B023

        user_names = column(0)
        if not all(user_names):
            return None
        actives = list(map(active_of.__getitem__, column(5)))
        if None in actives:
            return None
        display = column(3)
        if not all(display):
            display = [d or (f"{g} {f}" if g and f else g or f) for d, g, f in zip(display, column(1), column(2),
                                                                                strict=True)]
        # The text after the userName's last @, else the email's (users._domain_of).
        parts = list(map(str.rpartition, user_names, repeat("@")))
        after_at = list(map(_THIRD, parts))
        if all(map(_SECOND, parts)) and all(after_at):
            domains = list(map(lowered.__getitem__, after_at))
        else:
            domains = [lowered[after] if at and after else _domain_of("", e)
                       for (_, at, after), e in zip(parts, column(4), strict=True)]
        v0, v1, v2, country_raw, license_type, groups_text = map(column, range(6, 12))
        # One tuple per distinct office values, and one string per license type: the rules'
        # profiles (engine.rules.Profiles) compare them by identity first.
        values_keys = list(map(values_of.__getitem__, zip(v0, v1, v2, strict=True)))
        countries = list(map(country_of.__getitem__, country_raw))
        groups = list(map(groups_of.__getitem__, groups_text))
        out += map(_as_record, zip(
            count(len(out)), user_names, display, actives, domains, map(_FIRST, values_keys), map(_SECOND, values_keys),
            map(_FIRST, countries), country_raw, map(same.__getitem__, license_type), map(_FIRST, groups),
            map(_SECOND, groups),
            map(_SECOND, countries), repeat(None), repeat("")))
        if progress and len(out) % _PROGRESS_EVERY == 0:
            progress(reader.line_num, total)  # type: ignore[attr-defined]
