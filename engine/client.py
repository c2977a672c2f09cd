"""The push client: read the service's settings and their ETag, push new ones with `If-Match`.

- Async (httpx.AsyncClient) for the wizard; `SyncSettingsClient` wraps it for the command line.
- Connect errors, 429 (honouring `Retry-After`), 502, 503 and 504 are retried with exponential
  backoff: at most `MAX_ATTEMPTS` attempts, all within a total deadline.
- Every other answer becomes a `PushError` whose message is a sentence for the admin, quoting
  at most a cleaned excerpt of the server's words (`clean`): the token masked, control
  characters escaped. Answers are read as streams and capped in size; JSON deeper than
  orjson's limit is refused, not a RecursionError.
- One deadline covers every request of a client (a push: read, company, write), not each one.
- No URL: the embedded service, `engine.service.app.create_app` over the SQLite file in the
  user data directory, reached in-process through `httpx.ASGITransport`: the same HTTP API with
  nothing to start, and the very database `scim-assistant serve` uses by default.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from engine.errors import InputError
from engine.remote_errors import (
    CredentialRefused,
    RemoteError,
    UnexpectedAnswer,
    Unreachable,
    UnusableInput,
)
from engine.remote_http import (
    AnswerTooBig,
    BadJson,
    BoundedBody,
    MiB,
    decode_json,
    next_wait,
    redirect_refused,
    retry_after,
    transport_problem,
    url_problem,
    without_userinfo,
)
from engine.safetext import excerpt
from engine.settings import Settings, parse_settings

API = "/api/v1"
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 0.25  # first wait; doubles each retry, with jitter
MAX_BACKOFF_SECONDS = 4.0
DEFAULT_TIMEOUT = 10.0
DEFAULT_DEADLINE = 30.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_ANSWER_BYTES = 4 * 1024 * 1024         # settings, company, errors: a few KiB in truth
MAX_PREVIEW_ANSWER_BYTES = 256 * 1024 * 1024  # a dry run's preview: as big as the users file allows
EXCERPT_CHARS = 300                        # the most of a server's own words shown to the admin
MAX_PROBLEMS = 20
EMBEDDED_URL = "http://embedded.invalid"
TOKEN_HINT = "set SCIM_ASSISTANT_TOKEN"

T = TypeVar("T")

if TYPE_CHECKING:
    import datetime as dt

    import httpx  # imported when used: `import httpx` loads Rich, which the engine must not
    from pydantic import SecretStr

    from engine.directory import Company
    from engine.service.app import ProvisioningService

# `Any` below is decoded JSON (checked where it is read) or keyword arguments passed through
# unchanged to SettingsClient.


def default_db_path() -> Path:
    """The service's SQLite file in the user data directory: the embedded service's and the
    default of `scim-assistant serve --db`."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("scim-assistant")) / "service.sqlite3"


# -- errors: the shared set (engine/remote_errors.py), under the names the push's callers use --


PushError = RemoteError  # a push that did not happen
InsecureUrl = UnusableInput
TokenRefused = CredentialRefused
ServiceUnavailable = Unreachable


class DatabaseInUse(RemoteError):
    """Another embedded service writes the database: refused, not unreachable."""

    exit_code = 1


class StaleSettings(RemoteError):
    """412: the ETag the push was based on is no longer the service's."""

    exit_code = 1


class SettingsRefused(RemoteError):
    """422: the service listed what is wrong (the settings model, then the lock-out guard)."""

    exit_code = 1


class UnusableSsoSettings(RemoteError):
    """422 on a test sign-in: the candidate IdP settings cannot be tried."""

    exit_code = 2


# -- URLs --------------------------------------------------------------------------------------


