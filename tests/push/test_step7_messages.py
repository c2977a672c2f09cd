"""Step 7's failure messages read as sentences: a 412 says what happened, ends it with a full
stop, and then says what the diff now compares with."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from app.steps.push import _sentence
from engine.client import SettingsClient
from tests.push.test_step7 import push_and_confirm, step7


def test_sentence_ends_a_clause_once() -> None:
    assert _sentence("then push again") == "then push again."
    assert _sentence("Nothing was pushed.") == "Nothing was pushed."
    assert _sentence("problems:") == "problems:"


async def test_412_message_is_two_sentences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with step7(tmp_path, monkeypatch) as (_app, pilot, panel):
        assert panel.remote is not None and panel.changes
        async with SettingsClient(actor="other admin") as other:  # someone pushes first
            current = await other.get_settings()
            await other.put_settings(current.settings.with_changes("licenses", when_exhausted="reject"),
                                     current.etag)
        await push_and_confirm(pilot, panel)
        status = str(panel.query_one("#push-status", Static).render())
        assert "see the new diff, then push again. The diff now compares with v1" in status, status
        assert "again The diff" not in status
