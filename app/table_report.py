"""The `--format table` report: a table of users, then the per-office summary and cost.

Laid out by hand in plain strings rather than with a Rich Table: Rich measures and renders
every cell as a segment, which took 94-110 s for 100,000 users where the JSON takes 2.6 s. The
look is the same (Rich's SIMPLE_HEAD box). Every text from outside (user names, reasons,
office names) goes through `printable`, so no escape sequence reaches the terminal, and
nothing is ever read as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from operator import add, itemgetter

from rich.cells import cell_len, chop_cells

from engine.directory import Company
from engine.perf import paused_gc
from engine.preview import Preview
from engine.rules import Tail
from engine.safetext import printable

SHORT = {"Dialpad_Ai Voice": "Voice", "Dialpad_Support": "Support", "Dialpad_Ai Sales": "Sales"}
NO_NUMBER = {"contact_center": "none (CC)", "auto_assign_off": "none (off)"}
MIN_WIDTH = {"#": 2, "status": 6, "office": 8, "rule": 4, "license": 5, "seat": 4, "number": 9, "cost": 5}
USER_HEADER = "user / reason, warnings"
USER_MAX = 60  # a file or a pipe folds longer user names at this width
OFFICE_MAX = 30  # on a terminal a longer office name is cut with "…", as in the wizard's table
GAP = "  "
# ANSI styles, used only on a terminal.
BOLD, DIM, ITALIC, RESET = "\x1b[1m", "\x1b[2m", "\x1b[3m", "\x1b[0m"
STATUS_STYLE = {"create": "\x1b[32m", "skip": DIM, "reject": "\x1b[31m", "invalid": "\x1b[35m"}


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, an ellipsis marking a cut (Rich's overflow="ellipsis")."""
    if _width(text) <= width:
        return text
    if text.isascii():
        return text[: width - 1] + "…"
    return chop_cells(text, width - 1)[0] + "…"


def _fold(text: str, width: int) -> list[str]:
    """`text` cut into lines of `width` cells (a user name has no spaces to wrap at)."""
    if _width(text) <= width:
        return [text]
    if text.isascii():
        return [text[i:i + width] for i in range(0, len(text), width)]
    return chop_cells(text, width)


