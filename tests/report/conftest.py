"""Fixtures of the report tests: a fresh database and the rules the history was built for."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from .history import build_history, report_rules


@pytest.fixture
def report_rules_fixture():  # noqa: ANN201
    return report_rules()


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator:
    from callq.store.db import open_database

    database = open_database(tmp_path / "report.db")
    yield database
    database.dispose()


@pytest.fixture
def history_db(empty_db, report_rules_fixture):  # noqa: ANN001, ANN201
    """The database with the known history; `history_db.ids` maps labels to lead ids."""
    empty_db.ids = build_history(empty_db, report_rules_fixture)
    return empty_db
