"""Step 1: the company directory, the sample users, and the IdP they come from."""

from __future__ import annotations

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from app.steps.base import Step, heading, problems_box
from engine.names import LICENSE_TYPES, PROVIDERS

PROVIDER_LABELS = {
    "okta": "Okta", "azure": "Entra ID (Azure AD)", "onelogin": "OneLogin", "jumpcloud": "JumpCloud",
    "google": "Google Workspace", "generic": "Other (generic SCIM)",
}
INVALID_SHOWN = 8


class ProviderList(OptionList):
    """The IdP, one of six: ↑/↓ and enter (or a click) choose. One widget rather than a RadioSet
    of six buttons, which cost the wizard's first frame about 60 ms of styling."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(*[Option(self._label(key, False), id=key) for key in PROVIDERS], id=id,
                         markup=False)
        self.chosen = ""

    @staticmethod
    def _label(key: str, chosen: bool) -> str:
        return f"{'◉' if chosen else '○'} {PROVIDER_LABELS[key]}"

    def show(self, provider: str) -> None:
        if provider == self.chosen:
            return
        self.chosen = provider
        for i, key in enumerate(PROVIDERS):
            self.replace_option_prompt_at_index(i, self._label(key, key == provider))
        self.highlighted = PROVIDERS.index(provider)


class SourcesStep(Step):
    step_id = "sources"
    title = "Sources"
    section = "licenses"

    def build(self) -> ComposeResult:
        yield heading("Where the data comes from")
        yield Static("", id="sources-files", classes="card")
        yield heading("Identity provider (licenses.provider)")
        yield ProviderList(id="provider")
        yield problems_box("sources-problems")
        yield heading("Offices in the company directory")
        yield Static("", id="sources-offices")
        yield heading("Sample users")
        yield Static("", id="sources-users", classes="card")
        yield Button("Load other files…  (ctrl+o)", id="sources-open", tooltip="Pick other files to load")

    def on_sources_changed(self) -> None:
        s = self.wizard.settings
        if s is not None:
            self.query_one(ProviderList).show(s.licenses.provider)

    @on(OptionList.OptionSelected, "#provider")
    def _provider(self, event: OptionList.OptionSelected) -> None:
        provider = PROVIDERS[event.option_index]
        self.query_one(ProviderList).show(provider)
        self.apply(self.query_one("#sources-problems", Static), "licenses", provider=provider)

    @on(Button.Pressed, "#sources-open")
    def _open(self) -> None:
        self.wizard.action_open_files()

    def state(self) -> str:
        w = self.wizard
        if w.sources is None or w.load_error:
            return "error"
        if w.problems.get(self.section):
            return "error"
        return "warn" if w.stats and w.stats.invalid else "ok"

    def refresh_view(self) -> None:
        w = self.wizard
        if w.settings is not None:  # the palette can change the provider too
            self.query_one(ProviderList).show(w.settings.licenses.provider)
        files = self.query_one("#sources-files", Static)
        if w.sources is None:
            files.update(w.load_error or "Loading…")
            return
        src, stats = w.sources, w.stats
        if src.is_demo:
            where = ("The built-in demo: company, users"
                     + (" and settings" if not src.settings_path else f"; settings from {src.settings_path}")
                     + ". Press ctrl+o to load your own files.")
        else:
            where = (f"Company directory: {src.company_path}\nSample users:      {src.users_path} "
                     f"({src.users.format})\nSettings:          {src.settings_path or '(defaults)'}")
        if w.load_error:
            where += f"\n✗ The last load failed: {w.load_error}"
        files.update(where)
        c = src.company
        # Short headers so the table fits 80 columns; the caption says what they stand for.
        table = Table(box=None, pad_edge=False, expand=False, header_style="bold", collapse_padding=True,
                      caption="Seats per license: Voice = Dialpad_Ai Voice, Support = Dialpad_Support "
                      "(Contact Center), Sales = Dialpad_Ai Sales. Pool = reserved numbers.",
                      caption_justify="left", caption_style="dim")
        table.add_column("Office", no_wrap=True)
        table.add_column("Ctry")
        table.add_column("Area")
        for header in ("Voice", "Support", "Sales"):
            table.add_column(header, justify="right")
        table.add_column("Pool", justify="right")
        for o in c.offices:
            table.add_row(o.name + (" ★" if o.main else ""), o.country, o.area_code or c.area_code,
                          *[str(o.available_licenses.get(lic, 0)) for lic in LICENSE_TYPES],
                          str(len(o.reserved_numbers)))
        self.query_one("#sources-offices", Static).update(table)
        assert stats is not None
        lines = [f"{stats.users:,} records read; {stats.valid:,} usable users, "
                 f"{len(stats.invalid):,} invalid. ★ marks the main office ({c.main_office.name})."]
        for index, reason in stats.invalid[:INVALID_SHOWN]:
            lines.append(f"  ✗ record {index}: {reason}")
        if len(stats.invalid) > INVALID_SHOWN:
            lines.append(f"  … and {len(stats.invalid) - INVALID_SHOWN:,} more (filter the preview by "
                         "status 'invalid')")
        self.query_one("#sources-users", Static).update("\n".join(lines))

