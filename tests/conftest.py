"""Shared fixtures. Tests never read or write the admin's real config or data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("SCIM_ASSISTANT_CONFIG", str(home / "config" / "scim-assistant" / "config.toml"))
    monkeypatch.delenv("SCIM_ASSISTANT_TOKEN", raising=False)


@pytest.fixture(autouse=True)
def no_debounce(monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview starts at the next tick after a change: tests wait on conditions (`settle`),
    never on the debounce's clock. The wizard reads the delay at each change."""
    import app.wizard.main_screen

    monkeypatch.setattr(app.wizard.main_screen, "DEBOUNCE_SECONDS", 0.0)


@pytest.fixture
def settle() -> Callable[..., Awaitable[None]]:
    """`await settle(pilot)`: until no message, debounced preview or worker is pending."""
    from tests.waiting import settle

    return settle
