"""Import benchmark: 100k generated CRM rows into a fresh database, beside sqlite3 `.import`.

    python bench/importing.py [--rows N] [--profile]

Runs alone, and registers `@bench("import")` for bench/run.py when the harness is there.
The rows are realistic: mixed phone formats (international, national, with a leading 0),
accents, ~3% duplicates (within the file), ~1% rows without a usable phone. The measured
time is the whole `import_file` call: decoding, header mapping, phone normalisation and
validation, duplicate checks, and the inserts of leads, follow-ups and events. The sqlite3
CLI's `.import` of the same file into a bare table is the engine's floor.
"""

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

TARGET_ROWS_PER_S = 50_000
NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
FIRST = ["José", "Ananya", "Zoë", "Rahul", "Priya", "François", "Meera", "Arjun", "Chloé", "Ingrid"]
LAST = ["Núñez", "Iyer", "Müller", "Verma", "Shah", "Lefèvre", "Krishnan", "Reddy", "Dubois"]
SOURCES = ["Organic Search", "Paid Social", "Referrals", "Offline Sources", "Email Marketing"]
OWNERS = ["Asha Rao", "Ben Okafor", "Chen Wei", ""]


def generate(path: Path, rows: int, seed: int = 42) -> dict[str, int]:
    """A HubSpot-style export of `rows` rows; returns how many are duplicates / bad."""
    rng = random.Random(seed)
    numbers: list[str] = []
    duplicates = bad = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Record ID", "First Name", "Last Name", "Email", "Phone Number",
                "Mobile Phone Number", "Company Name", "Contact owner", "Original Source",
            ]
        )  # fmt: skip
        for index in range(rows):
            roll = rng.random()
            if roll < 0.03 and numbers:
                national = rng.choice(numbers)
                duplicates += 1
            elif roll < 0.04:
                national = rng.choice(["", "12345", "n/a", "5555555555"])
                bad += 1
            else:
                national = f"{rng.choice('6789')}{rng.randrange(10**9):09d}"
                numbers.append(national)
            style = rng.random()
            if not national.isdigit() or len(national) != 10 or style < 0.5:
                phone = national
            elif style < 0.8:
                phone = f"+91 {national[:5]} {national[5:]}"
            elif style < 0.95:
                phone = f"+91-{national}"
            else:
                phone = f"0{national[:5]} {national[5:]}"  # the library's slow path
            first, last = rng.choice(FIRST), rng.choice(LAST)
            mobile_first = rng.random() < 0.1
            writer.writerow(
                [
                    10_000 + index, first, last, f"{first.lower()}.{index}@example.in",
                    "" if mobile_first else phone, phone if mobile_first else "",
                    f"{last} Traders" if rng.random() < 0.7 else "", rng.choice(OWNERS),
                    rng.choice(SOURCES),
                ]
            )  # fmt: skip
    return {"duplicates": duplicates, "bad": bad}


def sqlite_import_seconds(csv_path: Path, workdir: Path) -> float | None:
    """The sqlite3 CLI's `.import` of the same file into a bare table (the engine's floor)."""
    sqlite = shutil.which("sqlite3") or "/usr/bin/sqlite3"
    if not Path(sqlite).exists():
        return None
    target = workdir / "sqlite-import.db"
    target.unlink(missing_ok=True)
    script = f".mode csv\n.import {csv_path} raw\n"
    started = time.perf_counter()
    subprocess.run([sqlite, str(target)], input=script, text=True, check=True)
    return time.perf_counter() - started


class InsertRecorder:
    """The importer's bulk INSERTs (statement and rows), grouped by transaction.

    Recorded through SQLAlchemy's public cursor events, so the importer runs unchanged.
    """

    def __init__(self, engine) -> None:  # noqa: ANN001
        from sqlalchemy import event

        self.transactions: list[list[tuple[str, list]]] = [[]]
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if executemany and statement.lstrip().upper().startswith("INSERT"):
            self.transactions[-1].append((statement, list(parameters)))

    def _commit(self, conn) -> None:  # noqa: ANN001
        if self.transactions[-1]:
            self.transactions.append([])

    def rows(self) -> int:
        return sum(len(rows) for batch in self.transactions for _, rows in batch)


def schema_floor_seconds(recorder: InsertRecorder, imported_db: Path, workdir: Path) -> float:
    """The same INSERTs replayed with bare sqlite3 `executemany` into a fresh callq database
    (same schema, indexes and PRAGMAs, one transaction per batch): SQLite's own share."""
    import sqlite3

    from callq.importing.bulk import CACHE_KIB
    from callq.store.db import open_database

    target = workdir / "schema-floor.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    open_database(target).dispose()
    connection = sqlite3.connect(target, isolation_level=None)
    for pragma in (
        "journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "wal_autocheckpoint=0",
        f"cache_size=-{CACHE_KIB}",
    ):  # fmt: skip
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("ATTACH DATABASE ? AS imported", (str(imported_db),))
    connection.execute("INSERT INTO rep SELECT * FROM imported.rep")  # the owners' rows
    connection.execute("DETACH DATABASE imported")
    started = time.process_time()
    for batch in recorder.transactions:
        connection.execute("BEGIN IMMEDIATE")
        for statement, rows in batch:
            connection.executemany(statement, rows)
        connection.execute("COMMIT")
    seconds = time.process_time() - started
    connection.close()
    return seconds


