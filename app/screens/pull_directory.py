"""The dialog "Pull the directory from Dialpad…": offices, seats and reserved numbers from
Dialpad's API into a company.toml next to the settings, merged with the current directory so
billing and prices are kept."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, Label

from app.screens.pull_dialog import Progress, PullDialog, Pulled


class PullDirectoryScreen(PullDialog):
    TITLE = "Pull the directory from Dialpad"
    NOTE = ("Reads the company, its offices, each office's available licenses and its unassigned numbers "
            "(API v2). Billing, prices and the master domain are not in the API: they are kept from the "
            "file to merge, else defaults are written and listed to check.")

    def __init__(self, output: str, merge: str | None, base_url: str | None = None) -> None:
        super().__init__(output)
        self.merge = merge or ""
        self.base_url = base_url

    def fields(self) -> ComposeResult:
        from engine.pull.dialpad import DEFAULT_BASE_URL

        yield Label("Dialpad API")
        yield Input(self.base_url or DEFAULT_BASE_URL, id="pull-base-url", compact=True)
        yield Label("Keep billing and prices from (optional)")
        yield Input(self.merge, id="pull-merge", placeholder="company.toml", compact=True)

    def credential(self) -> tuple[str | None, str]:
        from app.commands.pulling import credential
        from engine.pull.dialpad import KEY_ENV

        return credential(KEY_ENV, "dialpad_key_file", "Dialpad API key")

    def check(self) -> str | None:
        merge = self.value("pull-merge")
        if merge and not Path(merge).expanduser().is_file():
            return f"{merge}: no such file to merge."
        return None

    def pull(self, secret: str, output: Path, progress: Progress) -> Pulled:
        from app.commands.directory import directory_toml, load_merge
        from app.commands.pulling import pull_policy
        from app.config import load_config
        from engine.atomic import write_atomic
        from engine.directory import parse_company
        from engine.pull.dialpad import pull_directory

        base, merge = self.value("pull-base-url"), self.value("pull-merge")
        merge_path = str(Path(merge).expanduser()) if merge else None
        pulled = pull_directory(base, secret, merge=load_merge(merge_path), merge_source=merge or "",
                                policy=pull_policy(load_config(), at_least=60.0), progress=progress,
                                cancel=self.cancel_event)
        company = parse_company(pulled.data, source=f"the directory pulled from {base}")
        if self.cancel_event.is_set():
            from engine.remote_errors import Cancelled

            raise Cancelled("cancelled")
        write_atomic(output, directory_toml(pulled, base))
        seats = sum(sum(o.available_licenses.values()) for o in company.offices)
        return Pulled("directory", str(output), f"{len(company.offices)} office(s), {seats} available seat(s)",
                      [*pulled.notes, *(f"check: {c}" for c in pulled.checks)])
