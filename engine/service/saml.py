"""The test sign-in's routes (issue 13), mounted by engine.service.app.

Public (no token; the admin's browser and the IdP reach them):
- `GET /saml/metadata`: the SP metadata to give the IdP.
- `GET /saml/login/{id}`: 302 to the candidate IdP with a fresh AuthnRequest (HTTP-Redirect).
- `POST /saml/acs`: the IdP's Response (HTTP-POST binding): judged, recorded, and answered
  with a short HTML verdict.

With the token:
- `POST /api/v1/sso-tests` {"idp_entity_id", "idp_sso_url", "certificate"} → 201
  {"id", "login_url", "expires_at"}.
- `GET /api/v1/sso-tests/{id}` → {"id", "status", "user", "reason", "fingerprint_sha256",
  "finished_at"}.
- `GET /api/v1/sso-tests?idp_entity_id=&idp_sso_url=&fingerprint_sha256=` (repeatable) →
  {"passed": [...]}: the tests of those settings that passed within 24 hours, which the push
  and the wizard ask before enforcing.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any  # `Any`: the JSON bodies of the answers
from urllib.parse import parse_qs, urlsplit

import orjson

from engine.saml import (
    MAX_RESPONSE_BYTES,
    Expected,
    SamlRefused,
    SpUrls,
    authn_request,
    decode_post_field,
    fingerprint_sha256,
    new_request_id,
    pem_of,
    redirect_url,
    sp_metadata,
    verify_response,
)
from engine.service.sso_tests import SsoTests

if TYPE_CHECKING:
    from engine.service.app import ProvisioningService, Receive, Scope, Send

SAML_PREFIX = "/saml"
TESTS_PATH = "/api/v1/sso-tests"
MAX_API_BODY = 1024 * 1024
MAX_ACS_BODY = MAX_RESPONSE_BYTES


class BodyTooLarge(Exception):
    pass


async def read_capped(receive: Receive, limit: int) -> bytes:
    """The request body, refused past `limit` bytes whatever sits in front of this service."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send: Send, status: int, body: bytes, content_type: str,
                headers: dict[str, str] | None = None) -> None:
    hdrs = {"Content-Type": content_type, "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff", **(headers or {})}
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in hdrs.items()]})
    await send({"type": "http.response.body", "body": body})


def verdict_page(title: str, reason: str, *, ok: bool) -> bytes:
    """A short HTML page for the admin's browser: the verdict and the reason, nothing secret."""
    mark = "✓" if ok else "✗"
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Test sign-in</title>"
        f"<h1>{mark} {html.escape(title)}</h1><p id=reason>{html.escape(reason)}</p>"
        "<p>You can close this window: the SCIM assistant shows the result.</p></html>"
    ).encode()


def certificates_of(text: str) -> list[bytes]:
    from cryptography.hazmat.primitives.serialization import Encoding

    from engine.certs import read_certificate_input

    read = read_certificate_input(text.encode("utf-8", "replace"), source="certificate")
    return [c.public_bytes(Encoding.DER) for c in read.certs]


