"""`scim-assistant users pull`: sample users straight from Okta or Entra ID, as NDJSON of SCIM 2.0
Users the way that IdP's SCIM app sends them with its default mappings, plus their groups.

Exit codes: 0 written; 1 the IdP refused the credential; 2 unusable input; 3 the IdP could not be
reached or kept failing. The output is written atomically once every user was read.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any  # `Any`: SCIM JSON, and the engine's pull objects (typed there)

from app.commands.pulling import add_pull_parser, output_path, positive, pulled, secret, write_output
from engine.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    pull = add_pull_parser(
        sub, "users", help="sample users (pull them from Okta or Entra ID)", description="Work with sample users.",
        pull_help="read users from Okta or Entra ID as their SCIM app would send them",
        pull_description="Read users and their groups from the identity provider and write them as NDJSON of "
        "SCIM 2.0 Users, mapped as the IdP's SCIM app maps them by default. Okta: --org-url, token from "
        "OKTA_API_TOKEN (or okta_token_file in the app config). Entra ID: --tenant and --client-id, secret "
        "from ENTRA_CLIENT_SECRET (or entra_secret_file). Exit 0 written, 1 refused, 2 unusable input, "
        "3 unreachable.")
    pull.add_argument("--from", dest="idp", choices=("okta", "entra"), required=True, help="the identity provider")
    pull.add_argument("--org-url", metavar="URL", help="Okta: your org, e.g. https://acme.okta.com")
    pull.add_argument("--tenant", metavar="ID", help="Entra ID: the tenant ID or its domain")
    pull.add_argument("--client-id", metavar="ID", help="Entra ID: the app registration's client ID")
    pull.add_argument("--graph-url", metavar="URL", help="Entra ID: Microsoft Graph (default https://graph.microsoft.com)")
    pull.add_argument("--login-url", metavar="URL",
                      help="Entra ID: the token endpoint's host (default https://login.microsoftonline.com)")
    pull.add_argument("--limit", metavar="N", type=positive, help="pull at most N users (a sample)")
    pull.add_argument("--output", metavar="FILE", default="users.ndjson", help="where to write (default users.ndjson)")
    pull.set_defaults(func=run)


def _check_flags(args: argparse.Namespace) -> None:
    if args.idp == "okta":
        if not args.org_url:
            raise InputError("--org-url", "required with --from okta (for example https://acme.okta.com)")
        extra = [f for f, v in (("--tenant", args.tenant), ("--client-id", args.client_id),
                                ("--graph-url", args.graph_url), ("--login-url", args.login_url)) if v]
    else:
        missing = [f for f, v in (("--tenant", args.tenant), ("--client-id", args.client_id)) if not v]
        if missing:
            raise InputError(missing[0], "required with --from entra (with --tenant and --client-id)")
        extra = ["--org-url"] if args.org_url else []
    if extra:
        raise InputError(extra[0], f"is not used with --from {args.idp}; leave it out")


def pull_users(idp: str, *, org_url: str | None = None, tenant: str | None = None, client_id: str | None = None,
               graph_url: str | None = None, login_url: str | None = None, credential: str, limit: int | None,
               policy: Any, progress: Any, cancel: Any = None) -> list[dict[str, Any]]:
    """The users from either IdP (shared with the wizard's dialog)."""
    if idp == "okta":
        from engine.pull.okta import pull_okta

        assert org_url is not None
        return pull_okta(org_url, credential, limit=limit, policy=policy, progress=progress, cancel=cancel)
    from engine.pull.entra import DEFAULT_GRAPH_URL, DEFAULT_LOGIN_URL, pull_entra

    assert tenant is not None and client_id is not None
    return pull_entra(tenant, client_id, credential, graph_url=graph_url or DEFAULT_GRAPH_URL,
                      login_url=login_url or DEFAULT_LOGIN_URL, limit=limit, policy=policy,
                      progress=progress, cancel=cancel)


def office_field_hint(users: list[dict[str, Any]], idp: str) -> str | None:
    """A sentence when the users carry no office field the preview reads (SPEC 3), or, for Entra ID,
    when the Office arrives only as the work address's `formatted`, which is not an office field."""
    from engine.names import ENTERPRISE_NS, OFFICE_FIELDS

    def has(u: dict[str, Any], f: str) -> bool:
        return bool((u.get(ENTERPRISE_NS) or {}).get(f) or u.get(f))

    if not users:
        return None
    formatted = any(a.get("formatted") for u in users for a in u.get("addresses") or [])
    if idp == "entra" and formatted and not any(has(u, "physicalDeliveryOfficeName") for u in users):
        return ("Entra ID sends the Office (physicalDeliveryOfficeName) as addresses[type eq \"work\"].formatted, "
                "which is not an office field: add the mapping officeLocation → "
                f"{ENTERPRISE_NS}:physicalDeliveryOfficeName (wizard step 2 shows where)")
    if not any(has(u, f) for u in users for f in OFFICE_FIELDS):
        return ("these users carry no office field (officeName, physicalDeliveryOfficeName or department): add "
                f"one to the SCIM app's mappings, e.g. {ENTERPRISE_NS}:officeName (wizard step 2 shows where)")
    return None


def run(args: argparse.Namespace) -> int:
    from engine.pull.scim_user import ndjson

    _check_flags(args)
    out = output_path(args.output)
    if args.idp == "okta":
        from engine.pull.okta import TOKEN_ENV

        credential = secret(TOKEN_ENV, "okta_token_file", "Okta API token")
    else:
        from engine.pull.entra import SECRET_ENV

        credential = secret(SECRET_ENV, "entra_secret_file", "Entra ID client secret")
    users = pulled("users pull", "users", 300.0, lambda policy, progress: pull_users(
        args.idp, org_url=args.org_url, tenant=args.tenant, client_id=args.client_id, graph_url=args.graph_url,
        login_url=args.login_url, credential=credential, limit=args.limit, policy=policy, progress=progress))
    if isinstance(users, int):
        return users
    write_output(out, ndjson(users))
    groups = {g["display"] for u in users for g in u.get("groups", [])}
    print(f"Wrote {out}: {len(users)} user(s) in {len(groups)} group(s), as the "
          f"{'Okta' if args.idp == 'okta' else 'Entra ID'} SCIM app would send them.")
    hint = office_field_hint(users, args.idp)
    if hint:
        print(f"note: {hint}", file=sys.stderr)
    return 0
