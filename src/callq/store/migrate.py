"""Applies Alembic migrations in one transaction (imported only when one is due)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from callq.store.db import Database, DatabaseError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(connection=None) -> Config:  # noqa: ANN001
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Migrate to `revision`; on any failure nothing is changed.

    SQLite: foreign keys go OFF for the migration (a batch table rebuild would otherwise
    fire ON DELETE actions on child rows) and are checked before the commit.
    """
    with database.engine.connect() as connection:
        # The pragma is a no-op inside a transaction and exec_driver_sql would autobegin
        # one (making the begin() below fail): set it on the DBAPI connection directly.
        raw = connection.connection.dbapi_connection
        if database.is_sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        connection = connection.execution_options(callq_write=True)
        try:
            with connection.begin():
                command.upgrade(alembic_config(connection), revision)
                if database.is_sqlite:
                    broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise DatabaseError(
                            f"migration would break {len(broken)} references; nothing changed"
                        )
        finally:
            if database.is_sqlite:
                raw.execute("PRAGMA foreign_keys=ON")
