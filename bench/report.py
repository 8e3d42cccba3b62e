"""The leakage report at scale: `callq report --days 7` on the 100k/1M demo vs an empty db.

Registered with the harness (`python bench/run.py --only report`); also runs alone:
`python bench/report.py [--quick] [--leads N --calls N]`.
Target (issue 17): the big database takes at most 1.5x the time of an empty one (issue 4
asked 3x), and so do the Summary screen's first numbers: `callq summary` in a 120x40
pseudo-terminal, from the process's start until its status line shows the window and the
conversion rate (the figures are drawn in the same frame), on each database.
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from harness import Check, Context, Measure, Result, bench  # noqa: E402

TARGET_RATIO = 1.5


@bench("report")
def report(ctx: Context) -> Result:
    """`callq report --days 7` (json) on the demo database vs a fresh one, whole process."""
    # The first report escalates the demo's overdue new leads (a write): run on a copy, and
    # let the harness's untimed warm-up take that one-off cost.
    big = ctx.work_copy("report")
    empty = ctx.fresh_db("report")
    argv = ("report", "--days", "7", "--format", "json")
    measures = ctx.side_by_side(
        {
            "report --days 7 (empty db)": lambda i: ctx.callq_argv(empty, *argv),
            "report --days 7 (100k demo)": lambda i: ctx.callq_argv(big, *argv),
        }
    )
    empty_s = measures["report --days 7 (empty db)"].median
    big_s = measures["report --days 7 (100k demo)"].median
    shown = _summary_first_numbers(ctx, {"100k demo": big, "empty db": empty})
    shown_big, shown_empty = shown["100k demo"].median, shown["empty db"].median
    facts = _in_process(ctx, big)
    return Result(
        measures=list(measures.values()) + list(shown.values()) + facts.pop("measures"),
        checks=[
            Check(
                "report(100k) vs report(empty)",
                f"<= {TARGET_RATIO:g}x",
                f"{big_s / empty_s:.2f}x ({big_s:.2f} s vs {empty_s:.2f} s)",
                big_s <= TARGET_RATIO * empty_s,
            ),
            Check(
                "Summary first numbers (100k) vs (empty)",
                f"<= {TARGET_RATIO:g}x",
                f"{shown_big / shown_empty:.2f}x ({shown_big:.2f} s vs {shown_empty:.2f} s)",
                shown_big <= TARGET_RATIO * shown_empty,
            ),
        ],
        facts=facts,
    )


# The Summary's status line once the report is in ("Computing the summary…" before).
SUMMARY_LOADED = "· leakage in"


def _summary_first_numbers(ctx: Context, dbs: dict[str, Path]) -> dict[str, Measure]:
    """Seconds from starting `callq summary` to its first numbers on screen, per database,
    interleaved (one untimed round first: the OS file cache)."""
    from tui import Terminal

    samples: dict[str, list[float]] = {name: [] for name in dbs}
    for i in range(-1, ctx.reps):
        for name, db in dbs.items():
            term = Terminal(ctx.callq_argv(db, "summary"), dict(os.environ))
            try:
                shown = term.wait_for(SUMMARY_LOADED) - term.started
            finally:
                term.close()
            if i >= 0:
                samples[name].append(shown)
    return {
        name: Measure(f"Summary first numbers ({name})", values) for name, values in samples.items()
    }


def _in_process(ctx: Context, db_path: Path) -> dict:
    """Where the time goes: the service alone, and the Summary's daily trend."""
    from callq.services.report import build_report, daily_trend
    from callq.store.db import open_database

    rules = ctx.rules()
    db = open_database(db_path)
    try:
        samples: list[float] = []
        trend: list[float] = []
        for _ in range(3 if ctx.quick else 5):
            started = time.perf_counter()
            result = build_report(db, rules, now=ctx.now, days=7)
            samples.append(time.perf_counter() - started)
            started = time.perf_counter()
            daily_trend(db, rules, now=ctx.now, days=7)
            trend.append(time.perf_counter() - started)
        team = result.current.team
        window = ctx.now - timedelta(days=7)
        return {
            "measures": [
                Measure("build_report in-process (100k)", samples),
                Measure("daily_trend in-process (100k)", trend),
            ],
            "window_start": window.isoformat(),
            "leads_in": team.leads_in,
            "calls": team.calls,
            "missed_followups": team.missed_followups,
        }
    finally:
        db.dispose()


if __name__ == "__main__":
    from harness import run_alone

    sys.exit(run_alone(report, __doc__.splitlines()[0]))
