"""Preview exports: JSON (SPEC 7), CSV for spreadsheets and Markdown for change tickets."""

from __future__ import annotations

import csv
import io
import re

import orjson

from engine.perf import paused_gc
from engine.preview import Preview
from engine.safetext import printable

CSV_COLUMNS = ("index", "userName", "status", "office", "office_rule", "office_detail", "license",
               "license_rule", "seat", "prorated_cost", "number", "number_source", "area_code",
               "reason", "warnings")


def to_json(preview: Preview, *, indent: bool = True) -> bytes:
    option = orjson.OPT_INDENT_2 if indent else 0
    with paused_gc():
        return orjson.dumps(preview.to_dict(for_json=True), option=option) + b"\n"


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
    outside = [c in OUTSIDE_TEXT for c in CSV_COLUMNS]
    for row in preview.rows:
        d = row.to_dict()
        writer.writerow([neutralise(_cell(d[c])) if o else _cell(d[c])
                         for c, o in zip(CSV_COLUMNS, outside, strict=True)])
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
