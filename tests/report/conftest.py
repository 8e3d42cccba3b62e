"""Fixtures of the report tests: a fresh database on each backend and the history's rules."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from backends import BACKENDS, database_target, drop_postgres

from .history import build_history, report_rules


@pytest.fixture
def report_rules_fixture():  # noqa: ANN201
    return report_rules()


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator:
    """A fresh database: SQLite, and PostgreSQL when CALLQ_TEST_PG names a server."""
    from callq.store.db import open_database

    target = database_target(request.param, tmp_path)
    database = open_database(target)
    database.target = target
    yield database
    database.dispose()
    if request.param == "postgresql":
        drop_postgres(target)


@pytest.fixture
def history_db(empty_db, report_rules_fixture):  # noqa: ANN001, ANN201
    """The database with the known history; `history_db.ids` maps labels to lead ids."""
    empty_db.ids = build_history(empty_db, report_rules_fixture)
    return empty_db
