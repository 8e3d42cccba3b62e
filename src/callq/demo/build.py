"""`callq demo`: build a realistic demo database relative to `now`, fast enough for benchmarks.

The history is generated as plain rows (`callq.demo.history`), not through the
services: 100k leads / 1M calls would take minutes one transaction at a time. Chunks of
leads are generated into bare SQLite files (in worker processes for big demos), merged
into a private `.building` file with `INSERT ... SELECT`, indexed once at the end and
moved into place, so a reader never sees half a demo.
"""

import json
import os
import random
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from callq.demo.history import Chunk, World, call_counts, iso, write_chunk
from callq.errors import UserError
from callq.rules.model import Rules

DEMO_META_KEY = "demo"
DEFAULT_REPS = ("asha", "ben", "chen")
TEAM_LEAD = "dana"
CHUNK_LEADS = 5000
PARALLEL_FROM_CALLS = 50_000  # below this, worker processes cost more than they save


@dataclass(frozen=True)
class DemoStats:
    path: Path | None  # the SQLite file (None on a database server)
    leads: int
    calls: int
    reps: tuple[str, ...]
    first_rep: str
    open_followups: int
    events: int
    seconds: float
    target: str = ""  # what --db names: the file path or the server URL


def demo_marker(path: Path) -> dict | None:
    """The demo's own description if `path` is a demo database, else None."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute(
                "SELECT value FROM meta WHERE key = ?", (DEMO_META_KEY,)
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return None
    return json.loads(row[0]) if row else None


def _check_replaceable(path: Path) -> None:
    """Refuse to replace a file with real leads; a demo file or an empty database is fine."""
    if not path.exists():
        return
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
            has_leads = (
                "lead" in tables and connection.execute("SELECT 1 FROM lead LIMIT 1").fetchone()
            )
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise UserError(f"{path} is not a callq database ({error}); not replacing it") from None
    if tables and "lead" not in tables:
        raise UserError(f"{path} is not a callq database; not replacing it")
    if has_leads and demo_marker(path) is None:
        raise UserError(
            f"{path} holds real leads; the demo builds its own file "
            "(drop --db, or point it at a new file)"
        )


SCRATCH_PREFIX = "callq-demo-"


def _remove_stale_scratch() -> None:
    """Remove the chunk directories of builds that were killed (their process is gone)."""
    for scratch in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        pid = scratch.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(scratch, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM (a `kill`, a closed terminal's shell) unwinds like Ctrl-C, so the build's
    `finally` blocks remove its `.building` file and chunk directory."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sqlite_path(db_target: str | os.PathLike[str]) -> Path:
    from callq.store.db import database_url

    url = database_url(db_target)
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        raise UserError("the demo builds a SQLite file; give --db a file path")
    return Path(url.removeprefix("sqlite:///"))


def build_demo(
    db_target: str | os.PathLike[str],
    rules: Rules,
    *,
    now: datetime,
    leads: int = 300,
    calls: int | None = None,
    seed: int = 7,
    workers: int | None = None,
) -> DemoStats:
    """Build a demo database at `db_target` (a SQLite path), replacing an earlier demo.

    History spans the six weeks before `now`: every open lead has exactly one open
    follow-up (some overdue, some due later today, most upcoming; untouched new leads,
    some past their SLA, a few escalated), closed leads have none, and the timeline has
    the events the services would have written. Refuses a file that holds real leads.
    """
    from callq.store.db import database_url

    if not database_url(db_target).startswith("sqlite:"):
        return _build_on_server(
            db_target, rules, now=now, leads=leads, calls=calls, seed=seed, workers=workers
        )
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    calls = leads * 4 if calls is None else calls
    if leads < 0 or calls < 0:
        raise UserError("--leads and --calls must be zero or more")
    if calls and not leads:
        raise UserError("calls need leads: give --leads too")
    from callq.store.in_use import replacing

    started = time.perf_counter()
    path = _sqlite_path(db_target)
    # A running app on the old demo would go on showing the deleted file: refuse, and
    # keep apps from opening it until the new one is in place.
    with replacing(path):
        _check_replaceable(path)
        building = path.with_name(path.name + ".building")
        _remove_database_files(building)  # a killed build's leftover
        _remove_stale_scratch()
        with _terminate_as_exit():
            return _build_sqlite(path, building, rules, now, leads, calls, seed, workers, started)


def _build_sqlite(
    path: Path,
    building: Path,
    rules: Rules,
    now: datetime,
    leads: int,
    calls: int,
    seed: int,
    workers: int | None,
    started: float,
) -> DemoStats:
    from callq.store.db import open_database

    open_database(building).dispose()  # the real schema, stamped at head, created 0600

    rep_names = tuple(rules.team.reps) or DEFAULT_REPS
    reps = [(i + 1, name, "rep") for i, name in enumerate(rep_names)]
    if TEAM_LEAD not in rep_names:
        reps.append((len(reps) + 1, TEAM_LEAD, "lead"))
    world = World(
        rules=rules,
        now=int(now.timestamp()),
        seed=seed,
        rep_ids=tuple(r[0] for r in reps[: len(rep_names)]),
        rep_names=rep_names,
    )
    chunks = _chunks(call_counts(random.Random(seed), leads, calls))
    connection = sqlite3.connect(building, isolation_level=None)
    try:
        open_followups, events = _load(connection, world, chunks, reps, workers)
        last_owner = rep_names[(leads - 1) % len(rep_names)] if leads else None
        marker = {"seed": seed, "leads": leads, "calls": calls, "now": iso(world.now)}
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [(DEMO_META_KEY, json.dumps(marker))]
            + ([("round_robin_last", last_owner)] if last_owner else []),
        )
        connection.execute("COMMIT")
        connection.execute("PRAGMA journal_mode=WAL")
    except BaseException:
        connection.close()
        _remove_database_files(building)
        raise
    connection.close()
    _fill_rollups(building, rules)
    _remove_database_files(path)  # an old demo's -wal must not be replayed onto the new file
    os.replace(building, path)
    return DemoStats(
        path=path,
        leads=leads,
        calls=calls,
        reps=tuple(r[1] for r in reps),
        first_rep=rep_names[0],
        open_followups=open_followups,
        events=events,
        seconds=time.perf_counter() - started,
        target=str(path),
    )


def _fill_rollups(path: Path, rules: Rules) -> None:
    """The report's rollups, stage facts and kept business times, from the loaded rows,
    with the rules' late_after, converting outcomes, hours and SLA."""
    from callq.services.lead_times import prepare_lead_times
    from callq.store import rollups
    from callq.store.db import open_database

    database = open_database(path)
    try:
        with database.write_connection() as connection:
            rollups.rebuild(connection)
            rollups.ensure_late_after(connection, rules.team.late_after)
            rollups.ensure_outcome_stages(connection, rules.converting_outcomes())
        prepare_lead_times(database, rules)
    finally:
        database.dispose()


