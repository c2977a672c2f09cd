"""Sample users from Okta's Users API, as Okta's SCIM 2.0 app sends them with its default
attribute mappings (README "Pulling real inputs"; tests/fixtures/okta/).

`GET /api/v1/users?limit=` with `Link: <...>; rel="next"` paging, and each user's
`GET /api/v1/users/{id}/groups` (developer.okta.com/docs/api/openapi/okta-management/management/tag/User/).
Authorization: `SSWS {token}`. `X-Rate-Limit-Remaining` / `X-Rate-Limit-Reset` and 429 are honoured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any  # `Any`: Okta's JSON answers before they are checked, and the cancel flag handed to the session
from urllib.parse import quote

from engine.pull.http import Policy, Session, check_base_url, expect
from engine.pull.scim_user import obj, scim_user, text
from engine.remote_errors import UnexpectedAnswer
from engine.remote_http import same_origin

TOKEN_ENV = "OKTA_API_TOKEN"
SERVICE = "Okta"
PAGE_MAX = 200  # the Users API's largest page
INACTIVE = frozenset({"SUSPENDED", "DEPROVISIONED"})

Progress = Callable[[int, int | None], None]


def next_link(response: Any, base: str, service: str) -> str | None:
    url = response.links.get("next", {}).get("url")
    if not url:
        return None
    if not same_origin(url, base):
        raise UnexpectedAnswer(f"{service} sent a next-page link to another host; stopped so the credential "
                          "is not sent there")
    return str(url)


def okta_to_scim(user: dict[str, Any], groups: list[dict[str, Any]]) -> dict[str, Any]:
    """One Okta user as the SCIM 2.0 app's default mappings send it."""
    p = obj(user.get("profile"))
    address = {"type": "work", "primary": True, "streetAddress": p.get("streetAddress"),
               "locality": p.get("city"), "region": p.get("state"), "postalCode": p.get("zipCode"),
               "country": p.get("countryCode")}
    has_address = any(text(address[k]) for k in ("streetAddress", "locality", "region", "postalCode", "country"))
    core = {
        "userName": p.get("login"),
        "externalId": user.get("id"),
        "name": {"givenName": p.get("firstName"), "familyName": p.get("lastName"),
                 "middleName": p.get("middleName"), "honorificPrefix": p.get("honorificPrefix"),
                 "honorificSuffix": p.get("honorificSuffix")},
        "displayName": p.get("displayName"),
        "nickName": p.get("nickName"),
        "profileUrl": p.get("profileUrl"),
        "title": p.get("title"),
        "userType": p.get("userType"),
        "preferredLanguage": p.get("preferredLanguage"),
        "locale": p.get("locale"),
        "timezone": p.get("timezone"),
        "active": text(user.get("status")).upper() not in INACTIVE,
        "emails": [{"value": p.get("email"), "type": "work", "primary": True} if text(p.get("email")) else None,
                   {"value": p.get("secondEmail"), "type": "home"} if text(p.get("secondEmail")) else None],
        "phoneNumbers": [
            {"value": p.get("primaryPhone"), "type": "work", "primary": True} if text(p.get("primaryPhone")) else None,
            {"value": p.get("mobilePhone"), "type": "mobile"} if text(p.get("mobilePhone")) else None],
        "addresses": [address] if has_address else [],
    }
    enterprise = {"employeeNumber": p.get("employeeNumber"), "costCenter": p.get("costCenter"),
                  "organization": p.get("organization"), "division": p.get("division"),
                  "department": p.get("department"),
                  "manager": {"value": p.get("managerId"), "displayName": p.get("manager")}}
    pairs = []
    for g in groups:
        gp = obj(g.get("profile"))
        if text(g.get("type")).upper() != "BUILT_IN":  # "Everyone" is never pushed
            pairs.append((text(g.get("id")), text(gp.get("name"))))
    return scim_user(core, enterprise, pairs)


class OktaReader:
    def __init__(self, org_url: str, token: str, *, policy: Policy | None = None, cancel: Any = None) -> None:
        self.base = check_base_url(org_url, what="your-org.okta.com", option="--org-url")
        kwargs: dict[str, Any] = {"cancel": cancel} if cancel is not None else {}
        self.session = Session(SERVICE, f"Okta refused the API token ({TOKEN_ENV})", policy or Policy(),
                               headers={"Authorization": f"SSWS {token}"}, secrets=[token], **kwargs)

    def _pages(self, url: str, params: dict[str, Any] | None, what: str) -> Iterator[list[Any]]:
        seen: set[str] = set()
        while url:
            data, response = self.session.get_json(url, params=params)
            expect(isinstance(data, list), SERVICE, f"a list of {what}")
            yield data
            params = None  # the next link carries them
            nxt = next_link(response, self.base, SERVICE)
            if nxt in seen:
                raise UnexpectedAnswer(f"{SERVICE} sent the same next link twice; stopped to avoid a loop")
            if nxt:
                seen.add(nxt)
            url = nxt or ""

    def users(self, limit: int | None, progress: Progress) -> Iterator[dict[str, Any]]:
        count = 0
        page_size = min(PAGE_MAX, limit) if limit else PAGE_MAX
        for page in self._pages(f"{self.base}/api/v1/users", {"limit": page_size}, "users"):
            for user in page:
                if not isinstance(user, dict) or not text(user.get("id")):
                    continue
                groups = [g for chunk in self._pages(
                    f"{self.base}/api/v1/users/{quote(text(user['id']), safe='')}/groups", None, "groups")
                    for g in chunk if isinstance(g, dict)]
                yield okta_to_scim(user, groups)
                count += 1
                progress(count, limit)
                if limit and count >= limit:
                    return


def pull_okta(org_url: str, token: str, *, limit: int | None = None, policy: Policy | None = None,
              progress: Progress | None = None, cancel: Any = None) -> list[dict[str, Any]]:
    reader = OktaReader(org_url, token, policy=policy, cancel=cancel)
    try:
        users = list(reader.users(limit, progress or (lambda done, total: None)))
        reader.session.check_cancel()
        return users
    finally:
        reader.session.close()
