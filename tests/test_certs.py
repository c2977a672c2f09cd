"""Reading and judging IdP certificates (SPEC section 6)."""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.certs import (
    CertReport,
    check_certificate,
    fingerprint_matches,
    parse_fingerprint,
    read_certificate_input,
    to_settings_base64,
)
from tests import certgen
from tests.certgen import POST, bare_base64, der, make_cert, metadata, pem


def today():
    return datetime.now(UTC).date()


def check(data: bytes, source: str = "idp.pem") -> CertReport:
    return check_certificate(data, source=source, today=today())


@pytest.fixture(scope="module")
def cert():
    return make_cert()


def sha256_hex(cert) -> str:
    return hashlib.sha256(der(cert)).hexdigest().upper()


# ------------------------------------------------------------------ forms


def test_pem_shows_the_facts(cert):
    report = check(pem(cert))
    assert report.ok and report.warnings == [] and report.form == "PEM"
    [facts] = report.certs
    assert facts.subject == "CN=idp.example.com" == facts.issuer
    assert facts.serial == "1A:2B:3C"
    assert (facts.key_type, facts.key_size) == ("RSA", 2048)
    assert facts.days_left == (facts.not_after.date() - today()).days > 360
    assert facts.sha256.replace(":", "") == sha256_hex(cert)
    assert facts.sha256 == facts.sha256.upper() and len(facts.sha256.split(":")) == 32
    assert len(facts.sha1.split(":")) == 20


@pytest.mark.parametrize(
    "mangle",
    [
        lambda p: p.replace(b"\n", b"\r\n"),
        lambda p: b"\n".join(b"    " + line for line in p.splitlines()),
        lambda p: b"Subject: CN=idp\nIssuer: CN=idp\n" + p + b"\nBag Attributes: none\n",
        lambda p: b" ".join(p.splitlines()),  # pasted into a one-line input
        lambda p: p.replace(b"\n", b"\\n"),  # copied out of JSON
    ],
    ids=["crlf", "indented", "text-around", "one-line", "json-escaped"],
)
def test_pem_variants_read_the_same_certificate(cert, mangle):
    report = check(mangle(pem(cert)))
    assert report.ok, report.errors
    assert [c.sha256.replace(":", "") for c in report.certs] == [sha256_hex(cert)]


@pytest.mark.parametrize(
    ("data", "form"),
    [
        (lambda c: der(c), "DER"),
        (lambda c: bare_base64(c).encode(), "base64"),
        # wrapped at 64 and the padding lost, as copy-paste does
        (lambda c: "\n".join(
            bare_base64(c).rstrip("=")[i:i + 64] for i in range(0, 2000, 64)).encode(), "base64"),
        (lambda c: pkcs7.serialize_certificates([c], serialization.Encoding.DER), "DER"),
    ],
    ids=["der", "base64", "base64-wrapped", "p7b"],
)
def test_der_and_bare_base64(cert, data, form):
    report = check(data(cert))
    assert report.ok and report.form == form
    assert report.certs[0].sha256.replace(":", "") == sha256_hex(cert)


def test_several_pem_blocks_are_all_read_and_flagged():
    first, second = make_cert(cn="old.example.com"), make_cert(cn="new.example.com")
    report = check(pem(first) + b"\n" + pem(second))
    assert report.ok
    assert [c.subject for c in report.certs] == ["CN=old.example.com", "CN=new.example.com"]
    assert any("2 certificates" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (lambda: certgen.private_key_pem(), "private key"),
        (lambda: certgen.private_key("rsa2048").private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()), "private key"),
        (lambda: certgen.public_key_pem(), "public key"),
        (lambda: b"hello, this is not a certificate", "not a certificate"),
        (lambda: b"", "empty"),
        (lambda: b"-----BEGIN CERTIFICATE-----\nMIIBfake!!\n-----END CERTIFICATE-----\n",
         "damaged"),
        (lambda: b"-----BEGIN CERTIFICATE-----\nMIIB", "cut off"),
    ],
    ids=["private-pem", "private-der", "public-pem", "text", "empty", "damaged", "cut-off"],
)
def test_not_a_certificate_is_an_error(data, phrase):
    report = check(data())
    assert not report.ok and report.certs == []
    assert any(phrase in e for e in report.errors), report.errors


def test_private_key_beside_the_certificate_is_ignored_with_a_warning(cert):
    report = check(pem(cert) + certgen.private_key_pem())
    assert report.ok and len(report.certs) == 1
    assert any("private key" in w for w in report.warnings)


