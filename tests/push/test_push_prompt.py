"""The confirmation prompt on a real terminal (a pseudo-terminal): no pushes nothing, yes pushes."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.push.conftest import TOKEN, Service
from tests.push.test_push_cli import settings_file


def _run_on_a_terminal(args: list[str], answer: bytes, cwd: Path) -> tuple[int, str]:
    """Run the CLI with stdin and stdout on a pty, answer the prompt, return (exit code, screen)."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "SCIM_ASSISTANT_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", *args], stdin=secondary, stdout=secondary,
                            stderr=secondary, cwd=Path(__file__).resolve().parents[2], env=env)
    os.close(secondary)
    screen, answered, deadline = b"", False, time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(primary, 4096)
                except OSError:
                    break  # the child closed the terminal
                if not chunk:
                    break
                screen += chunk
                if not answered and b"[y/N]" in screen:
                    os.write(primary, answer)
                    answered = True
            elif proc.poll() is not None:
                break
        return proc.wait(30), screen.decode(errors="replace")
    finally:
        os.close(primary)


def test_answering_no_pushes_nothing_and_yes_pushes(service: Service, tmp_path: Path) -> None:
    path = settings_file(tmp_path, numbers={"auto_assign": False})
    before = service.settings()
    code, screen = _run_on_a_terminal(["push", "--settings", str(path), "--to", service.url], b"n\n", tmp_path)
    assert "[y/N]" in screen and code == 1
    assert service.settings() == before
    code, screen = _run_on_a_terminal(["push", "--settings", str(path), "--to", service.url], b"y\n", tmp_path)
    assert code == 0, screen
    assert service.settings()[1]["numbers"]["auto_assign"] is False
    assert TOKEN not in screen