class SamlRoutes:
    """The routes above, over their own table of tests (engine.service.sso_tests)."""

    def __init__(self, service: ProvisioningService, db_path: str | Path, public_url: str | None) -> None:
        self.service = service
        self.tests = SsoTests(db_path)
        self.public_url = public_url.rstrip("/") if public_url else None

    def close(self) -> None:
        self.tests.close()

    @staticmethod
    def is_public(path: str) -> bool:
        return path.startswith(SAML_PREFIX + "/")

    @staticmethod
    def is_api(path: str) -> bool:
        return path == TESTS_PATH or path.startswith(TESTS_PATH + "/")

    def sp(self, scope: Scope) -> SpUrls:
        if self.public_url:
            return SpUrls(self.public_url)
        host, port = scope.get("server") or ("127.0.0.1", 80)
        host = f"[{host}]" if ":" in str(host) else host
        return SpUrls(f"http://{host}:{port}")

    def sign_in_tested(self, idp_entity_id: str, idp_sso_url: str, certificate: str) -> bool:
        """Did a test with these very settings pass within 24 hours? (the guard's last condition)"""
        fingerprints = [fingerprint_sha256(der) for der in certificates_of(certificate)]
        return bool(fingerprints) and bool(self.tests.passed(idp_entity_id.strip(), idp_sso_url.strip(),
                                                             fingerprints))

    # -- public: browser and IdP ----------------------------------------------------------------

    async def public(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"].upper()
        if path == f"{SAML_PREFIX}/metadata" and method in ("GET", "HEAD"):
            await _send(send, 200, sp_metadata(self.sp(scope)), "application/samlmetadata+xml")
        elif path.startswith(f"{SAML_PREFIX}/login/") and method == "GET":
            await self.login(scope, send, path.rsplit("/", 1)[1])
        elif path == f"{SAML_PREFIX}/acs" and method == "POST":
            await self.acs(scope, receive, send)
        else:
            await _send(send, 404, verdict_page("Not found", f"Nothing at {path}.", ok=False),
                        "text/html; charset=utf-8")

    async def _page(self, send: Send, status: int, title: str, reason: str, *, ok: bool = False) -> None:
        await _send(send, status, verdict_page(title, reason, ok=ok), "text/html; charset=utf-8",
                    {"Content-Security-Policy": "default-src 'none'"})

    async def login(self, scope: Scope, send: Send, test_id: str) -> None:
        test = self.tests.get(test_id)
        if test is None:
            await self._page(send, 404, "Unknown test", "This test sign-in does not exist; start a new one.")
            return
        if test.status != "pending":
            await self._page(send, 410, f"Test {test.status}",
                             f"This test sign-in is {test.status}; start a new one to sign in again.")
            return
        sp = self.sp(scope)
        request_id = new_request_id()
        self.tests.add_request(test.id, request_id)
        xml = authn_request(sp, request_id=request_id, destination=test.idp_sso_url, now=self.tests.now())
        await _send(send, 302, b"", "text/plain", {"Location": redirect_url(test.idp_sso_url, xml, test.id)})

    async def acs(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            body = await read_capped(receive, MAX_ACS_BODY)
        except BodyTooLarge:
            await self._page(send, 413, "Sign-in refused", "The posted response is over 1 MiB; a real "
                             "one is far smaller, so it is refused.")
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type != b"application/x-www-form-urlencoded":
            await self._page(send, 415, "Sign-in refused", "The IdP must post the response as a form "
                             "(application/x-www-form-urlencoded, SAML's HTTP-POST binding).")
            return
        try:
            form = parse_qs(body.decode("ascii"), keep_blank_values=True, max_num_fields=10)
        except (UnicodeDecodeError, ValueError):
            await self._page(send, 400, "Sign-in refused", "The posted form cannot be read.")
            return
        relay = form.get("RelayState", [])
        posted = form.get("SAMLResponse", [])
        if len(posted) != 1 or len(relay) != 1:
            await self._page(send, 400, "Sign-in refused", "The form needs one SAMLResponse and one "
                             "RelayState (the test's id): start the sign-in from the test's login URL.")
            return
        test = self.tests.get(relay[0])
        if test is None:
            await self._page(send, 400, "Sign-in refused", "The RelayState names no test sign-in: start "
                             "the sign-in from the test's login URL.")
            return
        if test.status == "expired":
            await self._page(send, 410, "Test expired", "This test sign-in expired (15 minutes); start "
                             "a new one.")
            return
        expected = Expected(test.idp_entity_id, certificates_of(test.certificate), self.sp(scope),
                            list(self.service.company.domains), self.tests.now())
        try:
            xml = decode_post_field(posted[0])
            verified = verify_response(xml, expected, lambda rid: self.tests.use_request(test.id, rid))
        except SamlRefused as exc:
            recorded = self.tests.finish(test.id, passed=False, user=None, reason=exc.reason)
            await self._page(send, 400, "Sign-in refused" + self._unrecorded(test.id, recorded), exc.reason)
            return
        recorded = self.tests.finish(test.id, passed=True, user=verified.user, reason=None,
                                     fingerprint_sha256=verified.fingerprint_sha256)
        reason = (f"Signed in as {verified.user}. Enforcement may be turned on with these settings "
                  "within the next 24 hours.")
        await self._page(send, 200, "Test sign-in passed" + self._unrecorded(test.id, recorded), reason, ok=True)

    def _unrecorded(self, test_id: str, recorded: bool) -> str:
        """A note for a verdict that came after the test was decided: the first one stays."""
        if recorded:
            return ""
        now = self.tests.get(test_id)
        return f" (not recorded: the test had already {now.status if now else 'ended'})"

    # -- the API (token) -------------------------------------------------------------------------

    async def api(self, scope: Scope, receive: Receive, send: Send) -> None:
        from engine.service.app import error_body, send_json

        path, method = scope["path"].rstrip("/"), scope["method"].upper()
        try:
            body = await read_capped(receive, MAX_API_BODY)
        except BodyTooLarge:
            await send_json(send, 413, error_body(413, f"The body is larger than {MAX_API_BODY} bytes"))
            return
        if path == TESTS_PATH and method == "POST":
            status, payload = self.start(scope, body)
        elif path == TESTS_PATH and method == "GET":
            status, payload = self.lookup(scope)
        elif path.startswith(TESTS_PATH + "/") and method == "GET":
            test = self.tests.get(path.rsplit("/", 1)[1])
            status, payload = ((200, test.to_json()) if test is not None
                               else (404, error_body(404, "No such test sign-in")))
        else:
            status, payload = 405, error_body(405, f"{method} is not supported on {path}")
        await send_json(send, status, payload)

    def start(self, scope: Scope, body: bytes) -> tuple[int, Any]:
        from engine.certs import check_certificate
        from engine.service.app import error_body

        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return 400, error_body(400, f"The body is not JSON ({exc.msg})")
        if not isinstance(data, dict):
            return 422, error_body(422, "The body must be an object", problems=["the body must be a JSON object"])
        problems = []
        fields = {}
        for name in ("idp_entity_id", "idp_sso_url", "certificate"):
            value = data.get(name)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{name} is missing: give the candidate {name.replace('_', ' ')}")
            fields[name] = value.strip() if isinstance(value, str) else ""
        url = urlsplit(fields["idp_sso_url"]) if fields["idp_sso_url"] else None
        if url is not None and (url.scheme.lower() != "https" or not url.hostname):
            problems.append(f"idp_sso_url {fields['idp_sso_url']!r} must be an https address")
        report = None
        if fields["certificate"]:
            report = check_certificate(fields["certificate"].encode("utf-8", "replace"), source="certificate",
                                       today=dt.date.today())
            problems.extend(report.errors)
        if problems or report is None:
            return 422, error_body(422, f"The test sign-in cannot start ({len(problems)} problem(s))",
                                   problems=problems)
        usable = report.usable_certs
        certificate = "".join(pem_of(c.der) for c in usable)
        test = self.tests.create(idp_entity_id=fields["idp_entity_id"], idp_sso_url=fields["idp_sso_url"],
                                 certificate=certificate, fingerprint_sha256=usable[0].sha256)
        return 201, {"id": test.id, "login_url": self.sp(scope).login(test.id),
                     "expires_at": test.expires_at.isoformat().replace("+00:00", "Z")}

    def lookup(self, scope: Scope) -> tuple[int, Any]:
        from engine.service.app import error_body

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        entity = query.get("idp_entity_id", [""])[0]
        url = query.get("idp_sso_url", [""])[0]
        fingerprints = query.get("fingerprint_sha256", [])
        if not entity or not url or not fingerprints:
            return 400, error_body(400, "Give idp_entity_id, idp_sso_url and fingerprint_sha256")
        return 200, {"passed": [t.to_json() for t in self.tests.passed(entity, url, fingerprints)]}
