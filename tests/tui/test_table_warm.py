"""The preview worker builds the table's filter text once the preview is on screen; a worker
cancelled meanwhile (a newer preview replaces it) stops, leaving the CPU to the newer run, and a
filter typed later builds the text itself."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from textual.app import App
from textual.worker import WorkerCancelled, get_current_worker

from engine.demo import demo_company, demo_settings, demo_users
from engine.preview import run_preview
from widgets.table_data import TableData


def table() -> TableData:
    company, loaded = demo_company(), demo_users()
    preview = run_preview(company, loaded, demo_settings(company), dt.date(2026, 11, 28))
    return TableData(preview.rows, loaded.records)


async def test_a_cancelled_worker_leaves_the_filter_text_for_later() -> None:
    kept, dropped = table(), table()

    finished = threading.Event()

    def warm(data: TableData, cancel: bool) -> None:
        try:
            if cancel:
                get_current_worker().cancel()
            data.warm()
        finally:
            finished.set()

    app: App[None] = App()
    async with app.run_test():
        await app.run_worker(lambda: warm(kept, False), thread=True).wait()
        finished.clear()
        with pytest.raises(WorkerCancelled):
            await app.run_worker(lambda: warm(dropped, True), thread=True).wait()
        # The thread runs on after its worker is cancelled: wait for it to return.
        assert await asyncio.get_running_loop().run_in_executor(None, finished.wait, 30)
    assert kept._hay is not None and dropped._hay is None
    order = kept.order(None, False)
    assert dropped.filter(order, text="london") == kept.filter(order, text="london") != []
    assert dropped._hay == kept._hay
