"""Numbers the wizard's steps show, computed off the UI thread.

`LoadStats` depends only on the company and the users (computed once per load); `Insights`
depends on the preview (computed in the preview worker from the preview's tally, with the table's
column widths).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from operator import attrgetter

from msgspec import Struct, field

from engine.directory import Company
from engine.names import OFFICE_FIELDS
from engine.preview import IgnoredLicenseType, Preview, tally_rows
from engine.users import UserRecord, UserSet
from widgets.table_data import TableData

TOP_VALUES = 8

# msgspec Structs, not dataclasses, for a cheap start-up (engine.settings says why).


class LoadStats(Struct):
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
    # Counters over tuples run in C: the Python loops below see only distinct values, so this
    # stays cheap for 100k users (the per-row work is done once per load, never per preview).
    keys = {o.key for o in company.offices}
    records = users.records
    st = LoadStats(users=len(records))
    # Code and where, for each: the preview's reason for a duplicate is the bare code (SPEC 3),
    # but step 1 says which record it repeats.
    st.invalid = [(rec.index, f"{rec.invalid}: {rec.invalid_detail}" if rec.invalid_detail else rec.invalid)
                  for rec in records if rec.invalid]
    valid = [rec for rec in records if not rec.invalid] if st.invalid else records
    st.valid = len(valid)
    # (keys, values) per distinct combination, in first-seen order (the raw value shown for a
    # key is the first one met, as in the input).
    combos: Counter[tuple[tuple[str, ...], tuple[str, ...]]] = Counter(map(_KEYS_VALUES, valid))
    for i, f in enumerate(OFFICE_FIELDS):
        per_key: Counter[str] = Counter()
        shown: dict[str, str] = {}
        for (ks, vs), n in combos.items():
            k = ks[i]
            if k:
                per_key[k] += n
                if k not in keys:
                    shown.setdefault(k, vs[i])
        unmatched = Counter({k: n for k, n in per_key.items() if k not in keys})
        st.field_values[f] = per_key.total()
        st.field_matches[f] = st.field_values[f] - unmatched.total()
        st.unmatched[f] = [(shown[k], n) for k, n in unmatched.most_common(TOP_VALUES)]
        st.unmatched_distinct[f] = len(unmatched)
    st.license_type_users = sum(1 for lt in map(_LICENSE_TYPE, valid) if lt)
    groups: Counter[str] = Counter()
    for gs, n in Counter(map(_GROUPS, valid)).items():
        for g in gs:
            groups[g] += n
    st.groups = groups.most_common(20)
    return st


_KEYS_VALUES = attrgetter("keys", "values")
_LICENSE_TYPE = attrgetter("license_type")
_GROUPS = attrgetter("groups")


class Insights(Struct):
    table: TableData
    by_rule: dict[str, Counter[str]]          # office rule -> office -> users placed
    rejects: Counter[str]                     # reason -> users
    decided_by_field: Counter[str]            # office field -> users it placed
    warnings: Counter[str]
    license_rules: Counter[str]
    # Entra ID: the users whose ignored licenseType names another license (engine.preview).
    license_type_ignored: list[IgnoredLicenseType] = field(default_factory=list)


def analyse(preview: Preview, records: Sequence[UserRecord] = ()) -> Insights:
    """The preview's counts for steps 2 to 4, from its tally (engine.preview.Tally): the loop sees
    only the distinct rows, a few hundred for 100k users, never the rows themselves."""
    tally = preview.tally if preview.tally is not None else tally_rows(preview.rows)
    by_rule: dict[str, Counter[str]] = {}
    rejects: Counter[str] = Counter()
    by_field: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    license_rules: Counter[str] = Counter()
    for (status, office, office_rule, detail, _, license_rule, _, _, _, _, _, reason, warns), n in \
            tally.items():
        for w in warns:
            warnings[w] += n
        if status in ("reject", "skip", "invalid"):
            rejects[(reason or "").split(":", 1)[0]] += n
        elif status == "create":
            if office_rule and office is not None:  # a created row has both (engine.rules)
                by_rule.setdefault(office_rule, Counter())[office] += n
                if office_rule == "field" and detail:
                    by_field[detail.split(" = ", 1)[0]] += n
            if license_rule:
                license_rules[license_rule] += n
    return Insights(TableData(preview.rows, records, tally), by_rule, rejects, by_field, warnings,
                    license_rules, preview.license_type_ignored)
