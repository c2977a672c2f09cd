"""Contract servers for Dialpad, Okta and Entra ID, one per test, and the credentials set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from tests.pull.contract import (
    DIALPAD_KEY,
    ENTRA_SECRET,
    OKTA_TOKEN,
    DialpadServer,
    EntraServer,
    OktaServer,
)

SECRETS = (DIALPAD_KEY, OKTA_TOKEN, ENTRA_SECRET, "contract-server-access-token")


@pytest.fixture
def dialpad() -> Iterator[DialpadServer]:
    server = DialpadServer(page_size=1).start()
    yield server
    server.stop()


@pytest.fixture
def okta() -> Iterator[OktaServer]:
    server = OktaServer(page_size=3).start()
    yield server
    server.stop()


@pytest.fixture
def entra() -> Iterator[EntraServer]:
    server = EntraServer(page_size=3).start()
    yield server
    server.stop()


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIALPAD_API_KEY", DIALPAD_KEY)
    monkeypatch.setenv("OKTA_API_TOKEN", OKTA_TOKEN)
    monkeypatch.setenv("ENTRA_CLIENT_SECRET", ENTRA_SECRET)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_no_secret(*texts: str, files: list[Path] = ()) -> None:  # type: ignore[assignment]
    blobs = [*texts, *(p.read_text(errors="replace") for p in files if p.exists())]
    for secret in SECRETS:
        for blob in blobs:
            assert secret not in blob


def leftovers(folder: Path) -> list[str]:
    """Temp files an interrupted atomic write would leave."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))
