"""The fast reader for CSV users: a column at a time, a chunk of rows at a time.

csv.reader still parses the file; then each column the rules read is picked in C (`map`), and
what depends only on a cell's text (activity, office values and keys, country, license type,
groups, the domain's case) is worked out, trimming included, once per distinct text: a few
hundred for 100k users, instead of once per row. Equal values are then one object, which the
rules' profiles (engine.rules.Profiles) compare by identity first. Chunks keep the rows in the
CPU's cache, as the row reader does: read whole, the file's rows cost more than this saves.

The records are the row reader's (engine/users.py); the tests hold them to that. Only the
common case is read here: a file with a row the CSV module refuses, a row without a userName (a
blank line among them) or an `active` that is not a boolean answers None, and the row reader,
which numbers the lines for its messages, reads the whole file.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from functools import partial
from itertools import count, islice, repeat
from operator import itemgetter
from typing import Any  # `Any`: a memo keyed by whatever cell text or value it is given

from engine.countries import normalise_country
from engine.names import norm
from engine.users import NO_GROUPS, NO_OFFICE_VALUES, PROGRESS_EVERY, Progress, UserRecord, domain_of, parse_active

_as_record = partial(tuple.__new__, UserRecord)
CHUNK = 500  # rows; 250-1000 read alike, 2000 and more lose the cache
_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)


class _ByText(dict[Any, Any]):
    """A cell's text -> what it gives, worked out when the text is first met."""

    def __init__(self, work: Callable[[Any], Any]) -> None:
        super().__init__()
        self.work = work

    def __missing__(self, key: Any) -> Any:
        got = self[key] = self.work(key)
        return got


def _active_of(raw: str) -> bool | None:
    text = raw.strip()
    return not text or text == "true" or parse_active(text)


def _office_of(raw: tuple[str, str, str]) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    """The office field values, trimmed, and their keys."""
    values = tuple(x.strip() for x in raw)
    if values == NO_OFFICE_VALUES:
        return NO_OFFICE_VALUES, NO_OFFICE_VALUES
    return values, tuple(norm(x) if x else "" for x in values)  # type: ignore[return-value]


def _country_of(raw: str) -> tuple[str | None, str, tuple[str, ...]]:
    """The country code, the country as written (trimmed), the reader's warning."""
    text = raw.strip()
    code, warning = normalise_country(text) if text else (None, None)
    return code, text, (warning,) if warning else ()


def _groups_of(raw: str) -> tuple[tuple[str, ...], frozenset[str]]:
    names = tuple(g for g in (x.strip() for x in raw.split(";")) if g)
    return names, frozenset(map(norm, names)) if names else NO_GROUPS


def _lower(after_at: str) -> str:
    return after_at.strip().lower()


def read_columns(reader: Iterator[list[str]], positions: list[int], progress: Progress | None,
                 total: int) -> list[UserRecord] | None:
    """The records of the rows left in `reader`, or None when one is not the common case.
    `positions`: the cell of each of users._CSV_FIELDS, -1 for an absent column."""
    width = max(positions) + 1
    strip = str.strip
    active_of, office_of, country_of = _ByText(_active_of), _ByText(_office_of), _ByText(_country_of)
    groups_of, lowered, trimmed = _ByText(_groups_of), _ByText(_lower), _ByText(strip)
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

        def cells(field: int) -> list[str]:
            """The column of users._CSV_FIELDS[field], untrimmed."""
            pos = positions[field]
            return list(map(itemgetter(pos), rows)) if pos >= 0 else [""] * n  # noqa: B023

        user_names = list(map(strip, cells(0)))
        if not all(user_names):
            return None
        actives = list(map(active_of.__getitem__, cells(5)))
        if None in actives:
            return None
        display = list(map(strip, cells(3)))
        if not all(display):
            display = [d or (f"{g} {f}" if g and f else g or f) for d, g, f in zip(
                display, map(strip, cells(1)), map(strip, cells(2)), strict=True)]
        # The text after the userName's last @, else the email's (users.domain_of).
        parts = list(map(str.rpartition, user_names, repeat("@")))
        after_at = list(map(_THIRD, parts))
        if all(map(_SECOND, parts)) and all(after_at):
            domains = list(map(lowered.__getitem__, after_at))
        else:
            domains = [lowered[after] if at and after else domain_of("", e)
                       for (_, at, after), e in zip(parts, map(strip, cells(4)), strict=True)]
        offices = list(map(office_of.__getitem__, zip(cells(6), cells(7), cells(8), strict=True)))
        countries = list(map(country_of.__getitem__, cells(9)))
        groups = list(map(groups_of.__getitem__, cells(11)))
        out += map(_as_record, zip(
            count(len(out)), user_names, display, actives, domains, map(_FIRST, offices), map(_SECOND, offices),
            map(_FIRST, countries), map(_SECOND, countries), map(trimmed.__getitem__, cells(10)),
            map(_FIRST, groups), map(_SECOND, groups), map(_THIRD, countries), repeat(None), repeat(""),
            strict=False))  # count and repeat are endless
        if progress and len(out) % PROGRESS_EVERY == 0:
            progress(reader.line_num, total)  # type: ignore[attr-defined]
