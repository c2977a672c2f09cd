"""One handler for the workers' failures nobody caught: the wizard stays open with everything
typed and says what went wrong (issue 15). The failing workers are real Textual workers."""

from __future__ import annotations

from tests.waiting import settle

SIZE = (120, 36)


def boom() -> None:
    raise RuntimeError("disk on fire")


async def test_an_unexpected_failure_keeps_the_settings_and_says_what_went_wrong(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.change_settings("numbers", auto_assign=False) == []
        await settle(pilot)
        mine = app.settings
        app.run_worker(boom, thread=True, group="export", description="write the report", exit_on_error=False)
        await settle(pilot)
        assert app.is_running and app.settings == mine and app.has_unsaved_settings()
        notes = [n for n in app._notifications if n.title == "Something went wrong"]
        assert len(notes) == 1
        assert "Could not write the report: disk on fire" in notes[0].message


async def test_a_load_that_fails_unexpectedly_ends_the_loading_state(make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        before = app.sources
        app.loading = True
        app.run_worker(boom, thread=True, group="load", description="read the files", exit_on_error=False)
        await settle(pilot)
        assert app.is_running and not app.loading
        assert app.load_error == "could not read the files: disk on fire"
        assert app.sources is before  # the files loaded before stay in the wizard
        assert any(n.title == "Could not load" for n in app._notifications)
