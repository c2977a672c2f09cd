"""SVG snapshots of each step on the demo data at 120x36, the explanation, and one at 80x24.
Update with `pytest tests/tui --snapshot-update` after a deliberate change."""

from __future__ import annotations

import pytest

from tests.waiting import settle as _blur  # settled: no preview pending, every worker done


@pytest.mark.parametrize("step", ["1", "2", "3", "4", "5", "6", "7"])
def test_step(snap_compare, make_app, step):
    assert snap_compare(make_app(), press=[step], terminal_size=(120, 36), run_before=_blur)


def test_explanation(snap_compare, make_app):
    async def open_one(pilot) -> None:
        await pilot.press("6", "down", "down", "down", "down", "down", "enter")
        await _blur(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=open_one)


def test_preview_at_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), press=["6"], terminal_size=(80, 24), run_before=_blur)
