"""Test databases on both backends: a SQLite file, or a fresh PostgreSQL database.

PostgreSQL runs when CALLQ_TEST_PG names a server (scripts/test starts a throwaway one);
each test gets its own database cloned from a template that already holds the schema,
so a PostgreSQL test costs about as much as a SQLite one.
"""

import os
import uuid
from pathlib import Path

import pytest

PG_URL = os.environ.get("CALLQ_TEST_PG", "")
BACKENDS = ("sqlite", "postgresql")
_template: dict[str, str] = {}


def _admin_connect():  # noqa: ANN202
    import psycopg

    url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True)


def _with_database(name: str) -> str:
    base, _, _ = PG_URL.rpartition("/")
    return f"{base}/{name}"


def _template_name() -> str:
    """One template per test worker, made once: the head schema, no rows."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if worker not in _template:
        from callq.store.db import open_database

        name = f"callq_tpl_{worker}_{uuid.uuid4().hex[:8]}"
        with _admin_connect() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        open_database(_with_database(name)).dispose()
        _template[worker] = name
    return _template[worker]


def fresh_postgres_url(*, empty: bool = False) -> str:
    """A new database at head (cloned from the template), or `empty` with no tables."""
    name = f"callq_t_{uuid.uuid4().hex[:12]}"
    template = "template0" if empty else _template_name()
    with _admin_connect() as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return _with_database(name)


def drop_postgres(url: str) -> None:
    name = url.rpartition("/")[2]
    with _admin_connect() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_target(backend: str, tmp_path: Path) -> str:
    """A fresh, empty database for one test: a file path or a PostgreSQL URL."""
    if backend == "sqlite":
        return str(tmp_path / "callq.db")
    if not PG_URL:
        pytest.skip("PostgreSQL: set CALLQ_TEST_PG (scripts/test starts a server)")
    return fresh_postgres_url()


def unmigrated_target(backend: str, tmp_path: Path) -> str:
    """An empty database with no tables (for migrating from scratch): a private file or a
    fresh PostgreSQL database."""
    if backend == "sqlite":
        path = tmp_path / "migrated.db"
        path.touch(mode=0o600)
        return str(path)
    return fresh_postgres_url(empty=True)
