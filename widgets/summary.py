"""The summary strip shown on steps 2-6: users to create, skip, reject, invalid; seats to buy; cost."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from engine.preview import Summary


def money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


class SummaryPanel(Static):
    """One or two lines of counts; `pending` marks a preview being recomputed."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "summary--create", "summary--skip", "summary--reject", "summary--invalid",
        "summary--label", "summary--pending",
    }
    DEFAULT_CSS = """
    SummaryPanel {
        height: auto;
        padding: 0 1;
        & > .summary--create { color: $success; text-style: bold; }
        & > .summary--skip { color: $text-muted; text-style: bold; }
        & > .summary--reject { color: $error; text-style: bold; }
        & > .summary--invalid { color: $warning; text-style: bold; }
        & > .summary--label { color: $text-muted; }
        & > .summary--pending { color: $accent; text-style: italic; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.summary: Summary | None = None
        self.pending = False
        self.unavailable: str | None = None  # why there is no preview to show (instead of "Loading…")
        self._shape: tuple[int, int] | None = None  # (width, lines) as last laid out

    def show(self, summary: Summary | None, *, pending: bool = False, unavailable: str | None = None) -> None:
        """Show new totals (or, with none, why there are none: `unavailable`). Only a change in the
        number of lines asks for a new layout: laying out the whole screen takes the UI thread tens
        of milliseconds on every settings change, while the preview worker needs it (the GIL) to
        finish."""
        self.summary = summary
        self.pending = pending
        self.unavailable = unavailable
        shape = self._measure()
        self.refresh(layout=shape is None or shape != self._shape)
        self._shape = shape

    def _measure(self) -> tuple[int, int] | None:
        width = self.content_size.width
        if not self.is_mounted or width <= 0:
            return None  # not laid out yet: the layout measures it
        return width, len(self.render().wrap(self.app.console, width))

    def render(self) -> Text:
        s = self.summary
        if s is None and self.unavailable:
            return Text(self.unavailable, style=self.get_component_rich_style("summary--reject"))
        if s is None:
            return Text("Loading the preview…", style=self.get_component_rich_style("summary--pending"))
        label = self.get_component_rich_style("summary--label")
        t = Text(no_wrap=False)
        for status, word in (("create", "create"), ("skip", "skip"), ("reject", "reject"),
                             ("invalid", "invalid")):
            t.append(f"{s.counts.get(status, 0):,}", self.get_component_rich_style(f"summary--{status}"))
            t.append(f" {word} · " if status != "invalid" else f" {word}   ", label)
        seats = sum(s.purchased.values())
        numbers = sum(s.numbers_to_buy.values())
        t.append(f"{seats:,}", "bold")
        t.append(" seats to buy · ", label)
        t.append(f"{numbers:,}", "bold")
        t.append(" numbers to buy · ", label)
        t.append(money(s.prorated_total, s.currency), "bold")
        if self.pending:
            t.append("  ⟳ updating", self.get_component_rich_style("summary--pending"))
        return t
