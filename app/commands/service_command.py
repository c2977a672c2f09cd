"""What `push` and `sso-test` share: the `--settings` and `--to` arguments, the client for the
service they name, and the lines of a failure on stderr."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any  # `Any`: keyword arguments handed on to the client unchanged

if TYPE_CHECKING:
    from app.config import AppSettings
    from engine.client import SyncSettingsClient
    from engine.remote_errors import RemoteError


def add_service_arguments(p: argparse.ArgumentParser, *, settings_help: str, to_help: str) -> None:
    p.add_argument("--settings", metavar="FILE", required=True, help=settings_help)
    p.add_argument("--to", metavar="URL", help=to_help)


def service_client(config: AppSettings, url: str | None, **kwargs: Any) -> SyncSettingsClient:
    """The client for `url` (None: the embedded service) with the config's timeouts."""
    from engine.client import SyncSettingsClient

    return SyncSettingsClient(url, timeout=config.request_timeout, deadline=config.push_deadline, **kwargs)


def report(command: str, exc: RemoteError) -> int:
    """The failure on stderr: its sentence, then its problems one a line; its exit code."""
    lines = exc.lines()
    print(f"scim-assistant {command}: {lines[0]}", file=sys.stderr)
    for line in lines[1:]:
        print(line, file=sys.stderr)
    return int(exc.exit_code)
