"""Step 2: the Office Specification Field(s), their order, how many users each matches, and the
mapping the admin must add on the IdP side (with a copy action)."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from app.steps.base import Step, heading, note, problems_box
from app.steps.states import office_state
from engine.names import ENTERPRISE_NS, OFFICE_FIELDS
from widgets.safe_text import NAME_WIDTH, clipped, plain

# Where the attribute mapping goes in each IdP's console.
IDP_WHERE = {
    "okta": ("Okta Admin Console → Directory → Profile Editor → your app's profile → Add Attribute: "
             "external name {attr}, external namespace {ns}. Then Applications → your app → "
             "Provisioning → To App → Attribute Mappings: map the Okta user attribute to it."),
    "azure": ("Microsoft Entra admin center → Enterprise applications → your app → Provisioning → "
              "Mappings → Provision Microsoft Entra ID Users → Show advanced options → Edit attribute "
              "list: add {ns}:{attr}. Back in Attribute Mappings → Add New Mapping: source "
              "officeLocation (or department) → target {ns}:{attr}."),
    "onelogin": ("OneLogin Administration → Applications → your app → Configuration → SCIM JSON "
                 "Template: add \"{attr}\" under \"{ns}\". Then Parameters → + → field name {attr}, "
                 "Include in User Provisioning, and pick the OneLogin value."),
    "jumpcloud": ("JumpCloud Admin Portal → SSO Applications → your app → Identity Management → "
                  "Attributes: add a custom attribute {attr} in the enterprise extension ({ns}) and "
                  "map it to the user's JumpCloud attribute."),
    "google": ("Google Admin console → Apps → Web and mobile apps → your app → Auto-provisioning → "
               "Attribute mapping: map a Google directory attribute (for example Employee details → "
               "Building or Department) to {attr} ({ns})."),
    "generic": ("In your IdP's SCIM attribute mapping, send {attr} in the enterprise extension "
                "namespace {ns} (or as a top-level attribute of the User)."),
}


class FieldOrder(OptionList):
    """The three office fields: space toggles one, shift+↑/↓ moves it in the priority order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_field", "Use / don't use", id="office.toggle",
                tooltip="Use or stop using the highlighted field"),
        Binding("shift+up,minus", "move(-1)", "Move up", id="office.move_up",
                tooltip="Give the highlighted field a higher priority"),
        Binding("shift+down,plus", "move(1)", "Move down", id="office.move_down",
                tooltip="Give the highlighted field a lower priority"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.order: list[str] = list(OFFICE_FIELDS)
        self.chosen: set[str] = set()

    def set_fields(self, fields: tuple[str, ...]) -> None:
        self.order = list(fields) + [f for f in OFFICE_FIELDS if f not in fields]
        self.chosen = set(fields)
        self._redraw()

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for f in self.order if f in self.chosen)

    def _redraw(self) -> None:
        keep = self.highlighted
        self.clear_options()
        rank = {f: i + 1 for i, f in enumerate(self.fields)}
        self.add_options([Option(f"[{'x' if f in self.chosen else ' '}] "
                                 f"{str(rank[f]) + '.' if f in rank else '  '} {f}", id=f)
                          for f in self.order])
        self.highlighted = keep if keep is not None else 0

    def action_toggle_field(self) -> None:  # not `toggle`: DOMNode.action_toggle flips an attribute
        if self.highlighted is None:
            return
        f = self.order[self.highlighted]
        self.chosen.symmetric_difference_update({f})
        self._redraw()
        self.post_message(self.FieldsChanged(self))

    def action_move(self, delta: int) -> None:
        i = self.highlighted
        if i is None or not 0 <= i + delta < len(self.order):
            return
        self.order[i], self.order[i + delta] = self.order[i + delta], self.order[i]
        self.highlighted = i + delta
        self._redraw()
        self.post_message(self.FieldsChanged(self))

    class FieldsChanged(Message):
        """The chosen fields or their order changed."""

        def __init__(self, field_order: FieldOrder) -> None:
            super().__init__()
            self.field_order = field_order


