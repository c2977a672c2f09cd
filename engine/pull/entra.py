"""Sample users from Microsoft Entra ID through Microsoft Graph, as Entra's provisioning service
sends them to a non-gallery SCIM app with its default attribute mappings (README "Pulling real
inputs"; tests/fixtures/entra/).

- OAuth 2.0 client credentials: `POST {login}/{tenant}/oauth2/v2.0/token` with scope
  `https://graph.microsoft.com/.default`
  (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow).
- `GET {graph}/v1.0/users?$select=...&$top=` with `@odata.nextLink` paging (graph/api/user-list),
  and `GET /v1.0/users/{id}/memberOf` for group names (graph/api/user-list-memberof).
The app needs the application permissions User.Read.All and GroupMember.Read.All, admin-consented.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any  # `Any`: Graph's JSON answers before they are checked, and the cancel flag handed to the session
from urllib.parse import quote

from engine.pull.http import Policy, Session, check_base_url, expect
from engine.pull.scim_user import scim_user, text
from engine.remote_errors import CredentialRefused, UnexpectedAnswer, UnusableInput
from engine.remote_http import same_origin

SECRET_ENV = "ENTRA_CLIENT_SECRET"
DEFAULT_LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_GRAPH_URL = "https://graph.microsoft.com"
SCOPE = "https://graph.microsoft.com/.default"
PAGE_MAX = 999  # $top's largest value for users
SELECT = ("id,userPrincipalName,accountEnabled,displayName,givenName,surname,jobTitle,mail,mailNickname,"
          "officeLocation,streetAddress,city,state,postalCode,country,businessPhones,mobilePhone,faxNumber,"
          "employeeId,department,preferredLanguage")
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")  # a GUID or a domain name

Progress = Callable[[int, int | None], None]


def entra_to_scim(user: dict[str, Any], groups: list[tuple[str, str]]) -> dict[str, Any]:
    """One Graph user as Entra's default SCIM mappings send it. `officeLocation` is Graph's name
    for physicalDeliveryOfficeName, which Entra sends as addresses[type eq "work"].formatted;
    licenseType is never sent."""
    given, family = text(user.get("givenName")), text(user.get("surname"))
    address = {"type": "work", "formatted": user.get("officeLocation"),
               "streetAddress": user.get("streetAddress"), "locality": user.get("city"),
               "region": user.get("state"), "postalCode": user.get("postalCode"), "country": user.get("country")}
    has_address = any(text(v) for k, v in address.items() if k != "type")
    phones = user.get("businessPhones") if isinstance(user.get("businessPhones"), list) else []
    core = {
        "userName": user.get("userPrincipalName"),
        "externalId": user.get("mailNickname"),
        "active": user.get("accountEnabled") is not False,  # Switch([IsSoftDeleted], ...) -> active
        "displayName": user.get("displayName"),
        "title": user.get("jobTitle"),
        "preferredLanguage": user.get("preferredLanguage"),
        "name": {"givenName": given, "familyName": family, "formatted": " ".join(p for p in (given, family) if p)},
        "emails": [{"value": user.get("mail"), "type": "work", "primary": True} if text(user.get("mail")) else None],
        "addresses": [address] if has_address else [],
        "phoneNumbers": [
            {"value": text(phones[0]) if phones else "", "type": "work"} if phones and text(phones[0]) else None,
            {"value": user.get("mobilePhone"), "type": "mobile"} if text(user.get("mobilePhone")) else None,
            {"value": user.get("faxNumber"), "type": "fax"} if text(user.get("faxNumber")) else None],
    }
    enterprise = {"employeeNumber": user.get("employeeId"), "department": user.get("department")}
    return scim_user(core, enterprise, groups)


class EntraReader:
    def __init__(self, tenant: str, client_id: str, secret: str, *, graph_url: str = DEFAULT_GRAPH_URL,
                 login_url: str = DEFAULT_LOGIN_URL, policy: Policy | None = None, cancel: Any = None) -> None:
        if not _TENANT.match(tenant or ""):
            raise UnusableInput(f"--tenant {tenant!r} is not a tenant ID (a GUID) or a domain such as "
                                "contoso.onmicrosoft.com")
        if not text(client_id):
            raise UnusableInput("--client-id is empty; give the application (client) ID of the app registration")
        self.tenant, self.client_id, self.secret = tenant, client_id.strip(), secret
        self.login = check_base_url(login_url, what="login.microsoftonline.com", option="--login-url")
        self.graph = check_base_url(graph_url, what="graph.microsoft.com", option="--graph-url")
        kwargs: dict[str, Any] = {"cancel": cancel} if cancel is not None else {}
        self.session = Session("Microsoft Graph", "Microsoft Graph refused the token: give the app the "
                               "application permissions User.Read.All and GroupMember.Read.All, with admin "
                               "consent", policy or Policy(), secrets=[secret], **kwargs)

    def sign_in(self) -> None:
        url = f"{self.login}/{quote(self.tenant, safe='')}/oauth2/v2.0/token"
        refused = (f"Entra ID refused the client credentials ({SECRET_ENV}) for client ID {self.client_id} "
                   f"in tenant {self.tenant}")
        self.session.refused = refused
        response = self.session.request("POST", url, data={
            "client_id": self.client_id, "client_secret": self.secret, "scope": SCOPE,
            "grant_type": "client_credentials"}, ok=(200, 400))
        body = self.session.json_of(response)
        if response.status_code == 400:
            code = text(body.get("error")) if isinstance(body, dict) else ""
            raise CredentialRefused(f"{refused} ({code or 'bad request'})")
        token = body.get("access_token") if isinstance(body, dict) else None
        expect(isinstance(token, str) and bool(token), "Entra ID", "an access_token")
        assert isinstance(token, str)
        self.session.secrets.append(token)
        self.session.refused = ("Microsoft Graph refused the token: give the app the application permissions "
                                "User.Read.All and GroupMember.Read.All, with admin consent")
        self.session.set_header("Authorization", f"Bearer {token}")

    def _pages(self, url: str, params: dict[str, Any] | None, what: str) -> Iterator[list[Any]]:
        seen: set[str] = set()
        while url:
            data, _ = self.session.get_json(url, params=params)
            expect(isinstance(data, dict) and isinstance(data.get("value"), list), "Microsoft Graph",
                   f"a 'value' list of {what}")
            yield data["value"]
            params = None  # the next link carries them
            nxt = data.get("@odata.nextLink")
            if not isinstance(nxt, str) or not nxt:
                return
            if not same_origin(nxt, self.graph):
                raise UnexpectedAnswer("Microsoft Graph sent a next link to another host; stopped so the token is "
                                  "not sent there")
            if nxt in seen:
                raise UnexpectedAnswer("Microsoft Graph sent the same next link twice; stopped to avoid a loop")
            seen.add(nxt)
            url = nxt

    def groups_of(self, user_id: str) -> list[tuple[str, str]]:
        out = []
        for page in self._pages(f"{self.graph}/v1.0/users/{quote(user_id, safe='')}/memberOf",
                                {"$select": "id,displayName"}, "groups"):
            for g in page:
                # memberOf also lists directory roles and administrative units: only groups are provisioned
                if isinstance(g, dict) and g.get("@odata.type", "#microsoft.graph.group") == "#microsoft.graph.group":
                    out.append((text(g.get("id")), text(g.get("displayName"))))
        return out

    def users(self, limit: int | None, progress: Progress) -> Iterator[dict[str, Any]]:
        count = 0
        top = min(PAGE_MAX, limit) if limit else PAGE_MAX
        for page in self._pages(f"{self.graph}/v1.0/users", {"$select": SELECT, "$top": top}, "users"):
            for user in page:
                if not isinstance(user, dict) or not text(user.get("id")):
                    continue
                yield entra_to_scim(user, self.groups_of(text(user["id"])))
                count += 1
                progress(count, limit)
                if limit and count >= limit:
                    return


def pull_entra(tenant: str, client_id: str, secret: str, *, graph_url: str = DEFAULT_GRAPH_URL,
               login_url: str = DEFAULT_LOGIN_URL, limit: int | None = None, policy: Policy | None = None,
               progress: Progress | None = None, cancel: Any = None) -> list[dict[str, Any]]:
    reader = EntraReader(tenant, client_id, secret, graph_url=graph_url, login_url=login_url, policy=policy,
                         cancel=cancel)
    try:
        reader.sign_in()
        users = list(reader.users(limit, progress or (lambda done, total: None)))
        reader.session.check_cancel()
        return users
    finally:
        reader.session.close()
