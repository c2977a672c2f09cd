"""The key bar (the wizard's footer): the keys it shows follow the focus, and a click or a hover
on a key behaves as on Textual's Footer."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import Input, Static

from widgets.key_bar import KeyBar


class Zoomable(Static, can_focus=True):
    BINDINGS = [Binding("z", "zoom", "Zoom in")]  # noqa: RUF012


class Keys(App[None]):
    BINDINGS = [  # noqa: RUF012 - Textual's own convention
        Binding("ctrl+g", "go", "Go", tooltip="Go somewhere"),
        Binding("ctrl+l", "locked", "Locked"),
        Binding("ctrl+h", "hidden", "Hidden", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.went = 0
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield Input(id="box")
        yield Zoomable("picture", id="picture")
        yield KeyBar()

    def action_go(self) -> None:
        self.went += 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "locked" else True  # None: shown, but disabled

    def bell(self) -> None:
        self.bells += 1


def x_of(bar: KeyBar, description: str) -> int:
    for x in range(bar.size.width):
        item = bar.item_at(x)
        if item is not None and item.description == description:
            return x
    raise AssertionError(f"{description!r} is not drawn in {bar.render().plain!r}")


async def test_a_click_presses_the_key_and_a_disabled_key_rings_the_bell():
    app = Keys()
    async with app.run_test(size=(80, 5), notifications=True) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        text = bar.render().plain
        assert "^g Go" in text and "Locked" in text and "Hidden" not in text
        await pilot.click(KeyBar, offset=(x_of(bar, "Go"), 0))
        assert app.went == 1
        await pilot.click(KeyBar, offset=(x_of(bar, "Locked"), 0))
        assert app.bells == 1 and app.went == 1
        await pilot.click(KeyBar, offset=(x_of(bar, "palette"), 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_hovering_a_key_shows_its_tooltip_and_the_palette_key_keeps_the_right_edge():
    app = Keys()
    async with app.run_test(size=(24, 5), notifications=True) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        await pilot.hover(KeyBar, offset=(x_of(bar, "Go"), 0))
        assert bar.tooltip == "Go somewhere"
        text = bar.render().plain
        assert len(text) == 24 and text.rstrip().endswith("^p palette")  # "Locked" is cut, not the palette
        assert "Locked" not in text


async def test_on_a_narrow_bar_the_focused_widgets_keys_give_way_before_the_apps():
    app = Keys()
    async with app.run_test(size=(60, 5), notifications=True) as pilot:
        app.query_one("#picture").focus()
        await pilot.pause()
        bar = app.query_one(KeyBar)
        assert [k.description for k in bar.keys] == ["Zoom in", "Go", "Locked"]
        assert "z Zoom in" in bar.render().plain  # room for all at 60 columns
        await pilot.resize_terminal(30, 5)
        await pilot.pause()
        text = bar.render().plain
        assert "Zoom" not in text and "^g Go" in text and text.rstrip().endswith("^p palette")


async def test_the_wizard_bar_follows_the_focus(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        assert [k.description for k in bar.keys] == ["Quit", "Next", "Back", "Open", "Save"]
        await pilot.press("6")
        await pilot.pause()
        await pilot.pause()
        assert "Explain" in [k.description for k in bar.keys]  # the preview table's own keys
        await pilot.click(KeyBar, offset=(x_of(bar, "Back"), 0))
        await pilot.pause()
        assert app.step_index == 4
