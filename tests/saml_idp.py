"""A test identity provider: answers an AuthnRequest with a SAML 2.0 Response signed by signxml
with a key and certificate made by tests/certgen.py.

The Response follows the SAML 2.0 core specification (saml-core-2.0-os, sections 2 and 3.3.3)
and the Web Browser SSO profile (saml-profiles-2.0-os, section 4.1.4): Destination,
InResponseTo, a bearer SubjectConfirmationData with Recipient and NotOnOrAfter, Conditions
with an AudienceRestriction, an emailAddress NameID. `tamper` hooks let a test break one thing.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml import XMLSigner

from engine.saml import NS_ASSERTION, NS_DSIG, NS_PROTOCOL, inflate_request
from tests.certgen import make_cert, private_key

ENTITY_ID = "https://idp.test.example/saml"
SSO_URL = "https://idp.test.example/sso"


def _z(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class LoginRequest:
    """What the IdP reads from the service's redirect."""

    request_id: str
    acs: str
    sp_entity_id: str
    relay_state: str
    xml: str


def read_redirect(location: str) -> LoginRequest:
    query = parse_qs(urlsplit(location).query)
    xml = inflate_request(query["SAMLRequest"][0])
    root = etree.fromstring(xml.encode())
    issuer = root.find(f"{{{NS_ASSERTION}}}Issuer")
    return LoginRequest(root.get("ID"), root.get("AssertionConsumerServiceURL"),
                        issuer.text if issuer is not None else "", query["RelayState"][0], xml)


@dataclass
class SamlIdp:
    key_kind: str = "rsa2048"
    cn: str = "idp.test.example"
    entity_id: str = ENTITY_ID
    cert_serial: int = 0x5A11

    cert: object = field(init=False)

    def __post_init__(self) -> None:
        self.cert = make_cert(key=self.key_kind, cn=self.cn, serial=self.cert_serial)

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def cert_base64(self) -> str:
        return base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()

    def key_pem(self) -> bytes:
        return private_key(self.key_kind).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    # -- building ------------------------------------------------------------------------------

    def assertion(self, req: LoginRequest, user: str, *, now: dt.datetime | None = None,
                  audience: str | None = None, recipient: str | None = None,
                  not_before: dt.datetime | None = None, not_on_or_after: dt.datetime | None = None,
                  in_response_to: str | None = None, issuer: str | None = None,
                  assertion_id: str | None = None, slot: bool = True) -> etree._Element:
        now = now or dt.datetime.now(dt.UTC)
        irt = req.request_id if in_response_to is None else in_response_to
        until = not_on_or_after or now + dt.timedelta(minutes=5)
        xml = (
            f'<saml:Assertion xmlns:saml="{NS_ASSERTION}" ID="{assertion_id or "_a" + uuid.uuid4().hex}" '
            f'Version="2.0" IssueInstant="{_z(now)}">'
            f"<saml:Issuer>{issuer or self.entity_id}</saml:Issuer>"
            + (f'<ds:Signature xmlns:ds="{NS_DSIG}" Id="placeholder"/>' if slot else "")
            + "<saml:Subject>"
            f'<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{user}</saml:NameID>'
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData InResponseTo="{irt}" NotOnOrAfter="{_z(until)}" '
            f'Recipient="{recipient or req.acs}"/>'
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{_z(not_before or now - dt.timedelta(seconds=30))}" '
            f'NotOnOrAfter="{_z(until)}">'
            f"<saml:AudienceRestriction><saml:Audience>{audience or req.sp_entity_id}</saml:Audience>"
            "</saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{_z(now)}"><saml:AuthnContext>'
            "<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            "</saml:Assertion>"
        )
        return etree.fromstring(xml.encode())

    def sign(self, element: etree._Element, *, key_pem: bytes | None = None) -> etree._Element:
        signer = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
        return signer.sign(element, key=key_pem or self.key_pem(), cert=self.cert_pem.decode(),
                           reference_uri=element.get("ID"))

    def response(self, req: LoginRequest, body: etree._Element | list[etree._Element], *,
                 destination: str | None = None, in_response_to: str | None = None,
                 status: str = "urn:oasis:names:tc:SAML:2.0:status:Success",
                 placeholder: bool = False) -> etree._Element:
        irt = req.request_id if in_response_to is None else in_response_to
        sig = f'<ds:Signature xmlns:ds="{NS_DSIG}" Id="placeholder"/>' if placeholder else ""
        xml = (
            f'<samlp:Response xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}" '
            f'ID="_r{uuid.uuid4().hex}" Version="2.0" IssueInstant="{_z(dt.datetime.now(dt.UTC))}" '
            f'Destination="{destination or req.acs}" InResponseTo="{irt}">'
            f"<saml:Issuer>{self.entity_id}</saml:Issuer>{sig}"
            f'<samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status>'
            "</samlp:Response>"
        )
        root = etree.fromstring(xml.encode())
        for element in body if isinstance(body, list) else [body]:
            root.append(element)
        return root

    def good(self, req: LoginRequest, user: str, **kwargs: object) -> bytes:
        """A response whose assertion is signed, as Okta and Entra send by default."""
        response_kwargs = {k: kwargs.pop(k) for k in ("destination", "status") if k in kwargs}
        signed = self.sign(self.assertion(req, user, **kwargs))
        return serialize(self.response(req, signed, **response_kwargs))


@functools.cache
def other_key_pem() -> bytes:
    """A second RSA key: a response it signs must not verify with the IdP's certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def serialize(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")


def post_form(xml: bytes, relay_state: str) -> dict[str, str]:
    return {"SAMLResponse": base64.b64encode(xml).decode(), "RelayState": relay_state}

