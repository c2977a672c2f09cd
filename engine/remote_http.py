"""What both HTTP clients do alike with a server they do not control: the push client
(engine/client.py, async) and the pulls' session (engine/pull/http.py, blocking).

- URLs: https, or plain http to a loopback address only; never user info; a valid port. The
  check says which rule failed (`url_problem`); each client words it for its own command.
- Answers are read as streams and refused once they pass a size limit (`BoundedBody`), so a
  huge or endless answer never fills memory; JSON deeper than `MAX_JSON_DEPTH` is refused with
  an error, never a RecursionError (`decode_json`).
- Retries: a transport failure is named in words (`transport_problem`); the wait before the next
  attempt doubles with jitter, and a `Retry-After` (delta-seconds or an HTTP date, nothing else)
  lengthens it but never shortens it (`next_wait`): "0" or a past date does not make the
  retries hammer a server that asked for patience.
- A URL is shown without user info and without its query (`shown_url`).
"""

from __future__ import annotations

import email.utils
import ipaddress
import random
import re
import time
from typing import TYPE_CHECKING, Any, Literal  # `Any`: decoded JSON, checked by its caller
from urllib.parse import SplitResult, urlsplit

import orjson

if TYPE_CHECKING:
    import httpx  # imported when used: `import httpx` loads Rich, which the engine must not

MAX_JSON_DEPTH = 1024  # orjson's own limit; the standard library's decoder recurses instead
MiB = 2**20

UrlProblem = Literal["not_url", "userinfo", "bad_port", "plain_http"]


class AnswerTooBig(Exception):
    """The answer passed `limit` bytes (or said it would): it was not read further."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


class BadJson(Exception):
    """The answer is not JSON, or nests deeper than MAX_JSON_DEPTH (`too_deep`)."""

    def __init__(self, too_deep: bool) -> None:
        super().__init__("too deep" if too_deep else "not JSON")
        self.too_deep = too_deep


# -- URLs --------------------------------------------------------------------------------------


def is_loopback_host(host: str) -> bool:
    """A loopback IP address, or `localhost` itself. Not `*.localhost`: nothing here resolves
    it, and a resolver may send `evil.localhost` anywhere."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> tuple[UrlProblem | None, SplitResult | None]:
    """Which rule `url` breaks, if any, and its parts. User info is checked before anything
    that quotes the URL back, so a password in it is never shown."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "not_url", None
    if "@" in parts.netloc:
        return "userinfo", parts
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "not_url", parts
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        return "bad_port", parts
    if parts.scheme.lower() == "http" and not is_loopback_host(parts.hostname):
        return "plain_http", parts
    return None, parts


def without_userinfo(url: str) -> str:
    """`url` as it may be quoted: anything before an `@` in its authority masked."""
    return re.sub(r"(//)[^/?#]*@", r"\1***@", url)


def shown_url(url: httpx.URL | str) -> str:
    """scheme://host[:port]/path: no user info, no query (a page token, a select list)."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return without_userinfo(str(url)).split("?", 1)[0]
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}{parts.path}"


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the scheme's default port filled in; None for no URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


def same_origin(url: str, base: str) -> bool:
    """A next link or a redirect is followed only to the origin the credential was meant for."""
    mine = origin(base)
    return mine is not None and origin(url) == mine


# -- answers -----------------------------------------------------------------------------------


class BoundedBody:
    """An answer's body as it arrives. Raises AnswerTooBig as soon as it passes `limit` bytes, or
    when its Content-Length says it will, so a huge or endless answer is never held whole."""

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self.response = response
        self.limit = limit
        self._body = bytearray()
        declared = response.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise AnswerTooBig(limit)

    def add(self, chunk: bytes) -> None:
        self._body += chunk
        if len(self._body) > self.limit:
            raise AnswerTooBig(self.limit)

    def __len__(self) -> int:
        return len(self._body)

    def read(self) -> httpx.Response:
        """The answer, detached from its connection, with the body read so far."""
        import httpx

        r = self.response
        # The raw bytes: a header value outside ASCII (latin-1 on the wire) is kept as it came,
        # where re-encoding the decoded text would fail.
        kept = [(k, v) for k, v in r.headers.raw
                if k.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")]
        return httpx.Response(r.status_code, headers=kept, content=bytes(self._body), request=r.request,
                              extensions=r.extensions)


def redirect_refused(where: str, response: httpx.Response, secret: str) -> str:
    """The sentence for a redirect. Neither client follows one: `secret` would go with it, to
    wherever the server says (another host, or plain http)."""
    from engine.safetext import excerpt

    location = response.headers.get("Location", "")
    try:
        target = shown_url(response.request.url.join(location)) if location else "nowhere"
    except Exception:  # noqa: BLE001 - httpx's URL errors vary; the sentence stands without it
        target = "an address that is not a URL"
    return (f"{where} answered {response.status_code} for {shown_url(response.request.url)}, a redirect to "
            f"{excerpt(target, 120)}; redirects are not followed, so {secret} never leaves the address you "
            "gave: check the URL")


def decode_json(body: bytes) -> Any:
    """The JSON of `body`; BadJson when it is not JSON or nests deeper than MAX_JSON_DEPTH."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadJson(too_deep="depth limit" in str(exc)) from None


def transport_problem(exc: BaseException) -> str:
    """What went wrong with an attempt that got no answer, for the admin."""
    import httpx

    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return "it did not answer in time"
    if isinstance(exc, httpx.ConnectError):
        return "nothing answers there (connection refused or no route)"
    return f"the connection broke ({type(exc).__name__})"


def next_wait(attempt: int, asked: float | None, *, backoff: float, max_backoff: float) -> float:
    """Seconds before attempt `attempt + 1`: the doubling backoff (with jitter), or what the
    server asked (`Retry-After`) when that is longer."""
    doubled = min(max_backoff, backoff * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
    return doubled if asked is None else max(asked, doubled)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a `Retry-After` header: ASCII delta-seconds or an HTTP date; None for
    anything else (`str.isdigit` alone would pass '²', which float() refuses)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    try:
        return max(0.0, when.timestamp() - time.time())
    except (OverflowError, OSError, ValueError):
        return None
