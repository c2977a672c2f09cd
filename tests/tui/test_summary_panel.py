"""The summary strip asks for a new layout only when its number of lines changes (a layout of the
whole screen on every settings change slowed the preview): its height still follows its text."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from engine.preview import Summary
from widgets.summary import SummaryPanel


def summary(create: int, cost: float) -> Summary:
    counts = {"create": create, "skip": 0, "reject": 0, "invalid": 0}
    return Summary(counts, {}, {"Dialpad_Ai Voice": create}, cost, "USD", {"415": create})


class Strip(App[None]):
    def compose(self) -> ComposeResult:
        yield SummaryPanel(id="summary")
        yield Static("below", id="below")


async def test_the_summary_strip_grows_and_shrinks_with_its_lines() -> None:
    app = Strip()
    async with app.run_test(size=(60, 12)) as pilot:
        panel = app.query_one(SummaryPanel)
        below = app.query_one("#below")
        heights = []
        for shown, pending in ((summary(1, 1.0), False), (summary(1, 1.0), True),
                               (summary(123_456_789, 9_876_543.21), True), (summary(123_456_789, 9_876_543.21), False),
                               (summary(2, 2.0), False)):
            panel.show(shown, pending=pending)
            await pilot.pause()
            lines = len(panel.render().wrap(app.console, panel.content_size.width))
            assert panel.size.height == lines
            assert below.region.y == panel.region.bottom  # what follows moved with it
            heights.append(lines)
        assert heights[0] < heights[2] and heights[-1] < heights[3]  # it did grow, then shrink
