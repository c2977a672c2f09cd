"""The app's own settings (not the SCIM settings that get pushed): where the service is, the
files used last, the theme, the request timeout.

Read, highest priority first, from: arguments, environment variables `SCIM_ASSISTANT_<FIELD>`
(nested fields with `__`, e.g. `SCIM_ASSISTANT_LAST__SETTINGS`), then the TOML file that
`config_file()` names: `$SCIM_ASSISTANT_CONFIG`, else `config.toml` in platformdirs'
user config directory for "scim-assistant".

The bearer token is a secret and comes only from `SCIM_ASSISTANT_TOKEN` or from a token file
(`token_file`) that only its owner can read (mode 0600). It is never read from, or written to,
the config file, and it never appears in a message.
"""

from __future__ import annotations

import difflib
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, Field, PrivateAttr, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from app.config_file import APP_NAME, CONFIG_ENV, ENV_PREFIX, TOKEN_ENV, config_file
from engine.atomic import write_atomic
from engine.errors import InputError

__all__ = ["APP_NAME", "CONFIG_ENV", "TOKEN_ENV", "AppSettings", "config_file", "load_config", "save_config"]

# `Any` here: the TOML file's values before pydantic checks them, and the keyword arguments
# passed through to AppSettings.

SECRET_FIELDS = frozenset({"token"})


class LastPaths(BaseModel):
    """The files the wizard used last, offered again next time."""

    company: str | None = None
    """The company directory TOML loaded last (`SCIM_ASSISTANT_LAST__COMPANY`)."""
    users: str | None = None
    """The sample users file loaded last (`SCIM_ASSISTANT_LAST__USERS`)."""
    settings: str | None = None
    """The settings TOML saved or loaded last (`SCIM_ASSISTANT_LAST__SETTINGS`)."""


