"""The embedded service on a loopback port, for as long as a test sign-in needs it (issue 13).

A push reaches the embedded service in-process, but a test sign-in cannot: the admin's browser
follows the login URL and the IdP has it post its answer to the ACS. So `sso-test` and the
wizard serve the embedded database on 127.0.0.1 (by default the port `scim-assistant serve`
uses, so the ACS URL the IdP knows stays the same) while the test runs.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any  # `Any`: uvicorn's server and the ASGI app, imported only when the service starts

from engine.client import ServiceUnavailable

LOOPBACK = "127.0.0.1"


class LocalService:
    def __init__(self, db_path: str | Path, port: int, *, company: Any = None) -> None:
        self.db_path = Path(db_path)
        self.port = port
        self.company = company
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._app: Any = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> str:
        import uvicorn

        from engine.service.app import create_app

        with socket.socket() as probe:
            try:
                probe.bind((LOOPBACK, self.port))
            except OSError:
                raise ServiceUnavailable(
                    f"port {self.port} on {LOOPBACK} is in use, so the embedded service cannot serve the "
                    f"test sign-in there; if `scim-assistant serve` runs on it, use --to {self.url} (or "
                    "service_url), else set SCIM_ASSISTANT_SSO_TEST_PORT") from None
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self._app = create_app(self.db_path, token=None, company=self.company, public_url=self.url)
        config = uvicorn.Config(self._app, host=LOOPBACK, port=self.port, log_level="warning",
                                access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="sso-test-service", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:  # uvicorn says when it listens
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServiceUnavailable(f"the embedded service could not listen on {self.url}")
            time.sleep(0.02)
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        if self._app is not None:
            self._app.close()
        self._server = self._thread = self._app = None

    def __enter__(self) -> LocalService:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
