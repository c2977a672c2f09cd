"""The test sign-in in the wizard (issue 13): a button that starts a test with the candidate IdP
settings, the login URL to open (with a copy button), the live status, the verdict, and the SP
metadata URL to give the IdP. The same calls as `scim-assistant sso-test`, in a worker.

The panel does not know where the service is: its owner passes `open_service`, which returns a
client and a function that releases what was opened (the embedded service served on loopback).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any  # `Any`: Widget's own keyword arguments passed on, and the service's JSON answer

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from widgets.sso_guard import _printable

if TYPE_CHECKING:
    from engine.client import SettingsClient

POLL_SECONDS = 1.0  # read at call time: tests make it shorter instead of sleeping

OpenService = Callable[[], Awaitable[tuple["SettingsClient", Callable[[], None]]]]


@dataclass(frozen=True)
class Candidate:
    idp_entity_id: str
    idp_sso_url: str
    certificate: str


class SsoTestPanel(Vertical):
    DEFAULT_CSS = """
    SsoTestPanel {
        height: auto;
    }
    SsoTestPanel Horizontal {
        height: auto;
    }
    SsoTestPanel Button {
        margin-right: 1;
    }
    SsoTestPanel #sso-test-status.passed {
        color: $success;
    }
    SsoTestPanel #sso-test-status.failed {
        color: $error;
    }
    """

    @dataclass
    class Passed(Message):
        """A test with these settings passed: the guard's last condition holds for 24 hours."""

        idp_entity_id: str
        idp_sso_url: str
        fingerprint_sha256: str

    def __init__(self, open_service: OpenService, metadata_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.open_service = open_service
        self.metadata_url = metadata_url
        self.login_url: str | None = None
        self.status: str = "idle"  # idle | starting | pending | passed | failed | expired | error

    def compose(self) -> ComposeResult:
        yield Static(self._metadata_line(), id="sso-test-metadata", markup=False)
        with Horizontal():
            yield Button("Test sign-in", id="sso-test-start", compact=True, variant="primary",
                         tooltip="Start a test sign-in through the IdP with the settings above")
            yield Button("Copy URL", id="sso-test-copy", compact=True, disabled=True,
                         tooltip="Copy the login URL, to open it in a browser")
        url = Static("", id="sso-test-url", markup=False)
        url.display = False
        yield url
        yield Static("Enforcement needs a test sign-in with these settings that passed within 24 hours.",
                     id="sso-test-status", markup=False)

    def _metadata_line(self) -> str:
        return f"SP metadata for the IdP: {self.metadata_url}"

    # -- running a test -----------------------------------------------------------------------

    @on(Button.Pressed, "#sso-test-copy")
    def copy_url(self) -> None:
        if self.login_url:
            self.app.copy_to_clipboard(self.login_url)
            self.notify("Login URL copied: open it in a browser.", title="Test sign-in")

    def start(self, candidate: Candidate) -> None:
        self.query_one("#sso-test-start", Button).disabled = True
        self._show("starting", "Starting a test sign-in…")
        self.run_test(candidate)

    def _show(self, status: str, text: str) -> None:
        self.status = status
        line = self.query_one("#sso-test-status", Static)
        line.set_class(status == "passed", "passed")
        line.set_class(status in ("failed", "expired", "error"), "failed")
        # The reason and the user come from the IdP's answer: no control characters on screen.
        line.update("\n".join(_printable(part) for part in text.split("\n")))

    @work(exclusive=True, group="sso-test", exit_on_error=False, description="test sign-in")
    async def run_test(self, candidate: Candidate) -> None:
        from engine.client import PushError
        from engine.errors import InputError

        client = release = None
        try:
            client, release = await self.open_service()
            test = await client.start_sso_test(candidate.idp_entity_id, candidate.idp_sso_url,
                                               candidate.certificate)
            self.login_url = str(test["login_url"])
            base = self.login_url.split("/saml/login/")[0]
            self.metadata_url = f"{base}/saml/metadata"
            self.query_one("#sso-test-metadata", Static).update(self._metadata_line())
            url = self.query_one("#sso-test-url", Static)
            url.update(f"Open in a browser and sign in: {self.login_url}")
            url.display = True
            self.query_one("#sso-test-copy", Button).disabled = False
            self._show("pending", "Waiting for the sign-in… (the test expires in 15 minutes)")
            while True:
                result = await client.sso_test(str(test["id"]))
                if result["status"] != "pending":
                    break
                await asyncio.sleep(POLL_SECONDS)
            self._verdict(candidate, result)
        except (PushError, InputError) as exc:
            self._show("error", f"✗ {exc}")
        finally:
            self.query_one("#sso-test-start", Button).disabled = False
            if client is not None:
                await client.aclose()
            if release is not None:
                await asyncio.to_thread(release)

    def _verdict(self, candidate: Candidate, result: dict[str, Any]) -> None:
        status = str(result["status"])
        if status == "passed":
            self._show("passed", f"✓ Passed: signed in as {result['user']}. Enforcement with these settings "
                       "can be pushed for 24 hours.")
            self.post_message(self.Passed(candidate.idp_entity_id, candidate.idp_sso_url,
                                          str(result["fingerprint_sha256"])))
        elif status == "expired":
            self._show("expired", "✗ The test expired before a sign-in came back: start another.")
        else:
            self._show("failed", f"✗ Failed: {result['reason']}")
