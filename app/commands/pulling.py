"""What `directory pull` and `users pull` share: their sub-command's set-up, progress on stderr,
the failure line and its exit code, the credential lookup and the output file."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO, TypeVar  # `Any`: the engine's pull objects, imported only in a pull

from engine.errors import InputError
from engine.safetext import printable


class StderrProgress:
    """A bar redrawn in place on a terminal; nothing per step otherwise (a log stays short)."""

    WIDTH = 30

    def __init__(self, what: str, stream: TextIO | None = None) -> None:
        self.what = what
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int | None, label: str = "") -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if now - self._last < 0.05 and (total is None or done < total):
            return
        self._last = now
        label = label or self.what
        if total:
            filled = int(self.WIDTH * min(done, total) / total)
            bar = "█" * filled + "░" * (self.WIDTH - filled)
            line = f"\r{bar} {done:,}/{total:,} {label}"
        else:
            spin = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"[done % 10]
            line = f"\r{spin} {done:,} {label}"
        self.stream.write(line + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


T = TypeVar("T")


def add_pull_parser(sub: argparse._SubParsersAction, noun: str, *, help: str, description: str,  # noqa: A002
                    pull_help: str, pull_description: str) -> argparse.ArgumentParser:
    """`scim-assistant NOUN pull`: the NOUN command with its one action; its flags are the caller's."""
    p = sub.add_parser(noun, help=help, description=description)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    return actions.add_parser("pull", help=pull_help, description=pull_description)


def pulled(command: str, what: str, at_least: float, pull: Callable[[Any, StderrProgress], T]) -> T | int:
    """Run `pull(policy, progress)` with the config's timeouts and a progress bar on stderr; its
    result, or the exit code after the one-line failure."""
    from app.config import load_config
    from engine.remote_errors import RemoteError

    progress = StderrProgress(what)
    try:
        result = pull(pull_policy(load_config(), at_least=at_least), progress)
    except RemoteError as exc:
        progress.finish()
        return fail(command, exc)
    progress.finish()
    return result


def fail(command: str, exc: Any) -> int:
    """One line on stderr for a RemoteError; its exit code."""
    # The message may quote a server's words: no terminal escapes reach the admin's screen.
    print(f"scim-assistant {command}: {printable(exc.message)}", file=sys.stderr)
    return int(exc.exit_code)


def secret(env: str, file_field: str, what: str) -> str:
    """The credential from the environment or the 0600 file the config names; exit 2 without one."""
    from app.config import load_config

    value = load_config().pull_secret(env, file_field)
    if value is None or not value.get_secret_value():
        raise InputError(env, f"no {what}: set {env}, or name a file holding it (mode 0600) as "
                         f"{file_field} in the app config")
    return value.get_secret_value()


def positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def pull_policy(config: Any, *, at_least: float) -> Any:
    """One answer waits `request_timeout`; the whole pull at most 30 times that, or `at_least`."""
    from engine.pull.http import Policy

    return Policy(timeout=config.request_timeout, deadline=max(at_least, 30 * config.request_timeout))


def credential(env: str, file_field: str, what: str) -> tuple[str | None, str]:
    """(the secret or None, where it comes from): for the wizard's dialogs, which show the line
    (never the secret). A broken key file raises InputError with its fix."""
    import os

    from app.config import load_config

    config = load_config()
    value = config.pull_secret(env, file_field)
    if value is None or not value.get_secret_value():
        return None, (f"No {what}: set {env}, or name a file holding it (mode 0600) as {file_field} in the "
                      "app config.")
    where = env if os.environ.get(env, "").strip() else f"the file {getattr(config, file_field)}"
    return value.get_secret_value(), f"{what[0].upper()}{what[1:]}: from {where}."


def output_path(path: str) -> Any:
    """The output file, refused before any request when it could not be written, or when writing
    it would replace what is not a regular file (a device, a FIFO, a link: as `preview --output`)."""
    from pathlib import Path

    from engine.atomic import target_problem

    out = Path(path).expanduser()
    if out.is_dir():
        raise InputError(str(out), "is a folder; give the file to write, e.g. --output " + str(out / "x"))
    if not out.resolve().parent.is_dir():
        raise InputError(str(out), "its folder does not exist; create it or choose another --output")
    problem = target_problem(out, can_print=False)
    if problem is not None:
        raise InputError(str(out), problem)
    return out


def write_output(out: Any, data: bytes) -> None:
    from engine.atomic import write_atomic

    try:
        write_atomic(out, data)
    except OSError as exc:
        raise InputError(str(out), f"cannot be written ({exc.strerror or exc})") from None
