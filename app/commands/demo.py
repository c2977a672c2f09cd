"""`scim-assistant demo DIR`: write the demo company, users and settings to start from."""

from __future__ import annotations

import argparse

from engine.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="write the demo company, users and settings to DIR")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from engine.demo import write_demo

    try:
        paths = write_demo(args.dir, overwrite=args.force)
    except NotADirectoryError:
        raise InputError(args.dir, "is a file, not a folder; give a folder to write the three demo files into"
                         ) from None
    except FileExistsError as exc:
        raise InputError(args.dir, f"already holds {exc}; use --force to overwrite") from None
    except OSError as exc:
        raise InputError(args.dir, f"cannot be written ({exc.strerror or exc})") from None
    for path in paths:
        print(path)
    print(f"next: scim-assistant preview --company {paths[0]} --users {paths[1]} "
          f"--settings {paths[2]}")
    return 0
