"""The verdict on an IdP signing certificate: errors, warnings, the facts an admin checks
(subject, issuer, serial, validity, key), the SHA-1 and SHA-256 fingerprints, a days-left bar
per certificate, and a box to compare a fingerprint copied from the IdP's screen.

Reusable: give it a `CertReport` (engine.certs) with `show()`; it keeps no other state.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, ProgressBar, Static

if TYPE_CHECKING:
    from engine.certs import CertFacts, CertReport
from engine.sso import MIN_CERT_DAYS_LEFT
from widgets.safe_text import printable as _printable  # names in a certificate are its maker's


def _certs() -> ModuleType:
    """engine.certs, imported on first use: cryptography costs ~90 ms at start-up."""
    from engine import certs

    return certs



def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def days_left_text(cert: CertFacts) -> str:
    """'123 days left, to 2027-06-01', 'expires today', or 'expired 3 days ago'."""
    until = f"{cert.not_after:%Y-%m-%d}"
    if cert.days_left < 0:
        return f"expired {_count(-cert.days_left, 'day')} ago, on {until}"
    if cert.days_left == 0:
        return f"expires today, {until}"
    return f"{_count(cert.days_left, 'day')} left, to {until}"


def days_left_level(cert: CertFacts) -> str:
    """The bar's colour class: -danger (cannot be enforced), -soon (renew), -ok."""
    if cert.days_left < MIN_CERT_DAYS_LEFT:
        return "-danger"
    if cert.days_left <= _certs().EXPIRY_WARNING_DAYS:
        return "-soon"
    return "-ok"


