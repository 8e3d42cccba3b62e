"""Faults: a locked database, a server that goes away, hostile input to the parsers."""

import contextlib
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends import PG_URL, drop_postgres, fresh_postgres_url
from callq.config.loading import load_default_rules
from callq.errors import UserError
from callq.phones import PhoneError, normalise_phone
from callq.services.doctor import check
from callq.services.leads import NewLead, add_lead, show_lead
from callq.services.outcomes import log_outcome
from callq.store.db import DatabaseError, open_database

NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)


def _cli(db: str, *args: str, timeout_ms: int = 300) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CALLQ_DB": db,
        "CALLQ_NOW": NOW.isoformat(),
        "CALLQ_CONFIG": "",
        "CALLQ_BUSY_TIMEOUT_MS": str(timeout_ms),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    return subprocess.run(
        [sys.executable, "-m", "callq", "--rep", "asha", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_database_locked_too_long_is_reported_and_nothing_changes(tmp_path) -> None:  # noqa: ANN001
    path = str(tmp_path / "callq.db")
    db = open_database(path)
    add_lead(
        db, load_default_rules(), NewLead(name="Ravi", phone="+919876500001"), now=NOW, rep="asha"
    )
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        result = _cli(path, "log", "1", "busy")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 2
    assert "locked by another callq process" in result.stderr
    assert "Traceback" not in result.stderr
    assert show_lead(db, load_default_rules(), "1").calls == 0
    assert _cli(path, "log", "1", "busy").returncode == 0  # and it works once released


def test_an_unknown_database_url_is_a_clear_error(tmp_path) -> None:  # noqa: ANN001
    result = _cli("postgresql+psycopg://nobody@127.0.0.1:1/none", "queue")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("callq:")


@pytest.mark.skipif(not PG_URL, reason="needs CALLQ_TEST_PG")
def test_postgres_connection_lost_mid_session_recovers() -> None:
    import psycopg

    url = fresh_postgres_url()
    try:
        rules = load_default_rules()
        db = open_database(url)
        add_lead(db, rules, NewLead(name="Ravi", phone="+919876500001"), now=NOW, rep="asha")
        name = url.rpartition("/")[2]
        admin = psycopg.connect(
            PG_URL.replace("+psycopg", "").rpartition("/")[0] + "/postgres", autocommit=True
        )
        # The server drops every callq connection (a restart, a network blip).
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        admin.close()
        # The next command reconnects by itself (pool pre-ping) and nothing was lost.
        result = log_outcome(db, rules, "1", "busy", rep="asha", now=NOW)
        assert result.stage == "new"
        assert show_lead(db, rules, "1").calls == 1
        assert check(db).ok
        db.dispose()
    finally:
        drop_postgres(url)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_phone_normalisation_never_crashes(raw: str) -> None:
    try:
        e164 = normalise_phone(raw, "IN")
    except PhoneError as error:
        assert str(error)
    else:
        assert e164.startswith("+") and e164[1:].isdigit()
        assert normalise_phone(e164, "US") == e164  # idempotent whatever the region


@settings(max_examples=200, deadline=None)
@given(ref=st.text(alphabet="0123456789 +-().#", max_size=20))
def test_lead_references_never_crash(ref: str, tmp_path_factory) -> None:  # noqa: ANN001
    db = _shared_db(tmp_path_factory)
    with contextlib.suppress(UserError, DatabaseError):
        show_lead(db, load_default_rules(), ref)


_db_cache: dict = {}


def _shared_db(factory):  # noqa: ANN001, ANN202
    if "db" not in _db_cache:
        db = open_database(str(factory.mktemp("refs") / "callq.db"))
        add_lead(
            db,
            load_default_rules(),
            NewLead(name="Ravi", phone="+919876500001"),
            now=NOW,
            rep="asha",
        )
        _db_cache["db"] = db
    return _db_cache["db"]
