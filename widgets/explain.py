"""One user's preview, explained step by step (Scope → License → Office → Seat → Number), in the
manner of Entra's "Provision on demand": what was checked at each step and why it decided so.

`explain_row` is plain logic over the engine's Row, UserRecord and Settings; `ExplainPanel`
draws its result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from engine.billing import period_containing
from engine.directory import Company
from engine.names import CONTACT_CENTER, LICENSE_BY_NORM, OFFICE_FIELDS, norm
from engine.rules import CREATE, INVALID, REJECT, SKIP, Row
from engine.settings import Settings
from engine.users import UserRecord
from widgets.safe_text import printable

OK, WARN, STOP, NOT_REACHED = "ok", "warn", "stop", "not_reached"
ICON = {OK: "✓", WARN: "⚠", STOP: "✗", NOT_REACHED: "·"}
STEP_TITLES = ("Scope", "License", "Office", "Seat", "Number")

WARNING_TEXT = {
    "office_value_unmatched": "an office field has a value that names no office",
    "unknown_license_type": "licenseType is not a known license type; the default applies",
    "license_type_unsupported": "Entra ID (Azure) does not send licenseType; it is ignored",
    "country_normalised": "the country was written as a name or alpha-3 code and was normalised",
    "country_unknown": "the country is not recognised, so it counts as no country",
}


@dataclass
class ExplainStep:
    title: str
    state: str
    outcome: str
    checks: list[str] = field(default_factory=list)


def _scope(row: Row, rec: UserRecord | None, settings: Settings, company: Company) -> ExplainStep:
    step = ExplainStep("Scope", OK, "in scope")
    if row.status == INVALID:
        step.state, step.outcome = STOP, f"not a usable SCIM User: {row.reason}"
        step.checks.append("the record is read but cannot be provisioned; fix it in the IdP export")
        return step
    active = rec.active if rec else True
    step.checks.append(f"active = {'true' if active else 'false'}")
    if row.status == SKIP and row.reason == "inactive":
        step.state, step.outcome = STOP, "skipped: the user is inactive"
        return step
    domain = rec.domain if rec else None
    if company.master_domain:
        step.checks.append(f"the company has a master domain ({company.master_domain}): every company "
                           f"domain is in scope ({', '.join(company.domains)})")
    else:
        step.checks.append(f"no master domain: only scope.domain = {settings.scope_domain(company)} "
                           "is in scope")
    step.checks.append(f"user domain = {domain}" if domain else "the user has no domain: in scope")
    if row.status == SKIP and row.reason == "other_domain":
        step.state, step.outcome = STOP, f"skipped: domain {domain} is not in scope"
    return step


def _license(row: Row, rec: UserRecord | None, settings: Settings) -> ExplainStep:
    lic = settings.licenses
    step = ExplainStep("License", OK, f"{row.license} (rule {row.license_rule})")
    groups = rec.groups if rec else ()
    keys = rec.group_keys if rec else frozenset()
    if lic.groups:
        for g in lic.groups:
            hit = norm(g.group) in keys
            step.checks.append(f"group '{g.group}' → {g.license}: {'member ✓' if hit else 'not a member'}")
            if hit:
                break
    else:
        step.checks.append("no group → license mappings are set")
    step.checks.append("user groups: " + (", ".join(groups) if groups else "none"))
    if row.license_rule != "group":
        lt = rec.license_type if rec else ""
        if not lt:
            step.checks.append("licenseType is empty")
        elif lic.provider == "azure":
            step.checks.append(f"licenseType = '{lt}' is ignored: Entra ID (Azure) does not send it")
            step.state = WARN
        elif norm(lt) in LICENSE_BY_NORM:
            step.checks.append(f"licenseType = '{lt}' is a known license type")
        else:
            step.checks.append(f"licenseType = '{lt}' is not a known license type")
            step.state = WARN
        if row.license_rule == "default":
            step.checks.append(f"so the default license applies: {lic.default}")
    return step


def _office(row: Row, rec: UserRecord | None, settings: Settings) -> ExplainStep:
    o = settings.office
    if row.office:
        step = ExplainStep("Office", OK, f"{row.office} (rule {row.office_rule})")
    else:
        step = ExplainStep("Office", STOP, f"rejected: {row.reason}")
    for f in o.fields:
        value = rec.values[OFFICE_FIELDS.index(f)] if rec else ""
        step.checks.append(f"{f} = '{value}'" if value else f"{f} is empty")
    country = rec.country if rec else None
    raw = rec.country_raw if rec else ""
    step.checks.append(f"country = {country}" + (f" (from '{raw}')" if raw and raw != country else "")
                       if country else "no usable country" + (f" ('{raw}')" if raw else ""))
    step.checks.append(f"country fallback {'on' if o.country_fallback else 'off'}; when no office "
                       f"matches: {o.mismatch.replace('_', ' ')}"
                       + (f" ({o.default_office})" if o.mismatch == "default_office" else ""))
    if row.office_detail:
        step.checks.append("decided: " + row.office_detail)
    if row.office_rule in ("best_match", "default_office") and step.state == OK:
        step.state = WARN
    return step


def seats_taken_before(row: Row, rows: Sequence[Row]) -> int | None:
    """How many seats of the row's license its office had given out before the row's turn, by
    replaying the preview rows before it (rows are in input order: a row's index is its position,
    and each earlier create row with an "available" seat in the same office and license took one).
    None when the rows do not line up with `row`."""
    if not row.office or not row.license or row.index >= len(rows) or rows[row.index].index != row.index:
        return None
    used = sum(1 for r in rows[:row.index]
               if r.status == CREATE and r.seat == "available" and r.office == row.office
               and r.license == row.license)
    return used


def _seat(row: Row, settings: Settings, company: Company, rows: Sequence[Row] | None = None,
          as_of: dt.date | None = None) -> ExplainStep:
    if row.reason == "out_of_licenses":
        step = ExplainStep("Seat", STOP, "rejected: no seat left and seats are not purchased")
    elif row.seat == "available":
        step = ExplainStep("Seat", OK, "a seat the office already has")
    else:
        step = ExplainStep("Seat", WARN, f"a seat to buy: {row.prorated_cost:.2f} "
                           f"{company.billing.currency} prorated for this billing period")
    office = company.office_named(row.office) if row.office else None
    if office and row.license:
        have = office.available_licenses.get(row.license, 0)
        step.checks.append(f"{office.name} has {have} {row.license} seat(s) in the directory; users take "
                           "them in input order")
        used = seats_taken_before(row, rows) if rows is not None else None
        if used is not None:
            left = max(have - used, 0)
            step.checks.append(f"{used} earlier user(s) took one, so {left} "
                               f"seat{'' if left == 1 else 's'} left when this user's turn came")
    step.checks.append(f"when seats run out: {settings.licenses.when_exhausted}")
    if row.seat == "purchased" and row.license:
        b = company.billing
        # The period billed is the one containing as_of: the directory's recurs (SPEC 5.5).
        period = period_containing(b.period, as_of) if as_of is not None else b.period
        days = period.days
        price = f"{b.monthly_price[row.license]:.2f}"
        if as_of is not None and days > 0:
            left_days = min(max((period.end - as_of).days, 0), days)
            step.checks.append(f"{price} × {left_days} ÷ {days} days = {row.prorated_cost or 0:.2f} "
                               f"{b.currency} (a month's price × days left from {as_of} ÷ days in "
                               f"{period.start}..{period.end})")
        else:
            step.checks.append(f"{price} {b.currency} a month × days left ÷ {days} days in "
                               f"{period.start}..{period.end} = {row.prorated_cost or 0:.2f} "
                               f"{b.currency}")
    return step


def _number(row: Row, settings: Settings) -> ExplainStep:
    src = row.number_source
    if src == "reserved":
        step = ExplainStep("Number", OK, f"{row.number}, the office's next reserved number")
    elif src == "area_code":
        step = ExplainStep("Number", WARN, f"a new number to buy in area code {row.area_code}")
        step.checks.append("the office has no reserved number left")
    elif src == "contact_center":
        step = ExplainStep("Number", OK, "no number: Contact Center users do not get one")
        step.checks.append(f"license is {CONTACT_CENTER}")
    else:
        step = ExplainStep("Number", OK, "no number: auto-assignment is off")
    step.checks.append(f"numbers.auto_assign = {'true' if settings.numbers.auto_assign else 'false'}")
    return step


def explain_row(row: Row, rec: UserRecord | None, settings: Settings, company: Company, *,
                rows: Sequence[Row] | None = None, as_of: dt.date | None = None) -> list[ExplainStep]:
    """The five steps for one preview row; steps after a stop are marked not reached. With the
    preview's `rows` (input order) and date `as_of`, the Seat step also says how many seats were
    left for this user and works the prorated cost out with the real numbers."""
    steps = [_scope(row, rec, settings, company)]
    if row.status in (CREATE, REJECT):
        steps.append(_license(row, rec, settings))
        steps.append(_office(row, rec, settings))
        if row.office:
            steps.append(_seat(row, settings, company, rows, as_of))
            if row.status == CREATE:
                steps.append(_number(row, settings))
    for title in STEP_TITLES[len(steps):]:
        steps.append(ExplainStep(title, NOT_REACHED, "not reached"))
    return steps


def explanation_text(row: Row, steps: list[ExplainStep]) -> str:
    """Plain text, for the clipboard."""
    lines = [f"{row.user_name}: {row.status}" + (f" ({row.reason})" if row.reason else "")]
    for s in steps:
        lines.append(f"{ICON[s.state]} {s.title}: {s.outcome}")
        lines.extend(f"    {c}" for c in s.checks)
    for w in row.warnings:
        lines.append(f"! {w}: {WARNING_TEXT.get(w, w)}")
    return "\n".join(lines)


class ExplainPanel(Static):
    """Draws `explain_row`'s steps, one block per step."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "explain--ok", "explain--warn", "explain--stop", "explain--not_reached", "explain--check",
    }
    DEFAULT_CSS = """
    ExplainPanel {
        height: auto;
        padding: 0 1;
        & > .explain--ok { color: $success; text-style: bold; }
        & > .explain--warn { color: $warning; text-style: bold; }
        & > .explain--stop { color: $error; text-style: bold; }
        & > .explain--not_reached { color: $text-muted; }
        & > .explain--check { color: $text-muted; }
    }
    """

    def show(self, row: Row, steps: list[ExplainStep]) -> None:
        self._row, self._steps = row, steps
        self.refresh(layout=True)

    def render(self) -> Group | str:
        row = getattr(self, "_row", None)
        if row is None:
            return ""
        parts: list[Text] = []
        for s in self._steps:
            head = Text()
            head.append(f"{ICON[s.state]} {s.title:<7} ", self.get_component_rich_style(f"explain--{s.state}"))
            # Outcomes and checks quote the user's values: Text, with control characters escaped.
            head.append(printable(s.outcome))
            parts.append(head)
            check = self.get_component_rich_style("explain--check")
            for c in s.checks:
                parts.append(Text(f"    {printable(c)}", style=check))
        if row.warnings:
            warn = self.get_component_rich_style("explain--warn")
            parts.append(Text(""))
            for w in row.warnings:
                t = Text()
                t.append("⚠ ", warn)
                t.append(printable(f"{w}: {WARNING_TEXT.get(w, w)}"))
                parts.append(t)
        return Group(*parts)
