"""Modals that fit a short terminal (80x24): their body scrolls with the keyboard while their
buttons stay in view (docked, or below a body of fixed height)."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class ScrollingModal(ModalScreen[ResultType]):
    """↑/↓, page up/down, home/end scroll the part named by `BODY`, wherever the focus is (on
    a button, as it usually is)."""

    BODY = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_body(-1)", "Scroll up", show=False, id="modal.scroll_up"),
        Binding("down", "scroll_body(1)", "Scroll down", show=False, id="modal.scroll_down"),
        Binding("pageup", "page_body(-1)", "Page up", show=False, id="modal.page_up"),
        Binding("pagedown", "page_body(1)", "Page down", show=False, id="modal.page_down"),
        Binding("home", "scroll_body_to(0)", "Top", show=False, id="modal.top"),
        Binding("end", "scroll_body_to(-1)", "Bottom", show=False, id="modal.bottom"),
    ]

    def action_scroll_body(self, lines: int) -> None:
        body = self.query_one(self.BODY)
        body.scroll_to(y=body.scroll_y + lines, animate=False)

    def action_page_body(self, pages: int) -> None:
        body = self.query_one(self.BODY)
        body.scroll_to(y=body.scroll_y + pages * max(1, body.scrollable_content_region.height - 1), animate=False)

    def action_scroll_body_to(self, where: int) -> None:
        body = self.query_one(self.BODY)
        body.scroll_to(y=body.max_scroll_y if where < 0 else 0, animate=False)
