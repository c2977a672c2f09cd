"""The wizard's seven steps, one module each, in sidebar order."""

from __future__ import annotations

from app.steps.licenses import LicensesStep
from app.steps.mismatch import MismatchStep
from app.steps.office import OfficeFieldStep
from app.steps.preview import PreviewStep
from app.steps.review import ReviewStep
from app.steps.sources import SourcesStep
from app.steps.sso import SsoStep

STEP_CLASSES = (SourcesStep, OfficeFieldStep, MismatchStep, LicensesStep, SsoStep, PreviewStep,
                ReviewStep)
