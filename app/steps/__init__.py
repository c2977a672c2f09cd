"""The wizard's seven steps, one module each, in sidebar order.

Only their ids and titles are here: a step's module (its widgets) is imported when the step is
first needed (`step_class`), so the first frame imports step 1's alone; the sidebar judges the
others with app/steps/states.py."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from app.steps.base import Step


class StepEntry(NamedTuple):
    step_id: str
    title: str
    where: str  # module:class


STEPS = (
    StepEntry("sources", "Sources", "app.steps.sources:SourcesStep"),
    StepEntry("office", "Office field", "app.steps.office:OfficeFieldStep"),
    StepEntry("mismatch", "No office match", "app.steps.mismatch:MismatchStep"),
    StepEntry("licenses", "Licenses, numbers", "app.steps.licenses:LicensesStep"),
    StepEntry("sso", "SSO & certificate", "app.steps.sso:SsoStep"),
    StepEntry("preview", "Preview", "app.steps.preview:PreviewStep"),
    StepEntry("review", "Review & push", "app.steps.review:ReviewStep"),
)


def step_class(index: int) -> type[Step]:
    module, name = STEPS[index].where.split(":")
    cls: type[Step] = getattr(importlib.import_module(module), name)
    return cls
