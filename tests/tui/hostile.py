"""A company and sample users whose names are hostile to a terminal UI: markup that would crash
or restyle it (`[/b]`), an action (`[@click=...]`), and control characters (an escape sequence
that clears the screen, a terminal title, a bidi override)."""

from __future__ import annotations

from app.sources import Sources
from engine.settings import GroupMapping
from tests import factories as f

ANN = "Ann Lee [EMEA] [/b]"
BOB = "Bob [bold]Ray"
CLICK = "[@click=app.quit]Quit[/]"
ESC_USER = "eve\x1b[2J\x1b]0;pwned\x07@acme.example"
OFFICE = "Paris [b]HQ"
GROUP = "[red]Sales[/red"


def hostile_sources() -> Sources:
    comp = f.company(f.office(OFFICE, "FR", main=True, voice=1),
                     f.office("Berlin [/]", "DE", voice=0, numbers=["+4930123456789"]))
    objs = [
        f.user("ann", displayName=ANN, office=ANN, groups=[GROUP]),
        f.user("bob", displayName=BOB, office=OFFICE, department="[i]Paris"),
        f.user(f"{CLICK}@acme.example", displayName=CLICK, office="Berlin [/]"),
        f.user(ESC_USER, displayName="\u202eevil\x1b[31m", office="nowhere [/x]"),
    ]
    settings = f.settings().with_changes("licenses", groups=(GroupMapping(GROUP, "Dialpad_Ai Sales"),))
    return Sources(comp, f.users(*objs), settings)


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """Everything the active screen draws now, as text (what reaches the terminal)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
