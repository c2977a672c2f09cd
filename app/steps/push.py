"""The push part of step 7. A placeholder: the push issue fills it in (service URL, token,
dry run, safeguards, the push itself). Keep `PushPanel` and its id."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static


class PushPanel(Vertical):
    def __init__(self) -> None:
        super().__init__(id="push-panel", classes="card")

    def compose(self) -> ComposeResult:
        yield Static("Push to the provisioning service: coming in the push issue. Until then, save "
                     "the settings and hand the TOML to whoever runs the service.", classes="note")
        yield Button("Push settings", id="push", disabled=True, tooltip="Not available yet")
