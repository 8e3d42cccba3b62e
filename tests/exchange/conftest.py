"""Fixtures for the exchange tests: a fresh database, the default rules, a fixed clock."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callq.config.loading import load_rules
from callq.store.db import open_database

FIXTURES = Path(__file__).parent / "fixtures"
# Monday 10:00 in Kolkata: inside business hours, so first-response deadlines are simple.
NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)


@pytest.fixture
def rules():
    return load_rules(None)


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "callq.db")
    yield database
    database.dispose()


@pytest.fixture
def fixture_file(tmp_path):
    """A copy of a fixture in tmp_path (imports write FILE.rejects.csv beside it)."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copy(FIXTURES / name, target)
        return target

    return copy


@pytest.fixture
def cli_env(tmp_path, monkeypatch, db_target):
    """Environment for `callq` subprocesses and CliRunner: own db (each backend), no config."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CALLQ_CONFIG", raising=False)
    env = {
        "CALLQ_DB": db_target,
        "CALLQ_NOW": NOW.isoformat(),
        "CALLQ_REP": "admin",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
