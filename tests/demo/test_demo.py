"""The demo database: quick to build, invariant kept, every channel, a full queue, replaceable."""

import sqlite3
import time

import phonenumbers
import pytest

from callq.demo.build import build_demo, demo_marker
from callq.errors import UserError
from callq.rules.model import CHANNELS
from callq.services.doctor import check
from callq.services.queue import QueueReader
from callq.store.db import open_database


@pytest.fixture
def built(tmp_path, rules, now):  # noqa: ANN001, ANN201
    path = tmp_path / "demo.db"
    started = time.perf_counter()
    stats = build_demo(path, rules, now=now, leads=200)
    return stats, time.perf_counter() - started


def _rows(path, sql: str) -> list[tuple]:  # noqa: ANN001
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_a_small_demo_is_quick_and_passes_doctor(built) -> None:  # noqa: ANN001
    stats, seconds = built
    assert seconds < 5
    assert (stats.leads, stats.calls) == (200, 800)
    db = open_database(stats.path)
    try:
        report = check(db)
    finally:
        db.dispose()
    assert report.ok, report.problems
    assert report.facts["leads"] == 200 and report.facts["calls"] == 800
    assert (stats.path.stat().st_mode & 0o777) == 0o600


def test_every_channel_several_reps_and_valid_phones(built) -> None:  # noqa: ANN001
    stats, _ = built
    sources = {r[0] for r in _rows(stats.path, "SELECT DISTINCT source FROM lead")}
    assert sources == set(CHANNELS)
    callers = _rows(stats.path, "SELECT COUNT(DISTINCT rep_id) FROM call")[0][0]
    assert callers >= 3
    assert {"asha", "ben", "chen", "dana"} <= set(stats.reps)
    phones = [r[0] for r in _rows(stats.path, "SELECT phone FROM lead")]
    assert len(set(phones)) == len(phones)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones)
    assert any(not p.startswith("+91") for p in phones)  # some international leads


def test_followups_match_the_history(built) -> None:  # noqa: ANN001
    stats, _ = built
    # Every done follow-up was completed by a call of its lead, at that call's time.
    bad = _rows(
        stats.path,
        "SELECT f.id FROM followup f LEFT JOIN call c ON c.id = f.completed_by_call_id "
        "WHERE f.status = 'done' AND (c.lead_id IS NOT f.lead_id OR c.ended_at != f.completed_at)",
    )
    assert bad == []
    # Calls per lead match the call_logged events; stage changes are on the timeline.
    mismatched = _rows(
        stats.path,
        "SELECT l.id FROM lead l WHERE (SELECT COUNT(*) FROM call c WHERE c.lead_id = l.id) != "
        "(SELECT COUNT(*) FROM event e WHERE e.lead_id = l.id AND e.type = 'call_logged')",
    )
    assert mismatched == []
    closed = _rows(stats.path, "SELECT COUNT(*) FROM lead WHERE stage IN ('won', 'lost')")[0][0]
    assert closed > 0


def test_the_first_reps_queue_has_every_section(built, rules, now) -> None:  # noqa: ANN001
    stats, _ = built
    db = open_database(stats.path)
    try:
        counts = QueueReader(db, rules, rep=stats.first_rep, now=now).counts()
        new = QueueReader(db, rules, rep=stats.first_rep, now=now).page("new", limit=200)
    finally:
        db.dispose()
    assert all(counts[s] > 0 for s in ("new", "overdue", "today", "upcoming")), counts
    assert any(item.late_minutes > 0 for item in new)  # breached first responses
    assert any(item.escalated for item in new)


def test_rebuilding_replaces_the_demo(tmp_path, rules, now) -> None:  # noqa: ANN001
    path = tmp_path / "demo.db"
    build_demo(path, rules, now=now, leads=50, seed=1)
    stats = build_demo(path, rules, now=now, leads=30, calls=60, seed=2)
    assert _rows(path, "SELECT COUNT(*) FROM lead")[0][0] == 30
    assert _rows(path, "SELECT COUNT(*) FROM call")[0][0] == 60
    assert demo_marker(path)["seed"] == 2
    assert stats.leads == 30


def test_a_database_with_real_leads_is_never_replaced(db_target, db, rules, now) -> None:  # noqa: ANN001
    from callq.services.leads import NewLead, add_lead

    add_lead(db, rules, NewLead(name="Real", phone="9876543210"), now=now, rep="asha")
    with pytest.raises(UserError, match="real leads"):
        build_demo(db_target, rules, now=now, leads=10)
    assert check(db).facts["leads"] == 1  # the real lead is still there, alone


def test_an_empty_database_may_become_a_demo(db_target, rules, now) -> None:  # noqa: ANN001
    stats = build_demo(db_target, rules, now=now, leads=10, calls=0)
    assert stats.open_followups == 10  # untouched leads: one first response each


def test_cli_demo_prints_a_summary_and_the_queue(cli, tmp_path) -> None:  # noqa: ANN001
    target = tmp_path / "cli-demo.db"
    result = cli("--db", str(target), "demo", "--leads", "60", "--no-tui")
    assert result.exit_code == 0, result.output
    assert "demo: 60 leads, 240 calls" in result.output
    assert "Queue of asha" in result.output


def test_worker_processes_build_the_same_demo(tmp_path, rules, now, monkeypatch) -> None:  # noqa: ANN001
    """Chunks are independent (ids derive from call counts), so parallel == serial."""
    import callq.demo.build

    monkeypatch.setattr(callq.demo.build, "CHUNK_LEADS", 100)
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    build_demo(serial, rules, now=now, leads=400, calls=1200, workers=1)
    build_demo(parallel, rules, now=now, leads=400, calls=1200, workers=2)
    for sql in (
        "SELECT * FROM lead ORDER BY id",
        "SELECT * FROM call ORDER BY id",
        "SELECT * FROM followup ORDER BY id",
        "SELECT * FROM event ORDER BY id",
    ):
        assert _rows(serial, sql) == _rows(parallel, sql)


def test_the_demo_builds_on_every_backend_and_replaces_itself(db_target, rules, now) -> None:  # noqa: ANN001
    for leads in (120, 80):  # the second build replaces the first
        stats = build_demo(db_target, rules, now=now, leads=leads)
        db = open_database(stats.target)
        try:
            report = check(db)
            counts = QueueReader(db, rules, rep=stats.first_rep, now=now).counts()
        finally:
            db.dispose()
        assert report.ok, report.problems
        assert report.facts["leads"] == leads
        assert all(counts[s] > 0 for s in ("new", "overdue", "today", "upcoming")), counts