def _cpu_seconds() -> float:
    """CPU time of this process and any finished children (the import runs in one process)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def import_seconds(csv_path: Path, workdir: Path, *, profile: bool = False):  # noqa: ANN201
    """A fresh callq database, then one timed `import_file`; (seconds, result)."""
    from callq.config.loading import load_rules
    from callq.importing.importer import import_file
    from callq.services import doctor
    from callq.store.db import open_database

    db_path = workdir / "callq-import.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_database(db_path)
    rules = load_rules(None)
    recorder = InsertRecorder(db.engine)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    result = import_file(db, rules, csv_path, now=NOW, rep="bench")
    seconds = time.perf_counter() - started
    cpu_seconds = _cpu_seconds() - cpu_started
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    again_started = time.perf_counter()
    again = import_file(db, rules, csv_path, now=NOW, rep="bench")
    again_seconds = time.perf_counter() - again_started
    ok = doctor.check(db).ok
    db.dispose()
    floor = schema_floor_seconds(recorder, db_path, workdir)
    return seconds, cpu_seconds, result, again_seconds, again, ok, (floor, recorder.rows())


def measure(rows: int, *, profile: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="callq-bench-import-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "hubspot-100k.csv"
        made = generate(csv_path, rows)
        floor = sqlite_import_seconds(csv_path, workdir)
        seconds, cpu_seconds, result, again_seconds, again, ok, schema_floor = import_seconds(
            csv_path, workdir, profile=profile
        )
        return {
            "rows": rows,
            "generated": made,
            "seconds": seconds,
            "rows_per_s": rows / seconds,
            "cpu_seconds": cpu_seconds,
            "rows_per_cpu_s": rows / cpu_seconds,
            "load_1min": os.getloadavg()[0],
            "imported": result.imported,
            "merged": result.merged,
            "rejected": result.rejected,
            "sqlite_import_seconds": floor,
            "schema_floor_cpu_seconds": schema_floor[0],
            "schema_floor_rows": schema_floor[1],
            "sqlite_rows_per_s": rows / floor if floor else None,
            "reimport_seconds": again_seconds,
            "reimport_already_imported": again.already_imported,
            "reimport_created": again.imported + again.merged,
            "doctor_ok": ok,
        }


def _report(facts: dict) -> str:
    floor = facts["sqlite_import_seconds"]
    return "\n".join(
        [
            f"callq import: {facts['rows']:,} rows in {facts['seconds']:.2f} s = "
            f"{facts['rows_per_s']:,.0f} rows/s (target >= {TARGET_ROWS_PER_S:,}); "
            f"CPU {facts['cpu_seconds']:.2f} s = {facts['rows_per_cpu_s']:,.0f} rows/CPU-s; "
            f"load {facts['load_1min']:.1f}",
            f"  imported {facts['imported']:,} · merged {facts['merged']:,} · "
            f"rejected {facts['rejected']:,}",
            f"  SQLite's share: its {facts['schema_floor_rows']:,} INSERTed rows replayed with "
            f"bare sqlite3 executemany (same schema, PRAGMAs, batches): "
            f"{facts['schema_floor_cpu_seconds']:.2f} CPU-s",
            f"  re-import: {facts['reimport_seconds']:.2f} s, "
            f"{facts['reimport_already_imported']:,} already imported, "
            f"{facts['reimport_created']} created; doctor ok: {facts['doctor_ok']}",
            (
                f"sqlite3 .import (bare table, no checks): {floor:.2f} s = "
                f"{facts['sqlite_rows_per_s']:,.0f} rows/s"
                if floor
                else "sqlite3 CLI not found"
            ),
        ]
    )


try:  # hook into bench/run.py when its registry is there
    from harness import Check, Measure, Result, bench  # type: ignore[import-not-found]
except ImportError:  # run alone
    bench = None

if bench is not None:

    @bench("import")
    def import_benchmark(ctx) -> "Result":  # noqa: ANN001
        """`callq import` of 100k generated CRM rows vs the sqlite3 CLI's `.import`."""
        facts = measure(20_000 if ctx.quick else 100_000)
        print(_report(facts))
        measures = [Measure("import_file (all rows)", [facts["seconds"]])]
        if facts["sqlite_import_seconds"]:
            measures.append(Measure("sqlite3 .import (floor)", [facts["sqlite_import_seconds"]]))
        measures.append(
            Measure("same INSERTs, bare sqlite3 (CPU)", [facts["schema_floor_cpu_seconds"]])
        )
        return Result(
            measures=measures,
            checks=[
                Check(
                    "import rows/s",
                    f">= {TARGET_ROWS_PER_S:,}",
                    f"{facts['rows_per_s']:,.0f}",
                    facts["rows_per_s"] >= TARGET_ROWS_PER_S,
                ),
                Check(
                    "re-import creates nothing",
                    "0",
                    str(facts["reimport_created"]),
                    facts["reimport_created"] == 0,
                ),
                Check("doctor after import", "ok", str(facts["doctor_ok"]), facts["doctor_ok"]),
            ],
            facts=facts,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the import")
    args = parser.parse_args()
    facts = measure(args.rows, profile=args.profile)
    print(_report(facts))
    return 0 if facts["rows_per_s"] >= TARGET_ROWS_PER_S and facts["doctor_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
