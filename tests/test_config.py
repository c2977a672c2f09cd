"""The app config: a key that is not a setting is named, with the setting it looks like, instead
of being dropped in silence; the CLI and the wizard say so once."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import config_file, load_config
from tests.tui.conftest import AS_OF


def write_config(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_misspelt_key_is_named_with_the_setting_it_looks_like(monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config('them = "textual-light"\nrequest_timout = 4\n[last]\ncompnay = "c.toml"\nzzzz = 1\n')
    config = load_config()
    assert config.theme == "textual-dark"  # not applied: it is not the key
    assert config.warnings == [
        f"{path}: unknown key 'them'; did you mean 'theme'?",
        f"{path}: unknown key 'request_timout'; did you mean 'request_timeout'?",
        f"{path}: unknown key 'last.compnay'; did you mean 'last.company'?",
        f"{path}: unknown key 'last.zzzz'; it is ignored",
    ]


def test_a_token_in_the_file_is_refused_by_name_and_never_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('token = "secret-in-the-file-9b1"\n')
    config = load_config()
    assert config.bearer_token() is None
    assert len(config.warnings) == 1 and "never read from the config file" in config.warnings[0]
    assert "secret-in-the-file-9b1" not in config.warnings[0]


def test_a_misspelt_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCIM_ASSISTANT_SERVICEURL", "https://scim.example.com")
    monkeypatch.setenv("scim_assistant_theme", "textual-light")  # pydantic ignores the case: known
    monkeypatch.setenv("SCIM_ASSISTANT_LAST__USERS", "u.csv")
    config = load_config()
    assert config.warnings == ["SCIM_ASSISTANT_SERVICEURL: not a setting; did you mean "
                               "'SCIM_ASSISTANT_SERVICE_URL'?"]


def test_a_clean_config_warns_of_nothing() -> None:
    write_config('theme = "textual-light"\nservice_url = "https://scim.example.com"\n[last]\nusers = "u.csv"\n')
    assert load_config().warnings == []


def test_the_push_command_prints_the_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    write_config('servce_url = "https://scim.example.com"\n')
    code = main(["push", "--settings", str(tmp_path / "missing.toml")])
    err = capsys.readouterr().err
    assert code == 2  # the settings file is missing: the warning comes first, then that error
    assert "scim-assistant push: warning: " in err and "did you mean 'service_url'?" in err


async def test_the_wizard_says_it_once_even_when_step_7_reads_the_config_first() -> None:
    from app.wizard.app import WizardApp
    from tests.waiting import settle

    write_config('them = "textual-light"\n')
    app = WizardApp(as_of=AS_OF)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.press("7")  # step 7 reads the service, with the config, before the background read
        await settle(pilot)
        for _ in range(100):  # the background read's timer: it finds the config already read
            if not app._timers:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        notes = [n for n in app._notifications if n.title == "Config"]
        assert len(notes) == 1 and "did you mean 'theme'?" in notes[0].message
        assert app.config is not None and app.config.warnings
