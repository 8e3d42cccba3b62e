"""The import's reading process: the same result as one process, its errors come through."""

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.exchange.conftest import NOW
from tests.exchange.test_import import ALL_FILES, EXPECTED, counts

from callq.errors import UserError
from callq.importing import pipeline
from callq.importing.importer import import_file
from callq.importing.rows import RowReader
from callq.store.db import open_database

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork: always one process")


@pytest.fixture
def in_background(monkeypatch):
    """Every file, however small, is read by a second process."""
    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)


def run(db, rules, path, **options):
    return import_file(db, rules, path, now=NOW, rep="admin", **options)


def everything(db) -> dict[str, list[tuple]]:
    with db.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            for table in ("rep", "lead", "followup", "event")
        }


def test_same_database_as_one_process(tmp_path, rules, fixture_file, monkeypatch):
    results = {}
    for mode, threshold in (("one", 10**12), ("two", 0)):
        monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", threshold)
        db = open_database(tmp_path / f"{mode}.db")
        for name in ALL_FILES:
            result = run(db, rules, fixture_file(name), batch_rows=2)
            assert (result.imported, result.merged, result.rejected) == EXPECTED[name], name
        results[mode] = everything(db)
        db.dispose()
    assert results["one"] == results["two"]


def test_reading_process_is_gone_afterwards(db, rules, fixture_file, in_background, monkeypatch):
    children = []

    def fork():
        pid = real_fork()
        children.append(pid)
        return pid

    real_fork = os.fork
    monkeypatch.setattr(os, "fork", fork)
    run(db, rules, fixture_file("hubspot_contacts.csv"))
    assert len(children) == 1
    with pytest.raises(ChildProcessError):  # exited and reaped: no zombie left
        os.waitpid(children[0], os.WNOHANG)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_reading_process_keeps_no_inherited_descriptors(
    db, rules, fixture_file, in_background, monkeypatch
):
    """A copy of the database socket in the child would keep the parent's transaction
    open after the parent is killed (PostgreSQL then blocks the re-run)."""
    real_validated = pipeline.validated

    def validated_noting_descriptors(path, options):
        messages = real_validated(path, options)
        yield next(messages)  # the layout
        descriptors = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
        yield pipeline.ValidatedBatch([], [([str(fd) for fd in descriptors], "fds")])
        yield from messages

    monkeypatch.setattr(pipeline, "validated", validated_noting_descriptors)
    options = pipeline.ReadOptions({}, "IN", "other", 100)
    with db.write() as session:
        session.connection()  # a database connection is open in the parent
        with pipeline.validated_in_background(fixture_file("plain.csv"), options) as read:
            rejects = [reject for batch in read.batches() for reject in batch.rejects]
    descriptors = next(cells for cells, reason in rejects if reason == "fds")
    # stdin, stdout, stderr, the pipe, and the one listdir itself opened.
    assert len(descriptors) <= 5, descriptors


def test_broken_csv_changes_nothing(db, rules, tmp_path, in_background):
    # The csv module's error comes at the end of the file: no batch may be written first.
    path = tmp_path / "broken.csv"
    lines = [f"Lead {i},98{i:08d}" for i in range(50)]
    oversized = "x" * 200_000  # past the csv module's field limit
    path.write_text("name,phone\n" + "\n".join(lines) + f"\n{oversized},9811122233\n")
    before = counts(db)
    with pytest.raises(UserError, match="broken.csv"):
        run(db, rules, path, batch_rows=5)
    assert counts(db) == before


def test_user_errors_come_through(db, rules, tmp_path, in_background):
    path = tmp_path / "odd.csv"
    path.write_text("Cliente,Cel\nMarta López,+34 612 34 56 78\n", encoding="utf-8")
    with pytest.raises(UserError, match="no phone column"):
        run(db, rules, path)


def test_a_crash_in_the_reading_process_is_raised(
    db, rules, fixture_file, in_background, monkeypatch
):
    def broken(self, cells, line):
        raise ZeroDivisionError("bug in validation")

    monkeypatch.setattr(RowReader, "read", broken)  # forked: the child has it too
    with pytest.raises(RuntimeError, match="bug in validation"):
        run(db, rules, fixture_file("hubspot_contacts.csv"))
    assert counts(db) == {"Lead": 0, "FollowUp": 0, "Event": 0}


def test_a_failed_fork_falls_back_to_one_process(
    db, rules, fixture_file, in_background, monkeypatch
):
    def fork():
        raise BlockingIOError("no more processes")

    monkeypatch.setattr(os, "fork", fork)
    result = run(db, rules, fixture_file("hubspot_contacts.csv"))
    assert (result.imported, result.merged, result.rejected) == EXPECTED["hubspot_contacts.csv"]
