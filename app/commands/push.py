"""`scim-assistant push`: show what would change on the service, then push the settings.

Exit codes: 0 pushed (or nothing to push, or a dry run that ran); 1 refused (the lock-out
guard, the service's 422, a 412 race, a refused token, or the admin said no); 2 unusable input;
3 the service could not be reached or kept failing. The local settings file is only read.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from app.commands.service_command import add_service_arguments, report, service_client
from engine.errors import InputError
from engine.safetext import printable

if TYPE_CHECKING:
    from engine.client import PushError, SyncSettingsClient
    from engine.settings import Settings

# `Any`: the service's JSON answers (its company and its preview summary).


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "push", help="push the settings to the provisioning service (shows the diff first)",
        description="Compare the settings file with the service's current settings, field by field, "
        "and push them with If-Match (so nobody's change is overwritten). Without --to and without "
        "service_url in the config, pushes to the embedded local service (the SQLite file "
        "`scim-assistant serve` serves by default). The token comes from SCIM_ASSISTANT_TOKEN or a "
        "token file (mode 0600). Exit 0 pushed or nothing to push, 1 refused, 2 unusable input, "
        "3 service unreachable.")
    add_service_arguments(p, settings_help="settings TOML to push",
                          to_help="the service (default: service_url from the config, else the embedded local service)")
    p.add_argument("--dry-run", action="store_true",
                   help="show the diff and the service's own preview against live seats; push nothing")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--company", metavar="FILE", help="company directory TOML for the dry run's local "
                   "preview (default: demo); the embedded service adopts it, like serve --company")
    p.add_argument("--users", metavar="FILE", help="sample users for the dry run (default: demo)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="preview date for the dry run (default: today)")
    p.set_defaults(func=run)


def _err(line: str) -> None:
    print(f"scim-assistant push: {line}", file=sys.stderr)


def _confirm(question: str) -> bool:
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    from app.config import load_config
    from engine.client import PushError
    from engine.settings import load_settings

    config = load_config()
    for line in config.warnings:
        _err(f"warning: {line}")
    settings_path = args.settings
    local = load_settings(settings_path)  # the file is only read, never written
    token = config.bearer_token()
    url = args.to or config.service_url
    if (args.company is None) != (args.users is None) and args.dry_run:
        raise InputError("--company" if args.company is None else "--users",
                         "give both --company and --users, or neither to use the demo")
    try:
        client = service_client(config, url, token=token, company=args.company if url is None else None)
    except PushError as exc:
        return _fail(exc)
    try:
        return _push(args, client, local, settings_path)
    except PushError as exc:
        return _fail(exc)
    finally:
        client.close()


def _fail(exc: PushError) -> int:
    report("push", exc)
    if exc.exit_code == 3 or exc.exit_code == 1:
        print("Your settings file was not changed.", file=sys.stderr)
    return int(exc.exit_code)


def _push(args: argparse.Namespace, client: SyncSettingsClient, local: Settings, settings_path: str) -> int:
    import datetime as dt

    from engine.client import StaleSettings
    from engine.settings_diff import diff_lines, diff_settings
    from engine.sso import guard_problems

    remote = client.get_settings()
    changes = diff_settings(remote.settings, local)
    # The service's values and version are outside text: printed with control characters escaped.
    print(printable(f"Service: {client.where}, settings {remote.version}"))
    if changes:
        print(f"{len(changes)} change(s) from the service's settings to {settings_path}:")
        print("\n".join(map(printable, diff_lines(changes))))
    else:
        print(f"No change: the service already has the settings in {settings_path}.")

    if not changes and not args.dry_run:
        return 0
    company = client.company()
    domains = [str(d) for d in company.get("domains", [])]
    sso = local.sso
    tested = client.sign_in_tested(sso.idp_entity_id, sso.idp_sso_url, sso.certificate) if sso.enforce else None
    problems = guard_problems(enforce=sso.enforce, idp_entity_id=sso.idp_entity_id,
                              idp_sso_url=sso.idp_sso_url, certificate=sso.certificate,
                              break_glass=list(sso.break_glass), company_domains=domains,
                              today=dt.date.today(), sign_in_tested=tested)
    if problems:
        _err(f"not pushed: SSO enforcement would lock people out ({len(problems)} problem(s)):")
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        print("Your settings file was not changed, and neither was the service.", file=sys.stderr)
        return 1

    if args.dry_run:
        return _dry_run(args, client, local, company)
    if not args.yes and sys.stdin.isatty():
        if not _confirm(f"Push {len(changes)} change(s) to {client.where}?"):
            _err("not pushed (you said no)")
            return 1
    try:
        pushed = client.put_settings(local, remote.etag)
    except StaleSettings as exc:
        _err(exc.message)
        try:
            now = client.get_settings()
        except Exception:  # noqa: BLE001 - the reload is a courtesy; the 412 is the answer
            return 1
        again = diff_settings(now.settings, local)
        print(printable(f"The service now has settings {now.version}; pushing {settings_path} would change "
                        f"{len(again)} field(s):"), file=sys.stderr)
        for line in diff_lines(again):
            print(printable(line), file=sys.stderr)
        print("Run the push again to push against these (your settings file was not changed).",
              file=sys.stderr)
        return 1
    print(printable(f"Pushed: the service now has settings {pushed.version}."))
    return 0


def _dry_run(args: argparse.Namespace, client: SyncSettingsClient, local: Settings,
             company_json: dict[str, Any]) -> int:
    from app.commands.preview import parse_as_of
    from app.sources import load_sources
    from engine.demo import demo_bytes
    from engine.inputfile import read_bytes
    from engine.preview import run_preview
    from engine.settings_diff import explain_previews, live_state

    as_of = parse_as_of(args.as_of)
    src = load_sources(args.company, args.users, None)
    users_bytes = read_bytes(args.users, what="sample users") if args.users else demo_bytes("users")
    seats, used, unshared = live_state(src.company, company_json)
    mine = run_preview(src.company, src.users, local, as_of)
    mine_live = run_preview(src.company, src.users, local, as_of, seats=seats, used_numbers=used)
    theirs = client.preview(users_bytes, as_of)
    print()
    print(f"Dry run: nothing was pushed. {len(src.users.records):,} sample users "
          f"({'demo' if args.users is None else args.users}), as of {as_of.isoformat()}.")
    for label, summary in (("Local preview (your settings, directory seats)", mine.summary.to_dict()),
                           ("After this push (your settings, live seats)", mine_live.summary.to_dict()),
                           ("Service's preview now (its settings, live seats)", theirs.get("summary", {}))):
        print(printable(f"  {label}: {headline(summary)}"))
    explanation = explain_previews([r.to_dict() for r in mine.rows], [r.to_dict() for r in mine_live.rows],
                                   list(theirs.get("users", [])), unshared)
    for line in explanation.lines():
        print(printable(line))
    return 0


def headline(summary: dict[str, Any]) -> str:
    bought = sum(int(v) for v in (summary.get("purchased") or {}).values())
    return (f"{summary.get('create', 0)} to create, {summary.get('reject', 0)} rejected, "
            f"{summary.get('skip', 0)} skipped, {summary.get('invalid', 0)} invalid, {bought} seat(s) to buy "
            f"({float(summary.get('prorated_total', 0.0)):.2f} {summary.get('currency', '')})").rstrip()
