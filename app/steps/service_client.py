"""The client a step talks to the provisioning service with (step 7's push, step 5's look-up of
test sign-ins that passed elsewhere): `service_url` from the app config, else the embedded
local service on the loaded directory."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.steps.contract import StepHost
    from engine.client import SettingsClient


async def open_settings_client(host: StepHost) -> SettingsClient:
    """A client for one operation. The embedded service is opened afresh each time, so it reads
    what `scim-assistant serve` (or another wizard) stored meanwhile. Raises the config's
    InputError, which the caller shows as the reason."""
    from engine.client import SettingsClient

    config = host.app_config()
    src = host.sources
    company = src.company_path if src is not None and config.service_url is None else None
    return await asyncio.to_thread(
        SettingsClient, config.service_url, token=config.bearer_token(), timeout=config.request_timeout,
        deadline=config.push_deadline, company=company)


async def learn_passes(host: StepHost, client: SettingsClient, entity: str, url: str, certificate: str) -> bool:
    """Ask the service whether a test sign-in of these settings passed (`sso-test`, another
    wizard) and record each pass, with its time, where the guard looks: True when one did."""
    passed = await client.passed_sign_ins(entity, url, certificate)
    for test in passed or []:
        finished = _when(test.get("finished_at"))
        fingerprint = test.get("fingerprint_sha256")
        if finished is not None and isinstance(fingerprint, str):
            host.sso_passes.record(entity, url, fingerprint, finished)
    return bool(passed)


def _when(text: object) -> dt.datetime | None:
    """A service's `finished_at` (ISO 8601, UTC), or None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
