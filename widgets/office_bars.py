"""Per-office totals drawn as bars: seats already there, seats to buy, and users per office."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from engine.directory import Company
from engine.preview import Summary
from widgets.safe_text import clipped


class OfficeBars(Static):
    """One bar per office; the bar's length is the office's users, split into seats it has
    (solid) and seats to buy (shaded)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"office-bars--have", "office-bars--buy", "office-bars--label"}
    DEFAULT_CSS = """
    OfficeBars {
        height: auto;
        padding: 0 1;
        & > .office-bars--have { color: $success; }
        & > .office-bars--buy { color: $warning; }
        & > .office-bars--label { color: $text-muted; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._data: tuple[Summary, Company] | None = None

    def show(self, summary: Summary, company: Company) -> None:
        self._data = (summary, company)
        self.refresh(layout=True)

    def render(self) -> Group | str:
        if self._data is None:
            return ""
        summary, company = self._data
        have_style = self.get_component_rich_style("office-bars--have")
        buy_style = self.get_component_rich_style("office-bars--buy")
        label_style = self.get_component_rich_style("office-bars--label")
        # A name past a third of the width is cut: the bar stays on its office's line.
        names = {o.name: clipped(o.name, max(12, self.size.width // 3)) for o in company.offices}
        name_w = max((cell_len(n) for n in names.values()), default=8)
        most = max((t.users for t in summary.offices.values()), default=0) or 1
        rows = []
        for office in company.offices:
            t = summary.offices.get(office.name)
            users = t.users if t else 0
            bought = sum(t.purchased.values()) if t else 0
            caption = f" {users:,} user{'s' if users != 1 else ''}"
            more = f", {bought:,} seat{'s' if bought != 1 else ''} to buy" if bought else ""
            rows.append((names[office.name], users, bought, caption, more))
        # The bars take the room the longest label leaves, so no line wraps and loses its end.
        widest = max((cell_len(caption + more) for *_, caption, more in rows), default=0)
        room = max(10, self.size.width - 2 - name_w - 1 - widest)
        lines = []
        for name, users, bought, caption, more in rows:
            length = round(users / most * room)
            # A few seats to buy among many keep one ▒: rounded to nothing, they would not show.
            buy_len = max(1, round(bought / most * room)) if bought else 0
            length = max(length, buy_len)
            line = Text(name + " " * (name_w - cell_len(name) + 1))
            line.append("█" * (length - buy_len), have_style)
            line.append("▒" * buy_len, buy_style)
            line.append(caption, "bold")
            if more:
                line.append(more, buy_style)
            lines.append(line)
        legend = Text("█ seat the office has   ", have_style)
        legend.append("▒ seat to buy", buy_style)
        legend.append("   (users created per office)", label_style)
        lines.append(legend)
        return Group(*lines)
