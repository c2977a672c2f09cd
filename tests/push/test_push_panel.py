"""The step 7 panel on its own: diff rows, headline, guard, and the messages it posts."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Button, DataTable, Static

from engine.settings import GroupMapping, Settings
from engine.settings_diff import diff_settings
from widgets.push_panel import PushPanel


class PanelApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def compose(self) -> ComposeResult:
        yield PushPanel(id="panel")

    def on_push_panel_push_requested(self, msg: PushPanel.PushRequested) -> None:
        self.seen.append("push")

    def on_push_panel_reload_requested(self, msg: PushPanel.ReloadRequested) -> None:
        self.seen.append("reload")


SUMMARY = {"create": 55, "skip": 3, "reject": 2, "invalid": 1, "offices": {},
           "purchased": {"Dialpad_Ai Voice": 3, "Dialpad_Support": 1}, "prorated_total": 48.1, "currency": "USD"}


async def test_panel_shows_the_diff_and_posts_push() -> None:
    app = PanelApp()
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(PushPanel)
        assert app.query_one("#push", Button).disabled  # nothing read yet
        new = Settings().with_changes("office", mismatch="reject").with_changes("sso", certificate="MIIB" * 40)
        panel.show_service("http://127.0.0.1:1", "v3")
        panel.show_diff(diff_settings(Settings(), new))
        panel.show_headline(SUMMARY)
        await pilot.pause()
        table = app.query_one("#push-diff", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0] == ["office.mismatch", "best_match", "reject"]
        assert rows[1][0] == "sso.certificate" and "SHA-256" in rows[1][2] and "MIIB" not in rows[1][2]
        headline = str(app.query_one("#push-headline", Static).render())
        assert "55 to create · 2 to reject · 4 seats to buy · 48.10 USD" in headline
        await pilot.click("#push")
        await pilot.pause()
        assert app.seen == ["push"]
        panel.set_busy("Pushing…")
        await pilot.pause()
        assert app.query_one("#push", Button).disabled and app.query_one("#push-reload", Button).disabled
        panel.show_result(True, "Pushed: settings v4")
        panel.show_diff([])
        await pilot.pause()
        assert app.query_one("#push", Button).disabled
        await pilot.click("#push-reload")
        await pilot.pause()
        assert app.seen == ["push", "reload"]


async def test_guard_failures_block_the_push() -> None:
    app = PanelApp()
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(PushPanel)
        panel.show_diff(diff_settings(Settings(), Settings().with_changes("sso", enforce=True)))
        panel.show_guard(["Set the IdP entity ID (sso.idp_entity_id)."])
        await pilot.pause()
        assert app.query_one("#push", Button).disabled
        assert "✗ Set the IdP entity ID" in str(app.query_one("#push-guard", Static).render())
        panel.show_guard([])
        await pilot.pause()
        assert not app.query_one("#push", Button).disabled


async def test_both_values_stay_visible_with_a_long_value() -> None:
    """A long licenses.groups must not push "Yours" off-screen: both value columns fit the
    panel, and a long value wraps in its cell (its row grows) rather than being cut."""
    groups = tuple(GroupMapping(f"Regional Sales Team {n}", "Dialpad_Ai Sales") for n in range(8))
    new = Settings().with_changes("licenses", groups=groups).with_changes("office", mismatch="reject")
    for width in (110, 80):
        app = PanelApp()
        async with app.run_test(size=(width, 40)) as pilot:
            panel = app.query_one(PushPanel)
            panel.show_diff(diff_settings(Settings(), new))
            await pilot.pause()
            table = app.query_one("#push-diff", DataTable)
            assert table.virtual_size.width <= table.scrollable_content_region.width  # no sideways scroll
            assert [str(c.label) for c in table.ordered_columns] == ["Field", "On the service", "Yours"]
            key = table.get_row_index("licenses.groups")
            assert table.ordered_rows[key].height > 1  # wrapped, so all of it shows
            yours = str(table.get_row_at(key)[2])
            assert "Regional Sales Team 7 → Dialpad_Ai Sales" in yours
            row = table.get_row_at(table.get_row_index("office.mismatch"))
            assert [str(cell) for cell in row] == ["office.mismatch", "best_match", "reject"]
