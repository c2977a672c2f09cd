"""A question with a few answers, as a modal (the quit guard, a save over a file): the shape
they share. The subclass says the question; the buttons, the focus on the safe answer, escape and
the answer given back are here."""

from __future__ import annotations

from typing import ClassVar, NamedTuple, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button

from app.screens.scrolling import ScrollingModal

ChoiceType = TypeVar("ChoiceType", bound=str)


class Answer(NamedTuple):
    choice: str
    label: str
    variant: str  # Button's: "default", "primary", "error", …
    tooltip: str


class ChoiceModal(ScrollingModal[ChoiceType]):
    """The question (`question()`) above one button per answer, left to right. Ids: the scrolled
    body `<PREFIX>-dialog`, each button `<PREFIX>-<choice>`. The `SAFE` answer has the focus;
    escape (the subclass's binding to `choose('cancel')`) and any other button answer "cancel"."""

    PREFIX: ClassVar[str] = ""
    ANSWERS: ClassVar[tuple[Answer, ...]] = ()
    SAFE: ClassVar[str] = "cancel"

    # The shape; each question's border and title colour are its subclass's. The body scrolls on
    # a short terminal; the buttons are docked, so they stay in view.
    DEFAULT_CSS = """
    ChoiceModal {
        align: center middle;
    }
    ChoiceModal > VerticalScroll {
        width: 72;
        max-width: 96%;
        height: auto;
        max-height: 100%;
        background: $surface;
        padding: 0 1;
    }
    ChoiceModal > VerticalScroll > .buttons {
        dock: bottom;
        margin-top: 1;
    }
    """

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)  # type: ignore[arg-type]
        cls.BODY = f"#{cls.PREFIX}-dialog"  # what ↑/↓ scroll

    def question(self) -> ComposeResult:
        """The title and the note above the buttons."""
        yield from ()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id=f"{self.PREFIX}-dialog", can_focus=False):  # buttons docked: always in view
            yield from self.question()
            with Horizontal(classes="buttons"):
                for answer in self.ANSWERS:
                    yield Button(answer.label, id=f"{self.PREFIX}-{answer.choice}",
                                 variant=answer.variant, tooltip=answer.tooltip)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.query_one(f"#{self.PREFIX}-{self.SAFE}", Button).focus()  # the safe answer is the default one

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice = (event.button.id or "").removeprefix(f"{self.PREFIX}-")
        self.action_choose(choice if any(a.choice == choice for a in self.ANSWERS) else "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)  # type: ignore[arg-type]
