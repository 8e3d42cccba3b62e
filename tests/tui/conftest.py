"""Fixtures for the TUI tests: a fixed clock and a small day of data, on each backend."""

import pytest
from tests.tui.data import build_day

from callq.app import CallqApp, make_app


@pytest.fixture
def day(db_target):
    """SQLite, and PostgreSQL when CALLQ_TEST_PG is set (tests about the file: sqlite_only)."""
    settings, db = build_day(db_target)
    yield settings, db
    db.dispose()


@pytest.fixture
def app(day) -> CallqApp:
    settings, db = day
    return make_app(settings, db=db, live=False)
