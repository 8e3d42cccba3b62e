"""SPEC section 10 through the CLI: a clear message on stderr, exit 2, and nothing changed."""

from pathlib import Path

import pytest
from sqlalchemy import text


def refused(result, code: int = 2) -> str:  # noqa: ANN001
    """The command failed cleanly: the exit code, one `callq...` message, no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.stderr.startswith("callq"), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return result.stderr


@pytest.fixture
def lead(db, rules, now) -> None:  # noqa: ANN001
    """Lead 1 (web, asha's) with one call logged (through the services: cheaper than the CLI)."""
    from callq.services.leads import NewLead, add_lead
    from callq.services.outcomes import log_outcome

    new = NewLead(name="Asha", phone="9876543210", source="web")
    assert add_lead(db, rules, new, now=now, rep="asha").lead_id == 1
    log_outcome(db, rules, "1", "no_answer", rep="asha", now=now)


BAD_CONFIG = '[team]\ntimezone = "Asia/Kolkata"\nreps = "asha"\n'


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["log", "1", "maybe"], {}, "unknown outcome 'maybe'"),
        (["log", "1", "0"], {}, "unknown outcome '0'"),
        (["log", "1", "callback"], {}, "needs a callback time"),
        (["log", "1", "callback", "--callback", "whenever"], {}, "whenever"),
        (["log", "1", "callback", "--callback", "yesterday 3pm"], {}, "yesterday"),
        (["log", "1", "callback", "--callback", "today 9am"], {}, "past"),
        (["log", "1", "4", "--callback", "2026-11-20 10:00"], {}, "past"),
        (["log", "1", "busy", "--at", "2026-11-23T12:00"], {}, "future"),
        (["log", "1", "busy", "--at", "noonish"], {}, "--at"),
        (["log", "42", "busy"], {}, "no lead with id 42"),
        (["log", "+14155550123", "busy"], {}, "no lead with phone +14155550123"),
        (["log", "987654", "busy"], {}, "neither a lead id nor a phone number"),
        (["reschedule", "1", "in a bit"], {}, "Did not understand"),
        (["reschedule", "1", "2026-11-22 10:00"], {}, "past"),
        (["reschedule", "7", "in 2h"], {}, "no lead with id 7"),
        (["note", "7", "hello"], {}, "no lead with id 7"),
        (["note", "1", "  "], {}, "empty"),
        (["show", "7"], {}, "no lead with id 7"),
        (["add", "--name", "X", "--phone", "12345"], {}, "not a valid phone number"),
        (["add", "--name", "X", "--phone", "abc"], {}, "not a phone number"),
        (["add", "--name", "X", "--phone", "9876543219", "--source", "fax"], {}, "unknown source"),
        (["add", "--name", "X", "--phone", "9876543219", "--tz", "Mars/Base"], {}, "timezone"),
        (["queue"], {"CALLQ_NOW": "tomorrowish"}, "not an ISO 8601 time"),
        (["log", "1", "busy"], {"CALLQ_NOW": "2026-13-45T10:00"}, "not an ISO 8601 time"),
        (["--now", "later", "add", "--name", "X", "--phone", "9876543219"], {}, "--now"),
        (["log", "1", "busy"], {"CALLQ_CONFIG": "{missing}"}, "no such file"),
        (["log", "1", "busy"], {"CALLQ_CONFIG": "{bad}"}, "callq.toml:3: team.reps:"),
        (["add", "--name", "X", "--phone", "9876543219"], {"CALLQ_CONFIG": "{bad}"}, ":3:"),
        (["rules", "show"], {"CALLQ_CONFIG": "{bad}"}, ":3: team.reps"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    cli, dump, lead, tmp_path: Path, args, env, message
):
    bad = tmp_path / "callq.toml"
    bad.write_text(BAD_CONFIG)
    env = {k: v.format(missing=tmp_path / "nope.toml", bad=bad) for k, v in env.items()}
    before = dump()
    stderr = refused(cli(*args, env=env))
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1  # one clear line
    assert dump() == before


def test_a_database_from_a_newer_callq(cli, db, dump, lead):
    with db.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    before = dump()
    for args in (["log", "1", "busy"], ["queue"], ["show", "1"]):
        assert "newer callq" in refused(cli(*args))
    assert "newer callq" in refused(cli("doctor"), code=1)
    assert dump() == before


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b"SQLite format 3\0"])
def test_a_corrupt_database_file(cli, tmp_path: Path, content: bytes):
    path = tmp_path / "corrupt.db"
    path.write_bytes(content)
    env = {"CALLQ_DB": str(path)}
    refused(cli("doctor", env=env), code=1)
    refused(cli("queue", env=env))
    refused(cli("log", "1", "busy", env=env))
    assert path.read_bytes() == content


@pytest.mark.sqlite_only
def test_corrupt_pages_are_found_by_doctor(cli, db, lead):
    import sqlite3

    path = Path(db.path)
    db.dispose()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every row in the main file
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * page_size
    data[page_size:] = b"\xff" * (len(data) - page_size)  # keep the header and schema page
    path.write_bytes(bytes(data))
    refused(cli("doctor"), code=1)


def test_doctor_on_a_missing_database_creates_nothing(cli, tmp_path: Path):
    path = tmp_path / "absent.db"
    refused(cli("doctor", env={"CALLQ_DB": str(path)}), code=1)
    assert not path.exists()


@pytest.mark.sqlite_only
def test_a_locked_database_waits_then_says_so(cli, db, lead, dump, monkeypatch):
    import sqlite3

    import callq.store.db as store_db

    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = dump()
        stderr = refused(cli("log", "1", "busy"))
        assert "locked" in stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert dump() == before
