"""The review-and-push panel of step 7: what a push would change on the service (field by field),
the preview's headline numbers, any lock-out guard failures, a Push button, progress and result.

The panel only shows things and asks: Push and "Reload from service" post messages, and the
screen that owns the panel talks to the service (engine.client) and calls `set_busy`,
`show_result` and the `show_*` methods back. No import from `app`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, ProgressBar, Static

from engine.preview import Summary
from engine.settings_diff import FieldChange
from widgets.safe_text import plain, printable_lines

# `Any`: the values of a preview summary's SPEC 7 JSON (numbers, and tables of numbers).


def headline_text(summary: Summary | Mapping[str, Any] | None) -> Text:
    """Users to create and to reject, seats to buy and their prorated cost, from a Preview's
    summary (engine.preview.Summary) or its SPEC 7 JSON."""
    t = Text()
    if summary is None:
        return Text("No preview yet.", style="italic")
    data: Mapping[str, Any] = summary.to_dict() if isinstance(summary, Summary) else summary
    bought = sum(int(v) for v in (data.get("purchased") or {}).values())
    t.append(f"{data.get('create', 0):,}", "bold green")
    t.append(" to create · ")
    t.append(f"{data.get('reject', 0):,}", "bold red")
    t.append(" to reject · ")
    t.append(f"{bought:,}", "bold")
    t.append(" seats to buy · ")
    t.append(f"{float(data.get('prorated_total', 0.0)):,.2f} {data.get('currency', '')}".rstrip(), "bold")
    t.append(" this period")
    return t


class PushPanel(Vertical):
    """Diff, headline, guard, Push. Ids: #push-diff, #push-headline, #push-guard, #push,
    #push-reload, #push-progress, #push-status."""

    DEFAULT_CSS = """
    PushPanel {
        height: auto;
        & > #push-where { color: $text-muted; }
        & > #push-diff { height: auto; max-height: 20; margin: 1 0; }
        & > #push-headline { margin-bottom: 1; }
        & > #push-guard { color: $error; margin-bottom: 1; }
        & > #push-buttons { height: auto; }
        & > #push-buttons > Button { margin-right: 2; }
        & > #push-progress { margin-top: 1; }
        & > #push-status { margin-top: 1; }
        & > #push-status.-ok { color: $success; }
        & > #push-status.-error { color: $error; }
    }
    """

    @dataclass
    class PushRequested(Message):
        """The admin pressed Push (the owner asks for confirmation, then pushes)."""

        panel: PushPanel

    @dataclass
    class ReloadRequested(Message):
        """The admin wants the service's settings in the wizard."""

        panel: PushPanel

    COLUMNS: ClassVar[tuple[str, str, str]] = ("Field", "On the service", "Yours")

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.changes: list[FieldChange] | None = None  # None: the service was not read yet
        self.guard: list[str] = []
        self.busy = False
        self._diff_width = 0

    def compose(self) -> ComposeResult:
        # Where, the guard and the status quote URLs, addresses and servers' answers: no markup.
        yield Static("Service: not read yet.", id="push-where", markup=False)
        table: DataTable[str] = DataTable(id="push-diff", cursor_type="row", zebra_stripes=True,
                                          show_cursor=False)
        table.display = False
        yield table
        yield Static(headline_text(None), id="push-headline")
        guard = Static("", id="push-guard", markup=False)
        guard.display = False
        yield guard
        with Horizontal(id="push-buttons"):
            yield Button("Push settings", id="push", variant="primary", disabled=True,
                         tooltip="Push these settings to the service (asks first)")
            yield Button("Reload from service", id="push-reload",
                         tooltip="Replace the wizard's settings with the service's")
        bar = ProgressBar(id="push-progress", total=None, show_eta=False, show_percentage=False)
        bar.display = False
        yield bar
        yield Static("", id="push-status", markup=False)

    def on_mount(self) -> None:
        self._fill_diff()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._diff_width:
            self._fill_diff()

    def _column_widths(self, width: int) -> tuple[int, int]:
        """Field and value column widths for a panel `width` wide: both values share the room
        left after Field, so neither is pushed off-screen; long values wrap in their cell."""
        keys = [len(c.key) for c in self.changes or []]
        room = width - 3 * 2 - 2  # 2 cells of padding per column, and 2 for the vertical scrollbar
        # Field takes what its longest key needs, but no more than a third: on a narrow terminal
        # a long key wraps too, so the two values keep their room.
        field = min(max([len(self.COLUMNS[0]), *keys]), max(8, room // 3))
        value = max(8, (room - field) // 2)
        return field, value

    def _fill_diff(self) -> None:
        table = self.query_one("#push-diff", DataTable)
        width = self.size.width or self.app.size.width
        self._diff_width = self.size.width
        field, value = self._column_widths(width)
        table.clear(columns=True)
        for label, w in zip(self.COLUMNS, (field, value, value), strict=True):
            table.add_column(label, width=w, key=label)
        for c in self.changes or []:
            # Text: a value is the admin's text, not Rich markup. Auto height: wrapped.
            table.add_row(plain(c.key), plain(c.before_text()), plain(c.after_text()), key=c.key,
                          height=None)

    # -- what the owner calls ------------------------------------------------------------------

    def show_service(self, where: str, version: str | None) -> None:
        text = f"Service: {where}" + (f", settings {version}" if version else "")
        self.query_one("#push-where", Static).update(printable_lines(text))

    def show_diff(self, changes: list[FieldChange] | None) -> None:
        self.changes = changes
        self._fill_diff()
        self.query_one("#push-diff", DataTable).display = bool(changes)
        if changes is not None and not changes:
            self._status("The service already has these settings: nothing to push.", None)
        self._sync_button()

    def show_headline(self, summary: Summary | Mapping[str, Any] | None) -> None:
        self.query_one("#push-headline", Static).update(headline_text(summary))

    def show_guard(self, problems: list[str]) -> None:
        self.guard = list(problems)
        box = self.query_one("#push-guard", Static)
        box.update(printable_lines("SSO enforcement would lock people out; fix these first:\n"
                                   + "\n".join(f"✗ {p}" for p in problems)) if problems else "")
        box.display = bool(problems)
        self._sync_button()

    def set_busy(self, text: str) -> None:
        self.busy = True
        self.query_one("#push-progress", ProgressBar).display = True
        self._status(text, None)
        self._sync_button()

    def show_result(self, ok: bool, text: str) -> None:
        self.busy = False
        self.query_one("#push-progress", ProgressBar).display = False
        self._status(("✓ " if ok else "✗ ") + text, "-ok" if ok else "-error")
        self._sync_button()

    @property
    def can_push(self) -> bool:
        return bool(self.changes) and not self.guard and not self.busy

    # -- internals ----------------------------------------------------------------------------

    def _status(self, text: str, cls: str | None) -> None:
        box = self.query_one("#push-status", Static)
        box.update(printable_lines(text))
        box.set_class(cls == "-ok", "-ok")
        box.set_class(cls == "-error", "-error")

    def _sync_button(self) -> None:
        button = self.query_one("#push", Button)
        button.disabled = not self.can_push
        self.query_one("#push-reload", Button).disabled = self.busy

    @on(Button.Pressed, "#push")
    def _push(self, event: Button.Pressed) -> None:
        event.stop()
        if self.can_push:
            self.post_message(self.PushRequested(self))

    @on(Button.Pressed, "#push-reload")
    def _reload(self, event: Button.Pressed) -> None:
        event.stop()
        if not self.busy:
            self.post_message(self.ReloadRequested(self))
