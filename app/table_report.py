"""The `--format table` report: a Rich table of users, then the per-office summary and cost."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine.directory import Company
from engine.preview import Preview

SHORT = {"Dialpad_Ai Voice": "Voice", "Dialpad_Support": "Support", "Dialpad_Ai Sales": "Sales"}
NO_NUMBER = {"contact_center": "none (CC)", "auto_assign_off": "none (off)"}
MIN_WIDTH = {"#": 2, "status": 6, "office": 8, "license": 5, "number": 9, "cost": 5}
STATUS_STYLE = {"create": "green", "skip": "dim", "reject": "red", "invalid": "magenta"}


def render_table(preview: Preview, company: Company, *, width: int | None = None,
                 color: bool = False, period_source: str = "the directory's") -> str:
    """The report as text. `width` None: the natural width (a file or a pipe loses nothing);
    a terminal's width: columns of least use go first, the user and its reasons always stay.
    `period_source`: whose billing period a shift is from ("company.toml's", "the demo's")."""
    out = io.StringIO()
    console = Console(file=out, width=width or 1000, force_terminal=color, no_color=not color,
                      highlight=False, soft_wrap=width is None)
    users = Table(title=f"{company.name}: preview as of {preview.as_of.isoformat()}",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1),
                  collapse_padding=True)
    dropped = set()
    if width is not None and width < 110:
        dropped.add("rule")
    if width is not None and width < 96:
        dropped.add("seat")
    longest = min(30, max((len(r.user_name) for r in preview.rows), default=4))
    columns = [c for c in ("#", "user", "status", "office", "rule", "license", "seat", "number", "cost")
               if c not in dropped]
    for col in columns:
        if col == "user":
            # Reasons and warnings go on the user's own second line, so they are never cut off.
            users.add_column("user / reason, warnings", min_width=min(longest, 20), overflow="fold",
                             ratio=1 if width is not None else None, max_width=None if width else 60)
        else:
            users.add_column(col, no_wrap=True, justify="right" if col in ("#", "cost") else "left",
                             min_width=MIN_WIDTH.get(col), overflow="ellipsis")
    for r in preview.rows:
        note = "; ".join(x for x in (r.reason or "", ", ".join(r.warnings)) if x)
        user = Text(r.user_name)
        if note:
            user.append("\n" + note, style="dim")
        cells: dict[str, str | Text] = {
            "#": str(r.index), "user": user, "status": Text(r.status, style=STATUS_STYLE[r.status]),
            "office": r.office or "", "rule": r.office_rule or "", "license": SHORT.get(r.license or "", ""),
            "seat": r.seat or "",
            "number": r.number or (f"new ({r.area_code})" if r.area_code
                                   else NO_NUMBER.get(r.number_source or "", "")),
            "cost": f"{r.prorated_cost:.2f}" if r.prorated_cost else ""}
        users.add_row(*(cells[c] for c in columns))
    console.print(users)
    s = preview.summary
    offices = Table(title="Per office (users to create)", title_justify="left", box=box.SIMPLE_HEAD,
                    pad_edge=False)
    for col in ("office", "users", "licenses", "seats to buy", "reserved numbers", "new numbers"):
        offices.add_column(col, justify="left" if col in ("office", "licenses", "seats to buy") else "right")
    for name, t in s.offices.items():
        offices.add_row(name, str(t.users), ", ".join(f"{SHORT[k]} {v}" for k, v in t.licenses.items()),
                        ", ".join(f"{SHORT[k]} {v}" for k, v in t.purchased.items()),
                        str(t.reserved_numbers), str(t.area_code_numbers))
    console.print(offices)
    c = s.counts
    console.print(f"create {c['create']}  skip {c['skip']}  reject {c['reject']}  "
                  f"invalid {c['invalid']}", soft_wrap=True)
    bought = ", ".join(f"{k}: {v}" for k, v in s.purchased.items()) or "none"
    console.print(f"seats to buy: {bought}; prorated cost {s.prorated_total:.2f} {s.currency}", soft_wrap=True)
    console.print(Text(s.period_line(period_source)), soft_wrap=True)
    if s.numbers_to_buy:
        console.print("numbers to buy: " + ", ".join(f"area code {a}: {n}" for a, n in s.numbers_to_buy.items()),
                      soft_wrap=True)
    return out.getvalue()
