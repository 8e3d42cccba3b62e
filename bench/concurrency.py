"""Outcomes logged per second by 4 concurrent writer processes, on SQLite and PostgreSQL.

Run alone: `python bench/concurrency.py [--writers 4] [--per-writer 300] [--pg URL]`.
PostgreSQL uses --pg, else $CALLQ_TEST_PG, else a throwaway server from
scripts/pg-throwaway (skipped when none can be started).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)


def _writer(target: str, rep: str, first_lead: int, leads: int, count: int) -> None:
    """One writer process: log `count` outcomes round-robin over its own leads."""
    from callq.config.loading import load_default_rules
    from callq.services.outcomes import log_outcome
    from callq.store.db import open_database

    rules = load_default_rules()
    db = open_database(target)
    latencies = []
    for n in range(count):
        lead = first_lead + n % leads
        started = time.perf_counter()
        log_outcome(
            db,
            rules,
            str(lead),
            "busy" if n % 2 else "voicemail",
            rep=rep,
            now=NOW + timedelta(seconds=n),
        )
        latencies.append((time.perf_counter() - started) * 1000)
    print(json.dumps(latencies))


def _seed(target: str, writers: int, leads_each: int) -> None:
    from callq.config.loading import load_default_rules
    from callq.services.leads import NewLead, add_lead
    from callq.store.db import open_database

    rules = load_default_rules()
    db = open_database(target)
    for n in range(writers * leads_each):
        add_lead(
            db, rules, NewLead(name=f"Lead {n}", phone=f"+9198765{n:05d}"), now=NOW, rep="asha"
        )
    db.dispose()


def measure(target: str, writers: int, per_writer: int, leads_each: int = 20) -> dict:
    _seed(target, writers, leads_each)
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--as-writer",
                target,
                f"rep{w}",
                str(1 + w * leads_each),
                str(leads_each),
                str(per_writer),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    latencies: list[float] = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"writer failed ({proc.returncode})")
        latencies += json.loads(out)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "writers": writers,
        "outcomes": len(latencies),
        "seconds": round(elapsed, 2),
        "outcomes_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "latencies_ms": latencies,
    }


def _postgres(explicit: str | None) -> tuple[str | None, str | None]:
    """A server URL and, when we started it, its data dir (to stop it afterwards)."""
    if explicit or os.environ.get("CALLQ_TEST_PG"):
        return explicit or os.environ["CALLQ_TEST_PG"], None
    out = subprocess.run(
        [str(ROOT / "scripts/pg-throwaway"), "start"], capture_output=True, text=True, check=False
    ).stdout
    values = dict(
        line.removeprefix("export ").split("=", 1)
        for line in out.splitlines()
        if line.startswith("export ")
    )
    url = values.get("CALLQ_TEST_PG", "").strip("'")
    return (url or None), values.get("CALLQ_PG_DATA", "").strip("'") or None


def run(writers: int = 4, per_writer: int = 300, pg: str | None = None) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = measure(str(Path(tmp) / "bench.db"), writers, per_writer)
    server, data_dir = _postgres(pg)
    if server:
        import psycopg

        name = f"callq_bench_{os.getpid()}"
        admin_url = server.replace("+psycopg", "")
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            results["postgresql"] = measure(
                f"{server.rpartition('/')[0]}/{name}", writers, per_writer
            )
        finally:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if data_dir:
                subprocess.run([str(ROOT / "scripts/pg-throwaway"), "stop", data_dir], check=False)
    return results


def _register() -> None:
    """Hook into bench/run.py's registry when imported by it."""
    try:
        from harness import Check, Measure, Result, bench
    except ImportError:  # run alone
        return

    @bench("concurrency")
    def concurrency(ctx) -> "Result":  # noqa: ANN001
        """4 concurrent writer processes logging outcomes on SQLite and PostgreSQL."""
        per_writer = 100 if ctx.quick else 300
        results = run(4, per_writer)
        measures, checks = [], []
        for backend, r in results.items():
            measures.append(
                Measure(f"{backend}: outcome latency (4 writers)", [r["p50_ms"] / 1000])
            )
            checks.append(
                Check(
                    f"{backend}: 4 writers, every outcome recorded",
                    f"{r['outcomes']} outcomes",
                    f"{r['outcomes_per_s']}/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms",
                    True,
                )
            )
        return Result(measures=measures, checks=checks, facts=results)


_register()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--as-writer":
        target, rep, first, leads, count = sys.argv[2:7]
        _writer(target, rep, int(first), int(leads), int(count))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--per-writer", type=int, default=300)
    parser.add_argument("--pg", default=None)
    args = parser.parse_args()
    results = run(args.writers, args.per_writer, args.pg)
    print(f"{'backend':<12}{'writers':>8}{'outcomes':>10}{'per s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for backend, r in results.items():
        print(
            f"{backend:<12}{r['writers']:>8}{r['outcomes']:>10}{r['outcomes_per_s']:>10}"
            f"{r['p50_ms']:>9}{r['p99_ms']:>9}"
        )


if __name__ == "__main__":
    main()
