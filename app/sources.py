"""Loading the three inputs (company, users, settings) from files or the built-in demo."""

from __future__ import annotations

from msgspec import Struct

from engine.demo import demo_company, demo_settings, demo_users
from engine.directory import Company, load_company
from engine.errors import InputError
from engine.settings import Settings, load_settings
from engine.users import Progress, UserSet, load_users


class Sources(Struct):
    """A msgspec Struct, not a dataclass, for a cheap start-up (engine.settings says why)."""

    company: Company
    users: UserSet
    settings: Settings
    company_path: str | None = None
    users_path: str | None = None
    settings_path: str | None = None

    @property
    def is_demo(self) -> bool:
        return self.company_path is None


def load_sources(company: str | None, users: str | None, settings: str | None,
                 progress: Progress | None = None) -> Sources:
    """Files when given, the demo otherwise. Company and users come as a pair: mixing the
    demo's users with a real directory would preview nonsense."""
    if (company is None) != (users is None):
        missing = "--users" if users is None else "--company"
        raise InputError(missing, "give both --company and --users, or neither to use the demo")
    if company is None or users is None:  # both None (checked above): the demo
        c = demo_company()
        s = load_settings(settings, c) if settings else demo_settings(c)
        return Sources(c, demo_users(), s, None, None, settings)
    c = load_company(company)
    s = load_settings(settings, c) if settings else Settings()
    return Sources(c, load_users(users, progress), s, company, users, settings)
