"""What the wizard's workers post to it: a load's progress and result, a preview's summary and
result. (What steps post up is in app/steps/contract.py.)"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from textual.message import Message

from app.sources import Sources
from app.wizard.analysis import Insights, LoadStats
from engine.preview import Preview, Summary
from engine.settings import Settings


@dataclass
class PreviewReady(Message):
    generation: int
    settings: Settings
    preview: Preview
    insights: Insights
    engine_done: float = 0.0  # time.perf_counter() when the rules finished, for the benchmark
    shown: threading.Event = field(default_factory=threading.Event)  # set once it is on screen


@dataclass
class SummaryReady(Message):
    """The engine is done: its totals go on screen before the steps' analysis is ready."""

    generation: int
    settings: Settings
    summary: Summary
    shown: threading.Event = field(default_factory=threading.Event)  # set once it is on screen


@dataclass
class PreviewFailed(Message):
    generation: int
    error: str


@dataclass
class LoadProgress(Message):
    done: int
    total: int


@dataclass
class SourcesLoaded(Message):
    sources: Sources
    stats: LoadStats


@dataclass
class LoadFailed(Message):
    error: str