# ------------------------------------------------------------------ verdicts


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"valid_from_days": -400, "valid_for_days": 30}, "expired on"),
        ({"valid_from_days": 10}, "not valid until"),
        ({"key": "rsa1024"}, "RSA key of 1024 bits"),
        ({"key": "dsa"}, "DSA key"),
    ],
    ids=["expired", "not-yet-valid", "rsa1024", "dsa"],
)
def test_errors(kwargs, phrase):
    report = check(pem(make_cert(**kwargs)))
    assert not report.ok
    assert [e for e in report.errors if phrase in e], report.errors


@pytest.mark.parametrize(
    ("cert", "phrase"),
    [
        (lambda: certgen.expiring_in(30), "expires in 30 days"),
        (lambda: certgen.expiring_in(60), "expires in 60 days"),
        (lambda: make_cert(key="ec"), "EC secp256r1"),
        (lambda: make_cert(key="ed25519"), "Ed25519"),
        (lambda: make_cert(ca=True), "CA:TRUE"),
    ],
    ids=["expires-30", "expires-60", "ec", "ed25519", "ca"],
)
def test_warnings_leave_the_certificate_usable(cert, phrase):
    report = check(pem(cert()))
    assert report.ok, report.errors
    assert [w for w in report.warnings if phrase in w], report.warnings


def test_no_expiry_warning_beyond_60_days():
    assert check(pem(certgen.expiring_in(61))).warnings == []


def test_zero_serial_is_a_warning_and_stays_quiet(recwarn):
    data = bytearray(der(make_cert(serial=1)))
    at = data.find(b"\x02\x01\x01")  # INTEGER 1, the serial: make it 0
    data[at + 2] = 0
    report = check(bytes(data))
    assert report.ok and any("serial number that is not positive" in w for w in report.warnings)
    assert len(recwarn) == 0  # cryptography's own warning would garble the TUI


def test_sha1_signature_is_a_warning(tmp_path):
    report = check(certgen.openssl_sha1_cert(tmp_path))
    assert report.ok and report.certs[0].signature_hash == "SHA-1"
    assert any("SHA-1" in w for w in report.warnings)


# ------------------------------------------------------------------ metadata


@pytest.mark.parametrize("count", [1, 2, 3])
def test_metadata_gives_entity_id_urls_and_every_signing_cert(count):
    certs = [make_cert(cn=f"idp{i}.example.com", serial=i + 1) for i in range(count)]
    report = check(metadata(certs), source="idp.xml")
    assert report.ok and report.form == "metadata"
    assert report.entity_id == "https://idp.example.com/saml"
    assert report.sso_urls == {"HTTP-Redirect": "https://idp.example.com/sso/redirect",
                               "HTTP-POST": "https://idp.example.com/sso/post"}
    assert [c.subject for c in report.certs] == [f"CN=idp{i}.example.com" for i in range(count)]
    rollover = [w for w in report.warnings if f"{count} signing certificates" in w]
    assert len(rollover) == (1 if count > 1 else 0)


def test_key_descriptor_without_use_counts_as_signing(cert):
    assert len(check(metadata([cert], use=None)).certs) == 1


def test_encryption_only_metadata_has_no_signing_certificate(cert):
    report = check(metadata([cert], use="encryption"))
    assert not report.ok and any("no signing certificate" in e for e in report.errors)


def test_rollover_keeps_the_valid_certificates():
    expired = make_cert(cn="old.example.com", valid_from_days=-400, valid_for_days=30)
    current = make_cert(cn="new.example.com")
    report = check(metadata([expired, current]))
    assert report.ok
    assert [c.subject for c in report.usable_certs] == ["CN=new.example.com"]
    assert any("old.example.com" in w and "left out" in w for w in report.warnings)


def test_rollover_with_no_valid_certificate_is_an_error():
    expired = [make_cert(cn=f"old{i}.example.com", valid_from_days=-400, valid_for_days=30)
               for i in range(2)]
    report = check(metadata(expired))
    assert len([e for e in report.errors if "expired" in e]) == 2


def test_metadata_without_idp_descriptor(cert):
    report = check(metadata([cert], idp=False))
    assert not report.ok and any("IdP SSO descriptor" in e for e in report.errors)


def test_non_https_sso_url_is_an_error(cert):
    report = check(metadata([cert], sso={POST: "http://idp.example.com/sso"}))
    assert [e for e in report.errors if "not https" in e and "HTTP-POST" in e]


