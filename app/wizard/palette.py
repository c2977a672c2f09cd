"""Command palette provider: go to a step, load files, save, export, push, reload, pick the IdP."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from app.steps import STEPS

if TYPE_CHECKING:
    from app.wizard.app import WizardApp


class WizardCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        from app.steps.sources import PROVIDER_LABELS

        app = cast("WizardApp", self.app)
        cmds: list[tuple[str, Callable[[], object], str]] = [
            ("Open files…", app.action_open_files, "Load a company directory, sample users and settings"),
            ("Use the demo data", partial(app.load_files, None, None, None), "The built-in demo company"),
            ("Pull users from the IdP (Okta, Entra)…", lambda: app.main.step(0).open_pull_users(),  # type: ignore[attr-defined]
             "Step 1: sample users as the IdP's SCIM app sends them"),
            ("Pull the directory from Dialpad…", lambda: app.main.step(0).open_pull_directory(),  # type: ignore[attr-defined]
             "Step 1: offices, seats and reserved numbers from Dialpad's API"),
            ("Save settings", app.action_save_settings, "Write the settings TOML (step 7's path)"),
            ("Push settings", app.push_settings, "Step 7: push to the service (asks for confirmation first)"),
            ("Reload from service", app.reload_from_service, "Step 7: take the service's settings into the wizard"),
        ]
        for fmt in ("csv", "json", "markdown"):
            cmds.append((f"Export preview as {fmt.upper() if fmt != 'markdown' else 'Markdown'}",
                         partial(app.export_preview, fmt), "Write the preview (step 7's path)"))
        for i, step in enumerate(STEPS):  # titles only: no step module imported for them
            cmds.append((f"Go to step {i + 1}: {step.title}", partial(app.action_goto, i), ""))
        for key, label in PROVIDER_LABELS.items():
            cmds.append((f"Identity provider: {label}",
                         partial(app.change_settings_and_refresh, "licenses", provider=key),
                         f"licenses.provider = {key}"))
        return cmds

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands():
            yield DiscoveryHit(text, command, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text or None)
