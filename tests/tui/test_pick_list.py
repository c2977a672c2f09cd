"""PickList (widgets/pick_list.py), the sidebar's and step 1's list: OptionList's keys and mouse,
labels shown as text, in a small app of its own driven by Pilot."""

from __future__ import annotations

from textual.app import App, ComposeResult

from widgets.pick_list import PickList

LABELS = ("one", "[bold]two[/bold]", "three\x1b[2J")


class ListApp(App[None]):
    CSS = "PickList { border: tall $border; padding: 1 2; }"  # the click offsets must allow for both

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield PickList(*LABELS, id="list")

    def on_pick_list_highlighted(self, event: PickList.Highlighted) -> None:
        self.events.append(("highlighted", event.index))

    def on_pick_list_selected(self, event: PickList.Selected) -> None:
        self.events.append(("selected", event.index))


def line(app: ListApp, y: int) -> str:
    return app.query_one(PickList).render_line(y).text


async def test_keys_move_the_highlight_round_and_enter_picks() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        picks = app.query_one(PickList)
        assert app.focused is picks and picks.highlighted is None
        await pilot.press("down")
        assert picks.highlighted == 0
        await pilot.press("up")  # round to the last, as OptionList does
        assert picks.highlighted == 2
        await pilot.press("down")
        assert picks.highlighted == 0
        await pilot.press("end", "enter", "home")
        await pilot.pause()
        assert picks.highlighted == 0
        assert app.events[-3:] == [("highlighted", 2), ("selected", 2), ("highlighted", 0)]


async def test_a_click_picks_the_line_under_it_and_the_mouse_highlights_it() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        picks = app.query_one(PickList)
        # Border (1) and padding (1) above the first label: the second label is at y = 3.
        await pilot.click(PickList, offset=(4, 3))
        await pilot.pause()
        assert picks.highlighted == 1 and app.events[-1] == ("selected", 1)
        await pilot.click(PickList, offset=(4, 1))  # the padding: no label there
        await pilot.pause()
        assert app.events[-1] == ("selected", 1)
        def background(y: int) -> object:
            return next(iter(picks.render_line(y))).style.bgcolor

        hover = picks.get_visual_style("pick-list--hover").rich_style.bgcolor
        plain = background(2)
        assert plain != hover
        await pilot.hover(PickList, offset=(4, 4))  # over the third label
        await pilot.pause()
        assert background(2) == hover
        await pilot.hover(PickList, offset=(4, 3))  # over the highlighted one: it stays highlighted
        await pilot.pause()
        assert background(2) == plain and background(1) != hover


async def test_labels_are_text_never_markup_and_control_characters_are_escaped() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 12)):
        assert line(app, 1).startswith("[bold]two[/bold]")
        assert line(app, 2).startswith("three\\x1b[2J") and "\x1b" not in line(app, 2)
        picks = app.query_one(PickList)
        picks.set_label(0, "[red]changed")
        assert picks.label(0) == "[red]changed" and line(app, 0).startswith("[red]changed")
