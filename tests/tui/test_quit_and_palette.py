"""ctrl+q never loses unsaved settings; the palette pushes and reloads; the preview's counts are
made off the UI thread (and agree with a row-by-row count); the sidebar waits for the preview."""

from __future__ import annotations

import threading
from collections import Counter

from textual.widgets import Button

from app.screens.confirm_quit import ConfirmQuitScreen
from engine.settings import load_settings
from tests.waiting import settle  # the shared settle fixture's function: waits on conditions
from widgets.pick_list import PickList

SIZE = (120, 36)


def quit_asked(app) -> bool:
    return isinstance(app.screen, ConfirmQuitScreen)


def exited(app) -> bool:
    return app.return_code is not None


async def change_a_setting(pilot, app) -> None:
    """As an admin would: step 4, seats run out -> reject."""
    await pilot.press("4")
    await pilot.pause()
    app.query_one("#when-exhausted").focus()
    await pilot.press("down", "enter")
    await settle(pilot, app)
    assert app.settings.licenses.when_exhausted == "reject"


# -- 1. ctrl+q ------------------------------------------------------------------------------------

async def test_ctrl_q_quits_at_once_with_nothing_changed(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert not app.has_unsaved_settings()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert exited(app) and not quit_asked(app)


async def test_ctrl_q_with_unsaved_changes_asks_and_cancel_keeps_them(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        footer_keys = [b.key for (_, b, _, _) in app.screen.active_bindings.values() if b.show]
        assert "ctrl+q" in footer_keys  # the footer still shows Quit
        await change_a_setting(pilot, app)
        assert app.has_unsaved_settings()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert quit_asked(app) and not exited(app)
        assert "Save the settings before quitting?" in str(app.screen.query_one("#quit-title").render())
        assert app.focused is not None and app.focused.id == "quit-cancel"  # the safe answer by default
        await pilot.press("escape")
        await pilot.pause()
        assert not quit_asked(app) and not exited(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("enter")  # on Cancel
        await pilot.pause()
        assert not quit_asked(app) and not exited(app)
        assert app.settings.licenses.when_exhausted == "reject"  # nothing lost
        assert not (tmp_path / "scim-settings.toml").exists()


async def test_quit_without_saving(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await change_a_setting(pilot, app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#quit-discard")
        await pilot.pause()
        assert exited(app)
    assert not (tmp_path / "scim-settings.toml").exists()


async def test_save_and_quit_writes_step_7s_file(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await change_a_setting(pilot, app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert "scim-settings.toml" in str(app.screen.query_one("#quit-detail").render())
        await pilot.click("#quit-save")
        await settle(pilot, app)
        assert exited(app)
        settings = app.settings
    assert load_settings(tmp_path / "scim-settings.toml") == settings
    assert settings.licenses.when_exhausted == "reject"


async def test_save_and_quit_stays_open_when_the_save_fails(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("7")
        await settle(pilot, app)
        bad = tmp_path / "no-such-dir" / "s.toml"
        app.query_one("#save-path").value = str(bad)
        await change_a_setting(pilot, app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert str(bad) in str(app.screen.query_one("#quit-detail").render())
        await pilot.click("#quit-save")
        await settle(pilot, app)
        assert not exited(app) and not quit_asked(app)
        titles = [n.title for n in app._notifications]
        assert "Could not save" in titles and "Not quitting" in titles
        assert app.settings.licenses.when_exhausted == "reject" and app.has_unsaved_settings()
        assert not bad.exists()


async def test_ctrl_q_quits_at_once_once_saved_or_pushed(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await change_a_setting(pilot, app)
        app.pushed_settings = app.settings  # what the push panel records after a push
        assert not app.has_unsaved_settings()
        app.pushed_settings = None
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert (tmp_path / "scim-settings.toml").exists() and app.saved_settings == app.settings
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert exited(app) and not quit_asked(app)


# -- 2. the command palette: push and reload -------------------------------------------------------

async def run_palette_command(pilot, app, text: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause(0.5)
    await pilot.press("enter")
    await settle(pilot, app)


async def test_palette_push_goes_to_step_7_and_asks_first(make_app):
    from app.steps.push import ConfirmPush, PushPanel

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await run_palette_command(pilot, app, "Push settings")
        assert app.step_index == 6
        assert isinstance(app.screen, ConfirmPush)  # a push always asks
        await pilot.press("y")
        await settle(pilot, app)
        panel = app.query_one(PushPanel)
        assert "Pushed: the service now has settings v1" in str(panel.query_one("#push-status").render())
        assert app.pushed_settings == app.settings and app.step_state(6) == "ok"
        assert not app.has_unsaved_settings()


async def test_palette_reload_takes_the_services_settings(make_app):
    from app.steps.push import PushPanel

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await run_palette_command(pilot, app, "Reload from service")
        assert app.step_index == 6
        panel = app.query_one(PushPanel)
        assert panel.remote is not None and app.settings == panel.remote.settings
        assert panel.changes == [] and app.settings != app.loaded_settings  # the demo's differ from v0
        assert "already has these settings" in str(panel.query_one("#push-status").render())
        assert not app.has_unsaved_settings()  # the service holds them: quitting loses nothing


async def test_palette_lists_push_and_reload(make_app):
    from app.wizard.palette import WizardCommands

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True):
        provider = WizardCommands(app.screen)
        texts = [str(h.text) async for h in provider.search("service")]
        assert "Reload from service" in texts
        texts = [str(h.text) async for h in provider.search("push")]
        assert "Push settings" in texts


# -- 3. the preview's counts: off the UI thread, and right ------------------------------------------

async def test_analyse_runs_in_the_worker_after_a_change(make_app, monkeypatch):
    import app.wizard.main_screen as wizard_app

    threads: list[bool] = []
    real = wizard_app.analyse

    def spy(preview, *records):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(preview, *records)

    monkeypatch.setattr(wizard_app, "analyse", spy)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        threads.clear()  # the demo's first preview is made before the first frame, on purpose
        await change_a_setting(pilot, app)
        assert threads and not any(threads)
        assert app.insights.rejects["out_of_licenses"] > 0
        assert app.last_latency > 0


def test_counted_insights_and_stats_agree_with_a_row_by_row_count():
    import datetime as dt

    from app.sources import load_sources
    from app.wizard.analysis import analyse, load_stats
    from engine.names import OFFICE_FIELDS
    from engine.preview import run_preview

    demo = load_sources(None, None, None)
    company, users = demo.company, demo.users
    settings = demo.settings.with_changes("licenses", when_exhausted="reject")
    preview = run_preview(company, users, settings, dt.date(2026, 11, 28))
    ins = analyse(preview)
    rows = preview.rows
    assert ins.warnings == Counter(w for r in rows for w in r.warnings)
    assert ins.rejects == Counter((r.reason or "").split(":", 1)[0] for r in rows
                                  if r.status in ("reject", "skip", "invalid"))
    created = [r for r in rows if r.status == "create"]
    assert ins.license_rules == Counter(r.license_rule for r in created if r.license_rule)
    assert ins.by_rule == {rule: Counter(r.office for r in created if r.office_rule == rule)
                           for rule in {r.office_rule for r in created if r.office_rule}}
    assert ins.decided_by_field == Counter(r.office_detail.split(" = ", 1)[0] for r in created
                                           if r.office_rule == "field" and r.office_detail)

    st = load_stats(company, users)
    valid = [u for u in users.records if not u.invalid]
    keys = {o.key for o in company.offices}
    assert st.invalid and st.valid == len(valid) == len(users.records) - len(st.invalid)
    for i, f in enumerate(OFFICE_FIELDS):
        assert st.field_values[f] == sum(1 for u in valid if u.keys[i])
        assert st.field_matches[f] == sum(1 for u in valid if u.keys[i] in keys)
        unmatched = Counter(u.keys[i] for u in valid if u.keys[i] and u.keys[i] not in keys)
        assert st.unmatched_distinct[f] == len(unmatched)
        assert [n for _, n in st.unmatched[f]] == [n for _, n in unmatched.most_common(8)]
    assert st.license_type_users == sum(1 for u in valid if u.license_type)
    assert dict(st.groups) == dict(Counter(g for u in valid for g in u.groups).most_common(20))


# -- 4. the sidebar waits for the preview ----------------------------------------------------------

def sidebar_icon(app, index: int) -> str:
    return app.query_one("#steps", PickList).label(index)[0]


async def test_step_6_is_neutral_not_failed_until_the_first_preview(make_app):
    from app.wizard.messages import PreviewFailed, SourcesLoaded

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert app.step_state(5) == "warn"  # the demo has invalid records
        # New files arrive: their preview is on its way, not failed.
        app.on_sources_loaded(SourcesLoaded(app.sources, app.stats))
        assert app.preview is None
        assert app.step_state(5) == "pending" and sidebar_icon(app, 5) == "·"
        assert all(app.step_state(i) == "pending" for i in (1, 2, 3))
        await settle(pilot, app)
        assert app.preview is not None
        assert app.step_state(5) == "warn" and sidebar_icon(app, 5) == "⚠"
        # A preview that fails with none to show is an error, as before.
        app.main._loaded(app.sources)
        app.main.post_message(PreviewFailed(app.main._generation, "boom"))
        await pilot.pause()
        assert app.step_state(5) == "error" and sidebar_icon(app, 5) == "✗"


async def test_while_the_first_files_load_no_step_is_failed(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.sources, app.loading = None, True  # as at the start with --users F
        app.preview = app.insights = None
        app.main._refresh_sidebar()
        assert [app.step_state(i) for i in range(7)] == ["pending"] * 7
        assert all(sidebar_icon(app, i) == "·" for i in range(7))
        await pilot.pause()


async def test_quit_button_tooltip_and_binding_id(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await change_a_setting(pilot, app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        buttons = [b.label.plain for b in app.screen.query(Button)]
        assert buttons == ["Save and quit", "Quit without saving", "Cancel"]
        assert any(b.id == "app.quit" and b.key == "ctrl+q" for b in app.BINDINGS)  # type: ignore[union-attr]
