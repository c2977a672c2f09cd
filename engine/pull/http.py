"""One small HTTP session for the pulls (Dialpad, Okta, Microsoft Graph): retries, pacing, one
deadline, cancellation, and errors that are sentences for the admin.

- Connection errors, timeouts, 429 (honouring `Retry-After`) and 500/502/503/504 are retried with
  doubling backoff, at most `max_attempts` times per request, all within one deadline for the
  whole pull. A `Retry-After` longer than what is left of the deadline ends the pull at once.
- Requests are spaced at least `min_interval` apart, so a pull stays under the API's documented
  per-minute limit; Okta's `X-Rate-Limit-Remaining: 0` waits until `X-Rate-Limit-Reset`.
- `cancel` (a threading.Event) stops the pull between requests and during every wait.
- Answers are read as streams: one over `max_answer_bytes`, or all of a pull's together over
  `max_total_bytes`, is dropped unread; JSON deeper than 1024 levels is refused; a redirect is
  never followed (the credential would go with it). Each is a sentence naming the URL (no query,
  no user info) and the limit (engine/remote_http.py, shared with the push client).
- Messages never hold a secret: every known secret is replaced by `***` before it is shown.

Blocking (httpx.Client): the command line calls it directly, the wizard from a worker thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any  # `Any`: httpx's params and form data, and decoded JSON answers

from engine.remote_errors import (
    Cancelled,
    CredentialRefused,
    UnexpectedAnswer,
    Unreachable,
    UnusableInput,
)
from engine.remote_http import (
    MAX_JSON_DEPTH,
    AnswerTooBig,
    BadJson,
    BoundedBody,
    MiB,
    decode_json,
    next_wait,
    redirect_refused,
    retry_after,
    shown_url,
    transport_problem,
    url_problem,
    without_userinfo,
)
from engine.safetext import excerpt

if TYPE_CHECKING:
    import httpx  # imported when used: `import httpx` loads Rich, which the engine must not

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "scim-assistant-pull"


def check_base_url(url: str, *, what: str, option: str) -> str:
    """The URL without a trailing slash; https, or plain http to a loopback address only (a
    credential would otherwise cross the network in clear text)."""
    problem, parts = url_problem(url)
    if problem == "userinfo":
        raise UnusableInput(f"{option} must not hold a user name or password; credentials come from the environment")
    if problem == "not_url":
        raise UnusableInput(f"{option} {without_userinfo(url)!r} is not a URL; give one like https://{what}")
    if problem == "bad_port":
        raise UnusableInput(f"{option} {url!r} has no valid port; a port is a number from 1 to 65535")
    if problem == "plain_http":
        assert parts is not None
        raise UnusableInput(f"refusing plain http to {parts.hostname} ({option}): the credential would travel "
                            "in clear text; use https (plain http is only for 127.0.0.1 or localhost)")
    return url.strip().rstrip("/")


@dataclass
class Policy:
    """How patient a pull is. `min_interval` is 60 / the documented requests per minute."""

    timeout: float = 10.0  # one answer
    deadline: float = 120.0  # the whole pull
    max_attempts: int = 5
    backoff: float = 0.25  # first wait; doubles, with jitter
    max_backoff: float = 8.0
    min_interval: float = 0.0
    max_answer_bytes: int = 16 * MiB  # one page: a few MiB at most in truth (999 Graph users)
    max_total_bytes: int = 512 * MiB  # every answer of the pull: more would not preview anyway


@dataclass
class Session:
    """One API, one credential. `refused` is the sentence for 401/403."""

    service: str
    refused: str
    policy: Policy = field(default_factory=Policy)
    headers: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)
    requests: int = 0
    received: int = 0  # bytes of every answer so far

    def __post_init__(self) -> None:
        import httpx

        self._client = httpx.Client(headers={"Accept": "application/json", "User-Agent": USER_AGENT,
                                             **self.headers},
                                    timeout=self.policy.timeout, follow_redirects=False)
        self._start = time.monotonic()
        self._last_request = -1e9
        self._not_before = 0.0  # a rate-limit reset asked for by the API

    def close(self) -> None:
        self._client.close()

    def set_header(self, name: str, value: str) -> None:
        self._client.headers[name] = value

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def remaining(self) -> float:
        return self.policy.deadline - (time.monotonic() - self._start)

    def wait(self, seconds: float) -> None:
        """Sleep, but wake for a cancel; never past the deadline."""
        if seconds > 0 and self.cancel.wait(min(seconds, max(0.0, self.remaining()))):
            raise Cancelled("cancelled; nothing was written")
        self.check_cancel()

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled("cancelled; nothing was written")

    def _pace(self) -> None:
        now = time.monotonic()
        wait = max(self._last_request + self.policy.min_interval - now, self._not_before - now)
        if wait > self.remaining():
            raise Unreachable(f"{self.service} asked to slow down for {wait:.0f} s, longer than what is "
                              f"left of the {self.policy.deadline:.0f} s deadline; try again later")
        self.wait(wait)
        self._last_request = time.monotonic()

    def note_rate_limit(self, response: httpx.Response) -> None:
        """Okta's headers: when no request is left in this window, wait for its reset."""
        left, reset = response.headers.get("X-Rate-Limit-Remaining"), response.headers.get("X-Rate-Limit-Reset")
        if left is None or reset is None:
            return
        try:
            if int(left) <= 0:
                self._not_before = time.monotonic() + max(0.0, float(reset) - time.time())
        except ValueError:
            return

    def _fetch(self, method: str, url: str, params: Any, data: Any) -> httpx.Response:
        """One answer, read as a bounded stream. The deadline is checked as each chunk arrives:
        httpx's timeout is per read, so an answer trickled a byte at a time would outlive it."""
        import httpx

        per_answer = self.policy.max_answer_bytes
        limit = max(0, min(per_answer, self.policy.max_total_bytes - self.received))
        try:
            with self._client.stream(method, url, params=params, data=data,
                                     timeout=min(self.policy.timeout, max(0.1, self.remaining()))) as response:
                body = BoundedBody(response, limit)
                for chunk in response.iter_bytes():
                    body.add(chunk)
                    if self.remaining() <= 0:
                        raise httpx.ReadTimeout("the deadline passed while the answer arrived")
                    self.check_cancel()
        except AnswerTooBig:
            where = f"{self.service} ({self.redact(shown_url(url))})"
            if limit < per_answer:
                raise UnexpectedAnswer(f"{where}: the answers of this pull passed "
                                       f"{self.policy.max_total_bytes // MiB} MiB together, more than a "
                                       "directory or a sample of users needs; stopped, nothing was written") from None
            raise UnexpectedAnswer(f"{where} sent an answer larger than {per_answer // MiB} MiB, which was not "
                                   "read; is the URL right? Nothing was written") from None
        self.received += len(body)
        return body.read()

    def request(self, method: str, url: str, *, params: Any = None, data: Any = None,
                ok: Iterable[int] = (200,)) -> httpx.Response:
        import httpx

        last = ""
        attempt = 0
        for attempt in range(1, self.policy.max_attempts + 1):  # noqa: B007 - reported below
            self.check_cancel()
            if self.remaining() <= 0:
                break
            self._pace()
            wait: float | None = None
            self.requests += 1
            try:
                response = self._fetch(method, url, params, data)
            except httpx.UnsupportedProtocol:
                raise UnusableInput(f"{self.service}: not an http or https URL") from None
            except httpx.TransportError as exc:
                last = transport_problem(exc)
            else:
                self.note_rate_limit(response)
                status = response.status_code
                if status in (401, 403):
                    raise CredentialRefused(self.refused)
                if status not in RETRY_STATUSES:
                    if status in set(ok):
                        return response
                    if 300 <= status < 400:
                        raise UnexpectedAnswer(self.redact(redirect_refused(self.service, response, "the credential")
                                                           + "; nothing was written"))
                    raise Unreachable(self.redact(f"{self.service} answered {status} {response.reason_phrase} "
                                                  f"for {response.request.url.path}: "
                                                  f"{excerpt(response.text, 200, tuple(self.secrets))}"))
                last = f"it answered {status} {response.reason_phrase}"
                wait = retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait > self.remaining():
                    raise Unreachable(f"{self.service} asked to wait {wait:.0f} s (Retry-After), longer than "
                                      f"what is left of the {self.policy.deadline:.0f} s deadline; try again later")
            if attempt == self.policy.max_attempts:
                break
            self.wait(next_wait(attempt, wait, backoff=self.policy.backoff, max_backoff=self.policy.max_backoff))
        elapsed = time.monotonic() - self._start
        raise Unreachable(f"could not reach {self.service}: {last or 'the deadline passed'} "
                          f"({attempt} attempt(s), {elapsed:.1f} s into the pull); nothing was written")

    def get_json(self, url: str, *, params: Any = None) -> tuple[Any, httpx.Response]:
        response = self.request("GET", url, params=params)
        return self.json_of(response), response

    def json_of(self, response: httpx.Response) -> Any:
        try:
            return decode_json(response.content)
        except BadJson as exc:
            where = self.redact(shown_url(response.request.url))
            if exc.too_deep:
                raise UnexpectedAnswer(f"{self.service} sent JSON nested deeper than {MAX_JSON_DEPTH} levels for "
                                       f"{where}, which was not read; is the URL right? Nothing was written") from None
            raise UnexpectedAnswer(f"{self.service} sent something that is not JSON for "
                                   f"{response.request.url.path}; is the URL right?") from None


def expect(condition: bool, service: str, what: str) -> None:
    """An answer without the documented shape is a failure of the API, not of the admin's input."""
    if not condition:
        raise UnexpectedAnswer(f"{service} sent an answer without {what}; is the URL right?")
