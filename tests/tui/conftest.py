"""TUI tests: never touch the real user config; a fixed preview date so numbers are stable."""

from __future__ import annotations

import datetime as dt

import pytest

AS_OF = dt.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("SCIM_ASSISTANT_CONFIG", str(tmp_path / "config" / "scim-assistant.toml"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def make_app():
    from app.wizard.app import WizardApp

    def make(**kw):
        return WizardApp(as_of=AS_OF, **kw)

    return make
