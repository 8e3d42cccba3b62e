"""Save SVG screenshots of callq's main screens into docs/screenshots/ (for the README).

Run: `.venv/bin/python scripts/screenshots.py`. The demo database (seed 7, 300 leads) is
built for a fixed clock, Monday 23 Nov 2026 11:00 in Asia/Kolkata, and the app runs with
no timers (`live=False`), so the same code draws the same pictures.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from callq.app import make_app
from callq.config.loading import load_default_rules
from callq.config.settings import Settings
from callq.demo.build import build_demo

NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDE, NARROW = (120, 40), (80, 24)

# (file name, terminal size, keys pressed on the queue before the picture)
SHOTS: Sequence[tuple[str, tuple[int, int], tuple[str, ...]]] = (
    ("queue", WIDE, ()),
    ("queue-80x24", NARROW, ()),
    ("outcome-panel", WIDE, ("1",)),
    ("lead", WIDE, ("enter",)),
    ("summary", WIDE, ("s",)),
    ("help", WIDE, ("question_mark",)),
)


async def settle(pilot) -> None:  # noqa: ANN001
    """Wait until the screen's workers are done and its tables hold their rows."""
    from textual.widgets import DataTable

    for _ in range(3):
        await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    for _ in range(200):  # the Summary computes its report in a worker: up to 10 s
        tables = list(pilot.app.screen.query(DataTable))
        if all(t.row_count and not t._require_update_dimensions for t in tables):
            break
        await pilot.pause(0.05)
    for _ in range(3):
        await pilot.pause()


async def shoot(settings: Settings, name: str, size: tuple[int, int], keys: Sequence[str]) -> Path:
    app = make_app(settings, live=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        return Path(app.save_screenshot(f"{name}.svg", str(OUT)))


def main() -> None:
    rules = load_default_rules()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        target = str(Path(scratch) / "demo.db")
        stats = build_demo(target, rules, now=NOW, leads=300, seed=7)
        settings = Settings(target, None, stats.first_rep, rules, NOW)
        for name, size, keys in SHOTS:
            saved = asyncio.run(shoot(settings, name, size, keys))
            print(saved.relative_to(OUT.parent.parent), file=sys.stderr)


if __name__ == "__main__":
    main()
