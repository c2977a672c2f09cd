"""Where the wizard's test sign-in runs: the configured service, else the embedded one served on
loopback while the test lasts (as `scim-assistant sso-test` does)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.client import SettingsClient


def sp_metadata_url() -> str:
    """The SP metadata URL to give the IdP, before a test has told the real one."""
    from app.config import load_config
    from engine.local_service import LOOPBACK

    try:
        config = load_config()
    except Exception:  # noqa: BLE001 - a broken config is reported where it is used
        return f"http://{LOOPBACK}:8787/saml/metadata"
    if config.service_url:
        return f"{config.service_url.rstrip('/')}/saml/metadata"
    return f"http://{LOOPBACK}:{config.sso_test_port}/saml/metadata"


async def open_sso_service() -> tuple[SettingsClient, Callable[[], None]]:
    """A client for the test sign-in and what to call when it is over."""
    from app.config import load_config
    from engine.client import SettingsClient, default_db_path
    from engine.local_service import LocalService

    config = load_config()
    if config.service_url:
        client = await asyncio.to_thread(SettingsClient, config.service_url, token=config.bearer_token(),
                                         timeout=config.request_timeout, deadline=config.push_deadline)
        return client, lambda: None
    local = LocalService(default_db_path(), config.sso_test_port)
    url = await asyncio.to_thread(local.start)
    try:
        client = SettingsClient(url, timeout=config.request_timeout, deadline=config.push_deadline)
    except BaseException:
        local.stop()
        raise
    return client, local.stop
