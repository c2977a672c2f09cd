"""`scim-assistant sso-test` against a real service, with the test IdP playing the browser's part;
and `push` refusing enforcement until a test passed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import tomli_w

from tests.saml_idp import ENTITY_ID, SSO_URL, SamlIdp, post_form, read_redirect
from tests.service.conftest import ROOT, Server, free_port
from tests.sso.conftest import USER


def settings_file(tmp_path: Path, idp: SamlIdp, *, enforce: bool = False, entity: str = ENTITY_ID) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(tomli_w.dumps({"version": 1, "sso": {
        "enforce": enforce, "idp_entity_id": entity, "idp_sso_url": SSO_URL,
        "certificate": idp.cert_base64, "break_glass": ["admin@northwind.example"]}}))
    return path


def cli(*args: str, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "app.cli", *args], cwd=ROOT, text=True,
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]


def sign_in(login_url: str, idp: SamlIdp, user: str = USER) -> httpx.Response:
    with httpx.Client(timeout=30) as browser:
        r = browser.get(login_url)
        req = read_redirect(r.headers["Location"])
        return browser.post(login_url.split("/saml/")[0] + "/saml/acs",
                            data=post_form(idp.good(req, user), req.relay_state))


def run_sso_test(settings: Path, idp: SamlIdp, user: str, *, to: str | None,
                 env: dict[str, str]) -> tuple[int, str, str]:
    proc = cli("sso-test", "--settings", str(settings), *(["--to", to] if to else []), env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the login URL comes first
    assert line.startswith("Sign in through your IdP at: "), line + (proc.stderr.read() if proc.stderr else "")
    sign_in(line.split(": ", 1)[1].strip(), idp, user)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, line + out, err


def test_sso_test_passes_then_push_may_enforce(tmp_path: Path, sso_server: Server) -> None:
    idp = SamlIdp(entity_id="https://idp.test.example/saml/cli")
    env = {"SCIM_ASSISTANT_TOKEN": sso_server.token}
    settings = settings_file(tmp_path, idp, enforce=True, entity=idp.entity_id)
    refused = subprocess.run([sys.executable, "-m", "app.cli", "push", "--settings", str(settings),
                              "--to", sso_server.url, "--yes"], cwd=ROOT, text=True, capture_output=True,
                             env={**os.environ, **env}, timeout=60)
    assert refused.returncode == 1
    assert "run a test sign-in" in refused.stderr

    code, out, err = run_sso_test(settings, idp, USER, to=sso_server.url, env=env)
    assert code == 0, err
    assert f"Passed: signed in as {USER}" in out
    assert sso_server.token not in out + err

    pushed = subprocess.run([sys.executable, "-m", "app.cli", "push", "--settings", str(settings),
                             "--to", sso_server.url, "--yes"], cwd=ROOT, text=True, capture_output=True,
                            env={**os.environ, **env}, timeout=60)
    assert pushed.returncode == 0, pushed.stderr


def test_sso_test_failure_exits_1_with_the_reason(tmp_path: Path, sso_server: Server) -> None:
    idp = SamlIdp()
    code, _, err = run_sso_test(settings_file(tmp_path, idp), idp, "ann@evil.example", to=sso_server.url,
                                env={"SCIM_ASSISTANT_TOKEN": sso_server.token})
    assert code == 1
    assert "failed: The NameID 'ann@evil.example' is not in a company domain" in err


def test_sso_test_on_the_embedded_service(tmp_path: Path) -> None:
    """No --to, no service_url: the embedded database is served on loopback during the test."""
    idp = SamlIdp()
    port = free_port()
    code, out, err = run_sso_test(settings_file(tmp_path, idp), idp, USER, to=None,
                                  env={"SCIM_ASSISTANT_SSO_TEST_PORT": str(port)})
    assert code == 0, err
    assert f"http://127.0.0.1:{port}/saml/login/" in out


def test_sso_test_without_an_sso_url_is_unusable_input(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('version = 1\n[sso]\nidp_entity_id = "x"\n')
    r = subprocess.run([sys.executable, "-m", "app.cli", "sso-test", "--settings", str(path)], cwd=ROOT,
                       text=True, capture_output=True, timeout=60)
    assert r.returncode == 2
    assert "sso.idp_sso_url is empty" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("certificate", ["not a certificate"])
def test_sso_test_with_a_bad_certificate_is_unusable_input(tmp_path: Path, sso_server: Server,
                                                           certificate: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(tomli_w.dumps({"version": 1, "sso": {"idp_entity_id": ENTITY_ID, "idp_sso_url": SSO_URL,
                                                         "certificate": certificate}}))
    r = subprocess.run([sys.executable, "-m", "app.cli", "sso-test", "--settings", str(path), "--to",
                        sso_server.url], cwd=ROOT, text=True, capture_output=True, timeout=60,
                       env={**os.environ, "SCIM_ASSISTANT_TOKEN": sso_server.token})
    assert r.returncode == 2, r.stderr
    assert "cannot start" in r.stderr and "Traceback" not in r.stderr
