"""The errors of an exchange with a server the admin named: the provisioning service (the push
client, engine/client.py) and Dialpad, Okta or Microsoft Graph (the pulls, engine/pull/). Each
is a sentence for the admin, and its `exit_code` is the command line's: 1 refused, 2 unusable
input, 3 the server could not be reached, kept failing or answered nonsense, 130 cancelled.

One set for both clients: a refused credential, an unusable URL or an unreachable server mean
the same thing to the admin whichever command met them. What only a push can meet (a stale
ETag, refused settings) is declared in engine/client.py on top of these.
"""

from __future__ import annotations


class RemoteError(Exception):
    """An exchange that did not finish. `problems` are listed under the message, one a line."""

    exit_code = 3

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def lines(self) -> list[str]:
        return [self.message, *(f"  - {p}" for p in self.problems)]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class UnusableInput(RemoteError):
    """What the admin gave cannot be used: not an http(s) URL, a bad port, user info in the URL,
    plain http off loopback, an empty client ID."""

    exit_code = 2


class CredentialRefused(RemoteError):
    """401/403: the server refused the token, key or client secret."""

    exit_code = 1


class Unreachable(RemoteError):
    """Nothing answered, or it kept failing (5xx, 429) until the attempts or the deadline ran out."""

    exit_code = 3


class UnexpectedAnswer(RemoteError):
    """It answered, but not as the API does: not JSON, too big, too deep, a redirect, another shape."""

    exit_code = 3


class Cancelled(RemoteError):
    exit_code = 130
