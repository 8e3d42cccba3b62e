"""Run callq's benchmarks side by side and check them against the targets.

    python bench/run.py [--quick] [--only NAME ...] [--reps N] [--list]

Every module in bench/ is imported; those that register functions with `@bench("name")`
(see bench/harness.py) are run. Results go to bench/out/ as JSON (latest.json and a
timestamped copy). The exit status is 1 when a check fails.
"""

import argparse
import importlib
import json
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

SKIP = {"run", "harness"}


def discover() -> None:
    """Import every benchmark module (core first); a broken module is reported, not fatal."""
    names = ["core"] + sorted(
        p.stem for p in HERE.glob("*.py") if p.stem not in SKIP | {"core"} and p.stem[0] != "_"
    )
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - one module's bug must not hide the rest
            print(f"bench/{name}.py not loaded: {error}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", action="append", default=[], help="run only these benchmarks")
    parser.add_argument("--reps", type=int, help="repetitions of each timed command")
    parser.add_argument("--leads", type=int, default=harness.BIG_LEADS)
    parser.add_argument("--calls", type=int, default=harness.BIG_CALLS)
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args()
    discover()
    if args.list:
        for name, fn in harness.REGISTRY.items():
            print(f"{name:20} {(fn.__doc__ or '').strip().splitlines()[0]}")
        return 0
    unknown = set(args.only) - set(harness.REGISTRY)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    ctx = harness.Context(quick=args.quick, reps=args.reps, leads=args.leads, calls=args.calls)
    report = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": harness.machine(),
        "reps": ctx.reps,
        "data": {"leads": ctx.leads, "calls": ctx.calls, "now": ctx.now_text},
        "benchmarks": {},
    }
    print(_machine_line(report["machine"]))
    ctx.big_db()
    report["data"]["build_seconds"] = ctx.build_seconds()
    failed = False
    for name, fn in harness.REGISTRY.items():
        if args.only and name not in args.only:
            continue
        print(f"\n== {name}", flush=True)
        started = time.perf_counter()
        try:
            result = fn(ctx)
        except Exception:  # noqa: BLE001
            traceback.print_exc()
            report["benchmarks"][name] = {"error": traceback.format_exc()}
            failed = True
            continue
        _print(result)
        failed |= not all(c.passed for c in result.checks)
        report["benchmarks"][name] = {
            "seconds": round(time.perf_counter() - started, 1),
            "measures": [m.as_dict() for m in result.measures],
            "checks": [vars(c) for c in result.checks],
            "facts": result.facts,
        }
    harness.OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (harness.OUT / f"results-{stamp}.json").write_text(text)
    (harness.OUT / "latest.json").write_text(text)
    print(f"\nresults: {harness.OUT / 'latest.json'}; {'FAILED' if failed else 'all targets met'}")
    return 1 if failed else 0


def _machine_line(m: dict) -> str:
    return (
        f"{m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, Python {m['python']}, "
        f"SQLite {m['sqlite']}, load {m['load_1min_at_start']:.1f}"
    )


def _print(result: "harness.Result") -> None:
    if result.measures:
        print(f"  {'measure':44} {'n':>4} {'median':>10} {'p90':>10} {'p99':>10}")
        for m in result.measures:
            d = m.as_dict()
            print(
                f"  {m.name:44} {d['n']:>4} {d['median_ms']:>8.1f}ms {d['p90_ms']:>8.1f}ms "
                f"{d['p99_ms']:>8.1f}ms"
            )
    for c in result.checks:
        mark = "PASS" if c.passed else "FAIL"
        print(f"  [{mark}] {c.name}: {c.actual} (target {c.target})")


if __name__ == "__main__":
    sys.exit(main())
