"""The store: file mode, the SQLite recipe, migrations, schema checks, concurrent writers."""

import os
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from backends import drop_postgres, unmigrated_target
from callq.store.db import (
    Database,
    DatabaseError,
    SchemaTooNew,
    current_revision,
    database_url,
    open_database,
)
from callq.store.models import FollowUp, Lead
from callq.store.schema import HEAD_REVISION


def test_a_new_database_file_is_private(tmp_path: Path):
    path = tmp_path / "sub" / "callq.db"
    database = open_database(path)
    with database.write() as session:  # a write creates the -wal file too
        session.add(Lead(name="A", phone="+919876543210", created_at=datetime.now(UTC)))
    for file in (path, Path(f"{path}-wal")):
        assert stat.S_IMODE(os.stat(file).st_mode) == 0o600, file
    database.dispose()


def test_open_without_create_refuses_a_missing_file(tmp_path: Path):
    with pytest.raises(DatabaseError, match="no database"):
        open_database(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.sqlite_only
def test_sqlite_pragmas(db):
    with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 5000
        assert pragma("synchronous") == 1  # NORMAL: durable across a killed process in WAL


@pytest.mark.sqlite_only
def test_a_write_transaction_takes_the_write_lock_up_front(db):
    import sqlite3

    other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    with db.write() as session:
        session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE ran before this read
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # released at commit
    other.execute("ROLLBACK")
    other.close()


def test_database_url():
    assert database_url("/tmp/x.db") == "sqlite:////tmp/x.db"
    assert database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"


def _schema(database: Database) -> dict[str, str]:
    """Every index's and trigger's DDL (partial-index predicates included), and on
    PostgreSQL the triggers' functions."""
    queries = (
        [
            "SELECT name, sql FROM sqlite_master"
            " WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        ]
        if database.is_sqlite
        else [
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
            "SELECT proname, prosrc FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
        ]
    )
    with database.engine.connect() as connection:
        return {
            name: " ".join(sql.split())
            for query in queries
            for name, sql in connection.execute(text(query))
        }


def test_migrating_an_empty_database_equals_the_created_schema(tmp_path: Path, db, backend):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from callq.store import rollups  # noqa: F401  (its tables on the metadata)
    from callq.store.migrate import upgrade

    target = unmigrated_target(backend, tmp_path)
    migrated = Database(database_url(target))
    upgrade(migrated)
    assert current_revision(migrated) == HEAD_REVISION
    with migrated.engine.connect() as connection:
        if backend == "sqlite":
            # The migration turned foreign keys off on its connection, and back on for the pool.
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        diffs = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diffs == []
    # compare_metadata ignores partial-index predicates: compare the index DDL itself.
    assert _schema(migrated) == _schema(db)
    migrated.dispose()
    reopened = open_database(target)  # at head: opens without touching the schema
    assert current_revision(reopened) == HEAD_REVISION
    reopened.dispose()
    if backend != "sqlite":
        drop_postgres(target)


def test_a_database_from_a_newer_callq_is_refused(db, dump):
    with db.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    before = dump()
    db.dispose()
    with pytest.raises(SchemaTooNew) as raised:
        open_database(db.url)
    message = str(raised.value)
    assert "newer callq" in message and "9999" in message and "upgrade callq" in message
    assert dump() == before


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path):
    import sqlite3

    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE contacts (id INTEGER)")
    connection.close()
    with pytest.raises(DatabaseError, match="not a callq database"):
        open_database(path)


def test_the_partial_unique_index_refuses_a_second_open_followup(db, rules, now):
    from callq.services.leads import NewLead, add_lead

    lead_id = add_lead(db, rules, NewLead(name="A", phone="9876543210"), now=now, rep="a").lead_id
    with pytest.raises(IntegrityError):
        with db.write() as session:
            session.add(FollowUp(lead_id=lead_id, due_at=now, kind="manual", created_at=now))
    with db.write() as session:  # closed ones may pile up
        session.add(
            FollowUp(lead_id=lead_id, due_at=now, kind="manual", status="done", created_at=now)
        )
    with db.read() as session:
        statuses = sorted(
            session.exec(select(FollowUp.status).where(FollowUp.lead_id == lead_id)).all()
        )
    assert statuses == ["done", "open"]


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from callq.config.loading import load_default_rules
    from callq.services.outcomes import log_outcome
    from callq.store.db import open_database

    path, lead, rep, start = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    db, rules = open_database(path), load_default_rules()
    now = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    while __import__("time").time() < start:
        pass
    for i in range(25):
        log_outcome(db, rules, lead, "busy", rep=rep, now=now + timedelta(minutes=i))
    print("ok")
    """
)


@pytest.mark.sqlite_only
def test_two_processes_write_one_file_concurrently(db, rules, now, dump):
    import time

    from callq.services.doctor import check
    from callq.services.leads import NewLead, add_lead

    for phone in ("9876543210", "9876543211"):
        add_lead(db, rules, NewLead(name=phone, phone=phone), now=now, rep="asha")
    start = str(time.time() + 1.5)  # both start writing at the same moment
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db.path), lead, rep, start],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for lead, rep in (("1", "asha"), ("2", "ben"))
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        assert out.strip() == "ok"
    assert len(dump()["call"]) == 50
    assert check(db).ok


def _checkpoint_spy(monkeypatch) -> list[str]:
    """Small thresholds, and a record of the background checkpoints that run."""
    import callq.store.db as store_db

    monkeypatch.setattr(store_db, "CHECKPOINT_AT", 32 * 1024)
    monkeypatch.setattr(store_db, "CHECKPOINT_HELD_UP_TO", 16 * 1024 * 1024)
    runs: list[str] = []
    real = store_db._Checkpointer.checkpoint

    def checkpoint(self, mode: str = "PASSIVE") -> None:
        runs.append(mode)
        real(self, mode)

    monkeypatch.setattr(store_db._Checkpointer, "checkpoint", checkpoint)
    return runs


def _write_past_the_threshold(database: Database) -> None:
    for _ in range(24):  # ~100 KB of WAL, one commit each
        with database.write_connection() as connection:
            connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS filler (x BLOB)")
            connection.exec_driver_sql("INSERT INTO filler VALUES (randomblob(4000))")


def _wait_for(condition, seconds: float = 3.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_the_wal_is_checkpointed_in_the_background_past_its_threshold(tmp_path, monkeypatch):
    runs = _checkpoint_spy(monkeypatch)
    database = open_database(tmp_path / "c.db")
    _write_past_the_threshold(database)
    assert _wait_for(lambda: "PASSIVE" in runs)
    database.dispose()


def test_held_checkpoints_wait_for_the_release(tmp_path, monkeypatch):
    """What the TUI does while a rep logs outcome after outcome, and in their pause."""
    import time

    runs = _checkpoint_spy(monkeypatch)
    database = open_database(tmp_path / "c.db")
    database.hold_checkpoints(True)
    _write_past_the_threshold(database)
    time.sleep(0.3)
    assert runs == []
    database.hold_checkpoints(False)
    assert _wait_for(lambda: runs == ["PASSIVE"])
    with database.read() as session:  # nothing written while held was lost
        assert session.execute(text("SELECT count(*) FROM filler")).scalar_one() == 24
    database.dispose()


def test_a_populated_database_migrates_to_ids_that_are_never_reused(tmp_path: Path):
    """0003 -> head keeps every row and index, and a deleted newest id is not handed out again."""
    import sqlite3

    from callq.store.migrate import upgrade

    path = tmp_path / "old.db"
    path.touch(mode=0o600)
    old = Database(database_url(str(path)))
    upgrade(old, "0003")
    when = "2026-11-23 04:30:00.000000"
    with old.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO rep (id, name, role, active) VALUES (1, 'asha', 'rep', 1)"
        )
        for lead_id in (1, 2):
            connection.exec_driver_sql(
                "INSERT INTO lead (id, name, phone, other_phones, email, company, source, interest,"
                " urgency, owner_id, stage, created_at) VALUES (?, 'L', ?, '', '', '', 'web', '',"
                " 'normal', 1, 'new', ?)",
                (lead_id, f"+9198765000{lead_id:02d}", when),
            )
            connection.exec_driver_sql(
                "INSERT INTO call (id, lead_id, rep_id, started_at, ended_at, outcome, connected,"
                " note, logged_at) VALUES (?, ?, 1, ?, ?, 'no_answer', 0, '', ?)",
                (lead_id, lead_id, when, when, when),
            )
            connection.exec_driver_sql(
                "INSERT INTO followup (id, lead_id, owner_id, due_at, kind, status, created_at)"
                " VALUES (?, ?, 1, ?, 'cadence', 'open', ?)",
                (lead_id, lead_id, when, when),
            )
    old.dispose()
    before = sqlite3.connect(path)
    indexes = set(before.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    before.close()

    migrated = open_database(str(path))
    assert current_revision(migrated) == HEAD_REVISION
    migrated.dispose()
    after = sqlite3.connect(path)
    try:
        assert after.execute("SELECT id, lead_id FROM call ORDER BY id").fetchall() == [
            (1, 1),
            (2, 2),
        ]
        assert after.execute("SELECT count(*) FROM followup WHERE status = 'open'").fetchone() == (
            2,
        )
        # Every index as it was, but the covering ones that now carry the blame columns
        # (0004) and the call's channel (0006).
        widened = {"ix_lead_created_cover", "ix_followup_due_cover", "ix_call_started_cover"}
        assert {i for i in indexes if i[0] not in widened} <= set(
            after.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        )
        assert after.execute("PRAGMA foreign_key_check").fetchall() == []
        after.execute("DELETE FROM call WHERE id = 2")
        after.execute(
            "INSERT INTO call (lead_id, rep_id, started_at, ended_at, outcome, connected, note,"
            " logged_at) VALUES (1, 1, ?, ?, 'busy', 0, '', ?)",
            (when, when, when),
        )
        assert after.execute("SELECT max(id) FROM call").fetchone() == (3,)
    finally:
        after.close()


def test_dispose_leaves_no_checkpoint_running(tmp_path, monkeypatch):
    """After `dispose` the file alone holds every row: the demo build moves it into place
    and a backup copies it right after. A checkpoint still running then kept its own
    connection (and the WAL) open, and the moved file was corrupt."""
    import sqlite3
    import threading

    import callq.store.db as store_db

    real = store_db._Checkpointer.checkpoint
    started = threading.Event()

    def slow_checkpoint(self, mode: str = "PASSIVE") -> None:
        started.set()
        connection = sqlite3.connect(self.path)  # held open mid-checkpoint, like a long one
        try:
            threading.Event().wait(0.5)
            real(self, mode)
        finally:
            connection.close()

    monkeypatch.setattr(store_db, "CHECKPOINT_AT", 32 * 1024)
    monkeypatch.setattr(store_db._Checkpointer, "checkpoint", slow_checkpoint)
    path = tmp_path / "c.db"
    database = open_database(path)
    _write_past_the_threshold(database)
    assert started.wait(3)
    database.dispose()
    assert not any(t.name == "callq-checkpoint" for t in threading.enumerate())
    moved = tmp_path / "moved.db"
    path.rename(moved)  # what the demo build does next
    connection = sqlite3.connect(moved)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT count(*) FROM filler").fetchone()[0] == 24
    finally:
        connection.close()
