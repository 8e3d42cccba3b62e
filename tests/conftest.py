"""Shared fixtures: the default rules, a real database per test, a fixed clock, the CLI."""

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backends import BACKENDS, PG_URL, drop_postgres, fresh_postgres_url

# Start-up caches (validated rules, phone formats) of the tests stay out of the user's.
os.environ.setdefault("CALLQ_CACHE_DIR", tempfile.mkdtemp(prefix="callq-test-cache-"))

# 2026-11-23 10:00 in Asia/Kolkata (the default team zone), a Monday inside business hours.
NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def rules():  # noqa: ANN201
    from callq.config.loading import load_default_rules

    return load_default_rules()


@pytest.fixture(scope="session")
def _db_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where test databases live: RAM (/dev/shm) when there is one.

    Every commit fsyncs (synchronous=FULL); on a disk that is most of a test's time and
    proves nothing a tmpfs file does not. Tests about files themselves use tmp_path.
    """
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        base = Path(tempfile.mkdtemp(prefix="callq-tests-", dir=shm))
        yield base
        shutil.rmtree(base, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("databases")


@pytest.fixture(scope="session")
def _template_db(_db_dir: Path) -> Path:
    """One empty database at head, created once; each test gets a copy (cheap)."""
    from callq.store.db import open_database

    path = _db_dir / "template.db"
    database = open_database(path)
    database.dispose()  # checkpoints the WAL into the main file
    return path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about SQLite files themselves (pragmas, raw locks, backups)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test on a database runs on SQLite and on PostgreSQL (when CALLQ_TEST_PG is set)."""
    if "backend" in metafunc.fixturenames:
        only_sqlite = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("backend", ["sqlite"] if only_sqlite else list(BACKENDS))


@pytest.fixture
def db_target(backend: str, _db_dir: Path, _template_db: Path) -> Iterator[str]:
    """What `--db`/CALLQ_DB names for this test: a fresh database at head.

    SQLite: a file (0600) copied from a template. PostgreSQL: a database cloned from a
    template database on the CALLQ_TEST_PG server (skipped when there is none).
    """
    if backend == "postgresql":
        if not PG_URL:
            pytest.skip("PostgreSQL: set CALLQ_TEST_PG (scripts/test starts a server)")
        url = fresh_postgres_url()
        yield url
        drop_postgres(url)
        return
    directory = Path(tempfile.mkdtemp(dir=_db_dir))
    path = directory / "callq.db"
    shutil.copyfile(_template_db, path)
    os.chmod(path, 0o600)
    yield str(path)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def db(db_target: str) -> Iterator:
    """The test's database, opened like every front end opens it."""
    from callq.store.db import open_database

    database = open_database(db_target)
    yield database
    database.dispose()


class CliRun:
    """Runs `callq ARGS` in-process with the test's database, clock, rep and rules."""

    def __init__(self, db_target: str, tmp_path: Path, now: datetime) -> None:
        self.env = {
            "CALLQ_DB": db_target,
            "CALLQ_NOW": now.isoformat(),
            "CALLQ_REP": "asha",
            "CALLQ_CONFIG": "",
            # Never read the developer's own callq.toml or data dir.
            "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
            "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
            "HOME": str(tmp_path / "home"),
            "COLUMNS": "200",
        }

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str | None = None):  # noqa: ANN204
        from typer.testing import CliRunner

        import callq.cli

        return CliRunner().invoke(
            callq.cli.app,
            [str(a) for a in args],
            env={**self.env, **(env or {})},
            input=input,
            catch_exceptions=True,
        )


@pytest.fixture
def cli(db_target: str, tmp_path: Path, now: datetime) -> Callable[..., object]:
    """`cli("add", "--name", ...)` -> click Result (`.exit_code`, `.stdout`, `.stderr`)."""
    return CliRun(db_target, tmp_path, now)


def dump_database(database) -> dict[str, list[tuple]]:  # noqa: ANN001
    """Every row of every table (and the schema stamp): equal dumps mean nothing changed."""
    from sqlalchemy import select, text
    from sqlmodel import SQLModel

    with database.engine.connect() as connection:
        rows = {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns)
                ).all()
            ]
            for table in SQLModel.metadata.sorted_tables
        }
        rows["alembic_version"] = [
            tuple(r) for r in connection.execute(text("SELECT * FROM alembic_version"))
        ]
    return rows


@pytest.fixture
def dump(db) -> Callable[[], dict[str, list[tuple]]]:  # noqa: ANN001
    """`before = dump()` ... `assert dump() == before`."""
    return lambda: dump_database(db)
