"""Step 3: what happens when no office field matches: the country fallback and the mismatch
behaviour (best match, a default office, or reject), with who lands where by each rule."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, RadioButton, RadioSet, Select, Static, Switch

from app.steps.base import Step, heading, note, problems_box
from app.steps.states import mismatch_state
from engine.settings import MISMATCH
from widgets.safe_text import NAME_WIDTH, clipped
from widgets.wrapping_radio import WrappingRadioButton

MISMATCH_LABELS = {
    "best_match": "Best match: the closest office name that can add the user, else the main office",
    "default_office": "Default office: always the office picked below",
    "reject": "Reject: do not create the user",
}
RULE_TEXT = {
    "field": "an office field names the office",
    "country": "country fallback: the office in the user's country",
    "best_match": "best match",
    "default_office": "the default office",
}
REJECT_TEXT = {
    "no_office_match": "rejected: no office matched (mismatch = reject)",
    "no_office_can_add": "rejected: no office can add the user",
    "out_of_licenses": "rejected: the office has no seat left",
}


class MismatchStep(Step):
    step_id = "mismatch"
    title = "No office match"
    section = "mismatch"  # its problems are its own: a bad default office is not step 2's

    def build(self) -> ComposeResult:
        yield heading("When no office field matches")
        with Horizontal(classes="row"):
            yield Switch(id="country-fallback", tooltip="office.country_fallback")
            yield Label("Country fallback: place the user in an office of their country", classes="switch-label")
        yield note("Then, when the country does not decide either:")
        with RadioSet(id="mismatch-mode"):
            for key in MISMATCH:
                yield WrappingRadioButton(MISMATCH_LABELS[key], id=f"mismatch-{key}")
        with Horizontal(classes="row"):
            yield Label("Default office:", classes="field-label")
            yield Select([], id="default-office", prompt="Pick an office", compact=True,
                         tooltip="office.default_office, used when the behaviour is 'Default office'")
        yield problems_box("mismatch-problems")
        yield heading("Who lands where, by rule")
        yield Static("", id="mismatch-rules")

    def on_sources_changed(self) -> None:
        w = self.wizard
        if w.settings is None or w.sources is None:
            return
        o = w.settings.office
        sel = self.query_one("#default-office", Select)
        sel.set_options([(Text(clipped(off.name, NAME_WIDTH)), off.name) for off in w.sources.company.offices])
        office = w.sources.company.office_named(o.default_office) if o.default_office else None
        sel.value = office.name if office else Select.NULL
        self.query_one("#country-fallback", Switch).value = o.country_fallback
        button = self.query_one(f"#mismatch-{o.mismatch}", RadioButton)
        if not button.value:
            button.value = True

    @on(Switch.Changed, "#country-fallback")
    def _fallback(self, event: Switch.Changed) -> None:
        self.apply(self.query_one("#mismatch-problems", Static), "office", country_fallback=event.value)

    @on(RadioSet.Changed, "#mismatch-mode")
    def _mismatch(self, event: RadioSet.Changed) -> None:
        self._apply_mismatch()

    @on(Select.Changed, "#default-office")
    def _default_office(self) -> None:
        self._apply_mismatch()

    def _apply_mismatch(self) -> None:
        radio = self.query_one("#mismatch-mode", RadioSet)
        if radio.pressed_index < 0:
            return
        mismatch = MISMATCH[radio.pressed_index]
        value = self.query_one("#default-office", Select).value
        default = value if isinstance(value, str) else ""
        self.apply(self.query_one("#mismatch-problems", Static), "office", mismatch=mismatch,
                   default_office=default)

    def state(self) -> str:
        return mismatch_state(self.wizard)

    def refresh_view(self) -> None:
        w = self.wizard
        self.query_one("#default-office", Select).disabled = (
            self.query_one("#mismatch-mode", RadioSet).pressed_index != MISMATCH.index("default_office"))
        if w.insights is None:
            return
        table = Table(box=None, pad_edge=False, header_style="bold")
        table.add_column("Rule")
        table.add_column("Users", justify="right")
        table.add_column("Offices")
        for rule, text in RULE_TEXT.items():
            counts = w.insights.by_rule.get(rule)
            total = sum(counts.values()) if counts else 0
            where = ", ".join(f"{clipped(o, NAME_WIDTH)} {n:,}" for o, n in counts.most_common()) if counts else ""
            table.add_row(text, f"{total:,}", Text(where))  # office names: text, not markup
        for reason, text in REJECT_TEXT.items():
            n = w.insights.rejects.get(reason, 0)
            if n:
                table.add_row(text, f"{n:,}", "")
        self.query_one("#mismatch-rules", Static).update(table)
