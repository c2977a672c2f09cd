"""Preview exports: JSON (SPEC 7), CSV for spreadsheets and Markdown for change tickets."""

from __future__ import annotations

import csv
import io
import re
from itertools import chain
from operator import itemgetter

import orjson

from engine.perf import drop, paused_gc
from engine.preview import Preview
from engine.rules import JSON_KEYS, Tail
from engine.safetext import printable

CSV_COLUMNS = ("index", "userName", "status", "office", "office_rule", "office_detail", "license",
               "license_rule", "seat", "prorated_cost", "number", "number_source", "area_code",
               "reason", "warnings")


def to_json(preview: Preview, *, indent: bool = True) -> bytes:
    option = (orjson.OPT_INDENT_2 if indent else 0) | orjson.OPT_APPEND_NEWLINE  # no copy to add it
    with paused_gc():
        if indent and preview.placement.tails:
            return _indented_json(preview)
        doc = preview.to_dict(for_json=True)
        data = orjson.dumps(doc, option=option)
        drop(doc)
        return data


_TAIL_KEYS = JSON_KEYS[2:]
_USERS_MARK = b'"users": [\n    0\n  ]'  # with raw line breaks, which no JSON string holds
_INDEX, _USER_NAME, _INDEX_NAME = itemgetter(0), itemgetter(1), itemgetter(0, 1)  # of a record
_HEAD = b',\n    {\n      "index": %d,\n      "userName": %s,\n'.__mod__  # a user's first lines


class _TailJSON(dict[Tail, bytes]):
    """A row's fields after index and userName -> the rest of its object in the indented JSON,
    made by orjson once per distinct tail (a few hundred for 100k rows)."""

    def __missing__(self, tail: Tail) -> bytes:
        lines = orjson.dumps(dict(zip(_TAIL_KEYS, tail, strict=True)), option=orjson.OPT_INDENT_2)
        # The object's body, two levels in, and its end.
        got = self[tail] = b"    " + lines[2:-2].replace(b"\n", b"\n    ") + b"\n    }"
        return got


def _indented_json(preview: Preview) -> bytes:
    """`orjson.dumps(preview.to_dict(), option=OPT_INDENT_2 | OPT_APPEND_NEWLINE)`, byte for byte,
    without a row or a dict per user: each user's object is its first lines, made from its
    index and userName (the userNames written by orjson in one call), and the rest, shared by
    every row with the same tail (the rules' tuple of the fields after index and userName). The
    whole is copied once, by the join. The tests hold it to orjson's output."""
    placement = preview.placement
    records = placement.records
    skeleton = orjson.dumps({"as_of": preview.as_of.isoformat(), "users": [0], "summary": preview.summary.to_dict()},
                            option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    before, after = skeleton.split(_USERS_MARK, 1)
    names = orjson.dumps(list(map(_USER_NAME, records)), option=orjson.OPT_INDENT_2)[4:-2].split(b",\n  ")
    parts = [before + b'"users": [\n']
    parts += chain.from_iterable(zip(map(_HEAD, zip(map(_INDEX, records), names, strict=True)),
                                     map(_TailJSON().__getitem__, placement.tails), strict=True))
    parts[1] = parts[1][2:]  # the first user has no comma before it
    parts.append(b"\n  ]" + after)
    return b"".join(parts)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return ";".join(map(str, value))
    return str(value)


# OWASP's CSV injection advice: a cell starting with one of these is read as a formula by
# spreadsheets; a leading apostrophe makes it text.
# The columns that can hold text from the users file or the directory (the rest are our codes).
OUTSIDE_TEXT = frozenset({"userName", "office", "office_detail", "number", "area_code", "reason"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"\+[0-9]{2,15}")


def neutralise(text: str) -> str:
    """`text` as a spreadsheet shows it and never runs it. An E.164 number ("+14155550100",
    validated when the directory was read) is left alone: at worst it reads as a number."""
    if text.startswith(FORMULA_STARTS) and not _PHONE.fullmatch(text):
        return "'" + text
    return text


def to_csv(preview: Preview) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    outside = [c in OUTSIDE_TEXT for c in CSV_COLUMNS[2:]]
    by_tail: dict[Tail, list[str]] = {}  # the cells after index and userName, once per distinct tail
    placement = preview.placement
    for (index, user_name), tail in zip(map(_INDEX_NAME, placement.records), placement.tails, strict=True):
        cells = by_tail.get(tail)
        if cells is None:
            cells = by_tail[tail] = [neutralise(_cell(v)) if o else _cell(v)
                                     for v, o in zip(tail, outside, strict=True)]
        writer.writerow([str(index), neutralise(user_name), *cells])
    return out.getvalue()


def _md(value: object) -> str:
    """A table cell: formula starts neutralised, then backslashes, pipes and line breaks escaped
    (a pipe or a newline in a name would otherwise end the cell or the row), and control
    characters shown as escapes."""
    text = neutralise(_cell(value))
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return printable(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))


def to_markdown(preview: Preview, company_name: str = "", period_source: str = "the directory's") -> str:
    """`period_source`: whose billing period a shift is from ("company.toml's", "the demo's")."""
    s = preview.summary
    lines = [f"# SCIM preview{' for ' + _md(company_name) if company_name else ''} as of "
             f"{preview.as_of.isoformat()}", "",
             f"- create: {s.counts['create']}, skip: {s.counts['skip']}, "
             f"reject: {s.counts['reject']}, invalid: {s.counts['invalid']}",
             f"- seats to buy: {sum(s.purchased.values())}"
             + (" (" + ", ".join(f"{k}: {v}" for k, v in s.purchased.items()) + ")"
                if s.purchased else ""),
             f"- prorated cost this period: {s.prorated_total:.2f} {s.currency}",
             f"- {s.period_line(period_source)}", "",
             "## Offices", "",
             "| Office | Users | Licenses | Purchased | Reserved numbers | Area-code numbers |",
             "|---|---:|---|---|---:|---:|"]
    for name, t in s.offices.items():
        lines.append(f"| {_md(name)} | {t.users} | "
                     + _md(", ".join(f"{k}: {v}" for k, v in t.licenses.items())) + " | "
                     + _md(", ".join(f"{k}: {v}" for k, v in t.purchased.items())) + " | "
                     f"{t.reserved_numbers} | {t.area_code_numbers} |")
    lines += ["", "## Users", "",
              "| # | User | Status | Office | Rule | License | Seat | Number | Cost | Reason / warnings |",
              "|---:|---|---|---|---|---|---|---|---:|---|"]
    for r in preview.rows:
        number = r.number or (f"new ({r.area_code})" if r.area_code else (r.number_source or ""))
        note = "; ".join(x for x in (r.reason or "", ", ".join(r.warnings)) if x)
        lines.append(f"| {r.index} | {_md(r.user_name)} | {r.status} | {_md(r.office)} | "
                     f"{_md(r.office_rule)} | {_md(r.license)} | {_md(r.seat)} | {_md(number)} | "
                     f"{_md(r.prorated_cost)} | {_md(note)} |")
    return "\n".join(lines) + "\n"
