"""`scim-assistant preview`: what the settings would do to each sample user."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from engine.errors import InputError
from engine.safetext import printable

FORMATS = ("table", "json", "csv", "markdown")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("preview", help="preview where each sample user lands, and why",
                       description="Preview the settings on sample users. With no files, "
                       "previews the built-in demo.")
    p.add_argument("--company", metavar="FILE", help="company directory TOML")
    p.add_argument("--users", metavar="FILE", help="sample users: SCIM JSON, NDJSON, Bulk or CSV")
    p.add_argument("--settings", metavar="FILE", help="settings TOML (default: built-in defaults)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="preview date for proration (default: today)")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    p.set_defaults(func=run)


def parse_as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError("--as-of", f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def _terminal_width() -> int | None:
    """The width to fit: the terminal's, or COLUMNS; None (natural width) for a file or a pipe."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        return os.get_terminal_size(sys.stdout.fileno()).columns
    return None


def run(args: argparse.Namespace) -> int:
    from app.sources import load_sources
    from engine.billing import period_containing, source_label
    from engine.perf import drop
    from engine.preview import run_preview
    from engine.report import to_csv, to_json, to_markdown

    as_of = parse_as_of(args.as_of)
    if args.output:
        from engine.atomic import target_problem

        # Refused before the work, not after it: directories, devices, FIFOs, symlinks, inputs.
        problem = target_problem(args.output, (args.company, args.users, args.settings))
        if problem is not None:
            raise InputError(args.output, problem)
    src = load_sources(args.company, args.users, args.settings)
    try:
        period_containing(src.company.billing.period, as_of)
    except ValueError as exc:  # a date whose billing period leaves the calendar
        raise InputError("--as-of", str(exc)) from None
    from engine.settings import settings_warnings

    for warning in settings_warnings(src.settings):
        print(printable(f"scim-assistant: warning: {src.settings_path or 'the demo settings'}: {warning}"),
              file=sys.stderr)
    preview = run_preview(src.company, src.users, src.settings, as_of)
    period_source = source_label(src.company_path)
    if args.format == "json":
        data = to_json(preview)
    elif args.format == "csv":
        data = to_csv(preview).encode("utf-8")
    elif args.format == "markdown":
        data = to_markdown(preview, src.company.name, period_source).encode("utf-8")
    else:
        from app.table_report import render_table

        width = _terminal_width() if args.output is None else None
        data = render_table(preview, src.company, width=width, period_source=period_source,
                            color=args.output is None and sys.stdout.isatty()).encode("utf-8")
    if args.output:
        from engine.atomic import write_atomic

        try:
            write_atomic(args.output, data)
        except OSError as exc:
            raise InputError(args.output, f"cannot be written ({exc.strerror or exc})") from None
        print(f"wrote {args.format} preview of {len(src.users.records)} users to {args.output}",
              file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    drop(src)
    drop(preview)
    return 0
