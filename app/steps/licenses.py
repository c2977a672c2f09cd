"""Step 4: licenses and numbers: the default license, group → license mappings (add, remove,
reorder), what to do when seats run out, number auto-assignment, and what that costs."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, Select, Static, Switch
from textual.widgets.option_list import Option

from app.steps.base import Step, heading, note, problems_box
from app.steps.states import azure_affected, licenses_state
from engine.billing import source_label
from engine.names import CONTACT_CENTER, LICENSE_TYPES
from engine.settings import WHEN_EXHAUSTED, GroupMapping
from widgets.safe_text import NAME_WIDTH, clipped, plain, printable
from widgets.summary import money
from widgets.wrapping_radio import WrappingRadioButton

EXHAUSTED_LABELS = {"purchase": "Purchase a seat (prorated for this billing period)",
                    "reject": "Reject the user"}


class GroupList(OptionList):
    """Group → license mappings, first match wins. delete removes, shift+↑/↓ reorders."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace", "remove", "Remove", id="licenses.remove",
                tooltip="Remove the highlighted mapping"),
        Binding("shift+up,minus", "move(-1)", "Move up", id="licenses.move_up",
                tooltip="Check the highlighted mapping earlier"),
        Binding("shift+down,plus", "move(1)", "Move down", id="licenses.move_down",
                tooltip="Check the highlighted mapping later"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)

    def action_remove(self) -> None:
        self.query_ancestor(LicensesStep).remove_group()

    def action_move(self, delta: int) -> None:
        self.query_ancestor(LicensesStep).move_group(delta)


