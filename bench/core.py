"""Core benchmarks: `callq log` start-up vs data size, `--help` imports, the outcome service."""

import json
import sqlite3
import time
from pathlib import Path

from harness import Check, Context, Measure, Result, bench

HEAVY = ("textual", "sqlalchemy", "alembic", "sqlmodel")


def _open_leads(db: Path, rep: str, count: int, skip: int = 0) -> list[int]:
    """Open leads of `rep` (a real queue's leads), in id order."""
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "SELECT l.id FROM lead l JOIN rep r ON r.id = l.owner_id "
            "WHERE r.name = ? AND l.stage IN ('new', 'contacted', 'qualified') "
            "ORDER BY l.id LIMIT ? OFFSET ?",
            (rep, count, skip),
        ).fetchall()
    finally:
        connection.close()
    if len(rows) < count:
        raise RuntimeError(f"{db} has only {len(rows)} open leads of {rep}")
    return [r[0] for r in rows]


@bench("startup")
def startup(ctx: Context) -> Result:
    """`callq log` on a fresh database vs the 100k one vs the `import sqlmodel` floor."""
    import compileall

    import callq as package
    from callq.services.leads import NewLead, add_lead

    # From bytecode, as an installed callq starts (pip and scripts/setup compile it):
    # where it is not written at run time (PYTHONDONTWRITEBYTECODE), a source tree without
    # it would compile every module it imports at each start (~0.2 s here).
    compileall.compile_dir(Path(package.__file__).parent, quiet=1)
    from callq.store.db import open_database

    big = ctx.work_copy("startup")
    big_leads = _open_leads(big, "asha", ctx.reps + 1)
    fresh = ctx.fresh_db("startup")
    db = open_database(fresh)
    rules = ctx.rules()
    fresh_leads = [
        add_lead(
            db, rules, NewLead(name=f"Lead {i}", phone=f"98765{i:05d}"), now=ctx.now, rep="asha"
        ).lead_id
        for i in range(ctx.reps + 1)
    ]
    db.dispose()
    measures = ctx.side_by_side(
        {
            "import sqlmodel": lambda i: [ctx.python, "-c", "import sqlmodel"],
            "callq log (fresh db)": lambda i: ctx.callq_argv(
                fresh, "log", str(fresh_leads[i + 1]), "1"
            ),
            "callq log (100k db)": lambda i: ctx.callq_argv(big, "log", str(big_leads[i + 1]), "1"),
            "callq --help": lambda i: [ctx.callq, "--help"],
        }
    )
    floor = measures["import sqlmodel"].median
    fresh_log = measures["callq log (fresh db)"].median
    big_log = measures["callq log (100k db)"].median
    return Result(
        measures=list(measures.values()),
        checks=[
            Check(
                "log(100k) vs log(fresh)",
                "<= 1.15x",
                f"{big_log / fresh_log:.2f}x",
                big_log <= 1.15 * fresh_log,
            ),
            Check(
                "log(100k) vs import sqlmodel",
                "<= 1.5x",
                f"{big_log / floor:.2f}x",
                big_log <= 1.5 * floor,
            ),
        ],
    )


_HELP_PROBE = """
import json, sys
sys.argv = ["callq", "--help"]
from callq.cli import main
try:
    main()
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv_heavy)))
print(json.dumps(heavy), file=sys.stderr)
"""


@bench("help-imports")
def help_imports(ctx: Context) -> Result:
    """`callq --help` must not import Textual, SQLAlchemy or Alembic."""
    import subprocess

    probe = _HELP_PROBE.replace("sys.argv_heavy", repr(json.dumps(HEAVY)))
    done = subprocess.run(
        [ctx.python, "-c", probe], env=ctx.env, capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    return Result(
        checks=[
            Check(
                "--help imports",
                "none of textual, sqlalchemy, alembic",
                ", ".join(loaded) or "none",
                not loaded,
            )
        ],
        facts={"help_heavy_imports": loaded},
    )


@bench("outcome-service")
def outcome_service(ctx: Context) -> Result:
    """`log_outcome` in-process at 100k leads: p99 of ~500 calls, each on another lead."""
    from callq.services.outcomes import log_outcome
    from callq.store.db import open_database

    count = 200 if ctx.quick else 500
    warmup = 20
    big = ctx.work_copy("service")
    leads = _open_leads(big, "asha", count + warmup)
    rules = ctx.rules()
    db = open_database(big)
    samples, cpu = [], []
    outcomes = ("no_answer", "busy", "voicemail")
    try:
        for i, lead in enumerate(leads):
            started, started_cpu = time.perf_counter(), time.process_time()
            log_outcome(db, rules, str(lead), outcomes[i % 3], rep="asha", now=ctx.now)
            if i >= warmup:
                samples.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
    finally:
        db.dispose()
    measure = Measure("log_outcome in-process (100k db)", samples)
    p99 = measure.quantile(0.99)
    return Result(
        # CPU time shows what an idle machine would give when others load this one.
        measures=[measure, Measure("  same, CPU time of the process", cpu)],
        checks=[Check("outcome service p99", "<= 3 ms", f"{p99 * 1000:.2f} ms", p99 <= 0.003)],
    )


@bench("demo-build")
def demo_build(ctx: Context) -> Result:
    """`callq demo` builder speed: a 10k-lead / 100k-call build, and the big one if built now."""
    import resource

    from callq.demo.build import build_demo

    target = ctx.fresh_db("demo-build")
    target.unlink()
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    stats = build_demo(target, ctx.rules(), now=ctx.now, leads=10_000, calls=100_000)
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(
        (a.ru_utime + a.ru_stime) - (b.ru_utime + b.ru_stime)
        for a, b in zip(after, before, strict=True)
    )
    target.unlink()
    big = ctx.build_seconds()
    estimate = big if big is not None else stats.seconds * 10
    return Result(
        measures=[Measure("build 10k leads / 100k calls (wall)", [stats.seconds])],
        checks=[
            Check(
                "100k leads / 1M calls build",
                "< 60 s",
                f"{estimate:.0f} s" + ("" if big is not None else " (10x the small build)"),
                estimate < 60,
            )
        ],
        facts={"small_build_cpu_seconds": round(cpu, 1), "big_build_seconds": big},
    )
