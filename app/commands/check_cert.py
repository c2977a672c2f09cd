"""`scim-assistant check-cert FILE [--fingerprint FP]`: judge an IdP certificate or metadata.

Exit codes: 0 usable (warnings included), 1 an error (a fingerprint mismatch included),
2 the file cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, TextIO

from engine.safetext import printable

if TYPE_CHECKING:  # cryptography is imported only when the command runs, not for every CLI start
    from engine.certs import CertFacts, CertReport

EXIT_OK, EXIT_ERROR, EXIT_UNREADABLE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "check-cert",
        help="check an IdP signing certificate or SAML metadata file",
        description="Check an IdP signing certificate (PEM, DER, base64) or SAML metadata "
        "before enforcing SSO: errors, warnings, validity and fingerprints.",
    )
    parser.add_argument("file", metavar="FILE", help="certificate or metadata file ('-' for stdin)")
    parser.add_argument(
        "--fingerprint",
        metavar="FP",
        help="a SHA-1 or SHA-256 fingerprint from the IdP's screen to compare (any format)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    path = str(args.file)
    data = _read(path)
    # `today` is not a command-line option; tests may set it on the namespace.
    today = getattr(args, "today", None) or date.today()
    from engine.certs import check_certificate

    report = check_certificate(data, source=path, today=today)
    lines, fingerprint_ok = _render(report, getattr(args, "fingerprint", None))
    _write(sys.stdout, "\n".join(lines) + "\n")
    return EXIT_OK if report.ok and fingerprint_ok else EXIT_ERROR


def _read(path: str) -> bytes:
    """The file's bytes; an unreadable or oversized file is an InputError (exit 2, one line)."""
    from engine.certs import MAX_INPUT_BYTES
    from engine.inputfile import read_bytes, too_big

    if path != "-":
        return read_bytes(path, what="certificate", limit=MAX_INPUT_BYTES)
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise too_big("-", "certificate", MAX_INPUT_BYTES)
    return data


def _render(report: CertReport, pasted: str | None) -> tuple[list[str], bool]:
    count = len(report.certs)
    plural = "" if count == 1 else "s"
    lines = [f"{report.source}: {report.form}, {count} certificate{plural}"]
    for index, cert in enumerate(report.certs, start=1):
        lines += ["", f"Certificate {index} of {count}", *_facts(cert)]
    if report.form == "metadata" and (report.entity_id or report.sso_urls or report.valid_until):
        lines += ["", "Metadata", f"  entity ID    {report.entity_id or '(none)'}"]
        lines += [f"  SSO URL      {url}  ({binding})" for binding, url in report.sso_urls.items()]
        if report.valid_until is not None:
            lines.append(f"  valid until  {report.valid_until:%Y-%m-%d %H:%M} UTC")
    notes = [f"error: {e}" for e in report.errors] + [f"warning: {w}" for w in report.warnings]
    fingerprint_ok = True
    if pasted is not None:
        line, fingerprint_ok = _compare(report, pasted)
        notes.append(line)
    if notes:
        lines += ["", *notes]
    errors = len(report.errors) + (0 if fingerprint_ok else 1)
    warnings = len(report.warnings)
    verdict = "not usable" if errors else "usable"
    lines += ["", f"Result: {verdict}, {_count(errors, 'error')}, {_count(warnings, 'warning')}."]
    return [printable(line) for line in lines], fingerprint_ok


def _facts(cert: CertFacts) -> list[str]:
    if cert.days_left < 0:
        left = f"expired {_count(-cert.days_left, 'day')} ago"
    else:
        left = f"{_count(cert.days_left, 'day')} left"
    rows = [
        ("subject", cert.subject),
        ("issuer", cert.issuer),
        ("serial", cert.serial),
        ("valid", f"{cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}, {left}"),
        ("key", cert.key_description),
        ("signature", cert.signature_hash or "none (the key type signs without a hash)"),
        ("CA", "yes" if cert.is_ca else "no"),
        ("SHA-1", cert.sha1),
        ("SHA-256", cert.sha256),
    ]
    return [f"  {label:<11}{value}" for label, value in rows]


def _compare(report: CertReport, pasted: str) -> tuple[str, bool]:
    from engine.certs import fingerprint_matches, parse_fingerprint

    if parse_fingerprint(pasted) is None:
        return (f"error: --fingerprint {pasted!r} is not a SHA-1 or SHA-256 fingerprint (40 or "
                "64 hex digits, separators allowed).", False)
    match = fingerprint_matches(report, pasted)
    if match is None:
        return ("error: the fingerprint matches no certificate here: this is not the "
                "certificate the IdP shows; download it again from the IdP.", False)
    return (f"fingerprint: matches the {match.algorithm} fingerprint of certificate "
            f"{match.index + 1} ({match.subject}).", True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _write(stream: TextIO, text: str) -> None:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a non-UTF-8 terminal must not turn a name into a traceback
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