class LicensesStep(Step):
    step_id = "licenses"
    title = "Licenses, numbers"
    section = "licenses"

    # Below the breakpoint #group-add-row stacks: that rule is in app.tcss, beside `.row Input`.
    DEFAULT_CSS = """
    LicensesStep .warning {
        color: $warning;
        background: $warning 15%;
        padding: 0 1;
        margin-top: 1;
    }
    LicensesStep #group-list {
        height: auto;
        max-height: 8;
        width: 1fr;
        max-width: 70;
    }
    """

    def build(self) -> ComposeResult:
        yield Static("", id="azure-warning", classes="warning")
        yield heading("Licenses")
        with Horizontal(classes="row"):
            yield Label("Default license:", classes="field-label")
            yield Select([(lic, lic) for lic in LICENSE_TYPES], id="default-license", allow_blank=False,
                         compact=True, tooltip="licenses.default: for users no group or licenseType decides")
        yield note("Group → license, checked in order, first match wins "
                   "(delete: remove · shift+↑↓ or -/+: reorder):")
        yield GroupList(id="group-list")
        with Horizontal(classes="row", id="group-add-row"):
            yield Input(placeholder="IdP group name", id="group-name", compact=True,
                        tooltip="The group's display name as the IdP sends it")
            yield Select([(lic, lic) for lic in LICENSE_TYPES], id="group-license", allow_blank=False,
                         compact=True, tooltip="The license members of that group get")
            yield Button("Add", id="group-add", variant="primary", compact=True,
                         tooltip="Add the mapping at the end")
        with Horizontal(classes="buttons"):
            yield Button("Remove", id="group-remove", compact=True, tooltip="delete")
            yield Button("Move up", id="group-up", compact=True, tooltip="shift+↑")
            yield Button("Move down", id="group-down", compact=True, tooltip="shift+↓")
        yield problems_box("licenses-problems")
        yield heading("When an office runs out of seats")
        with RadioSet(id="when-exhausted"):
            for key in WHEN_EXHAUSTED:
                yield WrappingRadioButton(EXHAUSTED_LABELS[key], id=f"exhausted-{key}")
        with Horizontal(classes="row"):
            yield Switch(id="auto-assign", tooltip="numbers.auto_assign")
            yield Label("Assign phone numbers automatically (reserved numbers first)", classes="switch-label")
        yield heading("Seats, cost and numbers")
        yield Static("", id="licenses-results")

    # -- reading the settings into the controls --------------------------------------------------
    def on_sources_changed(self) -> None:
        s = self.wizard.settings
        if s is None:
            return
        lic = s.licenses
        self.query_one("#default-license", Select).value = lic.default
        button = self.query_one(f"#exhausted-{lic.when_exhausted}", RadioButton)
        if not button.value:
            button.value = True
        self.query_one("#auto-assign", Switch).value = s.numbers.auto_assign
        self._show_groups(lic.groups)

    def _show_groups(self, groups: tuple[GroupMapping, ...], highlight: int | None = None) -> None:
        gl = self.query_one(GroupList)
        keep = gl.highlighted if highlight is None else highlight
        gl.clear_options()
        gl.add_options([Option(printable(f"{i + 1}. {g.group} → {g.license}")) for i, g in enumerate(groups)])
        if groups:
            gl.highlighted = min(keep or 0, len(groups) - 1)

    # -- changes -----------------------------------------------------------------------------------
    @property
    def _box(self) -> Static:
        return self.query_one("#licenses-problems", Static)

    @on(Select.Changed, "#default-license")
    def _default(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.apply(self._box, "licenses", default=event.value)

    @on(RadioSet.Changed, "#when-exhausted")
    def _exhausted(self, event: RadioSet.Changed) -> None:
        self.apply(self._box, "licenses", when_exhausted=WHEN_EXHAUSTED[event.index])

    @on(Switch.Changed, "#auto-assign")
    def _auto(self, event: Switch.Changed) -> None:
        self.apply(self._box, "numbers", auto_assign=event.value)

    def _groups(self) -> list[GroupMapping]:
        s = self.wizard.settings
        return list(s.licenses.groups) if s else []

    def _set_groups(self, groups: list[GroupMapping], highlight: int | None = None) -> None:
        if self.apply(self._box, "licenses", groups=tuple(groups)):
            self._show_groups(tuple(groups), highlight)

    @on(Button.Pressed, "#group-add")
    @on(Input.Submitted, "#group-name")
    def add_group(self) -> None:
        name = self.query_one("#group-name", Input).value.strip()
        lic = self.query_one("#group-license", Select).value
        if not name:
            self.show_problems(self._box, ["type the IdP group's name first"])
            return
        groups = self._groups()
        groups.append(GroupMapping(name, str(lic)))
        self._set_groups(groups, len(groups) - 1)
        self.query_one("#group-name", Input).value = ""

    def remove_group(self) -> None:
        groups = self._groups()
        i = self.query_one(GroupList).highlighted
        if i is not None and 0 <= i < len(groups):
            del groups[i]
            self._set_groups(groups, max(0, i - 1) if i >= len(groups) else i)

    def move_group(self, delta: int) -> None:
        groups = self._groups()
        i = self.query_one(GroupList).highlighted
        if i is None or not 0 <= i + delta < len(groups):
            return
        groups[i], groups[i + delta] = groups[i + delta], groups[i]
        self._set_groups(groups, i + delta)

    @on(Button.Pressed, "#group-remove")
    def _remove(self) -> None:
        self.remove_group()

    @on(Button.Pressed, "#group-up")
    def _up(self) -> None:
        self.move_group(-1)

    @on(Button.Pressed, "#group-down")
    def _down(self) -> None:
        self.move_group(1)

    # -- state and results ---------------------------------------------------------------------------
    def state(self) -> str:
        return licenses_state(self.wizard)

    def refresh_view(self) -> None:
        w = self.wizard
        if w.settings is None:
            return
        warn = self.query_one("#azure-warning", Static)
        affected = azure_affected(self.wizard)
        warn.display = w.settings.licenses.provider == "azure"
        warn.update(f"⚠ Entra ID (Azure) does not send licenseType over SCIM: it is ignored. "
                    f"{affected:,} sample user{'s' if affected != 1 else ''} "
                    f"{'have' if affected != 1 else 'has'} a licenseType naming another license and will get a group "
                    "mapping's license or the default instead. Map Entra groups to licenses below.")
        if w.preview is None or w.sources is None:
            return
        s = w.preview.summary
        cur = s.currency
        c = w.sources.company
        b = c.billing
        period = s.billing_period or b.period
        table = Table(box=None, pad_edge=False, header_style="bold")
        table.add_column("Office")
        table.add_column("Users", justify="right")
        table.add_column("Seats to buy")
        table.add_column("Reserved # used", justify="right")
        table.add_column("New numbers", justify="right")
        for o in c.offices:
            t = s.offices.get(o.name)
            if t is None:
                continue
            buy = ", ".join(f"{lic.removeprefix('Dialpad_')} {n:,}" for lic, n in t.purchased.items()) or "—"
            table.add_row(Text(clipped(o.name, NAME_WIDTH)), f"{t.users:,}", buy,
                          f"{t.reserved_numbers:,} of {len(o.reserved_numbers):,}",
                          f"{t.area_code_numbers:,}")
        lines: list[RenderableType] = [table]
        seats = sum(s.purchased.values())
        bought = ", ".join(f"{n:,} {lic}" for lic, n in s.purchased.items())
        text = [f"\nSeats to buy: {seats:,}" + (f" ({bought})" if bought else "")
                + f"; prorated cost {money(s.prorated_total, cur)} for the period "
                f"{period.start} to {period.end} (as of {w.preview.as_of})."]
        if period != b.period:  # the directory's period has passed (or not begun): say so
            shifted = s.period_line(source_label(w.sources.company_path))
            text.append(shifted[:1].upper() + shifted[1:] + ".")
        if not w.settings.numbers.auto_assign:
            text.append("Numbers: auto-assignment is off, so nobody gets a number and none are bought.")
        elif s.numbers_to_buy:
            text.append("Numbers to buy per area code: "
                        + ", ".join(f"{a}: {n:,}" for a, n in sorted(s.numbers_to_buy.items(), key=_area_code_order)))
        else:
            text.append("Numbers to buy: none; reserved numbers cover everyone.")
        cc = sum(t.licenses.get(CONTACT_CENTER, 0) for t in s.offices.values())
        text.append(f"Contact Center users ({CONTACT_CENTER}) get no number: {cc:,}.")
        lines.extend(plain(line) for line in text)
        self.query_one("#licenses-results", Static).update(Group(*lines))


def _area_code_order(item: tuple[str, int]) -> tuple[int, str]:
    """Area codes in numeric order, as the command line lists them (212 before 1212)."""
    code = item[0]
    return (int(code) if code.isdigit() else 10**9, code)