def test_passed_valid_until_is_a_warning(cert):
    report = check(metadata([cert], valid_until="2020-01-01T00:00:00Z"))
    assert report.ok and any("validUntil" in w for w in report.warnings)
    assert check(metadata([cert], valid_until="2999-01-01T00:00:00Z")).warnings == []


def test_utf16_metadata_as_powershell_writes_it(cert):
    data = metadata([cert]).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert check(data.encode("utf-16")).ok


_PROLOGUE = '<?xml version="1.0"?>\n'
_HOSTILE = {
    "xxe": _PROLOGUE + '<!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&xxe;"/>',
    "billion-laughs": _PROLOGUE + '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]><lolz>&lol9;</lolz>",
    "external-dtd": _PROLOGUE + '<!DOCTYPE md SYSTEM "http://attacker.example/evil.dtd">'
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>',
}


@pytest.mark.parametrize("name", list(_HOSTILE))
def test_hostile_xml_is_refused_with_a_clear_message(name):
    started = time.perf_counter()
    report = check(_HOSTILE[name].encode(), source="idp.xml")
    assert time.perf_counter() - started < 1
    assert report.certs == [] and report.entity_id is None
    [error] = report.errors
    assert "refused" in error and "DTD" in error
    if name == "external-dtd":
        assert "http://attacker.example/evil.dtd" in error
    else:
        assert "XXE" in error


def test_five_mib_file_is_refused_by_size():
    started = time.perf_counter()
    report = check(b"<" + b" " * (5 * 1024 * 1024), source="big.xml")
    assert time.perf_counter() - started < 1
    [error] = report.errors
    assert "over 1 MiB" in error


_PREFIXES = st.sampled_from(
    [b"", b"<", b"0\x82", b"-----BEGIN CERTIFICATE-----\n", b"MII", b"\xff\xfe",
     b'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">']
)


@settings(max_examples=300, deadline=None)
@given(prefix=_PREFIXES, body=st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(prefix, body):
    report = check(prefix + body)
    assert isinstance(report, CertReport)
    assert report.ok == (report.errors == [])


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=0, max_value=2000), flip=st.integers(0, 255))
def test_damaged_certificates_never_raise(cert, cut, flip):
    data = bytearray(der(cert))
    data[cut % len(data)] ^= flip
    assert isinstance(check(bytes(data[: cut or None])), CertReport)


# ------------------------------------------------------------------ helpers


@pytest.mark.parametrize("algorithm", ["SHA-1", "SHA-256"])
@pytest.mark.parametrize(
    "style",
    [
        lambda fp: fp,
        lambda fp: fp.replace(":", "").lower(),
        lambda fp: fp.replace(":", " ").lower(),
        lambda fp: f"SHA{'1' if len(fp) < 60 else '256'} Fingerprint={fp}",
        lambda fp: f"sha256: {fp.replace(':', '')}\n",
    ],
    ids=["colons", "bare-lower", "spaces", "openssl", "labelled"],
)
def test_fingerprint_matches_any_common_format(cert, algorithm, style):
    report = check(pem(cert))
    fingerprint = report.certs[0].sha1 if algorithm == "SHA-1" else report.certs[0].sha256
    match = fingerprint_matches(report, style(fingerprint))
    assert match is not None and (match.algorithm, match.index) == (algorithm, 0)


def test_fingerprint_of_another_certificate_does_not_match(cert):
    other = check(pem(make_cert(cn="other.example.com"))).certs[0].sha256
    assert fingerprint_matches(check(pem(cert)), other) is None


@pytest.mark.parametrize("pasted", ["", "hello", "AB:CD", "G" * 64, "A" * 63])
def test_malformed_fingerprints_are_not_fingerprints(pasted):
    assert parse_fingerprint(pasted) is None


def test_settings_base64_is_bare_der_that_reads_back(cert):
    report = check(pem(cert))
    stored = to_settings_base64(report.certs[0])
    assert stored == to_settings_base64(cert) == bare_base64(cert)
    assert "\n" not in stored and base64.b64decode(stored) == der(cert)
    assert check(stored.encode()).certs[0].sha256 == report.certs[0].sha256


def test_reading_does_not_judge():
    # Verdicts need a date, so reading an expired certificate reports nothing yet.
    expired = make_cert(valid_from_days=-400, valid_for_days=30)
    read = read_certificate_input(pem(expired), source="idp.pem")
    assert read.errors == [] and len(read.certs) == 1
