"""Waiting on the wizard's conditions, never on a clock: what the shared `settle` fixture does."""

from __future__ import annotations

from typing import Any


async def settle(pilot: Any, app: Any = None) -> None:
    """Until nothing is pending: messages handled, no debounced preview waiting to start, and every
    worker (a preview, a load, the service read) finished with its message handled. `app` is
    accepted for the older two-argument calls; the pilot knows its app."""
    app = pilot.app
    await pilot.pause()
    for _ in range(200):  # each round settles one wave (a change -> a preview -> its message)
        await workers_done(app)
        await pilot.pause()
        if not getattr(app, "preview_scheduled", False) and all(w.is_finished for w in app.workers):
            return
    raise AssertionError("the wizard never settled: a worker or a preview kept starting")


async def workers_done(app: Any) -> None:
    """Every worker running now has ended. One cancelled on the way (a newer preview or load
    replaced it: exclusive) or failed (the wizard's handler says so; tests check what it says)
    has ended too: Textual's wait_for_complete would raise for it, or not, as the race went."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for worker in list(app.workers):
        try:
            await worker.wait()
        except (WorkerCancelled, WorkerFailed):
            pass