def check_service_url(url: str) -> str:
    """The base URL, without a trailing slash; refuse what would leak the token."""
    problem, parts = url_problem(url)
    if problem == "userinfo":
        raise InsecureUrl("put the token in SCIM_ASSISTANT_TOKEN, not in the service URL")
    if problem == "not_url":
        raise InsecureUrl(f"{without_userinfo(url)!r} is not a service URL; give one like https://scim.example.com")
    if problem == "bad_port":
        raise InsecureUrl(f"{url!r} has no valid port; a port is a number from 1 to 65535")
    if problem == "plain_http":
        assert parts is not None and parts.hostname
        raise InsecureUrl(f"refusing plain http to {parts.hostname}: the token would travel in clear "
                          "text; use https (plain http is only for 127.0.0.1 or localhost)")
    return url.strip().rstrip("/")


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteSettings:
    settings: Settings
    etag: str

    @property
    def version(self) -> str:
        return self.etag.strip('"').removeprefix("W/").strip('"')


# -- the client --------------------------------------------------------------------------------


class SettingsClient:
    """One service (a URL, or the embedded one when `base_url` is None)."""

    def __init__(self, base_url: str | None = None, *, token: SecretStr | str | None = None,
                 timeout: float = DEFAULT_TIMEOUT,
                 deadline: float = DEFAULT_DEADLINE, max_attempts: int = MAX_ATTEMPTS,
                 backoff: float | None = None, db_path: str | os.PathLike[str] | None = None,
                 company: Company | str | Path | None = None, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, actor: str = "scim-assistant") -> None:
        import httpx

        self.embedded = base_url is None and transport is None
        self.deadline = deadline
        self.max_attempts = max(1, max_attempts)
        self.backoff = BACKOFF_SECONDS if backoff is None else backoff
        self._sleep = sleep
        self._service: ProvisioningService | None = None
        self._spent = 0.0  # seconds this client's requests took so far: one deadline for them all
        headers = {"Accept": "application/json", "X-Actor": actor}
        secret = token if token is None or isinstance(token, str) else token.get_secret_value()
        self._secret = str(secret) if secret else None
        if self.embedded:
            self.db_path = Path(db_path) if db_path is not None else default_db_path()
            base_url = self._embedded_or_running(company)
        if self.embedded:
            # The service types ASGI messages as dicts (as scim2-server does), httpx as mappings.
            transport = httpx.ASGITransport(app=self._service)  # type: ignore[arg-type]
            self.where = f"the embedded service ({self.db_path})"
            url = EMBEDDED_URL
        else:
            url = check_service_url(base_url) if base_url is not None else EMBEDDED_URL
            self.where = url
            if secret:
                headers["Authorization"] = f"Bearer {secret}"
        self._http = httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout, transport=transport,
                                       follow_redirects=False)

    def _embedded_or_running(self, company: Any) -> str | None:
        """One writer per database: when `serve` writes this file, push through it (its URL);
        when another embedded service holds it, refuse; else become its writer in-process."""
        from engine.service.app import create_app
        from engine.service.writer import DatabaseBusy, running_service

        holder = running_service(self.db_path)
        if holder is None:
            try:
                self._service = create_app(self.db_path, token=None, company=company)
                return None
            except DatabaseBusy as exc:  # taken meanwhile
                holder = exc.holder
        if holder is not None and holder.url:
            self.embedded = False
            return holder.url
        who = holder.describe() if holder else "another process"
        raise DatabaseInUse(f"{self.db_path} is being written by {who}; close it (or start "
                        "`scim-assistant serve` and push there) and push again: two writers "
                        "could give one seat or number twice")

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._service is not None:
            self._service.close()
            self._service = None

    async def __aenter__(self) -> SettingsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the API ------------------------------------------------------------------------------

    async def get_settings(self) -> RemoteSettings:
        response = await self._request("GET", f"{API}/settings")
        return self._remote(response)

    async def put_settings(self, settings: Settings, etag: str) -> RemoteSettings:
        """Push `settings` if the service still has the version `etag` names."""
        body = settings.to_dict()
        retried = [False]
        try:
            response = await self._request("PUT", f"{API}/settings", json=body, headers={"If-Match": etag},
                                           retried=retried)
        except StaleSettings:
            if retried[0]:
                # An earlier attempt may have been stored before its answer was lost: then the
                # service now holds exactly these settings, and the push did happen.
                current = await self.get_settings()
                if current.settings == settings:
                    return current
            raise
        return self._remote(response)

    async def company(self) -> dict[str, Any]:
        return self._document(await self._request("GET", f"{API}/company"), "its company directory")

    async def preview(self, users: bytes, as_of: dt.date | None = None) -> dict[str, Any]:
        params = {"as_of": as_of.isoformat()} if as_of is not None else None
        response = await self._request("POST", f"{API}/preview", content=users, params=params,
                                       headers={"Content-Type": "application/octet-stream"},
                                       limit=MAX_PREVIEW_ANSWER_BYTES)
        return self._document(response, "a preview")

    # -- answers: bounded, and shown only as cleaned excerpts ------------------------------------

    def clean(self, text: str, limit: int = EXCERPT_CHARS) -> str:
        """A server's words as the admin may see them: the token masked wherever it appears
        (a server may echo the request's headers), control characters escaped, one line, and
        at most `limit` characters."""
        return excerpt(text, limit, (self._secret,) if self._secret else ())

    def _document(self, response: httpx.Response, what: str) -> dict[str, Any]:
        data = _json(response)
        if not isinstance(data, dict):
            raise UnexpectedAnswer(f"{self.where} sent {what} that is not a JSON object of a sensible depth; "
                                   "is it the SCIM assistant service?")
        return data

    async def _fetch(self, method: str, path: str, limit: int, kwargs: dict[str, Any]) -> httpx.Response:
        """The answer, read as a stream and refused once it passes `limit` bytes, so a huge or
        endless answer never fills memory."""
        try:
            async with self._http.stream(method, path, **kwargs) as response:
                body = BoundedBody(response, limit)
                async for chunk in response.aiter_bytes():
                    body.add(chunk)
        except AnswerTooBig:
            raise UnexpectedAnswer(f"{self.where} sent an answer larger than {limit // MiB} MiB, which was not "
                                   "read; is it the SCIM assistant service?") from None
        return body.read()

    # -- the test sign-in (issue 13) --------------------------------------------------------------

    async def start_sso_test(self, idp_entity_id: str, idp_sso_url: str, certificate: str) -> dict[str, Any]:
        """POST /sso-tests: {"id", "login_url", "expires_at"}."""
        body = {"idp_entity_id": idp_entity_id, "idp_sso_url": idp_sso_url, "certificate": certificate}
        try:
            response = await self._request("POST", f"{API}/sso-tests", json=body)
        except SettingsRefused as exc:
            raise UnusableSsoSettings("the test sign-in cannot start with these settings:", exc.problems) from None
        test = self._document(response, "a test sign-in")
        login = test.get("login_url")
        if not all(isinstance(test.get(k), str) for k in ("id", "login_url", "expires_at")) or \
                url_problem(str(login))[0] in ("not_url", "userinfo", "bad_port"):
            raise UnexpectedAnswer(f"{self.where} started a test sign-in without an id, an http(s) login URL "
                                   "and an expiry; is it the SCIM assistant service?")
        return self._masked(test)

    async def sso_test(self, test_id: str) -> dict[str, Any]:
        from urllib.parse import quote

        test = self._document(await self._request("GET", f"{API}/sso-tests/{quote(test_id, safe='')}"),
                              "a test sign-in")
        if test.get("status") not in ("pending", "passed", "failed", "expired"):
            raise UnexpectedAnswer(f"{self.where} sent a test sign-in without a known status; is it the SCIM "
                                   "assistant service?")
        return self._masked(test)

    def _masked(self, data: dict[str, Any]) -> dict[str, Any]:
        """The token masked in every text of an answer that is shown whole (a test's reason)."""
        if not self._secret:
            return data
        return {k: v.replace(self._secret, "***") if isinstance(v, str) else v for k, v in data.items()}

    async def sign_in_tested(self, idp_entity_id: str, idp_sso_url: str, certificate: str) -> bool | None:
        """Whether a test sign-in with these settings passed within 24 hours; None when the
        service cannot say (no certificate, or a service without test sign-ins)."""
        passed = await self.passed_sign_ins(idp_entity_id, idp_sso_url, certificate)
        return None if passed is None else bool(passed)

    async def passed_sign_ins(self, idp_entity_id: str, idp_sso_url: str,
                              certificate: str) -> list[dict[str, Any]] | None:
        """The tests of these settings that passed within 24 hours, as the service lists them
        (`GET /api/v1/sso-tests?...`); None when the service cannot say."""
        from engine.sso import certificate_fingerprints

        fingerprints = certificate_fingerprints(certificate)
        if not (idp_entity_id and idp_sso_url and fingerprints):
            return None
        params = [("idp_entity_id", idp_entity_id), ("idp_sso_url", idp_sso_url),
                  *(("fingerprint_sha256", fp) for fp in fingerprints)]
        try:
            response = await self._request("GET", f"{API}/sso-tests", params=params)
        except UnexpectedAnswer:
            return None
        data = _json(response)
        passed = data.get("passed") if isinstance(data, dict) else None
        return [t for t in passed if isinstance(t, dict)] if isinstance(passed, list) else None

    # -- one request, retried ------------------------------------------------------------------

    def _remote(self, response: httpx.Response) -> RemoteSettings:
        etag = response.headers.get("ETag")
        if not etag:
            raise UnexpectedAnswer(f"{self.where} answered without an ETag; is it the SCIM assistant service?")
        if len(etag) > 200 or self.clean(etag) != etag:  # shown as the version: no token, no escapes
            raise UnexpectedAnswer(f"{self.where} sent an ETag that is not a version; is it the SCIM "
                                   "assistant service?")
        data = self._document(response, "settings")
        try:
            settings = parse_settings(data, source=f"the settings on {self.where}")
        except (ValueError, InputError, AttributeError) as exc:
            raise UnexpectedAnswer(f"{self.where} sent settings this version cannot read "
                                   f"({self.clean(str(exc))})") from None
        return RemoteSettings(settings, etag)

    async def _request(self, method: str, path: str, *, retried: list[bool] | None = None,
                       limit: int = MAX_ANSWER_BYTES, **kwargs: Any) -> httpx.Response:
        start = time.monotonic()
        try:
            return await self._attempts(method, path, start, retried, limit, kwargs)
        finally:
            self._spent += time.monotonic() - start

    async def _attempts(self, method: str, path: str, start: float, retried: list[bool] | None, limit: int,
                        kwargs: dict[str, Any]) -> httpx.Response:
        import httpx

        def left() -> float:  # of the deadline shared by every request of this client
            return self.deadline - self._spent - (time.monotonic() - start)

        last_problem = ""
        attempt = 0
        for attempt in range(1, self.max_attempts + 1):  # noqa: B007 - the count is reported
            if attempt > 1 and retried is not None:
                retried[0] = True
            remaining = left()
            if remaining <= 0:
                break
            wait: float | None = None
            try:
                response = await asyncio.wait_for(self._fetch(method, path, limit, kwargs), remaining)
            except httpx.UnsupportedProtocol:
                raise InsecureUrl(f"{self.where} is not an http or https URL") from None
            except (TimeoutError, httpx.TransportError) as exc:
                last_problem = transport_problem(exc)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return self._check(response)
                last_problem = f"it answered {response.status_code} {self.clean(response.reason_phrase, 60)}"
                wait = retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait > left():
                    raise ServiceUnavailable(
                        f"{self.where} asked to wait {wait:.0f} s (Retry-After), longer than the "
                        f"{self.deadline:.0f} s deadline; try again later. Nothing was pushed.")
            if attempt == self.max_attempts:
                break
            wait = next_wait(attempt, wait, backoff=self.backoff, max_backoff=MAX_BACKOFF_SECONDS)
            await self._sleep(min(wait, max(0.0, left())))
        elapsed = self._spent + time.monotonic() - start
        what = "the push may not have been stored" if method == "PUT" else "nothing was pushed"
        problem = last_problem or f"the {self.deadline:.0f} s deadline of the push passed"
        raise ServiceUnavailable(
            f"could not reach {self.where}: {problem} ({attempt} attempt(s); {elapsed:.1f} s in all); {what}. "
            "Check that the service runs (scim-assistant serve) and try again.")

    def _check(self, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status < 300:
            return response
        detail = self.clean(_detail(response))
        reason = self.clean(response.reason_phrase, 60)
        if status == 401:
            raise TokenRefused(f"the service refused the token; {TOKEN_HINT} ({self.where})")
        if status == 403:
            raise TokenRefused(f"the token may not do this ({self.where}); {TOKEN_HINT} to an admin token")
        if status == 412:
            raise StaleSettings("someone changed the settings since you loaded them; reload them to "
                                "see the new diff, then push again")
        if status == 428:
            raise UnexpectedAnswer("the service wants an If-Match header; this is a bug in the push client")
        if status == 422:
            problems = [self.clean(p) for p in _problems(response)]
            shown = problems[:MAX_PROBLEMS]
            if len(problems) > MAX_PROBLEMS:
                shown.append(f"… and {len(problems) - MAX_PROBLEMS} more")
            raise SettingsRefused(f"the service refused the settings ({len(problems)} problem(s)):",
                                  shown or [detail])
        if 300 <= status < 400:
            raise UnexpectedAnswer(redirect_refused(self.where, response, "the token"))
        if status == 404:
            raise UnexpectedAnswer(f"{self.where} has no settings API at {response.request.url.path}; "
                                   "is it the SCIM assistant service?")
        if status >= 500:
            raise UnexpectedAnswer(f"{self.where} failed ({status} {reason}): {detail}")
        raise UnexpectedAnswer(f"{self.where} answered {status} {reason}: {detail}")


def _json(response: httpx.Response) -> Any:
    """The answer's JSON, or None when it is not JSON or nests too deep (engine/remote_http)."""
    try:
        return decode_json(response.content)
    except BadJson:
        return None


def _detail(response: httpx.Response) -> str:
    data = _json(response)
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return data["detail"]
    # Whole (it is bounded by MAX_ANSWER_BYTES), so the token is masked before any cut.
    return response.content.decode("utf-8", "replace").strip() or "no detail"


def _problems(response: httpx.Response) -> list[str]:
    data = _json(response)
    problems = data.get("problems") if isinstance(data, dict) else None
    return [str(p) for p in problems] if isinstance(problems, list) else []


# -- the sync wrapper for the command line -----------------------------------------------------


class SyncSettingsClient:
    """The same calls, blocking: one event loop for the client's whole life."""

    def __init__(self, base_url: str | None = None, **kwargs: Any) -> None:
        self._runner = asyncio.Runner()
        try:
            self._client = self._runner.run(_make(base_url, kwargs))
        except BaseException:
            self._runner.close()
            raise

    @property
    def where(self) -> str:
        return self._client.where

    @property
    def embedded(self) -> bool:
        return self._client.embedded

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._runner.run(coro)

    def get_settings(self) -> RemoteSettings:
        return self._run(self._client.get_settings())

    def put_settings(self, settings: Settings, etag: str) -> RemoteSettings:
        return self._run(self._client.put_settings(settings, etag))

    def company(self) -> dict[str, Any]:
        return self._run(self._client.company())

    def preview(self, users: bytes, as_of: dt.date | None = None) -> dict[str, Any]:
        return self._run(self._client.preview(users, as_of))

    def start_sso_test(self, idp_entity_id: str, idp_sso_url: str, certificate: str) -> dict[str, Any]:
        return self._run(self._client.start_sso_test(idp_entity_id, idp_sso_url, certificate))

    def sso_test(self, test_id: str) -> dict[str, Any]:
        return self._run(self._client.sso_test(test_id))

    def sign_in_tested(self, idp_entity_id: str, idp_sso_url: str, certificate: str) -> bool | None:
        return self._run(self._client.sign_in_tested(idp_entity_id, idp_sso_url, certificate))

    def close(self) -> None:
        try:
            self._run(self._client.aclose())
        finally:
            self._runner.close()

    def __enter__(self) -> SyncSettingsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _make(base_url: str | None, kwargs: dict[str, Any]) -> SettingsClient:
    return SettingsClient(base_url, **kwargs)
