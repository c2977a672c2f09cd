"""The certificate in a push's diff is named by its real SHA-256 fingerprint, the one
`check-cert`, step 5 and the IdP show: an admin comparing them sees the same value."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from tests.certgen import bare_base64, make_cert, pem
from tests.push.conftest import Service
from tests.push.test_push_cli import push, settings_file


def test_push_diff_shows_the_certificate_fingerprint_check_cert_shows(
        service: Service, token_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert = make_cert(cn="idp.northwind.example")
    cert_file = tmp_path / "idp.pem"
    cert_file.write_bytes(pem(cert))
    assert main(["check-cert", str(cert_file)]) == 0
    report = capsys.readouterr().out
    fingerprint = next(line for line in report.splitlines() if line.strip().startswith("SHA-256")).split()[-1]

    path = settings_file(tmp_path, sso={"certificate": bare_base64(cert), "break_glass": ["fp@northwind.example"]})
    code, out, err = push(capsys, "--settings", str(path), "--to", service.url, "--dry-run")
    assert code == 0, err
    line = next(line for line in out.splitlines() if line.strip().startswith("sso.certificate:"))
    assert line.endswith(f"-> SHA-256 {fingerprint}")
