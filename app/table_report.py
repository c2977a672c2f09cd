"""The `--format table` report: a Rich table of users, then the per-office summary and cost."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from engine.directory import Company
from engine.preview import Preview

SHORT = {"Dialpad_Ai Voice": "Voice", "Dialpad_Support": "Support", "Dialpad_Ai Sales": "Sales"}
NO_NUMBER = {"contact_center": "none (CC)", "auto_assign_off": "none (off)"}
STATUS_STYLE = {"create": "green", "skip": "dim", "reject": "red", "invalid": "magenta"}


def render_table(preview: Preview, company: Company, *, width: int | None = None,
                 color: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, no_color=not color,
                      highlight=False)
    users = Table(title=f"{company.name}: preview as of {preview.as_of.isoformat()}",
                  title_justify="left")
    longest = min(40, max((len(r.user_name) for r in preview.rows), default=4))
    # Every column but the last keeps its line; the reason column absorbs a narrow terminal.
    for col, kw in (("#", {"justify": "right"}), ("user", {"min_width": longest, "overflow": "fold"}),
                    ("status", {}), ("office", {}), ("rule", {}), ("license", {}), ("seat", {}),
                    ("number", {}), ("cost", {"justify": "right"})):
        users.add_column(col, no_wrap=col != "user", **kw)
    users.add_column("reason / warnings", overflow="fold", ratio=1)
    for r in preview.rows:
        number = r.number or (f"new ({r.area_code})" if r.area_code else NO_NUMBER.get(r.number_source, ""))
        note = "; ".join(x for x in (r.reason or "", ", ".join(r.warnings)) if x)
        cost = f"{r.prorated_cost:.2f}" if r.prorated_cost else ""
        users.add_row(str(r.index), r.user_name, f"[{STATUS_STYLE[r.status]}]{r.status}[/]",
                      r.office or "", r.office_rule or "", SHORT.get(r.license, ""), r.seat or "", number,
                      cost, note)
    console.print(users)
    s = preview.summary
    offices = Table(title="Per office (users to create)", title_justify="left")
    for col in ("office", "users", "licenses", "seats to buy", "reserved numbers", "new numbers"):
        offices.add_column(col, justify="left" if col in ("office", "licenses", "seats to buy") else "right")
    for name, t in s.offices.items():
        offices.add_row(name, str(t.users), ", ".join(f"{SHORT[k]} {v}" for k, v in t.licenses.items()),
                        ", ".join(f"{SHORT[k]} {v}" for k, v in t.purchased.items()),
                        str(t.reserved_numbers), str(t.area_code_numbers))
    console.print(offices)
    c = s.counts
    console.print(f"create {c['create']}  skip {c['skip']}  reject {c['reject']}  "
                  f"invalid {c['invalid']}")
    bought = ", ".join(f"{k}: {v}" for k, v in s.purchased.items()) or "none"
    console.print(f"seats to buy: {bought}; prorated cost {s.prorated_total:.2f} {s.currency}")
    if s.numbers_to_buy:
        console.print("numbers to buy: " + ", ".join(f"area code {a}: {n}" for a, n in s.numbers_to_buy.items()))
    return out.getvalue()
