"""Copying goes through the terminal (an OSC 52 request), which may ignore it without a word:
no terminal answers, so the wizard says what it did, never that the text arrived."""

from __future__ import annotations

from textual.app import App

SENT_TITLE = "Sent to the terminal's clipboard"
IF_NOT = ("If it does not paste, your terminal ignores clipboard requests (OSC 52; tmux needs "
          "set-clipboard on): copy it from the screen instead.")


def send_to_clipboard(app: App[object], text: str, what: str, *, show: bool = False) -> None:
    """Ask the terminal to put `text` on the clipboard and say so honestly; with `show`, the
    notice repeats the text, so it can be read off the screen when the terminal ignored it."""
    app.copy_to_clipboard(text)
    app.notify((f"{text}\n\n" if show else "") + f"{what} was sent with OSC 52. {IF_NOT}", title=SENT_TITLE,
               timeout=8)
