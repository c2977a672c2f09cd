"""Step 1: the company directory, the sample users, and the IdP they come from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from app.steps.base import Step, problems_box
from app.steps.contract import LoadWanted
from app.steps.states import sources_state
from engine.names import LICENSE_TYPES, PROVIDERS
from widgets.pick_list import PickList
from widgets.safe_text import NAME_WIDTH, clipped, printable, printable_lines

if TYPE_CHECKING:
    from app.screens.pull_dialog import Pulled

PROVIDER_LABELS = {
    "okta": "Okta", "azure": "Entra ID (Azure AD)", "onelogin": "OneLogin", "jumpcloud": "JumpCloud",
    "google": "Google Workspace", "generic": "Other (generic SCIM)",
}
INVALID_SHOWN = 8


class ProviderList(PickList):
    """The IdP, one of six: ↑/↓ and enter (or a click) choose. One widget rather than a RadioSet
    of six buttons, which cost the wizard's first frame about 60 ms of styling."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(*[self._label(key, False) for key in PROVIDERS], id=id)
        self.chosen = ""

    @staticmethod
    def _label(key: str, chosen: bool) -> str:
        return f"{'◉' if chosen else '○'} {PROVIDER_LABELS[key]}"

    def show(self, provider: str) -> None:
        if provider == self.chosen:
            return
        self.chosen = provider
        for i, key in enumerate(PROVIDERS):
            self.set_label(i, self._label(key, key == provider))
        self.highlighted = PROVIDERS.index(provider)


_PULL_USERS = "⇣ Pull users from Okta / Entra ID… (u)"
_PULL_DIRECTORY = "⇣ Pull the directory from Dialpad… (d)"
_PULL_GAP = "    "


