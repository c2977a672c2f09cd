"""Real certificates and IdP metadata for the tests, made with `cryptography` (and openssl for
SHA-1, which cryptography refuses to sign with)."""

from __future__ import annotations

import base64
import functools
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.x509.oid import NameOID

KEY_KINDS = ("rsa2048", "rsa1024", "ec", "ed25519", "dsa")


@functools.cache
def private_key(kind: str = "rsa2048"):
    # Cached: RSA and DSA generation dominate the test run otherwise.
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "dsa":
        return dsa.generate_private_key(key_size=2048)
    raise ValueError(kind)


def make_cert(
    *,
    key: str = "rsa2048",
    cn: str = "idp.example.com",
    valid_from_days: int = -1,
    valid_for_days: int = 365,
    ca: bool = False,
    serial: int = 0x1A2B3C,
) -> x509.Certificate:
    """A self-signed certificate valid from now + valid_from_days for valid_for_days days."""
    signer = private_key(key)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = datetime.now(UTC) + timedelta(days=valid_from_days)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(signer.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_for_days))
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    algorithm = None if key == "ed25519" else hashes.SHA256()
    return builder.sign(signer, algorithm)


def expiring_in(days: int, **kwargs) -> x509.Certificate:
    """A certificate whose last day is `days` from today (UTC)."""
    return make_cert(valid_from_days=-30, valid_for_days=30 + days, **kwargs)


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def bare_base64(cert: x509.Certificate) -> str:
    return base64.b64encode(der(cert)).decode()


def private_key_pem(kind: str = "rsa2048") -> bytes:
    return private_key(kind).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_pem(kind: str = "rsa2048") -> bytes:
    return private_key(kind).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def metadata(
    certs: list[x509.Certificate],
    *,
    entity_id: str = "https://idp.example.com/saml",
    sso: dict[str, str] | None = None,
    use: str | None = "signing",
    valid_until: str | None = None,
    idp: bool = True,
) -> bytes:
    """IdP metadata in the shape Okta and Entra publish."""
    if sso is None:
        sso = {REDIRECT: "https://idp.example.com/sso/redirect",
               POST: "https://idp.example.com/sso/post"}
    use_attr = f' use="{use}"' if use else ""
    keys = "".join(
        f'<md:KeyDescriptor{use_attr}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n'
        f"{bare_base64(c)}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        for c in certs
    )
    services = "".join(
        f'<md:SingleSignOnService Binding="{b}" Location="{url}"/>' for b, url in sso.items()
    )
    role = "IDPSSODescriptor" if idp else "SPSSODescriptor"
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}"{until}>'
        f'<md:{role} protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"{keys}{services}</md:{role}></md:EntityDescriptor>"
    ).encode()


def openssl_sha1_cert(tmp_path: Path) -> bytes:
    """A SHA-1 signed certificate in PEM; skips the test when openssl is missing or refuses."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    out = tmp_path / "sha1.pem"
    result = subprocess.run(
        [openssl, "req", "-x509", "-sha1", "-newkey", "rsa:2048", "-nodes",
         "-keyout", str(tmp_path / "sha1.key"), "-out", str(out), "-days", "365",
         "-subj", "/CN=sha1.example.com"],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0 or not out.exists():
        pytest.skip(f"openssl cannot make a SHA-1 certificate: {result.stderr[-200:]!r}")
    return out.read_bytes()
