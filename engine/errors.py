"""The one exception type for unusable input: it always names the file and says what to do."""

from __future__ import annotations


class InputError(Exception):
    """Input that cannot be used at all (a file, not a single record).

    `problems` keeps every problem found, so a service can list them all (HTTP 422) while the
    command line prints the first line only.
    """

    def __init__(self, source: str, problems: str | list[str]):
        self.source = source
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(self.line())

    def line(self) -> str:
        first = self.problems[0] if self.problems else "unusable input"
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        return f"{self.source}: {first}{more}"
