"""A database the app creates has the columns the migrations build: names, order, types,
NOT NULL, defaults, keys, AUTOINCREMENT and every constraint, on both backends.

tests/store/test_store_db.py compares the indexes and what Alembic's compare_metadata
sees (types, nullability); this covers the rest of each table, so a table moved between
a SQLModel class and a Core `Table` (store/models.py) cannot change the schema unseen.
"""

from pathlib import Path

from sqlalchemy import text

from backends import drop_postgres, unmigrated_target
from callq.store.db import Database, database_url
from callq.store.migrate import upgrade

PG_COLUMNS = """
SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default
FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 3
"""
# Constraint names differ where a migration named a foreign key itself: compare the rest.
PG_CONSTRAINTS = """
SELECT conrelid::regclass::text, pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
"""


def _tables(database: Database) -> dict:
    with database.engine.connect() as connection:
        if database.is_sqlite:
            tables = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
            ).all()
            return {
                name: (
                    [tuple(c) for c in connection.exec_driver_sql(f'PRAGMA table_xinfo("{name}")')],
                    "AUTOINCREMENT" in sql,
                )
                for name, sql in tables
                if not name.startswith("sqlite_")
            }
        columns: dict = {}
        for table, *column in connection.execute(text(PG_COLUMNS)):
            columns.setdefault(table, []).append(tuple(column))
        constraints = sorted(tuple(row) for row in connection.execute(text(PG_CONSTRAINTS)))
        return {"columns": columns, "constraints": constraints}


def test_a_created_database_has_the_migrated_tables(tmp_path: Path, db, backend):
    target = unmigrated_target(backend, tmp_path)
    migrated = Database(database_url(target))
    try:
        upgrade(migrated)
        created = _tables(db)
        assert created == _tables(migrated)
        # The tables kept as Core `Table`s are there, ids never reused on SQLite.
        names = created if backend == "sqlite" else created["columns"]
        assert {"outbox", "dnc", "intake_key", "meta"} <= set(names)
        if backend == "sqlite":
            assert created["outbox"][1] and created["dnc"][1]
    finally:
        migrated.dispose()
        if backend != "sqlite":
            drop_postgres(target)