def _build_on_server(db_target, rules: Rules, **options) -> DemoStats:  # noqa: ANN001
    """A demo on a database server: built as a SQLite file, then copied over.

    Like the file demo, it replaces an earlier demo and refuses a database with real leads.
    """
    from callq.store.copy import clear, copy_rows, is_empty
    from callq.store.db import open_database
    from callq.store.queries import get_meta

    target = open_database(db_target)
    try:
        if not is_empty(target):
            with target.read() as session:
                if get_meta(session, DEMO_META_KEY) is None:
                    raise UserError("that database holds real leads; the demo needs its own")
            clear(target)
        with tempfile.TemporaryDirectory() as scratch:
            stats = build_demo(Path(scratch) / "demo.db", rules, **options)
            source = open_database(stats.path)
            try:
                copy_rows(source, target)
            finally:
                source.dispose()
    finally:
        target.dispose()
    return DemoStats(
        path=None,
        target=str(db_target),
        leads=stats.leads,
        calls=stats.calls,
        reps=stats.reps,
        first_rep=stats.first_rep,
        open_followups=stats.open_followups,
        events=stats.events,
        seconds=stats.seconds,
    )


def _chunks(per_lead: list[int]) -> list[Chunk]:
    """Chunks of leads with their id ranges: a lead with n calls reserves n + 1 follow-ups."""
    chunks = []
    call_id = followup_id = 1
    for index, start in enumerate(range(0, len(per_lead), CHUNK_LEADS)):
        counts = tuple(per_lead[start : start + CHUNK_LEADS])
        chunks.append(Chunk(index, start + 1, counts, call_id, followup_id))
        call_id += sum(counts)
        followup_id += sum(counts) + len(counts)
    return chunks


