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


async def test_a_steps_own_worker_that_fails_is_said_too(make_app):
    # Step 5 asks the service in a worker of its own; a failure its code did not expect reaches
    # the same handler (a worker's state message does not bubble from the step by itself).
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("5")
        await settle(pilot)
        step = app.query_one("#sso")
        step.run_worker(boom, thread=True, group="sso-passes", description="look up test sign-ins that passed",
                        exit_on_error=False)
        await settle(pilot)
        assert app.is_running
        notes = [n for n in app._notifications if n.title == "Something went wrong"]
        assert len(notes) == 1
        assert "Could not look up test sign-ins that passed: disk on fire" in notes[0].message


async def test_a_first_load_that_fails_says_no_preview_is_coming(make_app, tmp_path):
    # The summary strip said "Loading the preview…" for good when the files could not be read.
    users = tmp_path / "users.csv"
    users.write_bytes(b"userName\x00\n")
    company = tmp_path / "company.toml"
    company.write_text("not toml [")
    app = make_app(company_path=str(company), users_path=str(users))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        assert app.sources is None and app.load_error
        text = str(app.query_one("#summary").render())
        assert "Loading" not in text
        assert "No preview: the files could not be loaded" in text


async def test_a_first_load_that_fails_judges_no_step_on_data_it_does_not_have(make_app, tmp_path):
    # Steps 2-5 showed ✓ with nothing loaded; they have nothing to judge, so they show "·".
    users = tmp_path / "users.csv"
    users.write_bytes(b"userName\x00\n")
    app = make_app(users_path=str(users))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.sources is None and app.load_error
        states = [app.screen.step_state(i) for i in range(7)]
        assert states[0] == "error" and states[5] == "error"
        assert states[1:5] == ["pending"] * 4
