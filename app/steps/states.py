"""Each step's ✓/⚠/✗ for the sidebar, from the wizard's state alone (`StepHost`). Apart from the
steps' widget modules: the sidebar of the first frame judges all seven steps, and only step 1 is
imported before it (app/steps/__init__.py). A step's `state()` calls its function here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.steps.contract import StepHost
    from engine.certs import CertReport


def sources_state(w: StepHost) -> str:
    if w.sources is None or w.load_error:
        return "error"
    if w.problems.get("licenses"):  # step 1 edits licenses.provider
        return "error"
    return "warn" if w.stats and w.stats.invalid else "ok"


def office_state(w: StepHost) -> str:
    if w.problems.get("office"):
        return "error"
    if w.insights and w.insights.warnings.get("office_value_unmatched"):
        return "warn"
    return "ok"


def mismatch_state(w: StepHost) -> str:
    if w.problems.get("mismatch"):
        return "error"
    if w.insights and (w.insights.rejects.get("no_office_match") or w.insights.rejects.get("no_office_can_add")):
        return "warn"
    return "ok"


def azure_affected(w: StepHost) -> int:
    """Users whose license type Entra ID's provider ignores (only those whose license would differ)."""
    if w.settings is None or w.settings.licenses.provider != "azure" or w.insights is None:
        return 0
    return len(w.insights.license_type_ignored)


def licenses_state(w: StepHost) -> str:
    if w.problems.get("licenses") or w.problems.get("numbers"):
        return "error"
    if azure_affected(w) or (w.insights and w.insights.rejects.get("out_of_licenses")):
        return "warn"
    return "ok"


def sso_state(w: StepHost, *, draft_error: list[str] | None = None,
              report: Callable[[], CertReport | None] | None = None) -> str:
    """`draft_error` and `report`: the built step's certificate box; before it is built, the
    certificate the settings hold is judged."""
    if w.problems.get("sso") or w.settings is None:
        return "error" if w.problems.get("sso") else "ok"
    if w.settings.sso.enforce and (draft_error or guard_problems(w)):
        return "error"
    judged = report() if report is not None else stored_report(w)
    if draft_error or (judged is not None and (judged.errors or judged.warnings)):
        return "warn"
    return "ok"


def guard_problems(w: StepHost) -> list[str]:
    """The lock-out guard's sentences for the current settings (empty: push allowed)."""
    if w.settings is None or w.sources is None:
        return []
    from app.steps.sso import guard_for  # only when enforcement is on

    return guard_for(w.settings, w.sources.company, w.as_of, w.sso_passes)


_stored: list[tuple[tuple[str, object], CertReport]] = []  # the last certificate judged


def stored_report(w: StepHost) -> CertReport | None:
    """The verdict on the certificate the settings hold (None: none), kept for the next ask."""
    certificate = w.settings.sso.certificate if w.settings else ""
    if not certificate:
        return None
    key = (certificate, w.as_of)
    if not _stored or _stored[0][0] != key:
        from engine.certs import check_certificate  # cryptography: ~90 ms, only for a certificate

        _stored[:] = [(key, check_certificate(certificate.encode(), source="sso.certificate", today=w.as_of))]
    return _stored[0][1]


def preview_state(w: StepHost) -> str:
    if w.preview is None:
        return "error"
    c = w.preview.summary.counts
    return "warn" if c.get("reject") or c.get("invalid") else "ok"


def review_state(w: StepHost) -> str:
    """✓ only once these very settings are pushed; ✗ when the lock-out guard or an invalid
    change would refuse the push; ⚠ otherwise (saved or not, not pushed yet)."""
    if any(w.problems.values()):
        return "error"
    if w.settings is not None and w.settings.sso.enforce and w.sources is not None:
        from app.steps.sso import guard_for

        if guard_for(w.settings, w.sources.company, w.as_of):  # the passes are the service's to know
            return "error"
    return "ok" if w.pushed_settings is not None and w.pushed_settings == w.settings else "warn"


STATES: dict[str, Callable[[StepHost], str]] = {
    "sources": sources_state, "office": office_state, "mismatch": mismatch_state,
    "licenses": licenses_state, "sso": sso_state, "preview": preview_state, "review": review_state,
}
