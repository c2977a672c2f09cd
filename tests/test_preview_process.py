"""How the preview command runs as a process: only its own module is imported, and only the
console script (which ends with os._exit) skips collecting and freeing."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import orjson

from app.cli import main
from engine import perf
from engine.demo import demo_bytes


def test_a_launch_naming_a_command_imports_only_that_command() -> None:
    code = ("import sys; from app.cli import main; main(sys.argv[1:]); "
            "print(sorted(m for m in sys.modules if m.startswith('app.commands.')), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, "preview", "--format", "json"], capture_output=True,
                          text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "['app.commands.preview']"


def test_the_console_script_writes_the_same_preview_as_main(tmp_path: Path) -> None:
    for kind in ("company", "users", "settings"):
        (tmp_path / f"{kind}.x").write_bytes(demo_bytes(kind))
    argv = ["preview", "--company", str(tmp_path / "company.x"), "--users", str(tmp_path / "users.x"),
            "--settings", str(tmp_path / "settings.x"), "--as-of", "2026-11-28", "--format", "json"]
    exe = Path(sys.executable).with_name("scim-assistant")
    done = subprocess.run([str(exe), *argv, "--output", str(tmp_path / "script.json")],
                          capture_output=True, check=True)
    assert b"wrote json preview of" in done.stderr
    was_enabled = gc.isenabled()
    assert main([*argv, "--output", str(tmp_path / "main.json")]) == 0
    # In-process (the wizard, the service, these tests) nothing is kept and the collector is as it was.
    assert perf._kept is None and gc.isenabled() == was_enabled
    script, in_process = (orjson.loads((tmp_path / f"{n}.json").read_bytes()) for n in ("script", "main"))
    assert script == in_process and len(script["users"]) == 61


def test_no_arguments_parse_to_the_wizard_without_any_command_module() -> None:
    code = ("import sys; from app.cli import build_parser; assert build_parser(()).parse_args([]).command is None; "
            "print([m for m in sys.modules if m.startswith('app.commands.')])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
