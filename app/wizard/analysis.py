"""Numbers the wizard's steps show, computed off the UI thread.

`LoadStats` depends only on the company and the users (computed once per load); `Insights`
depends on the preview (computed in the preview worker, with the table's precomputed columns).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from engine.directory import Company
from engine.names import OFFICE_FIELDS
from engine.preview import Preview
from engine.users import UserSet
from widgets.preview_table import TableData

TOP_VALUES = 8


@dataclass
class LoadStats:
    users: int = 0
    valid: int = 0
    field_values: dict[str, int] = field(default_factory=dict)    # users with a non-empty value
    field_matches: dict[str, int] = field(default_factory=dict)   # ... that names an office
    unmatched: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # value: users
    unmatched_distinct: dict[str, int] = field(default_factory=dict)
    license_type_users: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)
    groups: list[tuple[str, int]] = field(default_factory=list)


def load_stats(company: Company, users: UserSet) -> LoadStats:
    keys = {o.key for o in company.offices}
    st = LoadStats(users=len(users.records))
    values = [0, 0, 0]
    matches = [0, 0, 0]
    unmatched: list[Counter[str]] = [Counter(), Counter(), Counter()]
    shown: list[dict[str, str]] = [{}, {}, {}]
    groups: Counter[str] = Counter()
    lt = 0
    for rec in users.records:
        if rec.invalid:
            st.invalid.append((rec.index, rec.reason or rec.invalid))
            continue
        st.valid += 1
        for i, k in enumerate(rec.keys):
            if k:
                values[i] += 1
                if k in keys:
                    matches[i] += 1
                else:
                    unmatched[i][k] += 1
                    shown[i].setdefault(k, rec.values[i])
        if rec.license_type:
            lt += 1
        groups.update(rec.groups)
    for i, f in enumerate(OFFICE_FIELDS):
        st.field_values[f] = values[i]
        st.field_matches[f] = matches[i]
        st.unmatched[f] = [(shown[i][k], n) for k, n in unmatched[i].most_common(TOP_VALUES)]
        st.unmatched_distinct[f] = len(unmatched[i])
    st.license_type_users = lt
    st.groups = groups.most_common(20)
    return st


@dataclass
class Insights:
    table: TableData
    by_rule: dict[str, Counter[str]]          # office rule -> office -> users placed
    rejects: Counter[str]                     # reason -> users
    decided_by_field: Counter[str]            # office field -> users it placed
    warnings: Counter[str]
    license_rules: Counter[str]


def analyse(preview: Preview) -> Insights:
    by_rule: dict[str, Counter[str]] = {}
    rejects: Counter[str] = Counter()
    by_field: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    license_rules: Counter[str] = Counter()
    for r in preview.rows:
        if r.warnings:
            warnings.update(r.warnings)
        if r.status in ("reject", "skip", "invalid"):
            rejects[(r.reason or "").split(":", 1)[0]] += 1
        if r.office_rule and r.status == "create":
            by_rule.setdefault(r.office_rule, Counter())[r.office] += 1  # type: ignore[index]
            if r.office_rule == "field" and r.office_detail:
                by_field[r.office_detail.split(" = ", 1)[0]] += 1
        if r.license_rule and r.status == "create":
            license_rules[r.license_rule] += 1
    return Insights(TableData(preview.rows), by_rule, rejects, by_field, warnings, license_rules)
