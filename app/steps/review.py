"""Step 7: review the settings, save them (TOML, atomic), export the preview (CSV, JSON,
Markdown, atomic), and (later) push them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from app.steps.base import Step, heading
from app.steps.contract import SavePathChanged, SettingsSaved
from app.steps.states import review_state

FORMATS = ("csv", "json", "markdown")
EXTENSIONS = {"csv": ".csv", "json": ".json", "markdown": ".md"}
SUFFIXES = {"csv": (".csv",), "json": (".json",), "markdown": (".md", ".markdown")}
Outcome = Literal["written", "failed", "declined"]
KNOWN_SUFFIXES = {"", *(s for suffixes in SUFFIXES.values() for s in suffixes)}


class ReviewStep(Step):
    step_id = "review"
    title = "Review & push"

    DEFAULT_CSS = """
    ReviewStep RadioSet.inline {
        layout: horizontal;
    }
    ReviewStep #push-panel {
        margin-top: 0;
    }
    """

    def __init__(self, *, built: bool = False) -> None:
        super().__init__(built=built)
        self.owned: set[Path] = set()  # files this run loaded or wrote: replaced without asking

    def build(self) -> ComposeResult:
        from app.steps.push import PushPanel  # the service client's diff and panel: not at start-up

        yield heading("Settings to push")
        yield Static("", id="review-settings", classes="card", markup=False)  # TOML [sections] are not markup
        yield heading("Save settings (TOML)")
        with Horizontal(classes="row"):
            yield Input(id="save-path", compact=True, tooltip="Where to write the settings TOML")
            yield Button("Save settings", id="save", variant="primary", compact=True,
                         tooltip="Write the TOML atomically (ctrl+s)")
        yield heading("Export the preview")
        with RadioSet(id="export-format", classes="inline"):
            for fmt in FORMATS:
                yield RadioButton(fmt.upper() if fmt != "markdown" else "Markdown", value=fmt == "csv",
                                  id=f"format-{fmt}")
        with Horizontal(classes="row"):
            yield Input("scim-preview.csv", id="export-path", compact=True,
                        tooltip="Where to write the export (relative to the folder the app was started in)")
            yield Button("Export preview", id="export", compact=True, tooltip="Write the file atomically")
        yield heading("Push")
        yield PushPanel()
        yield Static("", id="review-last", classes="note", markup=False)  # it names a path typed

    def first_control(self) -> Widget:
        return self.query_one("#save", Button)  # below the settings, which stay in view above it

    def on_sources_changed(self) -> None:
        src = self.wizard.sources
        path = src.settings_path if src and src.settings_path else "scim-settings.toml"
        self.query_one("#save-path", Input).value = path
        if src is not None and src.settings_path:
            self._own(src.settings_path)  # loaded by this run: saving over it needs no question

    @property
    def save_path(self) -> str:
        """Where Save writes: the box, or the default name when it is empty."""
        return self.query_one("#save-path", Input).value.strip() or "scim-settings.toml"

    @on(Input.Changed, "#save-path")
    def _save_path_changed(self, event: Input.Changed) -> None:
        self.post_message(SavePathChanged(event.value))

    async def request_push(self) -> None:
        """The palette's Push: as the button, confirmation included."""
        from app.steps.push import PushPanel

        await self.query_one(PushPanel).request_push()

    async def request_reload(self) -> None:
        """The palette's "Reload from service": as the button."""
        from app.steps.push import PushPanel

        await self.query_one(PushPanel).request_reload()

    @on(RadioSet.Changed, "#export-format")
    def _format(self, event: RadioSet.Changed) -> None:
        box = self.query_one("#export-path", Input)
        box.value = str(Path(box.value or "scim-preview").with_suffix(EXTENSIONS[FORMATS[event.index]]))

    # -- files this run loaded or wrote: the only ones replaced without asking ------------------
    def _own(self, path: str) -> None:
        try:
            self.owned.add(Path(path).expanduser().resolve())
        except (OSError, RuntimeError):
            pass

    def _ask_first(self, path: str) -> bool:
        """True when `path` names an existing file this run neither loaded nor wrote."""
        target = Path(path).expanduser()
        try:
            return target.exists() and not target.is_dir() and target.resolve() not in self.owned
        except (OSError, RuntimeError):
            return False  # the write itself reports what is wrong with the path

    def _unless_declined(self, path: str, what: str, box: str, write: Callable[[], Outcome],
                         then: Callable[[Outcome], object] | None) -> None:
        """Write now, or after "Overwrite" when `path` is someone else's file; `then` gets
        "written", "failed" (the notice says why) or "declined" (nothing was written)."""
        def done(outcome: Outcome) -> None:
            if then is not None:
                then(outcome)

        if not self._ask_first(path):
            done(write())
            return
        from app.screens.overwrite import OverwriteChoice, OverwriteScreen

        def answered(choice: OverwriteChoice | None) -> None:
            if choice == "overwrite":
                done(write())
                return
            if choice == "rename":
                self.wizard.show_step(self.step_id)
                field = self.query_one(box, Input)
                field.focus()
                field.select_all()
            done("declined")

        self.app.push_screen(OverwriteScreen(path, what), answered)

    # -- save and export ---------------------------------------------------------------------------
    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#save-path")
    def _save_pressed(self) -> None:
        self.save()

    def save(self, then: Callable[[Outcome], object] | None = None) -> None:
        """Save the settings where the box says: at once, or after asking when that would
        replace a file this run did not load or write."""
        if self.wizard.settings is None:
            return
        path = self.query_one("#save-path", Input).value.strip() or "scim-settings.toml"
        self._unless_declined(path, "the settings", "#save-path", lambda: self._write_settings(path), then)

    def _write_settings(self, path: str) -> Outcome:
        from engine.settings import save_settings

        w = self.wizard
        if w.settings is None:
            return "failed"
        if any(w.problems.values()):
            self.notify("Some changes are invalid and were not applied; the last valid settings are "
                        "saved.", severity="warning")
        try:
            save_settings(w.settings, path)
        except OSError as exc:
            self.notify(f"{path}: {exc.strerror or exc}", title="Could not save", severity="error")
            return "failed"
        self._own(path)
        self.post_message(SettingsSaved(path, w.settings))
        where = Path(path).resolve()  # relative paths are from the start folder: say which
        self._last(f"✓ Settings saved to {where}")
        self.notify(f"Saved to {where}", title="Settings saved")
        return "written"

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#export-path")
    def _export(self) -> None:
        self.export(FORMATS[max(0, self.query_one("#export-format", RadioSet).pressed_index)])

    def export(self, fmt: str) -> None:
        w = self.wizard
        if w.preview is None or w.sources is None:
            return
        box = self.query_one("#export-path", Input)
        path = box.value.strip() or "scim-preview"
        suffix = Path(path).suffix.lower()
        if suffix not in SUFFIXES[fmt]:
            # No extension, or another format's (the palette can ask for JSON while the box says
            # .csv): the file is named for what it holds. An unknown suffix is kept, not replaced.
            path = str(Path(path).with_suffix(EXTENSIONS[fmt])) if suffix in KNOWN_SUFFIXES else path + EXTENSIONS[fmt]
            box.value = path
        self.query_one(f"#format-{fmt}", RadioButton).value = True  # the step shows what was written
        self._unless_declined(path, f"the preview ({fmt})", "#export-path",
                              lambda: self._write_export(path, fmt), None)

    def _write_export(self, path: str, fmt: str) -> Outcome:
        from engine.atomic import write_atomic
        from engine.billing import source_label
        from engine.report import to_csv, to_json, to_markdown

        w = self.wizard
        if w.preview is None or w.sources is None:
            return "failed"
        data = (to_csv(w.preview).encode("utf-8") if fmt == "csv" else to_json(w.preview) if fmt == "json"
                else to_markdown(w.preview, w.sources.company.name,
                                 source_label(w.sources.company_path)).encode("utf-8"))
        try:
            write_atomic(path, data)
        except OSError as exc:
            self.notify(f"{path}: {exc.strerror or exc}", title="Could not export", severity="error")
            return "failed"
        self._own(path)
        where = Path(path).resolve()
        self._last(f"✓ Preview exported to {where} ({fmt})")
        self.notify(f"{len(w.preview.rows):,} users written to {where}", title="Preview exported")
        return "written"

    def _last(self, text: str) -> None:
        self.query_one("#review-last", Static).update(text)

    def state(self) -> str:
        return review_state(self.wizard)

    def refresh_view(self) -> None:
        w = self.wizard
        if w.settings is None:
            return
        from engine.settings import dump_settings

        saved = w.saved_settings == w.settings
        head = "Saved." if saved else "Not saved yet: ctrl+s or 'Save settings' writes them."
        self.query_one("#review-settings", Static).update(
            head + "\n\n" + dump_settings(w.settings).decode("utf-8").strip())
        from app.steps.push import PushPanel

        self.query_one(PushPanel).refresh_view()
