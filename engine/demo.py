"""The built-in demo: a company, sample users and settings shipped as package data."""

from __future__ import annotations

from pathlib import Path

from engine.atomic import write_atomic
from engine.directory import Company, parse_company
from engine.settings import Settings, parse_settings
from engine.tomlfile import parse_toml
from engine.users import UserSet, parse_users

FILES = {"company": "company.toml", "users": "users.json", "settings": "settings.toml"}


def demo_bytes(kind: str) -> bytes:
    # Through the package's loader, as importlib.resources does (a zipped install included),
    # without its import: 5-7 ms of the wizard's start-up.
    import engine.demo_data as package

    return package.__loader__.get_data(str(Path(package.__file__).with_name(FILES[kind])))  # type: ignore[union-attr]


def demo_company() -> Company:
    return parse_company(parse_toml(demo_bytes("company"), source="demo company"),
                         source="demo company", trusted=True)


def demo_users() -> UserSet:
    return parse_users(demo_bytes("users"), source="demo users")


def demo_settings(company: Company | None = None) -> Settings:
    return parse_settings(parse_toml(demo_bytes("settings"), source="demo settings"),
                          source="demo settings", company=company)


def write_demo(directory: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write the three demo files into `directory`; refuse to overwrite unless asked."""
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(str(target))
    target.mkdir(parents=True, exist_ok=True)
    paths = [target / name for name in FILES.values()]
    existing = [p for p in paths if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(", ".join(str(p) for p in existing))
    for kind, path in zip(FILES, paths, strict=True):
        write_atomic(path, demo_bytes(kind))
    return paths
