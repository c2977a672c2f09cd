"""What the wizard's workers post to it: a load's progress and result, a preview's summary and
result. (What steps post up is in app/steps/contract.py.)

Each is posted to the main screen by its own worker and handled there: it does not bubble on to
the App, which would take a load twice (its `on_sources_loaded` delegates to the screen, for the
tests) and start a second preview that cancels the first.

Plain classes, as Textual's own messages are: a dataclass costs about 0.5 ms to define, which the
wizard's first frame would pay for each (issue 14)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from app.sources import Sources
    from app.wizard.analysis import Insights, LoadStats
    from engine.preview import Preview, Summary
    from engine.settings import Settings


class PreviewReady(Message, bubble=False):
    def __init__(self, generation: int, settings: Settings, preview: Preview, insights: Insights,
                 engine_done: float = 0.0) -> None:
        self.generation = generation
        self.settings = settings
        self.preview = preview
        self.insights = insights
        self.engine_done = engine_done  # time.perf_counter() when the rules finished, for the benchmark
        self.shown = threading.Event()  # set once it is on screen
        super().__init__()


class SummaryReady(Message, bubble=False):
    """The engine is done: its totals go on screen before the steps' analysis is ready."""

    def __init__(self, generation: int, settings: Settings, summary: Summary) -> None:
        self.generation = generation
        self.settings = settings
        self.summary = summary
        self.shown = threading.Event()  # set once it is on screen
        super().__init__()


class PreviewFailed(Message, bubble=False):
    def __init__(self, generation: int, error: str) -> None:
        self.generation = generation
        self.error = error
        super().__init__()


class LoadProgress(Message, bubble=False):
    def __init__(self, done: int, total: int) -> None:
        self.done = done
        self.total = total
        super().__init__()


class SourcesLoaded(Message, bubble=False):
    def __init__(self, sources: Sources, stats: LoadStats) -> None:
        self.sources = sources
        self.stats = stats
        super().__init__()


class LoadFailed(Message, bubble=False):
    def __init__(self, error: str) -> None:
        self.error = error
        super().__init__()
