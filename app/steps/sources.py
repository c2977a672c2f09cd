"""Step 1: the company directory, the sample users, and the IdP they come from."""

from __future__ import annotations

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from app.steps.base import Step, problems_box
from engine.names import LICENSE_TYPES, PROVIDERS
from widgets.safe_text import printable, printable_lines

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
    """What was loaded and the IdP. The first frame shows this step, so it is four widgets: its
    headings are styled lines in the Statics rather than widgets of their own."""

    step_id = "sources"
    title = "Sources"
    section = "licenses"
    def build(self) -> ComposeResult:
        yield Static("", id="sources-files")
        provider = ProviderList(id="provider")
        provider.border_title = "Identity provider (licenses.provider)"
        yield provider
        yield problems_box("sources-problems")
        yield Static("", id="sources-details")

    def on_sources_changed(self) -> None:
        s = self.wizard.settings
        if s is not None:
            self.query_one(ProviderList).show(s.licenses.provider)

    @on(OptionList.OptionSelected, "#provider")
    def _provider(self, event: OptionList.OptionSelected) -> None:
        provider = PROVIDERS[event.option_index]
        self.query_one(ProviderList).show(provider)
        self.apply(self.query_one("#sources-problems", Static), "licenses", provider=provider)

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
        details = self.query_one("#sources-details", Static)
        heading = _heading("Where the data comes from")
        if w.sources is None or w.stats is None:  # stats come with the sources (on mount)
            files.update(Content.assemble(heading, printable_lines(w.load_error or "Loading…")))
            details.update("")
            return
        src, stats = w.sources, w.stats
        if src.is_demo:
            where = ("The built-in demo: company, users"
                     + (" and settings" if not src.settings_path else f"; settings from {printable(src.settings_path)}")
                     + ". Press ctrl+o to load your own files.")
        else:
            where = (f"Company directory: {printable(src.company_path or '')}\n"
                     f"Sample users:      {printable(src.users_path or '')} ({src.users.format})\n"
                     f"Settings:          {printable(src.settings_path or '(defaults)')}")
        if w.load_error:
            where += f"\n✗ The last load failed: {printable_lines(w.load_error)}"
        files.update(Content.assemble(heading, where, "\n"))
        assert stats is not None
        c = src.company
        # Short headers so the table fits 80 columns; the note under it says what they stand for.
        rows = [(printable(o.name) + (" ★" if o.main else ""), o.country, o.area_code or c.area_code,
                 *[str(o.available_licenses.get(lic, 0)) for lic in LICENSE_TYPES], str(len(o.reserved_numbers)))
                for o in c.offices]
        users = [f"{stats.users:,} records read; {stats.valid:,} usable users, "
                 f"{len(stats.invalid):,} invalid. ★ marks the main office ({printable(c.main_office.name)})."]
        for index, reason in stats.invalid[:INVALID_SHOWN]:
            users.append(f"  ✗ record {index}: {printable(reason)}")
        if len(stats.invalid) > INVALID_SHOWN:
            users.append(f"  … and {len(stats.invalid) - INVALID_SHOWN:,} more (filter the preview by "
                         "status 'invalid')")
        details.update(Content.assemble(
            _heading("Offices in the company directory"),
            aligned(OFFICE_COLUMNS, rows),
            ("\nSeats per license: Voice = Dialpad_Ai Voice, Support = Dialpad_Support (Contact Center), "
             "Sales = Dialpad_Ai Sales. Pool = reserved numbers.\n", "dim"),
            _heading("Sample users"),
            "\n".join(users),
        ))


def _heading(text: str) -> tuple[str, str]:
    # A theme variable, resolved when drawn: the heading follows a change of theme.
    return f"\n{text}\n", "bold $accent"


# (header, right-aligned) of the offices table
OFFICE_COLUMNS = (("Office", False), ("Ctry", False), ("Area", False), ("Voice", True), ("Support", True),
                  ("Sales", True), ("Pool", True))


def aligned(columns: tuple[tuple[str, bool], ...], rows: list[tuple[str, ...]]) -> Content:
    """A plain table as text: a bold header row, then the rows, columns one space apart, sized in
    terminal cells (an office may be named in CJK). Drawn as text rather than a rich Table, whose
    measuring costs the first frame."""
    widths = [max([cell_len(header), *(cell_len(row[i]) for row in rows)]) for i, (header, _) in enumerate(columns)]

    def line(cells: tuple[str, ...]) -> str:
        padded = []
        for cell, width, (_, right) in zip(cells, widths, columns, strict=True):
            gap = " " * (width - cell_len(cell))
            padded.append(gap + cell if right else cell + gap)
        return " ".join(padded).rstrip()

    body = "".join("\n" + line(row) for row in rows)
    return Content.assemble((line(tuple(header for header, _ in columns)), "bold"), body)
