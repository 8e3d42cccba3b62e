"""The benchmark harness: a registry (`@bench`), whole-process timing, the shared demo databases.

A benchmark module under bench/ registers functions with `@bench("name")`; each takes the
`Context` and returns a `Result` of measures and pass/fail checks. `bench/run.py` imports
every module here, runs what is registered and prints one table.
"""

import fcntl
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from percentiles import nearest_rank

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"
# Monday 23 Nov 2026, 10:00 in Asia/Kolkata (the default team zone): inside business hours.
NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
BIG_LEADS, BIG_CALLS = 100_000, 1_000_000


@dataclass
class Measure:
    """Repeated timings of one thing, in seconds."""

    name: str
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def quantile(self, q: float) -> float:
        return nearest_rank(self.samples, q)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "n": len(self.samples),
            "median_ms": round(self.median * 1000, 3),
            "p90_ms": round(self.quantile(0.9) * 1000, 3),
            "p99_ms": round(self.quantile(0.99) * 1000, 3),
            "max_ms": round(max(self.samples) * 1000, 3),
        }


@dataclass
class Check:
    name: str
    target: str
    actual: str
    passed: bool


@dataclass
class Result:
    measures: list[Measure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    facts: dict = field(default_factory=dict)


BenchFn = Callable[["Context"], Result]
REGISTRY: dict[str, BenchFn] = {}


def bench(name: str) -> Callable[[BenchFn], BenchFn]:
    """Register a benchmark: `@bench("tui")` over `def run(ctx: Context) -> Result`."""

    def register(fn: BenchFn) -> BenchFn:
        REGISTRY[name] = fn
        return fn

    return register


class Context:
    """What every benchmark shares: repetitions, a clean environment, the demo databases."""

    def __init__(
        self, *, quick: bool, reps: int | None, leads: int = BIG_LEADS, calls: int = BIG_CALLS
    ):
        self.quick = quick
        self.reps = reps or (5 if quick else 15)
        self.leads, self.calls = leads, calls
        self.now = NOW
        self.now_text = NOW.isoformat()
        self.python = sys.executable
        self.callq = str(Path(sys.executable).with_name("callq"))
        DATA.mkdir(parents=True, exist_ok=True)
        self.config = DATA / "callq.toml"
        from callq.config.loading import default_config_text

        self.config.write_text(default_config_text(), encoding="utf-8")
        self._big: Path | None = None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CALLQ_")}
        # Never read the developer's own config or data dir.
        self.env["XDG_CONFIG_HOME"] = str(DATA / "xdg-config")
        self.env["XDG_DATA_HOME"] = str(DATA / "xdg-data")

    def rules(self):  # noqa: ANN201
        from callq.config.loading import load_rules

        return load_rules(self.config)

    def callq_argv(self, db: Path, *args: str, rep: str = "asha") -> list[str]:
        """`callq` with the bench's database, rules, rep and clock."""
        return [
            self.callq,
            "--db",
            str(db),
            "--config",
            str(self.config),
            "--rep",
            rep,
            "--now",
            self.now_text,
            *args,
        ]

    def big_db(self) -> Path:
        """The cached demo database (built once; rebuilt when its inputs change). Read-only:
        benchmarks that write use `work_copy`."""
        from callq.demo.build import build_demo
        from callq.store.schema import HEAD_REVISION

        if self._big is not None:
            return self._big
        path = DATA / f"demo-{self.leads}-{self.calls}.db"
        stamp = {
            "leads": self.leads,
            "calls": self.calls,
            "now": self.now_text,
            "schema": HEAD_REVISION,
            "generator": _source_hash("demo/build.py", "demo/history.py", "demo/people.py"),
        }
        stamp_path = path.with_suffix(".json")
        DATA.mkdir(parents=True, exist_ok=True)
        # Two bench runs at once (several people on one machine) build it once, not twice
        # into the same file: the second waits for the first and then reuses its build.
        with open(DATA / "build.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if path.exists() and stamp_path.exists() and _same_inputs(stamp_path, stamp):
                self._big = path
                return path
            print(f"building {path.name} ({self.leads} leads, {self.calls} calls)...", flush=True)
            stamp_path.unlink(missing_ok=True)
            stats = build_demo(path, self.rules(), now=self.now, leads=self.leads, calls=self.calls)
            print(f"  built in {stats.seconds:.1f} s", flush=True)
            stamp["build_seconds"] = round(stats.seconds, 1)
            stamp_path.write_text(json.dumps(stamp))
        self._big = path
        return path

    def build_seconds(self) -> float | None:
        stamp_path = (DATA / f"demo-{self.leads}-{self.calls}.db").with_suffix(".json")
        if not stamp_path.exists():
            return None
        return json.loads(stamp_path.read_text()).get("build_seconds")

    def work_copy(self, name: str) -> Path:
        """A fresh writable copy of the big demo database for one benchmark."""
        source = self.big_db()
        target = DATA / f"work-{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
        # Flush the 1 GB copy now: the kernel writing it back during a measurement
        # stalls the measured writes (the copy is set-up, not callq's work).
        os.sync()
        return target

    def fresh_db(self, name: str) -> Path:
        """A new, empty database at head."""
        from callq.store.db import open_database

        target = DATA / f"fresh-{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        open_database(target).dispose()
        return target

    def run(self, argv: list[str]) -> float:
        """Wall time of one whole process; a failing command stops the benchmark."""
        started = time.perf_counter()
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr}")
        return elapsed

    def side_by_side(self, commands: dict[str, Callable[[int], list[str]]]) -> dict[str, Measure]:
        """Run each command once per repetition, interleaved, so machine noise hits all alike.

        `commands` maps a name to argv for repetition i (i = -1 is an untimed warm-up).
        """
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for argv in commands.values():
            self.run(argv(-1))
        for i in range(self.reps):
            for name, argv in commands.items():
                samples[name].append(self.run(argv(i)))
        return {name: Measure(name, values) for name, values in samples.items()}


def run_alone(fn: BenchFn, description: str) -> int:
    """One benchmark run on its own (`python bench/NAME.py [--quick] [--leads N --calls N]`):
    its measures and checks printed; the exit status is 1 when a check fails."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--reps", type=int)
    parser.add_argument("--leads", type=int, default=BIG_LEADS)
    parser.add_argument("--calls", type=int, default=BIG_CALLS)
    args = parser.parse_args()
    ctx = Context(quick=args.quick, reps=args.reps, leads=args.leads, calls=args.calls)
    result = fn(ctx)
    for m in result.measures:
        d = m.as_dict()
        print(f"{m.name:40} n={d['n']:>3} median {d['median_ms']:>9.1f} ms  p90 {d['p90_ms']:.1f}")
    for c in result.checks:
        print(f"[{'PASS' if c.passed else 'FAIL'}] {c.name}: {c.actual} (target {c.target})")
    print(result.facts)
    return 0 if all(c.passed for c in result.checks) else 1


def _same_inputs(stamp_path: Path, stamp: dict) -> bool:
    built = json.loads(stamp_path.read_text())
    built.pop("build_seconds", None)
    return built == stamp


def _source_hash(*relative: str) -> str:
    digest = hashlib.sha256()
    for name in relative:
        digest.update((ROOT / "src" / "callq" / name).read_bytes())
    return digest.hexdigest()[:16]


def machine() -> dict:
    """Where the numbers come from."""
    model = platform.processor() or platform.machine()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    memory = None
    try:
        with open("/proc/meminfo") as meminfo:
            memory = round(int(meminfo.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gb": memory,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": platform.platform(),
        "load_1min_at_start": load,
    }