class OfficeFieldStep(Step):
    step_id = "office"
    title = "Office field"
    section = "office"

    DEFAULT_CSS = """
    OfficeFieldStep #office-fields {
        height: auto;
        max-height: 8;
        width: 1fr;
        max-width: 70;
    }
    """

    def build(self) -> ComposeResult:
        yield heading("Office Specification Field(s), in priority order")
        yield note("The first field whose value names an office decides it. "
                   "space: use / don't use · shift+↑↓ or -/+: reorder · enter: use")
        yield FieldOrder(id="office-fields")
        with Horizontal(classes="buttons"):
            yield Button("Use / don't use", id="office-toggle", tooltip="space")
            yield Button("Move up", id="office-up", tooltip="shift+↑")
            yield Button("Move down", id="office-down", tooltip="shift+↓")
        yield problems_box("office-problems")
        yield heading("How the sample users match")
        yield Static("", id="office-stats", markup=False)
        yield heading("Mapping to add in your IdP")
        yield Static("", id="office-idp", classes="card", markup=False)
        yield Button("Copy mapping", id="office-copy", variant="primary",
                     tooltip="Send the attribute path(s) to the terminal's clipboard (OSC 52)")

    def on_sources_changed(self) -> None:
        s = self.wizard.settings
        if s is not None:
            self.query_one(FieldOrder).set_fields(s.office.fields)

    @on(OptionList.OptionSelected, "#office-fields")
    def _selected(self) -> None:
        self.query_one(FieldOrder).action_toggle_field()

    @on(Button.Pressed, "#office-toggle")
    def _toggle(self) -> None:
        self.query_one(FieldOrder).action_toggle_field()

    @on(Button.Pressed, "#office-up")
    def _up(self) -> None:
        self.query_one(FieldOrder).action_move(-1)

    @on(Button.Pressed, "#office-down")
    def _down(self) -> None:
        self.query_one(FieldOrder).action_move(1)

    @on(FieldOrder.FieldsChanged)
    def _fields_changed(self) -> None:
        fields = self.query_one(FieldOrder).fields
        box = self.query_one("#office-problems", Static)
        if not fields:
            problems = ["choose at least one office field; the preview keeps the last valid choice"]
            self.wizard.set_step_problems("office", problems)
            self.show_problems(box, problems)
            return
        self.apply(box, "office", fields=fields)
        self.refresh_view()

    @on(Button.Pressed, "#office-copy")
    def _copy(self) -> None:
        from app.clipboard import send_to_clipboard

        send_to_clipboard(self.app, self.mapping_text(), "The mapping", show=True)

    def mapping_text(self) -> str:
        fields = self.query_one(FieldOrder).fields or ("officeName",)
        return "\n".join(f"{ENTERPRISE_NS}:{f}" for f in fields)

    def state(self) -> str:
        return office_state(self.wizard)

    def refresh_view(self) -> None:
        w = self.wizard
        if w.settings is None or w.stats is None:
            return
        st = w.stats
        chosen = self.query_one(FieldOrder).fields or w.settings.office.fields
        decided = w.insights.decided_by_field if w.insights else {}
        # A table, not padded lines: it fits 120 columns on one line a field and, at 80, wraps
        # its headers instead of pushing the last number onto a line of its own.
        table = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False, header_style="bold")
        table.add_column("  field", no_wrap=True)
        table.add_column("have a value", justify="right")
        table.add_column("name an office", justify="right")
        table.add_column("placed by it now", justify="right")
        for f in OFFICE_FIELDS:
            used = f in chosen
            table.add_row(f"{'▶' if used else ' '} {f}", f"{st.field_values[f]:,}", f"{st.field_matches[f]:,}",
                          f"{decided.get(f, 0):,}" if used else "not used",
                          style=None if used else "dim")
        lines = []
        if st.valid and not any(st.field_values.get(f) for f in OFFICE_FIELDS):
            # Common with pulled users: Entra ID's default mappings send the office only as the work
            # address, Okta's none unless department is set. Say so before anything else.
            lines.append(f"✗ None of the {st.valid:,} users carries an office field: your IdP sends no "
                         "officeName, physicalDeliveryOfficeName or department today. Add the mapping "
                         "below; until then only the country and the no-match rule place users.")
        for f in chosen:
            if st.unmatched[f]:
                more = st.unmatched_distinct[f] - len(st.unmatched[f])
                # Each value on one line and cut: a line break or 500 characters in one must not
                # take over the list (the preview's explain popup shows a user's in full).
                vals = ", ".join(f"'{clipped(v, NAME_WIDTH)}': {n:,} user{'s' if n != 1 else ''}"
                                 for v, n in st.unmatched[f])
                lines.append(f"{f} values that name no office: {vals}"
                             + (f" … and {more:,} more" if more > 0 else ""))
        self.query_one("#office-stats", Static).update(Group(table, *(plain(line) for line in lines)))
        provider = w.settings.licenses.provider
        where = "\n\n".join(IDP_WHERE[provider].format(attr=f, ns=ENTERPRISE_NS) for f in chosen[:1])
        from app.steps.sources import PROVIDER_LABELS

        attrs = "\n".join(f"  {ENTERPRISE_NS}:{f}" for f in chosen)
        self.query_one("#office-idp", Static).update(
            f"{PROVIDER_LABELS[provider]}: send the attribute(s)\n{attrs}\n\n{where}")
