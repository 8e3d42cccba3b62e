"""`callq escalate` at scale: the demo database vs a database with one lead, whole process.

Registered with the harness (`python bench/run.py --only escalate`); also runs alone:
`python bench/escalate.py [--quick] [--leads N --calls N]`.
Target (issue 17): the big database takes at most 2x the time of a one-lead one. Serve and
every running TUI call the same function once a minute, so what is measured is the
steady state: the demo's backlog of due escalations is applied once, untimed, first.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from harness import Check, Context, Result, bench  # noqa: E402

TARGET_RATIO = 2.0


@bench("escalate")
def escalate(ctx: Context) -> Result:
    """`callq escalate` on the demo database vs a one-lead database, whole process."""
    big = ctx.work_copy("escalate")
    one = ctx.fresh_db("escalate")
    add = ctx.callq_argv(one, "add", "--name", "Only Lead", "--phone", "9845012345")
    subprocess.run(add, env=ctx.env, check=True, capture_output=True)
    # The one-off backlog (and the schema upgrade of an older demo file): not timed.
    backlog = ctx.run(ctx.callq_argv(big, "escalate", "--format", "json"))
    measures = ctx.side_by_side(
        {
            "escalate (one lead)": lambda i: ctx.callq_argv(one, "escalate"),
            "escalate (demo)": lambda i: ctx.callq_argv(big, "escalate"),
        }
    )
    one_s = measures["escalate (one lead)"].median
    big_s = measures["escalate (demo)"].median
    return Result(
        measures=list(measures.values()),
        checks=[
            Check(
                f"escalate({ctx.leads // 1000}k) vs escalate(one lead)",
                f"<= {TARGET_RATIO:g}x",
                f"{big_s / one_s:.2f}x ({big_s:.2f} s vs {one_s:.2f} s)",
                big_s <= TARGET_RATIO * one_s,
            )
        ],
        facts={"backlog_seconds": round(backlog, 2), "leads": ctx.leads, "calls": ctx.calls},
    )


if __name__ == "__main__":
    from harness import run_alone

    sys.exit(run_alone(escalate, __doc__.splitlines()[0]))