def split_fingerprint(value: str, per_line: int = 16) -> str:
    """Colon hex in balanced lines of at most `per_line` bytes, each line but the last ending
    in a colon: a fingerprint cut at a byte reads better than one wrapped mid-byte."""
    parts = value.split(":")
    lines = -(-len(parts) // max(1, per_line))
    size = -(-len(parts) // lines)
    chunks = [":".join(parts[i:i + size]) for i in range(0, len(parts), size)]
    return ":\n".join(chunks)


def facts_table(cert: CertFacts, per_line: int = 20) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    rows = [
        ("Subject", _printable(cert.subject)),
        ("Issuer", _printable(cert.issuer)),
        ("Serial", cert.serial),
        ("Valid", f"{cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d} (UTC)"),
        ("Key", cert.key_description + (", CA:TRUE" if cert.is_ca else "")),
        ("Signature", cert.signature_hash or "none (the key signs without a separate hash)"),
        ("SHA-1", split_fingerprint(cert.sha1, per_line)),
        ("SHA-256", split_fingerprint(cert.sha256, min(per_line, 16))),
    ]
    for label, value in rows:
        table.add_row(label, Text(value))
    return table


class CertCard(Vertical):
    """One certificate: its facts and a bar of the days it has left."""

    def __init__(self, cert: CertFacts, title: str, per_line: int = 20) -> None:
        super().__init__(classes="cert-card")
        self.cert = cert
        self.title = title
        self.per_line = per_line

    def compose(self) -> ComposeResult:
        cert = self.cert
        mark = "✗" if cert.errors else "⚠" if cert.warnings else "✓"
        yield Label(f"{mark} {_printable(self.title)}", classes=f"cert-title {days_left_level(cert)}",
                    markup=False)
        yield Static(facts_table(cert, self.per_line), classes="cert-facts")
        lifetime = max(1, (cert.not_after.date() - cert.not_before.date()).days)
        with Horizontal(classes="cert-days"):
            yield Label("Days left", classes="cert-days-label")
            bar = ProgressBar(total=lifetime, show_percentage=False, show_eta=False,
                              classes=f"cert-days-bar {days_left_level(cert)}")
            bar.progress = min(max(cert.days_left, 0), lifetime)
            yield bar
            yield Label(days_left_text(cert), classes=f"cert-days-text {days_left_level(cert)}")


class CertPanel(Vertical):
    """The verdict panel. `show(report)` replaces what it shows; `show(None)` empties it."""

    SCOPED_CSS = False  # one rule follows the app's -narrow breakpoint class; all name CertPanel

    DEFAULT_CSS = """
    CertPanel {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    CertPanel .cert-verdict {
        text-style: bold;
        height: auto;
    }
    CertPanel .cert-verdict.-error, CertPanel .cert-errors, CertPanel .-danger,
    CertPanel .cert-match.-mismatch {
        color: $error;
    }
    CertPanel .cert-verdict.-warn, CertPanel .cert-warnings, CertPanel .-soon {
        color: $warning;
    }
    CertPanel .cert-verdict.-ok, CertPanel .-ok, CertPanel .cert-match.-match {
        color: $success;
    }
    CertPanel .cert-errors, CertPanel .cert-warnings, CertPanel .cert-match {
        height: auto;
    }
    CertPanel .cert-cards, CertPanel .cert-card {
        height: auto;
    }
    CertPanel .cert-title {
        margin-top: 1;
        text-style: bold;
    }
    CertPanel .cert-facts {
        height: auto;
        color: $text;
    }
    CertPanel .cert-days, CertPanel .cert-compare {
        height: 1;
    }
    CertPanel .cert-days-label, CertPanel .cert-compare-label {
        width: auto;
        text-style: bold;
        margin-right: 2;
    }
    CertPanel .cert-days-bar {
        width: auto;
        margin-right: 2;
    }
    CertPanel .cert-days-bar Bar {
        width: 24;
    }
    .-narrow CertPanel .cert-days-bar Bar {
        width: 10;
    }
    CertPanel .cert-days-bar.-ok Bar > .bar--bar, CertPanel .cert-days-bar.-ok Bar > .bar--complete {
        color: $success;
    }
    CertPanel .cert-days-bar.-soon Bar > .bar--bar, CertPanel .cert-days-bar.-soon Bar > .bar--complete {
        color: $warning;
    }
    CertPanel .cert-days-bar.-danger Bar > .bar--bar,
    CertPanel .cert-days-bar.-danger Bar > .bar--complete {
        color: $error;
    }
    CertPanel .cert-days-text {
        width: auto;
    }
    CertPanel .cert-compare {
        margin-top: 1;
    }
    CertPanel .cert-fingerprint {
        width: 1fr;
    }
    """

    def __init__(self, *, empty_text: str = "No certificate yet.", id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.report: CertReport | None = None
        self.empty_text = empty_text
        self._per_line = 0

    def compose(self) -> ComposeResult:
        yield Static(self.empty_text, classes="cert-verdict", markup=False)
        yield Static("", classes="cert-errors", markup=False)
        yield Static("", classes="cert-warnings", markup=False)
        yield Vertical(classes="cert-cards")
        with Horizontal(classes="cert-compare"):
            yield Label("Compare", classes="cert-compare-label")
            yield Input(placeholder="paste the fingerprint the IdP shows (SHA-1 or SHA-256, any format)",
                        classes="cert-fingerprint", compact=True,
                        tooltip="Colons, spaces, dashes, any case; 'SHA256 Fingerprint=' prefixes too")
        yield Static("", classes="cert-match", markup=False)

    def on_mount(self) -> None:
        self._render_report()

    def on_resize(self) -> None:
        if self.report is not None and self.report.certs and self._fingerprint_bytes() != self._per_line:
            self._render_report()

    def _fingerprint_bytes(self) -> int:
        """How many bytes of colon hex fit on a line beside the labels."""
        width = self.content_region.width or max(40, self.app.size.width - 30)
        return max(4, min(32, (width - 13) // 3))

    # -- what it shows ---------------------------------------------------------------------------
    def show(self, report: CertReport | None) -> None:
        if report is self.report:
            return
        self.report = report
        if self.is_mounted:
            self._render_report()

    def _render_report(self) -> None:
        report = self.report
        verdict = self.query_one(".cert-verdict", Static)
        errors = self.query_one(".cert-errors", Static)
        warnings = self.query_one(".cert-warnings", Static)
        verdict.remove_class("-error", "-warn", "-ok")
        cards = self.query_one(".cert-cards", Vertical)
        cards.remove_children()
        compare = self.query_one(".cert-compare")
        if report is None:
            verdict.update(self.empty_text)
            errors.display = warnings.display = compare.display = False
            self._compare()
            return
        count = len(report.certs)
        read_as = f"read as {report.form}, {_count(count, 'certificate')}"
        if report.errors:
            verdict.update(f"✗ Not usable: {_count(len(report.errors), 'error')}, "
                           f"{_count(len(report.warnings), 'warning')} ({read_as})")
            verdict.add_class("-error")
        elif report.warnings:
            verdict.update(f"⚠ Usable, with {_count(len(report.warnings), 'warning')} ({read_as})")
            verdict.add_class("-warn")
        else:
            verdict.update(f"✓ Usable ({read_as})")
            verdict.add_class("-ok")
        errors.update("\n".join(f"✗ {_printable(e)}" for e in report.errors))
        warnings.update("\n".join(f"⚠ {_printable(w)}" for w in report.warnings))
        errors.display, warnings.display = bool(report.errors), bool(report.warnings)
        compare.display = bool(report.certs)
        self._per_line = self._fingerprint_bytes()
        if report.certs:
            cards.mount_all(
                CertCard(cert, "Certificate" if count == 1 else f"Certificate {i} of {count}", self._per_line)
                for i, cert in enumerate(report.certs, start=1)
            )
        self._compare()

    # -- the fingerprint comparison ----------------------------------------------------------------
    @on(Input.Changed, ".cert-fingerprint")
    def _fingerprint_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._compare()

    @on(Input.Submitted, ".cert-fingerprint")
    def _fingerprint_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def compare_text(self, pasted: str) -> tuple[str, str]:
        """(sentence, class) for a pasted fingerprint against the shown certificates."""
        report = self.report
        if not pasted.strip() or report is None or not report.certs:
            return "", ""
        if _certs().parse_fingerprint(pasted) is None:
            return ("✗ Not a SHA-1 or SHA-256 fingerprint: expected 40 or 64 hex digits "
                    "(colons, spaces or dashes allowed).", "-mismatch")
        match = _certs().fingerprint_matches(report, pasted)
        if match is None:
            return ("✗ Mismatch: no certificate here has this fingerprint. This is not the certificate "
                    "the IdP shows: download it again from the IdP.", "-mismatch")
        which = "the certificate" if len(report.certs) == 1 else f"certificate {match.index + 1}"
        return (f"✓ Match: the {match.algorithm} fingerprint of {which} "
                f"({_printable(match.subject)}).", "-match")

    def _compare(self) -> None:
        pasted = self.query_one(".cert-fingerprint", Input).value
        text, level = self.compare_text(pasted)
        box = self.query_one(".cert-match", Static)
        box.remove_class("-match", "-mismatch")
        if level:
            box.add_class(level)
        box.update(text)
        box.display = bool(text)