class _ConfigTomlSource(TomlConfigSettingsSource):
    """The config file, minus any secret someone typed into it: the token never comes from
    there (a `token` key is ignored)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls, toml_file=path)

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in super().__call__().items() if k not in SECRET_FIELDS}


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_ignore_empty=True,
        extra="ignore",
        use_attribute_docstrings=True,
        validate_default=False,
    )

    service_url: str | None = None
    """The provisioning service to push to, e.g. `https://scim.example.com`. Plain `http://` is
    accepted only for a loopback address. Unset: the embedded local service (a SQLite file in the
    user data directory, the one `scim-assistant serve` serves by default)."""

    last: LastPaths = Field(default_factory=LastPaths)
    """The company, users and settings files used last."""

    theme: str = "textual-dark"
    """The Textual theme of the wizard (any built-in theme name, e.g. `textual-light`)."""

    request_timeout: float = Field(default=10.0, gt=0, le=600)
    """Seconds to wait for one answer of the service. A push retries within a total deadline of
    three times this (at least 15 seconds)."""

    sso_test_port: int = Field(default=8787, ge=1, le=65535)
    """The loopback port the embedded service listens on during a test sign-in (the IdP's ACS
    URL is http://127.0.0.1:<port>/saml/acs); the default is `scim-assistant serve`'s."""

    token_file: str | None = None
    """A file holding the service's bearer token, readable by its owner only (mode 0600). Used
    when `SCIM_ASSISTANT_TOKEN` is not set."""

    token: SecretStr | None = Field(default=None, exclude=True, repr=False)
    """The bearer token: from `SCIM_ASSISTANT_TOKEN` only. Never saved."""

    dialpad_key_file: str | None = None
    """A file holding the Dialpad API key, mode 0600, for `directory pull`. Used when
    `DIALPAD_API_KEY` is not set."""

    okta_token_file: str | None = None
    """A file holding the Okta API token, mode 0600, for `users pull --from okta`. Used when
    `OKTA_API_TOKEN` is not set."""

    entra_secret_file: str | None = None
    """A file holding the Entra ID app's client secret, mode 0600, for `users pull --from entra`.
    Used when `ENTRA_CLIENT_SECRET` is not set."""

    okta_org_url: str | None = None
    """The Okta org the wizard's pull dialog offers (e.g. `https://acme.okta.com`)."""

    entra_tenant: str | None = None
    """The Entra ID tenant the wizard's pull dialog offers."""

    entra_client_id: str | None = None
    """The Entra ID app registration's client ID the wizard's pull dialog offers."""

    def pull_secret(self, env: str, file_field: str) -> SecretStr | None:
        """A pull credential: the environment variable `env`, else the 0600 file the config names
        in `file_field`; None when neither is set."""
        value = os.environ.get(env, "").strip()
        if value:
            return SecretStr(header_safe(value, env))
        path = getattr(self, file_field)
        return read_token_file(path, env=env) if path else None

    # Keys the config file or the environment gave that are not settings (`extra="ignore"`
    # drops them): said once where the config is used, with the setting they look like.
    _unknown: list[str] = PrivateAttr(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """One line per unknown key, e.g. "config.toml: unknown key 'them'; did you mean 'theme'?"."""
        return list(self._unknown)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # No .env file and no secrets directory: the token has exactly two ways in.
        return init_settings, env_settings, _ConfigTomlSource(settings_cls, config_file())

    @property
    def push_deadline(self) -> float:
        return max(15.0, 3 * self.request_timeout)

    def bearer_token(self) -> SecretStr | None:
        """The token: `SCIM_ASSISTANT_TOKEN`, else the token file. Raises InputError (naming the
        file, never its content) when the file is unusable."""
        if self.token is not None and self.token.get_secret_value().strip():
            return SecretStr(header_safe(self.token.get_secret_value().strip(), TOKEN_ENV))
        if not self.token_file:
            return None
        return read_token_file(self.token_file)


def read_token_file(path: str | os.PathLike[str], env: str = TOKEN_ENV) -> SecretStr:
    p = Path(path).expanduser()
    try:
        info = p.stat()
    except FileNotFoundError:
        raise InputError(str(p), "the token file does not exist; create it with mode 0600, or set "
                         f"{env}") from None
    except OSError as exc:
        raise InputError(str(p), f"the token file cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(str(p), "the token file is not a regular file")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise InputError(str(p), f"the token file has mode {mode:04o}, readable by others; "
                         f"run `chmod 600 {p}` (or set {env})")
    from engine.inputfile import read_bytes

    try:
        text = read_bytes(p, what="token").decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InputError(str(p), "the token file cannot be read as UTF-8 text") from None
    if not text:
        raise InputError(str(p), "the token file is empty")
    return SecretStr(header_safe(text, str(p)))


def header_safe(secret: str, source: str) -> str:
    """`secret` when it is visible ASCII, as every API token, key and client secret is; else an
    InputError naming where it came from (never what it holds). A space, a line break or an
    accented letter means a bad copy, and no HTTP header could carry it."""
    if secret.isascii() and secret.isprintable() and " " not in secret:
        return secret
    raise InputError(source, "holds a space, a control character or a non-ASCII character, which no "
                     "credential has; copy it again, whole")


def unknown_keys(data: dict[str, Any], source: str) -> list[str]:
    """A warning for each key of the config file that is not a setting (nested tables too),
    naming the setting it most looks like."""
    out: list[str] = []

    def check(table: dict[str, Any], model: type[BaseModel], prefix: str) -> None:
        known = list(model.model_fields)
        for key, value in table.items():
            if key in SECRET_FIELDS and not prefix:
                out.append(f"{source}: the token is never read from the config file; set {TOKEN_ENV} or "
                           "token_file instead")
            elif key not in known:
                out.append(f"{source}: unknown key {prefix + key!r}{_did_you_mean(key, known, prefix)}")
            else:
                nested = model.model_fields[key].annotation
                if isinstance(value, dict) and isinstance(nested, type) and issubclass(nested, BaseModel):
                    check(value, nested, f"{prefix}{key}.")

    check(data, AppSettings, "")
    return out


def unknown_env(environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """A warning for each `SCIM_ASSISTANT_*` variable that names no setting (the file's own
    variable and the token's aside)."""
    names = [ENV_PREFIX + f.upper() for f in AppSettings.model_fields]
    names += [f"{ENV_PREFIX}LAST__{f.upper()}" for f in LastPaths.model_fields]
    allowed = {*names, CONFIG_ENV, TOKEN_ENV}
    # pydantic-settings matches the names case-insensitively.
    return [f"{name}: not a setting{_did_you_mean(name.upper(), names, '')}"
            for name in sorted(environ) if name.upper().startswith(ENV_PREFIX)
            and name.upper() not in allowed and environ[name] != ""]


def _did_you_mean(key: str, known: list[str], prefix: str) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"; did you mean {prefix + close[0]!r}?" if close else "; it is ignored"


def load_config(**overrides: Any) -> AppSettings:
    """The app settings, with one clear InputError for a broken config file. Keys that are not
    settings are kept in `.warnings` for the caller to show."""
    path = config_file()
    try:
        config = AppSettings(**overrides)
        data: dict[str, Any] = {}
        if path.is_file():  # read as pydantic just did: it would have raised what this could
            with path.open("rb") as f:
                data = tomllib.load(f)
        config._unknown = [*unknown_keys(data, str(path)), *unknown_env(os.environ)]
        return config
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), f"is not valid TOML: {exc}") from None
    except ValidationError as exc:
        problems = [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise InputError(f"{path} or SCIM_ASSISTANT_* variables", problems) from None
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None


def config_data(config: AppSettings) -> dict[str, Any]:
    """What goes into the config file: every non-secret field that is set."""
    return config.model_dump(mode="json", exclude=set(SECRET_FIELDS), exclude_none=True)


def save_config(config: AppSettings, path: str | os.PathLike[str] | None = None) -> Path:
    """Write the non-secret config atomically (temp file + rename) to `config_file()`."""
    target = Path(path) if path is not None else config_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, tomli_w.dumps(config_data(config)).encode("utf-8"))
    return target
