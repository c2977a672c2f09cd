"""The `scim-assistant` command line (SPEC 8). With no sub-command it opens the wizard.

Sub-commands live in `app/commands/`, each with `register(subparsers)`; imports stay lazy so
`preview` does not pay for Textual and the TUI does not pay for the exporters.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING

from engine.errors import InputError
from engine.safetext import printable

if TYPE_CHECKING:
    import argparse

COMMANDS = ("preview", "demo", "check_cert", "serve", "push", "sso_test", "directory", "users")
ONE_SHOT = ("preview",)  # commands that read, write and end: nothing they build needs freeing


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The parser, with the sub-commands of `commands` (modules of app/commands): a launch that
    names one, or none, imports no other command's module."""
    import argparse
    import importlib

    class _Parser(argparse.ArgumentParser):
        """argparse, but a usage error is one line on stderr and exit 2, like every input error."""

        def error(self, message: str) -> None:  # type: ignore[override]
            print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
            raise SystemExit(2)

    parser = _Parser(prog="scim-assistant", description="Preview and push SCIM and SSO settings "
                     "for a Dialpad-style phone system. With no command, opens the wizard.")
    parser.add_argument("--company", metavar="FILE", help="company directory TOML (default: demo)")
    parser.add_argument("--users", metavar="FILE", help="sample users: SCIM JSON, NDJSON or CSV")
    parser.add_argument("--settings", metavar="FILE", help="settings TOML to start from")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in commands:
        try:
            module = importlib.import_module(f"app.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.commands.{name}":
                raise
            continue  # a command not built yet
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, exit_after: bool = False) -> int:
    """Run a command. `exit_after`: the caller ends the process with os._exit (the console
    script), so a one-shot command need not collect or free anything."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # No arguments opens the wizard on the demo: nothing to parse (nor argparse to import).
    args = _parse(argv) if argv else SimpleNamespace(command=None, company=None, users=None, settings=None)
    if exit_after and args.command in ONE_SHOT:
        from engine.perf import exit_without_freeing

        exit_without_freeing()
    try:
        if args.command is None:
            from app.tui import open_wizard

            return open_wizard(args.company, args.users, args.settings)
        return int(args.func(args))
    except InputError as exc:
        # File names and values in the line come from outside: no terminal escapes.
        print(f"scim-assistant: {printable(exc.line())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("scim-assistant: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _parse(argv: list[str]) -> argparse.Namespace:
    named = argv[0].replace("-", "_")
    return build_parser((named,) if named in COMMANDS else COMMANDS).parse_args(argv)


def entry() -> None:
    """The console script. After a command has written its output, exit without tearing down
    the interpreter: freeing a 100k-user preview object by object costs a noticeable fraction
    of the run and changes nothing (mypy exits the same way)."""
    code = main(exit_after=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


if __name__ == "__main__":
    entry()
