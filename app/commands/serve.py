"""`scim-assistant serve`: the provisioning service (SCIM 2.0 + settings API) under uvicorn."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path

TOKEN_ENV = "SCIM_ASSISTANT_TOKEN"


def default_db() -> str:
    """The same file the wizard's embedded push writes, so `serve` serves what was pushed."""
    from engine.client import default_db_path

    return str(default_db_path())


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the provisioning service (SCIM 2.0 and the settings API)",
                       description="Run the provisioning service: SCIM 2.0 at /scim/v2 and the "
                       f"settings API at /api/v1. The bearer token comes from {TOKEN_ENV}; "
                       "without one the service only binds a loopback address.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8787, help="port (default: 8787)")
    p.add_argument("--db", metavar="PATH", default=None,
                   help="SQLite file (default: service.sqlite3 in the user data directory)")
    p.add_argument("--max-body", metavar="BYTES", type=int, default=None,
                   help="largest request body for a resource, in bytes (default: 1 MiB; Bulk takes "
                   "4 MiB and the preview 16 MiB); a larger one is refused with 413 before it is read")
    p.add_argument("--company", metavar="FILE",
                   help="company directory TOML to load or update (default: the stored one, "
                   "or the demo the first time)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="bill creates as if today were this date (for trials and tests; "
                   "default: the real date)")
    p.add_argument("--public-url", metavar="URL",
                   help="the base URL the IdP and the browser see, for the SAML test sign-in "
                   "(default: http://HOST:PORT); the SP metadata is at URL/saml/metadata")
    p.set_defaults(func=run)


def public_base(args: argparse.Namespace) -> str:
    """The base of the SAML addresses: --public-url, else the listen address."""
    from urllib.parse import urlsplit

    from engine.errors import InputError

    if args.public_url is None:
        host = f"[{args.host}]" if ":" in args.host else args.host
        return f"http://{host}:{args.port}"
    try:
        parts = urlsplit(args.public_url.strip())
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query
            or parts.fragment or parts.username):
        raise InputError(f"--public-url {args.public_url}", "is not a base URL; give one like "
                         "https://scim.example.com (no query, no fragment)")
    return args.public_url.strip().rstrip("/")


def _check_port_free(host: str, port: int) -> None:
    """Refuse a busy port before announcing anything (uvicorn would only log it and exit)."""
    import socket

    from engine.errors import InputError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"--host {host}", f"cannot be resolved ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise InputError(f"{host}:{port}", f"cannot be bound ({exc.strerror}); another program may be "
                             "using it: choose another --port") from None


def _clock(as_of: str | None) -> Callable[[], dt.date]:
    """The service's billing date: the real one, or `--as-of` held fixed."""
    if as_of is None:
        return dt.date.today
    from app.commands.preview import parse_as_of

    fixed = parse_as_of(as_of)
    return lambda: fixed


def run(args: argparse.Namespace) -> int:
    token = os.environ.get(TOKEN_ENV) or None
    from engine.remote_http import is_loopback_host

    if token is None and not is_loopback_host(args.host):
        print(f"scim-assistant serve: refusing to bind {args.host} without a token; set {TOKEN_ENV} "
              "(or bind 127.0.0.1)", file=sys.stderr)
        return 2
    import gc

    # Start-up builds hundreds of thousands of long-lived objects (scim2-models' pydantic
    # schemas): the cyclic collector is paused while they are made, then they are moved out of
    # its reach (gc.freeze), so that no later collection walks them again.
    gc.disable()
    import uvicorn

    from engine.errors import InputError
    from engine.service.app import create_app
    from engine.service.guards import DEFAULT_MAX_BODY
    from engine.service.writer import Holder

    if args.db and not Path(args.db).expanduser().resolve().parent.is_dir():
        # A typo in --db would otherwise quietly start an empty service somewhere new.
        raise InputError(args.db, "its folder does not exist; create the folder or choose another --db")
    if args.max_body is not None and args.max_body < 1024:
        raise InputError(f"--max-body {args.max_body}", "is too small for any SCIM resource; give at "
                         "least 1024 bytes")
    today = _clock(args.as_of)
    base = public_base(args)
    _check_port_free(args.host, args.port)
    db = args.db or default_db()
    where = f"http://{args.host}:{args.port}"
    # The one writer of the database: a second serve on it exits 2 naming this process, and
    # the embedded push sends its settings here instead of writing the file itself.
    holder = Holder.this_process(where.replace("0.0.0.0", "127.0.0.1"))
    app = create_app(db, token=token, company=args.company, today=today, holder=holder,
                     max_body=args.max_body or DEFAULT_MAX_BODY, public_url=base)
    print(f"scim-assistant: serving {app.company.name}: SCIM at {where}/scim/v2, settings API at "
          f"{where}/api/v1, SAML SP metadata at {base}/saml/metadata (db {db}; "
          f"{'bearer token required' if token else 'no token: loopback only'}"
          f"{'; billing as of ' + args.as_of if args.as_of else ''})",
          file=sys.stderr)
    gc.freeze()
    gc.enable()
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    finally:
        app.close()
    return 0
