"""Imports point one way: app -> widgets -> engine. The engine never loads Textual or Rich."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import engine

ROOT = Path(__file__).resolve().parent.parent


def test_engine_modules_load_no_tui_library_and_nothing_from_app_or_widgets() -> None:
    modules = [m.name for m in pkgutil.walk_packages(engine.__path__, "engine.")]
    assert "engine.rules" in modules
    code = ("import importlib, json, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted(sys.modules)))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       check=True, cwd=ROOT).stdout)
    forbidden = [m for m in loaded if m.split(".")[0] in ("textual", "rich", "app", "widgets")]
    assert forbidden == []


def test_widgets_do_not_import_the_app() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "widgets").rglob("*.py")
                 if "from app" in p.read_text() or "import app" in p.read_text()]
    assert offenders == []
