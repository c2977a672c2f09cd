"""What enforcing SSO would do, and whether it may be pushed: the lock-out guard's sentences,
the sign-in methods it blocks, the break-glass admins who keep a way in, and which sample users
would lose theirs (SPEC section 6, engine.sso)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from engine.sso import BLOCKED_SIGN_IN_METHODS, LockedOutUser
from widgets.safe_text import printable as _printable

MAX_LOCKED_SHOWN = 6


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class GuardView:
    """Everything the panel says, as plain sentences (tested without a screen)."""

    status: str
    status_level: str  # "ok", "warn" or "error"
    problems: list[str] = field(default_factory=list)
    consequences: list[str] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)


def guard_view(*, enforce: bool, problems: Sequence[str], break_glass: Sequence[str],
               locked: Sequence[LockedOutUser], sample_count: int, turning_on: bool = False) -> GuardView:
    """The sentences for `enforce` (or, with `turning_on`, for the switch about to go on).

    `problems` are the guard's sentences for enforcement on (engine.sso.guard_problems with
    enforce=True), so they can be shown before the switch is turned on.
    """
    on = enforce or turning_on
    methods = _join(list(BLOCKED_SIGN_IN_METHODS))
    if on and problems:
        status = ("✗ Push is refused until these are fixed (settings can still be saved):"
                  if enforce else "✗ Once on, push is refused until these are fixed:")
        level = "error"
    elif on:
        status = "✓ The lock-out guard is satisfied: these settings can be pushed."
        level = "ok"
    else:
        status = ("Enforcement is off: nobody's sign-in changes. "
                  + (f"Turning it on would be refused for now ({len(problems)} to fix)."
                     if problems else "The guard would allow turning it on."))
        level = "warn" if problems else "ok"
    view = GuardView(status, level, list(problems) if on else [])
    verb = "are blocked" if enforce else "will be blocked" if turning_on else "would be blocked"
    view.consequences.append(f"{methods} sign-in {verb} for everyone but the break-glass admins.")
    admins = [_printable(a) for a in break_glass if a.strip()]
    if admins:
        view.consequences.append(f"Break-glass admins keep a non-SSO way in: {', '.join(admins)}.")
    else:
        view.consequences.append("No break-glass admin: if SSO fails, nobody can sign in.")
    if sample_count == 0:
        view.consequences.append("No sample users are loaded, so nobody can be checked.")
    elif locked and not on:  # kept short while off: the list comes when the switch goes on
        view.consequences.append(
            f"{len(locked):,} of {sample_count:,} sample users would lose their way in (listed when "
            "you turn it on).")
    elif locked:
        view.consequences.append(
            f"{len(locked):,} of {sample_count:,} sample users "
            f"{'lose' if enforce else 'will lose'} their way in:")
        view.locked = [f"• {_printable(user.detail)}" for user in locked[:MAX_LOCKED_SHOWN]]
        if len(locked) > MAX_LOCKED_SHOWN:
            view.locked.append(f"… and {len(locked) - MAX_LOCKED_SHOWN:,} more.")
    else:
        view.consequences.append(
            f"All {sample_count:,} sample users can sign in through the IdP: nobody in the sample "
            "loses their way in.")
    return view


class SsoGuard(Vertical):
    """The guard panel. `show(view)` with a `GuardView` from `guard_view()`."""

    DEFAULT_CSS = """
    SsoGuard {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    SsoGuard > Static {
        height: auto;
    }
    SsoGuard .guard-status {
        text-style: bold;
    }
    SsoGuard .guard-status.-error, SsoGuard .guard-problems {
        color: $error;
    }
    SsoGuard .guard-status.-warn, SsoGuard .guard-locked {
        color: $warning;
    }
    SsoGuard .guard-status.-ok {
        color: $success;
    }
    """

    def __init__(self, view: GuardView | None = None, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.view = view

    def compose(self) -> ComposeResult:
        yield Static("", classes="guard-status", markup=False)
        yield Static("", classes="guard-problems", markup=False)
        yield Static("", classes="guard-consequences", markup=False)
        yield Static("", classes="guard-locked", markup=False)

    def on_mount(self) -> None:
        self._render_view()

    def show(self, view: GuardView) -> None:
        if view == self.view:
            return
        self.view = view
        if self.is_mounted:
            self._render_view()

    def _render_view(self) -> None:
        view = self.view
        status = self.query_one(".guard-status", Static)
        status.remove_class("-ok", "-warn", "-error")
        if view is None:
            status.update("")
            for box in self.query(".guard-problems, .guard-consequences, .guard-locked"):
                box.display = False
            return
        status.update(view.status)
        status.add_class(f"-{view.status_level}")
        for selector, lines in ((".guard-problems", [f"✗ {p}" for p in view.problems]),
                                (".guard-consequences", view.consequences),
                                (".guard-locked", view.locked)):
            box = self.query_one(selector, Static)
            box.update("\n".join(lines))
            box.display = bool(lines)
