"""Where the app config lives, and the one value the first frame needs from it (the theme).

Kept apart from `app.config` because pydantic-settings costs ~100 ms to import: the wizard
reads the theme here before its first frame and the full config afterwards.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

APP_NAME = "scim-assistant"
ENV_PREFIX = "SCIM_ASSISTANT_"
CONFIG_ENV = f"{ENV_PREFIX}CONFIG"
TOKEN_ENV = f"{ENV_PREFIX}TOKEN"
THEME_ENV = f"{ENV_PREFIX}THEME"


def config_file() -> Path:
    """Where the config file is. The one place that decides it, so tests can replace it."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def configured_theme() -> str | None:
    """The theme as AppSettings would give it (environment first, then the file), read without
    pydantic. A broken file yields None here; the full config read reports it."""
    theme = os.environ.get(THEME_ENV, "").strip()
    if theme:
        return theme
    try:
        value = tomllib.loads(config_file().read_text(encoding="utf-8")).get("theme")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return value if isinstance(value, str) and value.strip() else None
