"""Read an IdP signing certificate in whatever form the admin has it, and judge it.

Forms: PEM (one or several blocks, any text around them, CRLF, indentation, even pasted on
one line), DER, base64 without armour (what the provider stores in `sso.certificate`), and IdP
SAML metadata XML. Certificates are parsed with `cryptography`; metadata with `defusedxml`,
DTDs and entities forbidden and a size cap, because metadata often comes from a download.

Reading never raises on bad input: every problem becomes a sentence in `errors`.
Verdicts take `today` so that they are deterministic (SPEC section 6).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.utils import CryptographyDeprecationWarning
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

MAX_INPUT_BYTES = 1024 * 1024
MIN_RSA_BITS = 2048
EXPIRY_WARNING_DAYS = 60

BINDING_REDIRECT = "HTTP-Redirect"
BINDING_POST = "HTTP-POST"
_BINDINGS = {
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect": BINDING_REDIRECT,
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST": BINDING_POST,
}

_ACCEPTED_FORMS = "PEM, DER, base64 or IdP SAML metadata XML"


@dataclass
class CertInput:
    """What was read, before any judgement."""

    source: str
    form: str  # "PEM", "DER", "base64", "metadata" or "unknown"
    certs: list[x509.Certificate] = field(default_factory=list)
    entity_id: str | None = None
    sso_urls: dict[str, str] = field(default_factory=dict)  # binding -> URL
    valid_until: datetime | None = None  # metadata validUntil, UTC
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class CertFacts:
    """One certificate as the admin sees it, with its own verdicts (no prefix)."""

    subject: str
    issuer: str
    serial: str  # colon hex
    not_before: datetime  # UTC
    not_after: datetime  # UTC
    days_left: int  # from `today` to the expiry date; negative once expired
    key_type: str  # "RSA", "EC", "Ed25519", "Ed448", "DSA" or "unknown"
    key_size: int | None
    curve: str | None
    signature_hash: str | None  # "SHA-256", "SHA-1", ...; None for Ed25519/Ed448
    is_ca: bool
    sha1: str  # colon hex, uppercase
    sha256: str
    der: bytes = field(repr=False)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def key_description(self) -> str:
        if self.key_type == "EC" and self.curve:
            return f"EC {self.curve} ({self.key_size} bits)"
        if self.key_size:
            return f"{self.key_type} {self.key_size} bits"
        return self.key_type

    @property
    def usable(self) -> bool:
        return not self.errors


@dataclass
class CertReport:
    """The verdict on a certificate input: what to show, what blocks, what to watch."""

    source: str
    form: str
    certs: list[CertFacts]
    entity_id: str | None
    sso_urls: dict[str, str]
    valid_until: datetime | None
    errors: list[str]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def usable_certs(self) -> list[CertFacts]:
        """The certificates kept: in a rollover, the ones without an error."""
        return [c for c in self.certs if c.usable]


@dataclass(frozen=True)
class FingerprintMatch:
    algorithm: str  # "SHA-1" or "SHA-256"
    index: int  # position in CertReport.certs
    subject: str


# --------------------------------------------------------------------------- reading


def read_certificate_input(data: bytes, *, source: str) -> CertInput:
    """Read certificates (and metadata facts) from bytes in any supported form."""
    try:
        with _quiet_cryptography():
            return _read(data, source)
    except Exception as exc:  # the contract is "never raise on input"
        return CertInput(source, "unknown", errors=[f"{source} could not be read: {exc}."])


@contextmanager
def _quiet_cryptography() -> Iterator[None]:
    # cryptography warns on stderr about RFC 5280 breaches it still accepts; the report says
    # what matters instead, and stray stderr output would garble the TUI.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


def _read(data: bytes, source: str) -> CertInput:
    if len(data) > MAX_INPUT_BYTES:
        return CertInput(
            source,
            "unknown",
            errors=[
                # No byte count: callers may read only one byte past the cap.
                f"{source} is over 1 MiB; a certificate or metadata file is far smaller, so it "
                "is refused. Check you picked the right file."
            ],
        )
    if not data.strip():
        return CertInput(source, "unknown", errors=[f"{source} is empty: give the IdP's "
                                                    f"signing certificate ({_ACCEPTED_FORMS})."])
    # DER first: a binary certificate may not decode as text.
    if data[:1] == b"\x30":
        der = _read_der(data, source, form="DER")
        if der.certs or _decode_text(data) is None:
            return der
    text = _decode_text(data)
    if text is None:
        if data.lstrip().startswith(b"<"):  # XML in a declared legacy encoding
            return _read_metadata(data, data.decode("latin-1"), source)
        return CertInput(source, "unknown", errors=[_not_a_certificate(source)])
    stripped = text.strip()
    if stripped.startswith("<"):
        return _read_metadata(data, text, source)
    if "-----BEGIN" in text:
        return _read_pem(text, source)
    return _read_bare_base64(stripped, source)


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _decode_text(data: bytes) -> str | None:
    # PowerShell redirection writes UTF-16 with a BOM; honour it.
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).lstrip("\ufeff")
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _not_a_certificate(source: str) -> str:
    return (f"{source} is not a certificate: expected {_ACCEPTED_FORMS}. Export the IdP's "
            "signing certificate (often a .cer, .crt or .pem file) or its metadata.")


def _read_der(data: bytes, source: str, *, form: str) -> CertInput:
    try:
        return CertInput(source, form, certs=[x509.load_der_x509_certificate(data)])
    except (ValueError, x509.InvalidVersion):
        pass
    try:
        certs = pkcs7.load_der_pkcs7_certificates(data)
        if certs:  # a .p7b bundle, as Windows exports them
            return CertInput(source, form, certs=list(certs))
    except Exception:  # malformed PKCS#7 raises more than ValueError
        pass
    return CertInput(source, form, errors=[_what_else(data, source)])


def _what_else(der: bytes, source: str) -> str:
    """Name what a DER blob is when it is not a certificate, so the admin knows what to fix."""
    try:
        serialization.load_der_private_key(der, password=None)
        return _private_key_error(source)
    except TypeError:  # encrypted: still a private key
        return _private_key_error(source)
    except Exception:  # unsupported algorithms raise other types
        pass
    try:
        serialization.load_der_public_key(der)
        return _public_key_error(source)
    except Exception:
        pass
    return _not_a_certificate(source)


def _private_key_error(source: str) -> str:
    return (f"{source} is a private key, not a certificate. Never share it: give the IdP's "
            "signing certificate instead.")


def _public_key_error(source: str) -> str:
    return (f"{source} is a bare public key, not a certificate: export the IdP's signing "
            "certificate (X.509) instead.")


def _read_bare_base64(text: str, source: str) -> CertInput:
    der = _b64decode(text.strip("\"'"))
    if der is None:
        return CertInput(source, "unknown", errors=[_not_a_certificate(source)])
    if der.lstrip().startswith(b"-----BEGIN"):  # base64 of a PEM file, as in Kubernetes secrets
        inner = _decode_text(der)
        if inner is not None:
            return _read_pem(inner, source)
    return _read_der(der, source, form="base64")


def _b64decode(text: str) -> bytes | None:
    compact = "".join(text.split())
    if not compact:
        return None
    compact += "=" * (-len(compact) % 4)  # copy-paste often loses the padding
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None


# --------------------------------------------------------------------------- PEM


def _pem_blocks(text: str) -> list[tuple[str, str | None]]:
    """(label, base64 body) for each armoured block; body None when the END line is missing.

    A scan for the markers rather than line-by-line parsing, so that indentation, CRLF, text
    around the blocks and a PEM pasted on one line all read the same.
    """
    if "\\n" in text:  # PEM copied out of JSON keeps its escaped newlines
        text = text.replace("\\r", "").replace("\\n", "\n")
    blocks: list[tuple[str, str | None]] = []
    pos = 0
    while (begin := text.find("-----BEGIN ", pos)) != -1:
        label_end = text.find("-----", begin + 11)
        if label_end == -1:
            break
        label = " ".join(text[begin + 11 : label_end].split())
        end = text.find("-----END ", label_end + 5)
        if end == -1:
            blocks.append((label, None))
            break
        blocks.append((label, text[label_end + 5 : end]))
        close = text.find("-----", end + 9)
        pos = len(text) if close == -1 else close + 5
    return blocks


def _read_pem(text: str, source: str) -> CertInput:
    result = CertInput(source, "PEM")
    others: list[str] = []
    for number, (label, body) in enumerate(_pem_blocks(text), start=1):
        name = f"PEM block {number} ({label})"
        if body is None:
            result.errors.append(f"{source}: {name} is cut off (no END line): copy the whole "
                                 "block, from BEGIN to END.")
            continue
        if "PRIVATE KEY" in label:
            others.append("private")
            continue
        if "PUBLIC KEY" in label:
            others.append("public")
            continue
        if label not in ("CERTIFICATE", "X509 CERTIFICATE", "PKCS7"):
            others.append(label)
            continue
        der = _b64decode(body)
        if der is None:
            result.errors.append(f"{source}: {name} is damaged (not base64): copy it again.")
            continue
        read = _read_der(der, source, form="PEM")
        if read.certs:
            result.certs.extend(read.certs)
        else:
            result.errors.append(f"{source}: {name} is damaged and cannot be read as a "
                                 "certificate: copy it again.")
    if result.certs:
        if "private" in others:
            result.warnings.append(f"{source} also holds a private key, which was ignored. "
                                   "Keep it secret: only the certificate is needed.")
        return result
    if result.errors:
        return result
    if "private" in others:
        result.errors.append(_private_key_error(source))
    elif "public" in others:
        result.errors.append(_public_key_error(source))
    elif others:
        result.errors.append(f"{source} holds a {others[0]}, not a certificate: export the "
                             "IdP's signing certificate instead.")
    else:
        result.errors.append(_not_a_certificate(source))
    return result


# --------------------------------------------------------------------------- metadata


def _local(tag: object) -> str:
    # Namespace-agnostic: hand-edited metadata sometimes drops or renames prefixes.
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _read_metadata(data: bytes, text: str, source: str) -> CertInput:
    result = CertInput(source, "metadata")
    try:
        # The decoded text when a UTF-16 BOM was there; otherwise the bytes, so that the XML
        # declaration's encoding is honoured.
        xml: bytes | str = text if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data
        root = SafeET.fromstring(
            xml, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DTDForbidden as exc:
        what = "a DTD"
        if exc.sysid:
            what += f" loaded from {exc.sysid}"
        if "<!ENTITY" in text:
            what += " with entity declarations (the shape of XXE and billion-laughs attacks)"
        result.errors.append(f"{source} is refused: it declares {what}. SAML metadata never "
                             "needs one; download the metadata again from the IdP.")
        return result
    except (EntitiesForbidden, ExternalReferenceForbidden) as exc:
        result.errors.append(f"{source} is refused: it uses XML entities ({exc}). Download the "
                             "metadata again from the IdP.")
        return result
    except ParseError as exc:
        result.errors.append(f"{source} is not well-formed XML ({exc}): download the metadata "
                             "again from the IdP.")
        return result
    except LookupError as exc:  # an XML declaration naming an encoding that does not exist
        result.errors.append(f"{source} declares an unknown text encoding ({exc}): download "
                             "the metadata again from the IdP.")
        return result

    if _local(root.tag) not in ("EntityDescriptor", "EntitiesDescriptor"):
        result.errors.append(f"{source} is XML but not SAML metadata (its root element is "
                             f"<{_local(root.tag)}>): download the IdP's metadata.")
        return result
    entities = [root] if _local(root.tag) == "EntityDescriptor" else [
        e for e in root.iter() if _local(e.tag) == "EntityDescriptor"
    ]
    idps = [(e, d) for e in entities for d in _children(e, "IDPSSODescriptor")]
    if not idps:
        sp_only = any(_children(e, "SPSSODescriptor") for e in entities)
        hint = (" It is a service provider's metadata; download the IdP's instead."
                if sp_only else " Download the metadata of the IdP's SAML app.")
        result.errors.append(f"{source} has no IdP SSO descriptor (IDPSSODescriptor).{hint}")
        return result
    entity, idp = idps[0]
    if len(idps) > 1:
        result.warnings.append(f"{source} describes {len(idps)} identity providers; the first "
                               f"({entity.get('entityID') or 'without entityID'}) is used.")

    result.entity_id = (entity.get("entityID") or "").strip() or None
    if result.entity_id is None:
        result.warnings.append(f"{source} names no entityID: type the IdP entity ID by hand.")

    for service in _children(idp, "SingleSignOnService"):
        binding = _BINDINGS.get((service.get("Binding") or "").strip())
        location = (service.get("Location") or "").strip()
        if binding and location and binding not in result.sso_urls:
            result.sso_urls[binding] = location
    if not result.sso_urls:
        result.warnings.append(f"{source} has no SSO URL for the HTTP-Redirect or HTTP-POST "
                               "binding: type the SSO URL by hand.")
    for binding, url in result.sso_urls.items():
        if not url.lower().startswith("https://"):
            result.errors.append(f"The {binding} SSO URL in {source} is not https ({url}): "
                                 "the IdP must be reached over https; fix it in the IdP.")

    result.valid_until = _earliest_valid_until((root, entity, idp), source, result.warnings)
    _read_signing_certs(idp, source, result)
    return result


def _earliest_valid_until(
    elements: Sequence[Element], source: str, warnings: list[str]
) -> datetime | None:
    found: list[datetime] = []
    for element in dict.fromkeys(elements):  # the root may be the entity itself
        raw = element.get("validUntil")
        if raw is None:
            continue
        try:
            moment = datetime.fromisoformat(raw.strip())
        except ValueError:
            warnings.append(f"{source} has a validUntil that is not a date ({raw!r}).")
            continue
        found.append(moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC))
    return min(found) if found else None


def _read_signing_certs(idp: Element, source: str, result: CertInput) -> None:
    seen: set[bytes] = set()
    for key in _children(idp, "KeyDescriptor"):
        # A KeyDescriptor without `use` serves both signing and encryption.
        if (key.get("use") or "signing").strip() != "signing":
            continue
        for element in key.iter():
            if _local(element.tag) != "X509Certificate":
                continue
            der = _b64decode(element.text or "")
            cert = None
            if der is not None:
                try:
                    cert = x509.load_der_x509_certificate(der)
                except (ValueError, x509.InvalidVersion):
                    cert = None
            if cert is None:
                result.errors.append(f"A signing certificate in {source} is damaged and cannot "
                                     "be read: download the metadata again.")
            elif der is not None and der not in seen:  # a readable certificate had DER bytes
                seen.add(der)
                result.certs.append(cert)
    if not result.certs and not result.errors:
        result.errors.append(f"{source} has no signing certificate (a KeyDescriptor with "
                             "use=\"signing\" or without use): check the IdP's SAML app.")


# --------------------------------------------------------------------------- verdicts


def colon_hex(raw: bytes) -> str:
    return ":".join(f"{b:02X}" for b in raw)


def _days(n: int) -> str:
    return f"{n} day" if abs(n) == 1 else f"{n} days"


def _as_date(today: date) -> date:
    return today.date() if isinstance(today, datetime) else today


def cert_facts(cert: x509.Certificate, today: date) -> CertFacts:
    """Facts and per-certificate verdicts. Messages start with a verb, to follow a name."""
    today = _as_date(today)
    der = cert.public_bytes(serialization.Encoding.DER)
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    days_left = (not_after.date() - today).days
    key_type, key_size, curve = _key(cert)
    signature_hash = _signature_hash(cert)
    facts = CertFacts(
        subject=_name(cert, "subject"),
        issuer=_name(cert, "issuer"),
        serial=_serial(cert),
        not_before=not_before,
        not_after=not_after,
        days_left=days_left,
        key_type=key_type,
        key_size=key_size,
        curve=curve,
        signature_hash=signature_hash,
        is_ca=_is_ca(cert),
        sha1=colon_hex(hashlib.sha1(der).digest()),
        sha256=colon_hex(hashlib.sha256(der).digest()),
        der=der,
    )
    errors, warnings = facts.errors, facts.warnings
    if days_left < 0:
        errors.append(f"expired on {not_after.date()} ({_days(-days_left)} ago): download the "
                      "IdP's current certificate.")
    elif not_before.date() > today:
        wait = (not_before.date() - today).days
        errors.append(f"is not valid until {not_before.date()} (in {_days(wait)}): use the "
                      "certificate the IdP signs with today.")
    elif days_left <= EXPIRY_WARNING_DAYS:
        when = "today" if days_left == 0 else f"in {_days(days_left)}"
        warnings.append(f"expires {when}, on {not_after.date()}: get the IdP's next "
                        "certificate before then.")
    if key_type == "RSA" and key_size is not None and key_size < MIN_RSA_BITS:
        errors.append(f"has an RSA key of {key_size} bits, under the {MIN_RSA_BITS} required: "
                      "create a new signing certificate in the IdP.")
    elif key_type == "DSA":
        errors.append("has a DSA key, which SAML providers refuse: create an RSA signing "
                      "certificate in the IdP.")
    elif key_type in ("EC", "Ed25519", "Ed448"):
        warnings.append(f"has an {facts.key_description} key: some providers accept only RSA.")
    elif key_type == "unknown":
        errors.append("has a public key of a type that cannot be read: create an RSA signing "
                      "certificate in the IdP.")
    if signature_hash in ("SHA-1", "MD5"):
        warnings.append(f"is signed with {signature_hash}, which is deprecated: some providers "
                        "refuse it; ask the IdP for a SHA-256 certificate.")
    if cert.serial_number <= 0:
        warnings.append("has a serial number that is not positive, which RFC 5280 forbids: "
                        "newer tools will refuse it.")
    if facts.is_ca:
        warnings.append("is a CA certificate (CA:TRUE): an IdP signs with its own certificate, "
                        "so check this is not the issuer's.")
    return facts


def _name(cert: x509.Certificate, which: str) -> str:
    try:
        name = cert.subject if which == "subject" else cert.issuer
        return name.rfc4514_string() or "(empty)"
    except Exception:  # malformed names must not stop the report
        return "(unreadable)"


def _serial(cert: x509.Certificate) -> str:
    serial = cert.serial_number
    if serial < 0:  # forbidden by RFC 5280, yet seen in the wild
        return str(serial)
    return colon_hex(serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big"))


def _key(cert: x509.Certificate) -> tuple[str, int | None, str | None]:
    try:
        key = cert.public_key()
    except Exception:  # unsupported or malformed keys
        return "unknown", None, None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    return "unknown", None, None


def _signature_hash(cert: x509.Certificate) -> str | None:
    try:
        algorithm = cert.signature_hash_algorithm
    except Exception:  # unknown signature algorithms raise
        return "unknown"
    if algorithm is None:
        return None
    names = {hashes.SHA1: "SHA-1", hashes.MD5: "MD5", hashes.SHA224: "SHA-224",
             hashes.SHA256: "SHA-256", hashes.SHA384: "SHA-384", hashes.SHA512: "SHA-512"}
    return names.get(type(algorithm), algorithm.name.upper())


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except Exception:  # absent or malformed extension: not a CA for our purpose
        return False


def assess(cert_input: CertInput, today: date) -> CertReport:
    """Judge what was read. In a rollover the certificates with an error are left out (a
    warning) as long as one certificate is usable; otherwise their errors block."""
    today = _as_date(today)
    facts: list[CertFacts] = []
    errors = list(cert_input.errors)
    warnings = list(cert_input.warnings)
    for cert in cert_input.certs:
        try:
            with _quiet_cryptography():
                facts.append(cert_facts(cert, today))
        except Exception as exc:  # never raise on input
            errors.append(f"A certificate in {cert_input.source} cannot be read ({exc}).")
    count = len(facts)
    any_usable = any(f.usable for f in facts)
    for index, fact in enumerate(facts, start=1):
        name = _cert_name(fact, index, count)
        if fact.errors and any_usable:
            warnings.extend(f"{name} is left out because it {e}" for e in fact.errors)
        else:
            errors.extend(f"{name} {e}" for e in fact.errors)
        warnings.extend(f"{name} {w}" for w in fact.warnings)
    if count > 1:
        what = ("signing certificates: the IdP is rolling over to a new key"
                if cert_input.form == "metadata"
                else "certificates: an IdP rolling over to a new key, or a chain")
        warnings.append(f"{cert_input.source} holds {count} {what}. Compare the fingerprints "
                        "with the IdP's screen to know which one signs today.")
    if not facts and not errors:
        errors.append(_not_a_certificate(cert_input.source))
    if cert_input.valid_until is not None and cert_input.valid_until.date() < today:
        warnings.append(f"The metadata's validUntil ({cert_input.valid_until.date()}) has "
                        "passed: download fresh metadata from the IdP.")
    return CertReport(
        source=cert_input.source,
        form=cert_input.form,
        certs=facts,
        entity_id=cert_input.entity_id,
        sso_urls=dict(cert_input.sso_urls),
        valid_until=cert_input.valid_until,
        errors=errors,
        warnings=warnings,
    )


def _cert_name(fact: CertFacts, index: int, count: int) -> str:
    if count == 1:
        return f"The certificate ({fact.subject})"
    return f"Certificate {index} of {count} ({fact.subject})"


def check_certificate(data: bytes, *, source: str, today: date) -> CertReport:
    """Read and judge in one call."""
    return assess(read_certificate_input(data, source=source), today)


# --------------------------------------------------------------------------- helpers


_FINGERPRINT_SEPARATORS = str.maketrans("", "", ": -\t\r\n")
_FINGERPRINT_LABELS = ("sha256", "sha-256", "sha1", "sha-1", "fingerprint", "thumbprint")


def parse_fingerprint(pasted: str) -> str | None:
    """Uppercase hex digits of a pasted SHA-1 or SHA-256 fingerprint, or None.

    Accepts colons, spaces, dashes, any case, and labels such as "SHA256 Fingerprint=" (as
    openssl prints) or "sha256:".
    """
    text = pasted.strip()
    if "=" in text:
        text = text.rsplit("=", 1)[1]
    lowered = text.lower()
    changed = True
    while changed:  # strip leading labels, however many ("SHA-256 fingerprint: ...")
        changed = False
        for label in _FINGERPRINT_LABELS:
            if lowered.startswith(label):
                text, lowered = text[len(label):].lstrip(": "), lowered[len(label):].lstrip(": ")
                changed = True
    digits = text.translate(_FINGERPRINT_SEPARATORS).upper()
    if len(digits) not in (40, 64) or any(c not in "0123456789ABCDEF" for c in digits):
        return None
    return digits


def fingerprint_matches(
    report: CertReport | Sequence[CertFacts], pasted: str
) -> FingerprintMatch | None:
    """Which certificate's SHA-1 or SHA-256 fingerprint the pasted one is, if any."""
    digits = parse_fingerprint(pasted)
    if digits is None:
        return None
    certs = report.certs if isinstance(report, CertReport) else report
    for index, fact in enumerate(certs):
        for algorithm, value in (("SHA-1", fact.sha1), ("SHA-256", fact.sha256)):
            if value.replace(":", "") == digits:
                return FingerprintMatch(algorithm, index, fact.subject)
    return None


def to_settings_base64(cert: CertFacts | x509.Certificate) -> str:
    """Base64 of the DER, no armour and no line breaks: what `sso.certificate` holds."""
    der = cert.der if isinstance(cert, CertFacts) else cert.public_bytes(
        serialization.Encoding.DER)
    return base64.b64encode(der).decode("ascii")