class PullLinks(Static):
    """Step 1's two pull actions as links (u and d from the keyboard, or the palette): one widget
    rather than two Buttons, which would cost the wizard's first frame. On one line when they fit,
    else one per line: wrapped, the second link was cut in two and half of it took no clicks."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(self._links(stacked=False), id=id)
        self.stacked = False

    @staticmethod
    def _links(*, stacked: bool) -> Content:
        return Content.assemble((_PULL_USERS, "underline $accent"), "\n" if stacked else _PULL_GAP,
                                (_PULL_DIRECTORY, "underline $accent"))

    def on_resize(self, event: events.Resize) -> None:
        stacked = event.size.width < cell_len(_PULL_USERS + _PULL_GAP + _PULL_DIRECTORY)
        if stacked != self.stacked:
            self.stacked = stacked
            self.update(self._links(stacked=stacked))

    def on_click(self, event: events.Click) -> None:
        """A click on the first link pulls users, on the second the directory."""
        step = self.parent
        if not isinstance(step, SourcesStep):
            return
        first = cell_len(_PULL_USERS)
        if self.stacked:
            users, directory = (event.y == 0 and event.x < first,
                                event.y == 1 and event.x < cell_len(_PULL_DIRECTORY))
        else:
            users = event.y == 0 and event.x < first
            directory = event.y == 0 and event.x >= first + len(_PULL_GAP)
        if users:
            step.open_pull_users()
        elif directory:
            step.open_pull_directory()


class SourcesStep(Step):
    """What was loaded and the IdP. The first frame shows this step, so it is four widgets: its
    headings are styled lines in the Statics rather than widgets of their own."""

    step_id = "sources"
    title = "Sources"
    section = "licenses"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "pull_users", "Pull users", id="sources.pull_users",
                tooltip="Pull users from Okta / Entra ID, as the IdP's SCIM app sends them"),
        Binding("d", "pull_directory", "Pull directory", id="sources.pull_directory",
                tooltip="Pull offices, seats and reserved numbers from Dialpad's API"),
    ]
    _shown_width = 0  # the office column's width as last drawn (a resize redraws when it changes)

    def build(self) -> ComposeResult:
        yield Static("", id="sources-files")
        yield PullLinks(id="sources-pull")
        provider = ProviderList(id="provider")
        provider.border_title = "Identity provider (licenses.provider)"
        yield provider
        yield problems_box("sources-problems")
        yield Static("", id="sources-details")

    def first_control(self) -> Widget:
        return self.query_one(ProviderList)  # the step's decision; the pull buttons sit above it

    def on_sources_changed(self) -> None:
        s = self.wizard.settings
        if s is not None:
            self.query_one(ProviderList).show(s.licenses.provider)

    @on(PickList.Selected, "#provider")
    def _provider(self, event: PickList.Selected) -> None:
        provider = PROVIDERS[event.index]
        self.query_one(ProviderList).show(provider)
        self.apply(self.query_one("#sources-problems", Static), "licenses", provider=provider)

    # -- pulling real inputs (the dialogs in app/screens/pull_*.py) ------------------------------
    def _pull_folder(self) -> Path:
        """Pulled files go next to the settings (the start folder when there are none yet)."""
        src = self.wizard.sources
        return Path(src.settings_path).parent if src and src.settings_path else Path(".")

    def _config(self, key: str) -> str | None:
        config = self.wizard.config
        return getattr(config, key, None) if config is not None else None

    def action_pull_users(self) -> None:
        self.open_pull_users()

    def action_pull_directory(self) -> None:
        self.open_pull_directory()

    def open_pull_users(self) -> None:
        from app.screens.pull_users import PullUsersScreen

        w = self.wizard
        idp = "entra" if w.settings is not None and w.settings.licenses.provider == "azure" else "okta"
        defaults = {k: self._config(k) for k in ("okta_org_url", "entra_tenant", "entra_client_id")}
        self.app.push_screen(PullUsersScreen(str(self._pull_folder() / "users.ndjson"), idp, defaults),
                             self._pulled)

    def open_pull_directory(self) -> None:
        from app.screens.pull_directory import PullDirectoryScreen

        src = self.wizard.sources
        merge = src.company_path if src is not None and not src.is_demo else None
        self.app.push_screen(PullDirectoryScreen(str(self._pull_folder() / "company.toml"), merge), self._pulled)

    async def _pulled(self, pulled: Pulled | None) -> None:
        """Load what a pull wrote with the other current file (the demo's own when on the demo),
        keeping the settings: unsaved changes are saved first, where ctrl+s saves them."""
        if pulled is None:
            return
        w = self.wizard
        src = w.sources
        company = src.company_path if src is not None and not src.is_demo else demo_path("company")
        users = src.users_path if src is not None and not src.is_demo else demo_path("users")
        settings = src.settings_path if src is not None else None
        if pulled.kind == "users":
            users = pulled.path
        else:
            company = pulled.path
        self.post_message(LoadWanted(company, users, settings))
        lines = [f"Wrote {pulled.path}: {pulled.summary}.", *pulled.checks]
        self.notify("\n".join(lines), title="Pulled", markup=False, timeout=15)

    def state(self) -> str:
        return sources_state(self.wizard)

    def _name_width(self) -> int:
        """The office column's width: the row's other cells (35 cells) stay on the office's line."""
        room = self.scrollable_content_region.width
        return max(12, min(NAME_WIDTH, room - 35)) if room else NAME_WIDTH

    def on_resize(self) -> None:
        if self.ready and self._name_width() != self._shown_width:
            self.refresh_view()

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
        self._shown_width = width = self._name_width()
        rows = [(clipped(o.name, width - 2 if o.main else width) + (" ★" if o.main else ""), o.country,
                 o.area_code or c.area_code,
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


def demo_path(kind: str) -> str:
    """The built-in demo's own file, to load beside a pulled one."""
    from importlib import resources

    from engine.demo import FILES

    return str(resources.files("engine.demo_data").joinpath(FILES[kind]))


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
