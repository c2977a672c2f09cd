"""The lock-out guard: settings with `sso.enforce = true` are not pushed until SSO can work.

Written against primitives (strings, lists, dates) so that it does not depend on the settings
and user models; callers pass the fields. SPEC section 6.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

from msgspec import Struct

# Blocked for everyone but `break_glass` once enforcement is on.
BLOCKED_SIGN_IN_METHODS = ("Google OAuth", "Microsoft OAuth", "email/password")
MIN_CERT_DAYS_LEFT = 14
PASS_VALID_FOR = timedelta(hours=24)  # how long a passed test sign-in allows enforcement
TEST_SIGN_IN_PROBLEM = (
    "Enforcement needs a test sign-in that passed within the last 24 hours with this entity ID, SSO "
    "URL and certificate: run a test sign-in (scim-assistant sso-test, or Test sign-in in step 5).")


def guard_problems(
    *,
    enforce: bool,
    idp_entity_id: str,
    idp_sso_url: str,
    certificate: str,
    break_glass: list[str],
    company_domains: list[str],
    today: date,
    sign_in_tested: bool | None = None,
) -> list[str]:
    """Why these SSO settings may not be pushed: one sentence per failed condition.

    Empty means the push is allowed; always empty when `enforce` is false, since nobody is
    locked out then. `sign_in_tested`: whether a test sign-in with these very settings passed
    within 24 hours (issue 13); None where it cannot be known, and the service decides.
    """
    if not enforce:
        return []
    problems: list[str] = []
    if not idp_entity_id.strip():
        problems.append("Set the IdP entity ID (sso.idp_entity_id): copy it from the IdP's SAML "
                        "app, or load its metadata.")
    problems.extend(_sso_url_problems(idp_sso_url))
    problems.extend(_certificate_problems(certificate, today))
    problems.extend(_break_glass_problems(break_glass, company_domains))
    if sign_in_tested is False:
        problems.append(TEST_SIGN_IN_PROBLEM)
    return problems


def certificate_fingerprints(certificate: str) -> list[str]:
    """SHA-256 fingerprints (colon hex) of the certificates a settings value holds: a passed
    test sign-in counts for these settings when it was verified by one of them."""
    if not certificate.strip():
        return []
    from engine.certs import read_certificate_input
    from engine.saml import fingerprint_sha256

    read = read_certificate_input(certificate.encode("utf-8", "replace"), source="sso.certificate")
    from cryptography.hazmat.primitives.serialization import Encoding

    return [fingerprint_sha256(c.public_bytes(Encoding.DER)) for c in read.certs]


def _sso_url_problems(url: str) -> list[str]:
    url = url.strip()
    if not url:
        return ["Set the IdP SSO URL (sso.idp_sso_url): copy it from the IdP's SAML app, or "
                "load its metadata."]
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() != "https" or not parts.hostname:
        return [f"Make the IdP SSO URL an https address (now {url!r}): sign-in must not travel "
                "in clear text."]
    return []


def _certificate_problems(certificate: str, today: date) -> list[str]:
    if not certificate.strip():
        return ["Paste the IdP's signing certificate (sso.certificate), or load its metadata."]
    from engine.certs import check_certificate  # cryptography loads only when needed

    report = check_certificate(
        certificate.encode("utf-8", "replace"), source="sso.certificate", today=today
    )
    if not report.ok:
        return [f"Fix the certificate: {error}" for error in report.errors]
    # Every kept certificate must last: we cannot tell which one the IdP signs with.
    return [
        f"Replace the certificate ({cert.subject}): it expires on {cert.not_after.date()}, "
        f"{_when(cert.days_left)}, and enforcement needs at least {MIN_CERT_DAYS_LEFT} more "
        "days; get the IdP's next certificate first."
        for cert in report.usable_certs
        if cert.days_left < MIN_CERT_DAYS_LEFT
    ]


def _when(days: int) -> str:
    return "today" if days == 0 else f"in {days} day" if days == 1 else f"in {days} days"


def _domain_of(address: str) -> str | None:
    local, at, domain = address.strip().rpartition("@")
    domain = domain.strip().rstrip(".").casefold()
    return domain if at and local and domain else None


def _normalise_domains(domains: Iterable[str]) -> set[str]:
    return {d.strip().rstrip(".").casefold() for d in domains if d.strip()}


def _break_glass_problems(break_glass: list[str], company_domains: list[str]) -> list[str]:
    domains = _normalise_domains(company_domains)
    if not domains:
        return ["Set the company's domains (company.domains): a break-glass admin must have an "
                "address in one of them."]
    if any(_domain_of(address) in domains for address in break_glass):
        return []
    listed = ", ".join(sorted(domains))
    if not [a for a in break_glass if a.strip()]:
        return [f"Name at least one break-glass admin (sso.break_glass) with an address in a "
                f"company domain ({listed}), so someone can still sign in if SSO fails."]
    return [f"None of the break-glass addresses ({', '.join(break_glass)}) is in a company "
            f"domain ({listed}): add an admin address in one of them."]


class PassedSignIns:
    """The test sign-ins known to have passed (this session's, or the service's answer), keyed by
    entity ID, SSO URL and certificate SHA-256: the wizard's side of the guard's last condition."""

    def __init__(self) -> None:
        self._passes: dict[tuple[str, str, str], datetime] = {}

    def record(self, idp_entity_id: str, idp_sso_url: str, fingerprint_sha256: str,
               when: datetime | None = None) -> None:
        key = (idp_entity_id.strip(), idp_sso_url.strip(), fingerprint_sha256.upper())
        self._passes[key] = when or datetime.now(UTC)

    def tested(self, idp_entity_id: str, idp_sso_url: str, certificate: str,
               now: datetime | None = None) -> bool:
        since = (now or datetime.now(UTC)) - PASS_VALID_FOR
        return any(self._passes.get((idp_entity_id.strip(), idp_sso_url.strip(), fp), since) > since
                   for fp in certificate_fingerprints(certificate))


class SampleUser(Protocol):
    """What the guard reads of a user (read-only, so a NamedTuple record fits)."""

    @property
    def user_name(self) -> str: ...
    @property
    def domain(self) -> str | None: ...
    @property
    def active(self) -> bool: ...


class LockedOutUser(Struct, frozen=True, gc=False):
    # A Struct for a cheap start-up (engine.settings says why); gc=False: text only, no cycle.
    user_name: str
    reason: str  # "inactive", "other_domain" or "no_domain"
    detail: str  # a sentence for the admin


def _field(user: SampleUser | Mapping[str, object], name: str) -> object:
    if isinstance(user, Mapping):
        return user.get(name)
    return getattr(user, name, None)


def locked_out_users(
    users: Iterable[SampleUser | Mapping[str, object]],
    company_domains: Iterable[str],
    break_glass: Iterable[str],
) -> list[LockedOutUser]:
    """The sample users who would lose their way in once SSO is enforced, in input order.

    Inactive users are listed even when they are break-glass admins: SCIM deactivates them, so
    their break-glass way in goes too. Users outside the company domains cannot sign in through
    the IdP, and only break-glass admins keep another way in.
    """
    domains = _normalise_domains(company_domains)
    rescued = {a.strip().casefold() for a in break_glass if a.strip()}
    locked: list[LockedOutUser] = []
    for user in users:
        name = str(_field(user, "user_name") or "")
        is_break_glass = name.strip().casefold() in rescued
        if _field(user, "active") is False:
            note = " It is a break-glass admin, so that way in goes too." if is_break_glass else ""
            locked.append(LockedOutUser(
                name, "inactive", f"{name} is inactive, so the IdP will not sign them in.{note}"))
            continue
        if is_break_glass:
            continue
        raw = _field(user, "domain")
        domain = (str(raw).strip().rstrip(".").casefold() if raw else None) or _domain_of(name)
        if domain is None:
            locked.append(LockedOutUser(
                name, "no_domain",
                f"{name} has no email domain, so SSO cannot match them to an IdP account."))
        elif domain not in domains:
            locked.append(LockedOutUser(
                name, "other_domain",
                f"{name} is in {domain}, not a company domain, so the IdP will not sign them in "
                f"and {', '.join(BLOCKED_SIGN_IN_METHODS)} sign-in is blocked."))
    return locked
