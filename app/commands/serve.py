"""`scim-assistant serve`: the provisioning service (SCIM 2.0 + settings API) under uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
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
    p.add_argument("--company", metavar="FILE",
                   help="company directory TOML to load or update (default: the stored one, "
                   "or the demo the first time)")
    p.set_defaults(func=run)


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


def run(args: argparse.Namespace) -> int:
    token = os.environ.get(TOKEN_ENV) or None
    from engine.client import is_loopback_host

    if token is None and not is_loopback_host(args.host):
        print(f"scim-assistant serve: refusing to bind {args.host} without a token; set {TOKEN_ENV} "
              "(or bind 127.0.0.1)", file=sys.stderr)
        return 2
    import uvicorn

    from engine.errors import InputError
    from engine.service.app import create_app

    if args.db and not Path(args.db).expanduser().resolve().parent.is_dir():
        # A typo in --db would otherwise quietly start an empty service somewhere new.
        raise InputError(args.db, "its folder does not exist; create the folder or choose another --db")
    _check_port_free(args.host, args.port)
    db = args.db or default_db()
    app = create_app(db, token=token, company=args.company)
    where = f"http://{args.host}:{args.port}"
    print(f"scim-assistant: serving {app.company.name}: SCIM at {where}/scim/v2, settings API at "
          f"{where}/api/v1 (db {db}; {'bearer token required' if token else 'no token: loopback only'})",
          file=sys.stderr)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    finally:
        app.close()
    return 0
