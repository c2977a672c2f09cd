"""The client a step talks to the provisioning service with (step 7's push, step 5's look-up of
test sign-ins that passed elsewhere): `service_url` from the app config, else the embedded
local service on the loaded directory."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.widget import Widget

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


class PassesUnknown(Exception):
    """The service could not be asked which test sign-ins passed: the sentence says which service,
    why, and what to do (the admin hears it; the guard keeps asking for a test sign-in)."""


async def learn_passes(host: StepHost, client: SettingsClient, entity: str, url: str, certificate: str) -> bool:
    """Ask the service whether a test sign-in of these settings passed (`sso-test`, another
    wizard) and record each pass, with its time, where the guard looks: True when one did.
    Raises PassesUnknown when the service cannot be asked (down, refusing the token)."""
    from engine.client import PushError
    from engine.sso import certificate_fingerprints

    try:
        passed = await client.passed_sign_ins(entity, url, certificate)
    except PushError as exc:
        raise PassesUnknown(passes_unknown(client.where, exc)) from exc
    if passed is None and entity and url and certificate_fingerprints(certificate):
        # Asked, and no list came back (404, 500, an answer that is not the list).
        raise PassesUnknown(f"{UNKNOWN}: {client.where} could not say. Is it the SCIM assistant "
                            "service, and as recent as this wizard?")
    for test in passed or []:
        finished = _when(test.get("finished_at"))
        fingerprint = test.get("fingerprint_sha256")
        if finished is not None and isinstance(fingerprint, str):
            host.sso_passes.record(entity, url, fingerprint, finished)
    return bool(passed)


async def look_up_passes(host: StepHost, entity: str, url: str, certificate: str) -> bool:
    """`learn_passes` on a client of its own (step 5). Raises PassesUnknown when the service
    cannot be asked, the config that names it included."""
    from engine.client import PushError
    from engine.errors import InputError

    try:
        client = await open_settings_client(host)
    except InputError as exc:
        raise PassesUnknown(f"{UNKNOWN}: {exc.line()}") from exc
    except PushError as exc:
        raise PassesUnknown(passes_unknown(None, exc)) from exc
    try:
        return await learn_passes(host, client, entity, url, certificate)
    finally:
        await client.aclose()


UNKNOWN = "Test sign-ins that passed outside this wizard are unknown"
STILL_ASKS = "Until then the guard asks for a test sign-in (step 5)."


def notify_passes_unknown(widget: Widget, exc: PassesUnknown) -> None:
    """The notice steps 5 and 7 give when the service could not be asked."""
    widget.notify(f"{exc} {STILL_ASKS}", title="Test sign-ins unknown", severity="warning", timeout=10)


def passes_unknown(where: str | None, exc: Exception) -> str:
    """One sentence: which service could not say, why, and what to do."""
    from engine.client import ServiceUnavailable

    if isinstance(exc, ServiceUnavailable) and where is not None:
        return (f"{UNKNOWN}: {where} could not be reached. Check that the service runs "
                "(scim-assistant serve) and that service_url in the config names it.")
    reason = str(exc).splitlines()[0].rstrip(".") if str(exc) else type(exc).__name__
    return f"{UNKNOWN}: {reason}."


def _when(text: object) -> dt.datetime | None:
    """A service's `finished_at` (ISO 8601, UTC), or None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
