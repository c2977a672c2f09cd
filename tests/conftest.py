"""Shared fixtures. Tests never read or write the admin's real config or data."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("SCIM_ASSISTANT_CONFIG", str(home / "config" / "scim-assistant" / "config.toml"))
    monkeypatch.delenv("SCIM_ASSISTANT_TOKEN", raising=False)