def _load(
    connection: sqlite3.Connection,
    world: World,
    chunks: list[Chunk],
    reps: list[tuple[int, str, str]],
    workers: int | None,
) -> tuple[int, int]:
    """Generate every chunk and merge it in order (event ids then follow each lead's story).

    The file is private until it is moved into place, so it is written without a journal.
    """
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-200000")
    schema = connection.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
    ).fetchall()
    tables = [sql for kind, name, sql in schema if kind == "table" and name in _TABLES]
    indexes = [(name, sql) for kind, name, sql in schema if kind == "index"]
    # The rollups' triggers too: the caller rebuilds the rollups from the rows once.
    triggers = [(name, sql) for kind, name, sql in schema if kind == "trigger"]
    # Loading bare tables and indexing once at the end is several times faster.
    for name, _sql in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    for name, _sql in triggers:
        connection.execute(f'DROP TRIGGER "{name}"')
    connection.executemany(
        "INSERT INTO rep (id, name, role, timezone, active) VALUES (?, ?, ?, NULL, 1)", reps
    )
    total_calls = sum(sum(c.calls_per_lead) for c in chunks)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if total_calls >= PARALLEL_FROM_CALLS else 1
    open_followups = events = 0
    # The pid in the name lets a later build remove what a killed one left behind.
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-") as scratch:
        paths = [os.path.join(scratch, f"chunk{c.index}.db") for c in chunks]
        if workers <= 1:
            results = (write_chunk(world, c, p, tables) for c, p in zip(chunks, paths, strict=True))
            for (opened, written), path in zip(results, paths, strict=True):
                _merge(connection, path)
                open_followups, events = open_followups + opened, events + written
        else:
            pool_options = {"initializer": _exit_with_parent, "initargs": (os.getpid(),)}
            with ProcessPoolExecutor(max_workers=workers, **pool_options) as pool:
                futures = [
                    pool.submit(write_chunk, world, c, p, tables)
                    for c, p in zip(chunks, paths, strict=True)
                ]
                for future, path in zip(futures, paths, strict=True):
                    opened, written = future.result()
                    _merge(connection, path)
                    open_followups, events = open_followups + opened, events + written
    connection.execute("BEGIN")
    for _name, sql in indexes + triggers:
        connection.execute(sql)
    connection.execute("COMMIT")
    return open_followups, events


def _exit_with_parent(parent: int) -> None:
    """In each worker: exit once the build that started it is gone. A killed build's
    workers otherwise wait on the pool's queue forever (found after the kill test)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="callq-demo-parent-watch", daemon=True).start()


_TABLES = ("lead", "call", "followup", "event")


def _merge(connection: sqlite3.Connection, path: str) -> None:
    connection.execute("ATTACH DATABASE ? AS chunk", (path,))
    connection.execute("BEGIN")
    for table in ("lead", "call", "followup"):
        connection.execute(f"INSERT INTO main.{table} SELECT * FROM chunk.{table}")
    connection.execute(
        "INSERT INTO main.event (lead_id, at, type, rep_id, detail) "
        "SELECT lead_id, at, type, rep_id, detail FROM chunk.event ORDER BY id"
    )
    connection.execute("COMMIT")
    connection.execute("DETACH DATABASE chunk")
    os.unlink(path)
