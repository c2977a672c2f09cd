"""What the wizard's workers post to it: a load's progress and result, a preview's summary and
result. (What steps post up is in app/steps/contract.py.)

Each is posted to the main screen by its own worker and handled there: it does not bubble on to
the App, which would take a load twice (its `on_sources_loaded` delegates to the screen, for the
tests) and start a second preview that cancels the first."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from textual.message import Message

from app.sources import Sources
from app.wizard.analysis import Insights, LoadStats
from engine.preview import Preview, Summary
from engine.settings import Settings


@dataclass
class PreviewReady(Message, bubble=False):
    generation: int
    settings: Settings
    preview: Preview
    insights: Insights
    engine_done: float = 0.0  # time.perf_counter() when the rules finished, for the benchmark
    shown: threading.Event = field(default_factory=threading.Event)  # set once it is on screen


@dataclass
class SummaryReady(Message, bubble=False):
    """The engine is done: its totals go on screen before the steps' analysis is ready."""

    generation: int
    settings: Settings
    summary: Summary
    shown: threading.Event = field(default_factory=threading.Event)  # set once it is on screen


@dataclass
class PreviewFailed(Message, bubble=False):
    generation: int
    error: str


@dataclass
class LoadProgress(Message, bubble=False):
    done: int
    total: int


@dataclass
class SourcesLoaded(Message, bubble=False):
    sources: Sources
    stats: LoadStats


@dataclass
class LoadFailed(Message, bubble=False):
    error: str
