"""`scim-assistant directory pull`: the company directory from Dialpad's API v2.

Exit codes: 0 written; 1 Dialpad refused the API key; 2 unusable input (no key, a bad URL or
merge file, a directory the preview would refuse); 3 the API could not be reached or kept failing.
The output is written atomically, and only once everything was read: Ctrl+C leaves no partial file.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any  # `Any`: the pull's result, imported only when the command runs, and the merge file's TOML data

from app.commands.pulling import add_pull_parser, output_path, pulled, secret, write_output


def register(sub: argparse._SubParsersAction) -> None:
    pull = add_pull_parser(
        sub, "directory", help="the company directory (pull it from Dialpad's API)",
        description="Work with the company directory.",
        pull_help="read offices, seats and reserved numbers from Dialpad's API into company.toml",
        pull_description="Read the company, its offices, each office's available licenses and its unassigned "
        "numbers from Dialpad's API v2 and write the company directory. The API key comes from "
        "DIALPAD_API_KEY, or from a file (mode 0600) named as dialpad_key_file in the app config. What the "
        "API does not give (billing, prices, master domain) comes from --merge, else defaults are written "
        "and listed as 'check: ...'. Exit 0 written, 1 key refused, 2 unusable input, 3 API unreachable.")
    pull.add_argument("--base-url", metavar="URL", default=None,
                      help="Dialpad's API host (default https://dialpad.com); plain http only for loopback")
    pull.add_argument("--merge", metavar="FILE", help="an existing company.toml: billing, prices, master "
                      "domain and other fields the API lacks are taken from it")
    pull.add_argument("--output", metavar="FILE", default="company.toml", help="where to write (default company.toml)")
    pull.set_defaults(func=run)


def directory_toml(pull: Any, source: str) -> bytes:
    """The directory as TOML, with what to check as comments at the top."""
    import datetime as dt

    import tomli_w

    head = [f"# Company directory pulled from {source} on {dt.date.today().isoformat()}."]
    head += [f"# check: {c}" for c in pull.checks]
    return ("\n".join(head) + "\n\n" + tomli_w.dumps(pull.data)).encode("utf-8")


def load_merge(path: str | None) -> dict[str, Any] | None:
    from engine.inputfile import read_bytes
    from engine.tomlfile import parse_toml

    if path is None:
        return None
    return parse_toml(read_bytes(path, what="company directory"), source=path)


def run(args: argparse.Namespace) -> int:
    from engine.directory import parse_company
    from engine.pull.dialpad import DEFAULT_BASE_URL, KEY_ENV, pull_directory

    out = output_path(args.output)
    merge = load_merge(args.merge)
    key = secret(KEY_ENV, "dialpad_key_file", "Dialpad API key")
    base = args.base_url or DEFAULT_BASE_URL
    pull = pulled("directory pull", "requests", 60.0, lambda policy, progress: pull_directory(
        base, key, merge=merge, merge_source=args.merge or "", policy=policy, progress=progress))
    if isinstance(pull, int):
        return pull
    source = f"the directory pulled from {base}" + (f" merged with {args.merge}" if args.merge else "")
    company = parse_company(pull.data, source=source)  # what the preview would refuse is not written
    write_output(out, directory_toml(pull, base))
    for line in pull.notes:
        print(f"note: {line}", file=sys.stderr)
    for line in pull.checks:
        print(f"check: {line}", file=sys.stderr)
    seats = sum(sum(o.available_licenses.values()) for o in company.offices)
    numbers = sum(len(o.reserved_numbers) for o in company.offices)
    print(f"Wrote {out}: {len(company.offices)} office(s), {seats} available seat(s), {numbers} reserved "
          f"number(s) from {pull.requests} request(s).")
    return 0
