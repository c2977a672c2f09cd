"""The pieces without a service: the diff, Retry-After, URLs, the app config and its token."""

from __future__ import annotations

import email.utils
import time
from pathlib import Path

import pytest

from app.config import AppSettings, config_data, config_file, load_config, read_token_file, save_config
from engine.client import InsecureUrl, check_service_url, retry_after
from engine.errors import InputError
from engine.settings import GroupMapping, Settings
from engine.settings_diff import diff_lines, diff_settings, flatten

SECRET = "unit-secret-token-42"


def test_diff_is_field_by_field_in_spec_order() -> None:
    new = (Settings().with_changes("licenses", groups=(GroupMapping("Support", "Dialpad_Support"),))
           .with_changes("office", fields=("department",), country_fallback=False))
    lines = diff_lines(diff_settings(Settings(), new))
    assert lines == ["  office.fields: officeName, department -> department",
                     "  office.country_fallback: true -> false",
                     "  licenses.groups: (none) -> Support → Dialpad_Support"]
    assert diff_settings(new, new) == []
    # JSON from the service (lists) against the dataclasses (tuples): no phantom change
    assert diff_settings(new.to_dict(), new) == []
    assert list(flatten(Settings().to_dict()))[:2] == ["version", "office.fields"]


def test_retry_after_seconds_and_dates() -> None:
    assert retry_after("3") == 3.0
    assert retry_after(None) is None and retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after(later) or 0) <= 31


@pytest.mark.parametrize("url", ["http://127.0.0.1:8787", "http://localhost:1/", "http://[::1]:9",
                                 "https://scim.example.com"])
def test_urls_allowed(url: str) -> None:
    assert check_service_url(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://scim.example.com", "ftp://x", "https://user:pw@x.example", "nope"])
def test_urls_refused(url: str) -> None:
    with pytest.raises(InsecureUrl):
        check_service_url(url)


def test_config_file_env_override_nested_env_and_no_token_from_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "elsewhere" / "c.toml"
    monkeypatch.setenv("SCIM_ASSISTANT_CONFIG", str(path))
    assert config_file() == path
    path.parent.mkdir()
    path.write_text(f'service_url = "https://scim.example.com"\ntoken = "{SECRET}"\n[last]\ncompany = "c.toml"\n')
    monkeypatch.setenv("SCIM_ASSISTANT_LAST__USERS", "u.csv")
    monkeypatch.setenv("SCIM_ASSISTANT_REQUEST_TIMEOUT", "4")
    c = load_config()
    assert c.service_url == "https://scim.example.com" and c.request_timeout == 4
    assert (c.last.company, c.last.users) == ("c.toml", "u.csv")
    assert c.token is None and c.bearer_token() is None  # never from the config file
    monkeypatch.setenv("SCIM_ASSISTANT_TOKEN", SECRET)
    c = load_config()
    assert c.bearer_token().get_secret_value() == SECRET  # type: ignore[union-attr]
    assert SECRET not in repr(c) and SECRET not in str(config_data(c))
    save_config(c)
    assert SECRET not in path.read_text() and "u.csv" in path.read_text()
    assert AppSettings.model_fields["service_url"].description  # every field is documented
    assert all(f.description for f in AppSettings.model_fields.values())


def test_broken_config_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.toml"
    monkeypatch.setenv("SCIM_ASSISTANT_CONFIG", str(path))
    path.write_text("service_url = [")
    with pytest.raises(InputError, match="is not valid TOML"):
        load_config()
    path.write_text("request_timeout = -1\n")
    with pytest.raises(InputError, match="request_timeout"):
        load_config()


def test_token_file_modes(tmp_path: Path) -> None:
    f = tmp_path / "tok"
    f.write_text(SECRET)
    f.chmod(0o640)
    with pytest.raises(InputError) as info:
        read_token_file(f)
    assert "mode 0640" in str(info.value) and SECRET not in str(info.value)
    f.chmod(0o600)
    assert read_token_file(f).get_secret_value() == SECRET
    with pytest.raises(InputError, match="does not exist"):
        read_token_file(tmp_path / "missing")
