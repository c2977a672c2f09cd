"""The SAML side of the test sign-in (issue 13): SP metadata, the AuthnRequest, and the checks
on the IdP's Response.

Plain functions, no service state: the service (engine.service.saml) stores the tests and
passes what a response must match. A Response is judged as follows:

- The XML is first read by defusedxml (DTDs and entities refused), then by lxml with entities,
  DTD loading and the network off. At most 1 MiB.
- The signature (on the Response or on the Assertion) must verify with the candidate
  certificate: signxml is given that certificate and told to ignore any key in the message.
- Everything after that is read from the element signxml returns (what the signature covers),
  never from the tree that was posted, so a second, unsigned assertion (signature wrapping)
  changes nothing; the whole document must hold exactly one Assertion besides.
- Each refusal is one sentence naming the check (`SamlRefused.reason`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import secrets
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any  # `Any`: lxml's elements (lxml ships no type stubs)
from urllib.parse import urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape, quoteattr

MAX_RESPONSE_BYTES = 1024 * 1024
CLOCK_SKEW = dt.timedelta(minutes=3)

NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_METADATA = "urn:oasis:names:tc:SAML:2.0:metadata"
NS_DSIG = "http://www.w3.org/2000/09/xmldsig#"
BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"


def _p(name: str) -> str:
    return f"{{{NS_PROTOCOL}}}{name}"


def _a(name: str) -> str:
    return f"{{{NS_ASSERTION}}}{name}"


@dataclass(frozen=True)
class SpUrls:
    """The service's SAML addresses, all derived from the base URL the IdP and browser see."""

    base: str

    @property
    def entity_id(self) -> str:
        return f"{self.base}/saml/metadata"

    @property
    def metadata(self) -> str:
        return f"{self.base}/saml/metadata"

    @property
    def acs(self) -> str:
        return f"{self.base}/saml/acs"

    def login(self, test_id: str) -> str:
        return f"{self.base}/saml/login/{test_id}"


def sp_metadata(sp: SpUrls) -> bytes:
    """SAML 2.0 metadata for the service as a service provider: what the admin gives the IdP."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<md:EntityDescriptor xmlns:md="{NS_METADATA}" entityID={quoteattr(sp.entity_id)}>\n'
        f'  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" '
        f'protocolSupportEnumeration="{NS_PROTOCOL}">\n'
        f"    <md:NameIDFormat>{NAMEID_EMAIL}</md:NameIDFormat>\n"
        f'    <md:AssertionConsumerService Binding="{BINDING_POST}" Location={quoteattr(sp.acs)} '
        'index="0" isDefault="true"/>\n'
        "  </md:SPSSODescriptor>\n"
        "</md:EntityDescriptor>\n"
    ).encode()


def new_request_id() -> str:
    # xs:ID must not start with a digit.
    return "_" + secrets.token_hex(20)


def _instant(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def authn_request(sp: SpUrls, *, request_id: str, destination: str, now: dt.datetime) -> str:
    """An AuthnRequest asking for an emailAddress NameID posted back to the ACS."""
    return (
        f'<samlp:AuthnRequest xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}" '
        f'ID="{request_id}" Version="2.0" IssueInstant="{_instant(now)}" '
        f"Destination={quoteattr(destination)} AssertionConsumerServiceURL={quoteattr(sp.acs)} "
        f'ProtocolBinding="{BINDING_POST}">'
        f"<saml:Issuer>{escape(sp.entity_id)}</saml:Issuer>"
        f'<samlp:NameIDPolicy Format="{NAMEID_EMAIL}" AllowCreate="true"/>'
        "</samlp:AuthnRequest>"
    )


def redirect_url(idp_sso_url: str, request_xml: str, relay_state: str) -> str:
    """The HTTP-Redirect binding: raw DEFLATE, base64, then the query string."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(request_xml.encode()) + compressor.flush()
    query = urlencode({"SAMLRequest": base64.b64encode(deflated).decode(), "RelayState": relay_state})
    parts = urlsplit(idp_sso_url)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))


def inflate_request(saml_request: str) -> str:
    """The AuthnRequest XML out of a Redirect binding's SAMLRequest (for the test IdP)."""
    return zlib.decompress(base64.b64decode(saml_request), -15).decode()


# -- judging a Response ----------------------------------------------------------------------


