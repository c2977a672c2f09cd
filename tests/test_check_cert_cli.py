"""`scim-assistant check-cert FILE [--fingerprint FP]`, driven through its own parser."""

from __future__ import annotations

import argparse
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.commands import check_cert
from tests.certgen import make_cert, metadata, pem


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="scim-assistant")
    check_cert.register(root.add_subparsers(dest="command"))
    return root


def run(*argv: str) -> int:
    from app.cli import main

    return main(["check-cert", *argv])


@pytest.fixture(scope="module")
def cert():
    return make_cert()


@pytest.fixture
def cert_file(tmp_path, cert):
    path = tmp_path / "idp.pem"
    path.write_bytes(pem(cert))
    return path


def fingerprints(capsys, path) -> tuple[str, str]:
    run(str(path))
    lines = capsys.readouterr().out.splitlines()
    sha1 = next(line for line in lines if line.strip().startswith("SHA-1 "))
    sha256 = next(line for line in lines if line.strip().startswith("SHA-256 "))
    return sha1.split()[-1], sha256.split()[-1]


def test_good_certificate_report(capsys, cert_file):
    assert run(str(cert_file)) == 0
    out = capsys.readouterr().out
    for fact in ("CN=idp.example.com", "1A:2B:3C", "RSA 2048 bits", "days left", "SHA-256"):
        assert fact in out
    assert "error:" not in out and "warning:" not in out
    assert "Result: usable" in out


def test_warnings_still_exit_0(capsys, tmp_path):
    path = tmp_path / "ec.pem"
    path.write_bytes(pem(make_cert(key="ec")))
    assert run(str(path)) == 0
    assert "warning: The certificate (CN=idp.example.com) has an EC" in capsys.readouterr().out


def test_errors_exit_1(capsys, tmp_path):
    path = tmp_path / "old.pem"
    path.write_bytes(pem(make_cert(valid_from_days=-400, valid_for_days=30)))
    assert run(str(path)) == 1
    out = capsys.readouterr().out
    assert "error: The certificate (CN=idp.example.com) expired on" in out
    assert "Result: not usable, 1 error" in out


def test_metadata_facts_are_shown(capsys, tmp_path, cert):
    path = tmp_path / "idp.xml"
    path.write_bytes(metadata([cert, make_cert(cn="next.example.com")]))
    assert run(str(path)) == 0
    out = capsys.readouterr().out
    assert "https://idp.example.com/saml" in out
    assert "https://idp.example.com/sso/post  (HTTP-POST)" in out
    assert "Certificate 2 of 2" in out and "warning:" in out


@pytest.mark.parametrize("which", [0, 1])
def test_fingerprint_that_matches(capsys, cert_file, which):
    pasted = fingerprints(capsys, cert_file)[which].replace(":", " ").lower()
    assert run(str(cert_file), "--fingerprint", pasted) == 0
    algorithm = ("SHA-1", "SHA-256")[which]
    assert f"fingerprint: matches the {algorithm} fingerprint" in capsys.readouterr().out


@pytest.mark.parametrize(("pasted", "phrase"), [("AB" * 32, "matches no certificate"),
                                                ("not-a-fingerprint", "not a SHA-1")])
def test_fingerprint_mismatch_is_an_error(capsys, cert_file, pasted, phrase):
    assert run(str(cert_file), "--fingerprint", pasted) == 1
    out = capsys.readouterr().out
    assert "error: " in out and phrase in out


def test_missing_file_exits_2_with_one_line(capsys, tmp_path):
    missing = tmp_path / "nope.pem"
    assert run(str(missing)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and str(missing) in captured.err


def test_directory_exits_2(capsys, tmp_path):
    assert run(str(tmp_path)) == 2
    assert "directory" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_exits_2(capsys, cert_file):
    cert_file.chmod(0)
    assert run(str(cert_file)) == 2
    assert "permission denied" in capsys.readouterr().err


def test_terminal_escapes_in_a_name_are_not_printed(capsys, tmp_path):
    # A hostile certificate must not drive the admin's terminal.
    path = tmp_path / "evil.pem"
    path.write_bytes(pem(make_cert(cn="evil\x1b[2J\x07")))
    run(str(path))
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out


def test_defaults_are_wired():
    args = parser().parse_args(["check-cert", "x.pem"])
    assert args.func is check_cert.run and args.fingerprint is None and args.file == "x.pem"


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=1024))
def test_any_bytes_give_a_report_not_a_traceback(capsys, tmp_path, body):
    path = tmp_path / "random.bin"
    path.write_bytes(body)
    assert run(str(path)) in (0, 1)
    assert "Result:" in capsys.readouterr().out

