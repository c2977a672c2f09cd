"""Open the wizard (the entry point `app.cli` calls with no sub-command)."""

from __future__ import annotations


def open_wizard(company: str | None, users: str | None, settings: str | None) -> int:
    """Run the wizard; return the exit code. The company and settings files are checked first,
    so an unusable one ends with the CLI's one-line message and exit 2 rather than an empty app."""
    if company is not None or settings is not None:
        from engine.directory import load_company
        from engine.settings import load_settings

        c = load_company(company) if company is not None else None
        if settings is not None:
            load_settings(settings, c)
    if (company is None) != (users is None):
        from engine.errors import InputError

        raise InputError("--company" if company is None else "--users",
                         "give both --company and --users, or neither to use the demo")
    import gc

    # Start-up makes hundreds of thousands of objects and no garbage worth a collection (about
    # 30 ms of them before the first frame): the app turns the collector back on once drawn.
    gc.disable()
    from app.wizard.app import WizardApp

    app = WizardApp(company, users, settings)
    app.run()
    return app.return_code or 0
