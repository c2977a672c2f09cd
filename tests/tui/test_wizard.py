"""Pilot tests: drive each step as an admin would, then check the settings and the preview."""

from __future__ import annotations

import orjson

from app.screens.explain import ExplainScreen
from app.steps.licenses import GroupList
from app.steps.office import FieldOrder
from engine.demo import demo_company, demo_settings, demo_users
from engine.preview import run_preview
from engine.settings import load_settings
from tests.tui.conftest import AS_OF
from tests.waiting import settle  # the shared settle fixture's function: waits on conditions
from widgets.preview_table import PreviewTable

SIZE = (120, 36)


async def test_opens_on_the_demo_with_a_preview(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        s = app.preview.summary
        expected = run_preview(demo_company(), demo_users(), demo_settings(demo_company()), AS_OF)
        assert s.to_dict() == expected.summary.to_dict()
        assert s.counts["create"] > 0 and s.counts["invalid"] > 0
        assert sum(s.purchased.values()) > 0
        assert app.step_state(0) == "warn"  # invalid records
        # The summary strip is hidden on step 1 (not even mounted: the first frame is step 1's)
        # and shown on steps 2-6.
        assert not any(summary.display for summary in app.query("#summary"))
        await pilot.press("2")
        assert app.query_one("#summary").display
        await pilot.press("7")
        assert not app.query_one("#summary").display


async def test_next_and_back_walk_every_step(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        seen = []
        for _ in range(7):
            seen.append(app.query_one("#content").current)
            await pilot.press("alt+right")
        assert seen == ["sources", "office", "mismatch", "licenses", "sso", "preview", "review"]
        await pilot.press("alt+left")
        assert app.query_one("#content").current == "preview"


async def test_choosing_entra_id_warns_about_license_type(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.query_one("#provider").focus()
        await pilot.press("down", "enter")  # Okta -> Entra ID
        await settle(pilot, app)
        assert app.settings.licenses.provider == "azure"
        # Three demo users have a licenseType; only one names a license it will not get.
        assert app.insights.warnings["license_type_unsupported"] == 3
        assert [i.user_name for i in app.insights.license_type_ignored] == ["lucas.martin@northwind.example"]
        await pilot.press("4")
        warning = app.query_one("#azure-warning")
        assert warning.display
        assert "1 sample user has a licenseType naming another license" in str(warning.render())


async def test_office_fields_toggle_and_reorder(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        order = app.query_one(FieldOrder)
        assert order.has_focus
        by_field_before = app.insights.by_rule["field"].total()
        await pilot.press("space")  # stop using officeName
        await settle(pilot, app)
        assert app.settings.office.fields == ("department",)
        assert app.insights.by_rule["field"].total() < by_field_before
        await pilot.press("space")  # use it again: it keeps its place
        await pilot.press("down", "shift+up")  # department first
        await settle(pilot, app)
        assert app.settings.office.fields == ("department", "officeName")
        await pilot.press("space")  # officeName alone
        await settle(pilot, app)
        assert app.settings.office.fields == ("officeName",)
        await pilot.press("down", "space")  # no field at all: refused, the last valid one kept
        await settle(pilot, app)
        assert app.settings.office.fields == ("officeName",)
        assert app.step_state(1) == "error"
        assert app.query_one("#office-problems").display


async def test_mismatch_reject_and_country_fallback(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("3")
        app.query_one("#mismatch-mode").focus()
        await pilot.press("down", "down", "enter")  # reject
        await settle(pilot, app)
        assert app.settings.office.mismatch == "reject"
        rejected = app.preview.summary.counts["reject"]
        assert rejected == app.insights.rejects["no_office_match"] > 0
        app.query_one("#country-fallback").focus()
        await pilot.press("enter")  # country fallback off
        await settle(pilot, app)
        assert app.settings.office.country_fallback is False
        assert app.preview.summary.counts["reject"] > rejected


async def test_default_office_needs_an_office(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        before = app.preview
        problems = app.change_settings("office", problems_key="mismatch", mismatch="default_office",
                                       default_office="")
        await settle(pilot, app)
        assert problems and "default_office" in problems[0]
        assert app.preview is before  # the last valid preview stays
        assert app.step_state(2) == "error"


async def test_group_mappings_add_remove_reorder(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("4")
        app.query_one("#group-name").focus()
        await pilot.press(*"Engineering", "enter")
        await settle(pilot, app)
        groups = app.settings.licenses.groups
        assert [g.group for g in groups] == ["Contact Center Agents", "Sales Team", "Engineering"]
        assert groups[-1].license == "Dialpad_Ai Voice"
        app.query_one(GroupList).focus()
        await pilot.press("shift+up")  # Engineering before Sales Team
        await settle(pilot, app)
        assert [g.group for g in app.settings.licenses.groups][1] == "Engineering"
        await pilot.press("home", "delete")  # remove Contact Center Agents
        await settle(pilot, app)
        assert [g.group for g in app.settings.licenses.groups] == ["Engineering", "Sales Team"]
        # Contact Center agents now take the default license: fewer Support seats.
        assert app.preview.summary.offices["San Francisco"].licenses.get("Dialpad_Support", 0) < 3


async def test_seats_run_out_reject_and_numbers_off(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("4")
        app.query_one("#when-exhausted").focus()
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert app.settings.licenses.when_exhausted == "reject"
        assert app.preview.summary.purchased == {}
        assert app.insights.rejects["out_of_licenses"] > 0
        app.query_one("#auto-assign").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.settings.numbers.auto_assign is False
        assert app.preview.summary.numbers_to_buy == {}
        # Nobody gets a number: not "reserved numbers cover everyone".
        results = str(app.query_one("#licenses-results").content.renderables[2])
        assert "auto-assignment is off" in results and "cover everyone" not in results


async def test_preview_filter_sort_and_explain(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("6")
        table = app.query_one(PreviewTable)
        assert table.has_focus
        assert len(table.view) == len(app.preview.rows)
        await pilot.press("ctrl+f", *"london", "enter")
        london = [r for r in app.preview.rows if "london" in (r.office or "").lower()
                  or "london" in r.user_name.lower()]
        assert 0 < len(table.view) <= len(london) + 2
        assert table.has_focus
        await pilot.press("s", "s")  # sort by user
        names = [table.data.rows[i].user_name.casefold() for i in table.view]
        assert names == sorted(names)
        await pilot.press("r")
        names = [table.data.rows[i].user_name.casefold() for i in table.view]
        assert names == sorted(names, reverse=True)
        await pilot.press("enter")
        assert isinstance(app.screen, ExplainScreen)
        titles = [s.title for s in app.screen.steps]
        assert titles == ["Scope", "License", "Office", "Seat", "Number"]
        await pilot.press("escape")
        assert not isinstance(app.screen, ExplainScreen)


async def test_preview_status_filter(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("6")
        table = app.query_one(PreviewTable)
        table.set_filters(status="invalid")
        assert len(table.view) == app.preview.summary.counts["invalid"] > 0
        table.set_filters(status="", note="office_value_unmatched")
        assert len(table.view) == app.insights.warnings["office_value_unmatched"]


async def test_settings_change_updates_the_open_table(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("6")
        app.change_settings("licenses", when_exhausted="reject")
        await settle(pilot, app)
        table = app.query_one(PreviewTable)
        rejected = sum(1 for i in table.view if table.data.rows[i].status == "reject")
        assert rejected == app.preview.summary.counts["reject"] > 0


async def test_save_settings_and_export(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.change_settings("licenses", default="Dialpad_Ai Sales")
        await settle(pilot, app)
        await pilot.press("7", "ctrl+s")
        saved = load_settings(tmp_path / "scim-settings.toml")
        assert saved == app.settings
        assert app.step_state(6) == "warn"  # saved is not pushed: ✓ only after a push
        app.query_one("#export-format").focus()
        await pilot.press("right", "enter")  # JSON
        app.query_one("#export").focus()
        await pilot.press("enter")
        data = orjson.loads((tmp_path / "scim-preview.json").read_bytes())
        assert data["as_of"] == "2026-11-28"
        assert data["summary"]["create"] == app.preview.summary.counts["create"]


async def test_open_files_modal_loads_other_files(make_app, tmp_path):
    from engine.demo import write_demo

    write_demo(tmp_path / "in")
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        for key, name in (("company", "company.toml"), ("users", "users.json")):
            app.screen.query_one(f"#open-{key}").value = str(tmp_path / "in" / name)
        await pilot.click("#open-load")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await settle(pilot, app)
        assert app.sources.users_path == str(tmp_path / "in" / "users.json")
        # Without a settings file the defaults apply: no group mappings.
        assert app.settings.licenses.groups == ()
        assert app.preview.summary.counts == run_preview(
            demo_company(), demo_users(), app.settings, AS_OF).summary.counts


async def test_a_load_is_taken_up_once(make_app, tmp_path):
    # The load's message is the main screen's: had it bubbled on to the App (whose
    # on_sources_loaded is there for tests), the sources were taken up twice and a second preview
    # cancelled the first (seen as WorkerCancelled in the pull tests).
    from engine.demo import write_demo

    write_demo(tmp_path / "in")
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        taken, real = [], app.main._loaded

        def spy(sources, stats=None, *, refresh=True):
            taken.append(sources.users_path)
            real(sources, stats, refresh=refresh)

        app.main._loaded = spy
        app.load_files(str(tmp_path / "in" / "company.toml"), str(tmp_path / "in" / "users.json"), None)
        await settle(pilot, app)
        assert taken == [str(tmp_path / "in" / "users.json")]
        assert app.preview is not None


async def test_command_palette_lists_wizard_commands(make_app):
    from app.wizard.palette import WizardCommands

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True):
        provider = WizardCommands(app.screen)
        hits = [h async for h in provider.search("entra")]
        entra = [h for h in hits if "Entra ID" in str(h.text)]
        assert entra
        entra[0].command()
        assert app.settings.licenses.provider == "azure"


async def test_step_1_shows_each_office_seats_and_pool_and_the_invalid_records(make_app, tmp_path):
    from engine.demo import write_demo
    from engine.names import LICENSE_TYPES

    write_demo(tmp_path / "in")
    good = orjson.loads((tmp_path / "in" / "users.json").read_bytes())
    resources = good["Resources"] if isinstance(good, dict) else good
    bad = [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "active": True} for _ in range(10)]
    (tmp_path / "in" / "users.json").write_bytes(orjson.dumps(resources[:5] + [resources[0]] + bad))
    app = make_app(company_path=str(tmp_path / "in" / "company.toml"),
                   users_path=str(tmp_path / "in" / "users.json"))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        details = str(app.query_one("#sources-details").render())
        lines = details.splitlines()
        for office in app.sources.company.offices:
            row = next(line.split() for line in lines if line.startswith(office.name + " "))
            seats = [str(office.available_licenses.get(lic, 0)) for lic in LICENSE_TYPES]
            assert row[-4:] == [*seats, str(len(office.reserved_numbers))], row
        assert "16 records read; 5 usable users, 11 invalid." in details
        assert details.count("✗ record") == 8 and "… and 3 more" in details
        assert "missing_userName" in details
        # A duplicate says which record it repeats (the preview's reason is the bare code).
        assert "✗ record 5: duplicate_user: same userName as record 0" in details
        assert str(tmp_path / "in" / "users.json") in str(app.query_one("#sources-files").render())
        assert app.step_state(0) == "warn"


async def test_step_keys_typed_ahead_end_on_the_last_step_and_the_app_goes_idle(make_app):
    """A terminal delivers keys typed quickly in one batch: the sidebar's highlight messages then
    arrive after the step has moved on, and must not send it back (they once did, forever)."""
    from textual import events
    from textual.widgets import ContentSwitcher

    from widgets.pick_list import PickList

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown: list[int] = []
        show = app.main.go_to_step

        def counted(index: int, *, focus: bool) -> None:
            shown.append(index)
            show(index, focus=focus)

        app.main.go_to_step = counted  # the keys' actions and the sidebar's highlight both go here
        for key in "1234567":
            app.post_message(events.Key(key, key))
        for _ in range(50):  # until the last key's step is mounted and shown
            await pilot.pause(0.1)
            if app.step_index == 6 and app.steps[6].built and not app.main._mounting:
                break
        settled = len(shown)
        await pilot.pause(0.3)
        assert len(shown) == settled, f"still switching steps while idle: {shown[-8:]}"
        assert shown[-1] == app.step_index == app.query_one("#steps", PickList).highlighted == 6
        assert app.query_one("#content", ContentSwitcher).current == "review"


async def test_loading_shows_its_progress_line_and_a_second_load_replaces_the_first(
        make_app, tmp_path, monkeypatch):
    import threading

    import app.sources
    from engine.demo import write_demo

    write_demo(tmp_path / "in")
    company, first = str(tmp_path / "in" / "company.toml"), str(tmp_path / "in" / "users.json")
    second = str(tmp_path / "in" / "second.json")
    (tmp_path / "in" / "second.json").write_bytes((tmp_path / "in" / "users.json").read_bytes())
    gate, load = threading.Event(), app.sources.load_sources

    def slow(company, users, settings, progress=None):  # the first file takes its time
        if users == first:
            gate.wait(10)
        return load(company, users, settings, progress)

    monkeypatch.setattr(app.sources, "load_sources", slow)
    wizard = make_app()
    async with wizard.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert not wizard.query("#loading")  # the demo loads before the first frame: no line
        wizard.load_files(company, first, None)
        await pilot.pause()
        line = wizard.query_one("#loading")
        assert line.display and line.region.height == 1 and wizard.loading
        wizard.load_files(company, second, None)  # ctrl+o again while the first still loads
        await pilot.pause()
        gate.set()  # the first finishes after the second was asked for: it must not win
        await wizard.workers.wait_for_complete()
        await settle(pilot, wizard)
        assert wizard.sources.users_path == second and len(wizard.query("#loading")) == 1
        assert not wizard.query_one("#loading").display and not wizard.loading


async def test_a_step_key_typed_while_a_step_mounts_leaves_the_focus_on_the_step_shown(make_app):
    from textual import events

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        for key in "61":  # step 6 is mounted on the way: the "1" arrives meanwhile
            app.post_message(events.Key(key, key))
        await pilot.pause(0.3)
        assert app.step_index == 0
        assert app.focused is not None and app.steps[0] in app.focused.ancestors_with_self


def test_step_catalog_names_each_step_module_and_its_class():
    """The sidebar takes the steps' ids and titles from app/steps/__init__.py, before their
    modules are imported: they must be the classes' own."""
    from app.steps import STEPS, step_class

    for i, entry in enumerate(STEPS):
        cls = step_class(i)
        assert (cls.step_id, cls.title) == (entry.step_id, entry.title)


def test_first_frame_imports_step_one_module_only():
    """Steps 2-7 are made (their modules imported) when first needed, and their sidebar states
    are the same as the steps' own once made."""
    import subprocess
    import sys

    code = ("import asyncio, sys\n"
            "from app.wizard.app import WizardApp\n"
            "async def main():\n"
            "    app = WizardApp()\n"
            "    async with app.run_test(size=(120, 36)) as pilot:\n"
            "        await pilot.pause()\n"
            "        print(sorted(m for m in sys.modules if m.startswith('app.steps.')))\n"
            "        before = [app.main.step_state(i) for i in range(7)]\n"
            "        app.steps\n"
            "        print(before == [app.main.step_state(i) for i in range(7)])\n"
            "asyncio.run(main())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["['app.steps.base', 'app.steps.contract', 'app.steps.sources', 'app.steps.states']",
                                "True"]