def _wrap(text: str, width: int) -> list[str]:
    """Words to lines of at most `width` cells; a word longer than a line is folded."""
    if _width(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if _width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        *full, line = _fold(word, width)
        lines += full
    lines.append(line)
    return lines


def _grid(headers: Sequence[str], widths: Sequence[int], right: Sequence[bool],
          rows: Iterable[Sequence[str]], color: bool) -> list[str]:
    """Header, rule and rows, columns `GAP` apart after one space of edge (as SIMPLE_HEAD).
    A row of ASCII text is laid out by one `str.format` (the 100k-row case); others cell by
    cell in terminal cells."""
    fmt = " " + GAP.join(f"{{:{'>' if r else '<'}{w}}}" for w, r in zip(widths, right, strict=True))
    head = _line(fmt, headers, widths, right)
    rule = " " + "─" * (sum(widths) + len(GAP) * (len(widths) - 1))
    out = [f"{BOLD}{head}{RESET}" if color else head, rule]
    out += [_line(fmt, cells, widths, right) for cells in rows]
    return out


def _line(fmt: str, cells: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    if "".join(cells).isascii():
        return fmt.format(*cells).rstrip()
    return (" " + GAP.join(_pad(c, w, r) for c, w, r in zip(cells, widths, right, strict=True))).rstrip()


def _widths(natural: dict[str, int], columns: list[str], width: int | None, user_min: int) -> dict[str, int]:
    """Column widths: natural ones for a file; on a terminal the office column takes at most
    `OFFICE_MAX`, the user column the room left (at least `user_min`), and the widest other
    columns shrink towards `MIN_WIDTH` if even that does not fit."""
    widths = dict(natural)
    if width is None:
        widths["user"] = min(natural["user"], max(USER_MAX, user_min))
        return widths
    # An office name is the directory's, and can be very long: it must not take the users' room.
    widths["office"] = min(widths["office"], OFFICE_MAX)
    others = [c for c in columns if c != "user"]
    room = width - 1 - len(GAP) * (len(columns) - 1)
    while room - sum(widths[c] for c in others) < user_min:
        shrinkable = [c for c in others if widths[c] > MIN_WIDTH[c]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda c: widths[c] - MIN_WIDTH[c])
        widths[widest] -= 1
    widths["user"] = max(user_min, min(natural["user"], room - sum(widths[c] for c in others)))
    return widths


def _column_width(values: list[str]) -> int:
    if "".join(values).isascii():
        return max(map(len, values), default=0)
    return max(map(_width, values), default=0)


_HEAD = itemgetter(0, 1)  # a record's index and userName
ORDER = ("#", "user", "status", "office", "rule", "license", "seat", "number", "cost")


def _cells(preview: Preview) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """One tuple of printable cells per row, in `ORDER`, then the note (reason; warnings).
    The cells after # and user are made once per distinct row tail (engine.rules.Placement:
    the fields after index and userName, a few hundred for 100k rows), the texts that repeat
    across tails made printable once. Also those distinct cells, for the columns' widths."""
    seen: dict[str | None, str] = {None: ""}

    def once(text: str | None) -> str:
        got = seen.get(text)
        if got is None:
            got = seen[text] = printable(text or "")
        return got

    def tail_cells(tail: Tail) -> tuple[str, ...]:
        status, office, rule, _, lic, _, seat, cost, number, source, area, reason, warnings = tail
        note = f"{reason}; {', '.join(warnings)}" if reason and warnings else reason or ", ".join(warnings)
        shown = number or (f"new ({area})" if area else NO_NUMBER.get(source or "", ""))
        return (status, once(office), rule or "", SHORT.get(lic or "", ""), seat or "", once(shown),
                f"{cost:.2f}" if cost else "", once(note) if note else "")

    by_tail: dict[Tail, tuple[str, ...]] = {}

    def cells_of(tail: Tail) -> tuple[str, ...]:
        got = by_tail.get(tail)
        if got is None:
            got = by_tail[tail] = tail_cells(tail)
        return got

    placement = preview.placement
    records = placement.records
    heads = [(str(index), name if name.isprintable() else printable(name)) for index, name in map(_HEAD, records)]
    return list(map(add, heads, map(cells_of, placement.tails))), list(by_tail.values())


def render_table(preview: Preview, company: Company, *, width: int | None = None,
                 color: bool = False, period_source: str = "the directory's") -> str:
    """The report as text. `width` None: the natural width (a file or a pipe loses nothing);
    a terminal's width: columns of least use go first, the user and its reasons always stay.
    `period_source`: whose billing period a shift is from ("company.toml's", "the demo's")."""
    dropped = set()
    if width is not None and width < 110:
        dropped.add("rule")
    if width is not None and width < 96:
        dropped.add("seat")
    columns = [c for c in ORDER if c not in dropped]
    with paused_gc():  # 100k tuples and no cycles: the collector would only rescan them
        return _render(preview, company, columns, width, color, period_source)


def _render(preview: Preview, company: Company, columns: list[str], width: int | None,
            color: bool, period_source: str) -> str:
    cells, distinct = _cells(preview)
    # # and user from every row; the other columns from each distinct tail's cells (i - 2).
    natural = {c: max(len(c), _column_width([row[i] for row in cells] if i < 2 else [t[i - 2] for t in distinct]))
               for i, c in enumerate(ORDER)}
    longest = natural["user"]
    if width is None:
        natural["user"] = max(longest, len(USER_HEADER))
    widths = _widths(natural, columns, width, user_min=min(max(longest, 4), 20))
    fit = [widths[c] for c in columns]
    cut = [i for i, c in enumerate(columns) if c != "user" and widths[c] < natural[c]]
    picked = [ORDER.index(c) for c in columns]
    user_at, status_at = columns.index("user"), columns.index("status")
    uw = widths["user"]
    blank = [""] * len(columns)
    styled = {s: _styled(s, style, widths["status"]) for s, style in STATUS_STYLE.items()} if color else {}

    pick = itemgetter(*picked)

    def user_rows() -> Iterator[list[str]]:
        for row in cells:
            line = list(pick(row))
            for i in cut:
                line[i] = _cut(line[i], fit[i])
            if color:
                line[status_at] = styled[row[2]]
            name, note = row[1], row[9]
            if len(name) <= uw and name.isascii():
                yield line
                if not note:
                    continue
                more = []
            else:
                line[user_at], *more = _fold(name, uw)
                yield line
            if note:
                more += [_styled(text, DIM, uw) if color else text for text in _wrap(note, uw)]
            for text in more:
                rest = list(blank)
                rest[user_at] = text
                yield rest

    title = f"{printable(company.name)}: preview as of {preview.as_of.isoformat()}"
    out = [f"{ITALIC}{title}{RESET}" if color else title]
    headers = [_cut(USER_HEADER if c == "user" else c, w) for c, w in zip(columns, fit, strict=True)]
    out += _grid(headers, fit, [c in ("#", "cost") for c in columns], user_rows(), color)
    out += ["", *_office_table(preview, color, on_terminal=width is not None), ""]
    s = preview.summary
    c = s.counts
    out.append(f"create {c['create']}  skip {c['skip']}  reject {c['reject']}  invalid {c['invalid']}")
    bought = ", ".join(f"{k}: {v}" for k, v in s.purchased.items()) or "none"
    out.append(f"seats to buy: {bought}; prorated cost {s.prorated_total:.2f} {s.currency}")
    out.append(s.period_line(period_source))
    if s.numbers_to_buy:
        out.append("numbers to buy: " + ", ".join(f"area code {a}: {n}" for a, n in s.numbers_to_buy.items()))
    return "\n".join(out) + "\n"


def _styled(text: str, style: str, width: int) -> str:
    """`text` padded to `width` inside its style, so the padding arithmetic ignores the codes."""
    return f"{style}{text}{RESET}" + " " * (width - _width(text))


def _office_table(preview: Preview, color: bool, *, on_terminal: bool) -> list[str]:
    headers = ("office", "users", "licenses", "seats to buy", "reserved numbers", "new numbers")
    right = (False, True, False, False, True, True)
    def office(name: str) -> str:
        return _cut(printable(name), OFFICE_MAX) if on_terminal else printable(name)

    rows = [(office(name), str(t.users), ", ".join(f"{SHORT[k]} {v}" for k, v in t.licenses.items()),
             ", ".join(f"{SHORT[k]} {v}" for k, v in t.purchased.items()),
             str(t.reserved_numbers), str(t.area_code_numbers))
            for name, t in preview.summary.offices.items()]
    widths = [max([_width(h), *(_width(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    title = "Per office (users to create)"
    return [f"{ITALIC}{title}{RESET}" if color else title, *_grid(headers, widths, right, rows, color)]
