"""The key bar: the keys of the focused widget and the app on one line at the bottom, drawn by
a single widget. Textual's Footer mounts a widget per key, and styling those is a good part of
a first frame; this draws the same keys, in the same theme colours, as one line of text."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class KeyItem(NamedTuple):
    key: str  # what a click simulates
    display: str  # how the key is written (^q)
    description: str
    enabled: bool
    tooltip: str
    app_level: bool = False  # bound on the App itself (Quit, Next…), not on the focused widget


class KeyBar(Widget, can_focus=False):
    """Clicking a key presses it (a disabled one rings the bell), as in Textual's Footer; hovering
    one highlights it and shows its tooltip. The command palette's key sits on the right. On a
    narrow terminal the keys of the focused widget and its step give way before the app's."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key", "key-bar--description", "key-bar--hover", "key-bar--disabled", "key-bar--rule",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--hover { background: $block-hover-background; }
        & > .key-bar--disabled { text-style: dim; }
        & > .key-bar--rule { color: $foreground 20%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: tuple[KeyItem, ...] = ()  # left to right; the palette's key is not among them
        self.palette: KeyItem | None = None
        self._spans: list[tuple[int, int, KeyItem]] = []  # cells each key covers, as last drawn
        self._hover: KeyItem | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._collect()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        # Skipped while the terminal has lost focus, as the Footer does, so nothing flickers.
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._collect()

    def _collect(self) -> None:
        """The keys to show, from the screen's active bindings: one per action, in order."""
        app = self.app
        active = self.screen.active_bindings
        keys: list[KeyItem] = []
        actions: set[str] = set()
        for node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append(KeyItem(binding.key, app.get_key_display(binding), binding.description,
                                    enabled, tooltip or binding.tooltip, node is app))
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = KeyItem(binding.key, app.get_key_display(binding), binding.description, enabled,
                              binding.tooltip or binding.description)
        if (tuple(keys), palette) != (self.keys, self.palette):
            self.keys, self.palette = tuple(keys), palette
            self._set_hover(None)
            self.refresh()

    def render(self) -> Text:
        key, description, hover, disabled, rule = (self.get_component_rich_style(f"key-bar--{name}")
                                                    for name in ("key", "description", "hover", "disabled",
                                                                 "rule"))
        spans: list[tuple[int, int, KeyItem]] = []

        def drawn(item: KeyItem, lead: str = " ") -> Text:
            extra = (Style() if item.enabled else disabled) + (hover if item == self._hover else Style())
            return Text.assemble((f"{lead}{item.display} ", key + extra),
                                 (f"{item.description} ", description + extra))

        line = Text(no_wrap=True, overflow="crop", end="")
        for item in self._fitting(self.size.width):
            start = line.cell_len
            line.append_text(drawn(item))
            spans.append((start, line.cell_len, item))
        if self.palette is not None:
            right = drawn(self.palette, lead="")
            room = self.size.width - right.cell_len - 1  # the palette key keeps its place at the right
            if line.cell_len > room:
                line.truncate(max(room, 0))
                spans = [s for s in spans if s[1] <= room]
            line.pad_right(max(room - line.cell_len, 0))
            line.append("▏", rule)
            start = line.cell_len
            line.append_text(right)
            spans.append((start, line.cell_len, self.palette))
        self._spans = spans
        return line

    def _fitting(self, width: int) -> list[KeyItem]:
        """The keys that fit beside the palette's. When not all do, the keys of the focused widget
        and of the step holding it give way first, from the right: the app's (Quit, Next, Back…)
        are what gets an admin around, and each step's text already explains its own keys."""
        keys = list(self.keys)
        def cells(k: KeyItem) -> int:
            return cell_len(k.display) + cell_len(k.description) + 3

        room = width - (cells(self.palette) if self.palette else 0)

        def needed() -> int:
            return sum(cells(k) for k in keys)

        while needed() > room and any(not k.app_level for k in keys):
            keys.pop(max(i for i, k in enumerate(keys) if not k.app_level))
        return keys

    def item_at(self, x: int) -> KeyItem | None:
        return next((item for start, end, item in self._spans if start <= x < end), None)

    def _set_hover(self, item: KeyItem | None) -> None:
        if item != self._hover:
            self._hover = item
            self.tooltip = (item.tooltip or item.description) if item else None
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self.item_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self.item_at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
