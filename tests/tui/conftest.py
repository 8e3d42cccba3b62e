"""Fixtures for the TUI tests: a fixed clock and a small day of data on a tmp SQLite file."""

import pytest
from tests.tui.data import build_day

from callq.app import CallqApp, make_app


@pytest.fixture
def day(tmp_path):
    settings, db = build_day(tmp_path / "callq.db")
    yield settings, db
    db.dispose()


@pytest.fixture
def app(day) -> CallqApp:
    settings, db = day
    return make_app(settings, db=db, live=False)
