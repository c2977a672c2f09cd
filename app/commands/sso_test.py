"""`scim-assistant sso-test`: prove a sign-in through the IdP works with the settings' SSO values
before enforcement may be pushed (issue 13).

Starts a test on the service, prints the login URL (and opens a browser when there is one),
then waits until the test passes, fails or expires. Exit 0 passed, 1 failed or expired, 2
unusable input, 3 the service could not be reached. The service is chosen as for `push`:
--to, else service_url, else the embedded service, served on loopback while the test runs.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from typing import Any  # `Any`: the service's JSON answers, and its client, imported only when the command runs

from app.commands.service_command import add_service_arguments, report, service_client
from engine.errors import InputError
from engine.safetext import printable

POLL_SECONDS = 1.0
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sso-test", help="run a test sign-in through the IdP with the settings' SSO values",
        description="Start a test sign-in with the entity ID, SSO URL and certificate of the settings "
        "file, print the login URL (opened in a browser when one is available), and wait for the "
        "verdict. Enforcement can be pushed for 24 hours after a pass. Exit 0 passed, 1 failed or "
        "expired, 2 unusable input, 3 service unreachable.")
    add_service_arguments(p, settings_help="settings TOML whose [sso] to test",
                          to_help="the service (default: service_url from the config, else the embedded service "
                          "on 127.0.0.1:<sso_test_port>)")
    p.set_defaults(func=run)


def _err(line: str) -> None:
    print(f"scim-assistant sso-test: {line}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from app.config import load_config
    from engine.client import PushError, default_db_path
    from engine.local_service import LocalService
    from engine.settings import load_settings

    config = load_config()
    sso = load_settings(args.settings).sso
    missing = [name for name in ("idp_entity_id", "idp_sso_url", "certificate") if not getattr(sso, name).strip()]
    if missing:
        raise InputError(args.settings, f"sso.{missing[0]} is empty: a test sign-in needs the entity ID, "
                         "SSO URL and certificate (load the IdP's metadata in step 5, or fill [sso])")
    url = args.to or config.service_url
    local = None
    client = None
    try:
        if url is None:
            local = LocalService(default_db_path(), config.sso_test_port)
            url = local.start()
        client = service_client(config, url, token=config.bearer_token() if local is None else None)
        test = client.start_sso_test(sso.idp_entity_id, sso.idp_sso_url, sso.certificate)
        return _wait(client, test)
    except PushError as exc:
        return report("sso-test", exc)
    finally:
        if client is not None:
            client.close()
        if local is not None:
            local.stop()


def _open_browser(url: str) -> bool:
    if not sys.stdout.isatty():
        return False
    import webbrowser

    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


def _wait(client: Any, test: dict[str, Any]) -> int:
    # The service's words are outside text: printed with control characters escaped.
    print(printable(f"Sign in through your IdP at: {test['login_url']}"), flush=True)
    print(printable(f"(the test expires at {test['expires_at']})"), flush=True)
    if _open_browser(test["login_url"]):
        print("Opened in your browser.", flush=True)
    spin = itertools.cycle(SPINNER)
    show = sys.stderr.isatty()
    while True:
        status = client.sso_test(test["id"])
        if status["status"] != "pending":
            break
        if show:
            print(f"\r{next(spin)} waiting for the sign-in…", end="", file=sys.stderr, flush=True)
        time.sleep(POLL_SECONDS)
    if show:
        print("\r" + " " * 30 + "\r", end="", file=sys.stderr, flush=True)
    if status["status"] == "passed":
        print(printable(f"Passed: signed in as {status.get('user')} (certificate SHA-256 "
                        f"{status.get('fingerprint_sha256')}). Enforcement with these settings can be pushed for "
                        "the next 24 hours."))
        return 0
    if status["status"] == "expired":
        _err("the test expired before a sign-in came back; run it again")
        return 1
    _err(printable(f"failed: {status.get('reason')}"))
    return 1
