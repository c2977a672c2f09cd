"""`python -m app.screenshots DIR`: SVG screenshots of every wizard step on the demo data, plus a
user's explanation, taken from the real app at 120x36 (`make screenshots`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

AS_OF = dt.date(2026, 11, 28)
SIZE = (120, 36)
SHOTS = (
    ("1-sources", ["1"]), ("2-office-field", ["2"]), ("3-no-office-match", ["3"]),
    ("4-licenses-numbers", ["4"]), ("5-sso", ["5"]), ("6-preview", ["6"]),
    ("6b-explanation", ["6", "down", "down", "down", "down", "down", "enter"]), ("7-review", ["7"]),
)


async def take(directory: Path) -> list[Path]:
    from app.wizard.app import WizardApp

    written = []
    for name, keys in SHOTS:
        app = WizardApp(as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(*keys)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            path = directory / f"{name}.svg"
            app.save_screenshot(filename=path.name, path=str(directory))
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0] if args else "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(take(directory)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