class SamlRefused(Exception):
    """The response fails a check; `reason` is one sentence for the admin (no secrets)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Expected:
    """What a response must match for one test."""

    idp_entity_id: str
    certificates: Sequence[bytes]  # DER of each candidate certificate
    sp: SpUrls
    company_domains: Sequence[str]
    now: dt.datetime


@dataclass(frozen=True)
class Verified:
    user: str
    fingerprint_sha256: str  # colon hex of the certificate that verified the signature
    in_response_to: str


def fingerprint_sha256(der: bytes) -> str:
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def decode_post_field(value: str) -> bytes:
    """SAMLResponse as posted: base64, possibly with line breaks."""
    try:
        data = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise SamlRefused("SAMLResponse is not base64, so it is not a SAML response.") from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise SamlRefused("The SAML response is over 1 MiB; a real one is far smaller, so it is refused.")
    return data


def _parse(xml: bytes) -> Any:
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException
    from lxml import etree

    try:  # defusedxml first: it refuses DTDs and entity declarations outright
        safe_et.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise SamlRefused("The response contains a DTD or entity declarations, which are refused "
                          "(they can read files or exhaust memory).") from None
    except Exception:  # noqa: BLE001 - any parse error is the same verdict
        raise SamlRefused("The response is not well-formed XML.") from None
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
                             remove_comments=False)
    try:
        return etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError:
        raise SamlRefused("The response is not well-formed XML.") from None


def _signature_place(root: Any) -> tuple[str, Any]:
    """Where the one signature that counts sits: a child of the Response, else a child of the
    Assertion (SAML's enveloped signatures). Returns (signxml location, the enveloping element)."""
    if root.find(f"{{{NS_DSIG}}}Signature") is not None:
        return "./", root
    assertion = root.find(_a("Assertion"))
    if assertion is not None and assertion.find(f"{{{NS_DSIG}}}Signature") is not None:
        return f"./{{{NS_ASSERTION}}}Assertion/", assertion
    raise SamlRefused("The signature is neither inside the Response nor inside the Assertion (it was "
                      "moved).")


def pem_of(der: bytes) -> str:
    return ("-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der).decode()
            + "-----END CERTIFICATE-----\n")


def _verify_signature(root: Any, certificates: Sequence[bytes]) -> tuple[Any, bytes]:
    """(the signed element as signxml returns it, DER of the certificate that verified it)."""
    from signxml import InvalidInput, InvalidSignature, SignatureConfiguration, XMLVerifier

    location, envelope = _signature_place(root)
    config = SignatureConfiguration(location=location, ignore_ambiguous_key_info=True)
    problem = "The signature does not verify with the candidate certificate."
    for der in certificates:
        pem = pem_of(der)
        try:
            # Only the candidate certificate: a key or certificate in the message is ignored.
            result = XMLVerifier().verify(root, x509_cert=pem, expect_config=config)
        except InvalidSignature:
            continue
        except InvalidInput as exc:
            problem = f"The signature cannot be checked: {str(exc).rstrip('.')}."
            continue
        assert not isinstance(result, list)  # one reference expected, so one result
        signed = result.signed_xml
        if signed is None or signed.tag != envelope.tag or signed.get("ID") != envelope.get("ID"):
            raise SamlRefused("The signature is not inside the element it signs (it was moved).")
        return signed, der
    raise SamlRefused(problem)


def _text(element: Any | None) -> str:
    # The whole text: a comment or child node must not cut an address short.
    return "".join(element.itertext()).strip() if element is not None else ""


def _instant_of(value: str | None, what: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SamlRefused(f"{what} = {value!r} is not a time.") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def verify_response(xml: bytes, expected: Expected, use_request_id: Callable[[str], str | None]) -> Verified:
    """Judge a Response. `use_request_id(id)` consumes the AuthnRequest ID the response answers
    and returns why it cannot (unknown, already used), or None. Raises SamlRefused."""
    root = _parse(xml)
    if root.tag != _p("Response"):
        raise SamlRefused("The message is not a SAML Response.")
    everywhere = root.iter(_a("Assertion"), _a("EncryptedAssertion"))
    assertions = list(everywhere)
    if any(a.tag == _a("EncryptedAssertion") for a in assertions):
        raise SamlRefused("The assertion is encrypted; turn off assertion encryption in the IdP for "
                          "this app.")
    if len(assertions) != 1:
        raise SamlRefused(f"The response holds {len(assertions)} assertions; exactly one is allowed.")
    if next(root.iter(f"{{{NS_DSIG}}}Signature"), None) is None:
        raise SamlRefused("The response is not signed: set the IdP to sign the assertion or the response.")
    signed, der = _verify_signature(root, expected.certificates)
    comments = [n for name_id in root.iter(_a("NameID")) for n in name_id.iter() if n is not name_id]
    if comments:
        raise SamlRefused("The NameID contains a comment or markup, which could hide part of the "
                          "address; it is refused.")

    # From here on, only the signed element (and, for an assertion signed alone, the envelope's
    # own attributes, which can only add refusals).
    if signed.tag == _p("Response"):
        response = signed
        assertion = response.find(_a("Assertion"))
        if assertion is None:
            raise SamlRefused("The signed response holds no assertion.")
    else:
        response, assertion = root, signed
    _check_envelope(response, expected)
    issuer = _text(assertion.find(_a("Issuer")))
    if issuer != expected.idp_entity_id:
        raise SamlRefused(f"The assertion's Issuer is {issuer!r}, not the entity ID "
                          f"{expected.idp_entity_id!r}.")
    confirmation = _bearer_confirmation(assertion)
    recipient = confirmation.get("Recipient")
    if recipient != expected.sp.acs:
        raise SamlRefused(f"The Recipient is {recipient!r}, not the ACS URL {expected.sp.acs!r}.")
    _check_audience(assertion, expected.sp.entity_id)
    in_response_to = confirmation.get("InResponseTo") or ""
    envelope_irt = response.get("InResponseTo")
    if envelope_irt is not None and envelope_irt != in_response_to:
        raise SamlRefused("The response and its assertion answer different requests (InResponseTo).")
    if not in_response_to:
        raise SamlRefused("The response answers no sign-in request (no InResponseTo): start the "
                          "sign-in from the login URL, not from the IdP's dashboard.")
    problem = use_request_id(in_response_to)
    if problem:
        raise SamlRefused(problem)
    _check_times(assertion, confirmation, expected.now)
    user = _text(assertion.find(f"{_a('Subject')}/{_a('NameID')}"))
    _check_user(user, expected.company_domains)
    return Verified(user, fingerprint_sha256(der), in_response_to)


def _check_envelope(response: Any, expected: Expected) -> None:
    status = response.find(f"{_p('Status')}/{_p('StatusCode')}")
    code = status.get("Value") if status is not None else None
    if code != STATUS_SUCCESS:
        message = _text(response.find(f"{_p('Status')}/{_p('StatusMessage')}"))
        name = (code or "none").rsplit(":", 1)[-1]
        raise SamlRefused(f"The IdP answered status {name}" + (f" ({message[:200]})" if message else "")
                          + ", not Success.")
    destination = response.get("Destination")
    if destination != expected.sp.acs:
        raise SamlRefused(f"The Destination is {destination!r}, not the ACS URL {expected.sp.acs!r}.")
    issuer = response.find(_a("Issuer"))
    if issuer is not None and _text(issuer) != expected.idp_entity_id:
        raise SamlRefused(f"The response's Issuer is {_text(issuer)!r}, not the entity ID "
                          f"{expected.idp_entity_id!r}.")


def _bearer_confirmation(assertion: Any) -> Any:
    for confirmation in assertion.iterfind(f"{_a('Subject')}/{_a('SubjectConfirmation')}"):
        data = confirmation.find(_a("SubjectConfirmationData"))
        if confirmation.get("Method") == BEARER and data is not None:
            return data
    raise SamlRefused("The assertion has no bearer SubjectConfirmationData.")


def _check_audience(assertion: Any, sp_entity_id: str) -> None:
    audiences = [_text(a) for a in assertion.iterfind(
        f"{_a('Conditions')}/{_a('AudienceRestriction')}/{_a('Audience')}")]
    if sp_entity_id not in audiences:
        shown = ", ".join(repr(a) for a in audiences) or "none"
        raise SamlRefused(f"The Audience is {shown}, not the SP entity ID {sp_entity_id!r}: give the "
                          "IdP the SP metadata.")


def _check_times(assertion: Any, confirmation: Any, now: dt.datetime) -> None:
    conditions = assertion.find(_a("Conditions"))
    if conditions is None:
        raise SamlRefused("The assertion has no Conditions (validity and audience).")
    not_before = _instant_of(conditions.get("NotBefore"), "NotBefore")
    if not_before is not None and now + CLOCK_SKEW < not_before:
        raise SamlRefused(f"The assertion is not valid yet (NotBefore {_instant(not_before)}); check "
                          "the clocks of the IdP and this service.")
    for what, value in (("assertion", conditions.get("NotOnOrAfter")),
                        ("subject confirmation", confirmation.get("NotOnOrAfter"))):
        until = _instant_of(value, "NotOnOrAfter")
        if until is not None and now - CLOCK_SKEW >= until:
            raise SamlRefused(f"The {what} expired at {_instant(until)}.")
    if confirmation.get("NotOnOrAfter") is None:
        raise SamlRefused("The subject confirmation has no NotOnOrAfter, so it would never expire.")


def _check_user(user: str, domains: Sequence[str]) -> None:
    local, at, domain = user.rpartition("@")
    if not user or not at or not local:
        raise SamlRefused(f"The NameID {user!r} is not an email address: set the IdP's NameID format "
                          "to emailAddress.")
    wanted = {d.strip().rstrip(".").casefold() for d in domains}
    if domain.strip().rstrip(".").casefold() not in wanted:
        raise SamlRefused(f"The NameID {user!r} is not in a company domain "
                          f"({', '.join(sorted(wanted)) or 'none set'}).")
