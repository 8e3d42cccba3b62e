"""Copy every callq row from one database to another (SQLite -> PostgreSQL and back).

Used to put the demo on a PostgreSQL server, and by `callq copy` when a team moves from
one SQLite file to a shared server. The target must be at the same schema and empty.
"""

from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from callq.errors import UserError
from callq.store import rollups
from callq.store.db import Database
from callq.store.models import Lead

BATCH = 5000


def is_empty(database: Database) -> bool:
    with database.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Lead.__table__)).scalar() == 0


def clear(database: Database) -> None:
    """Delete every row (children first): only for replacing a demo."""
    with database.engine.connect().execution_options(callq_write=True) as connection:
        with connection.begin():
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())


def copy_rows(source: Database, target: Database, *, snapshot: bool = False) -> dict[str, int]:
    """All rows of every table, parents first, in one target transaction; ids are kept.

    The reads share one transaction; `snapshot` makes it REPEATABLE READ on PostgreSQL,
    so a backup of a live database sees one consistent moment while others write.
    """
    if not is_empty(target):
        raise UserError("the target database already holds leads; copy into an empty one")
    counts = {}
    reading = source.engine.connect()
    if snapshot and not source.is_sqlite:
        reading = reading.execution_options(isolation_level="REPEATABLE READ")
    with (
        reading as reader,
        target.engine.connect().execution_options(callq_write=True) as writer,
    ):
        with writer.begin(), rollups.suspended(writer):
            for table in SQLModel.metadata.sorted_tables:
                if table in rollups.DERIVED_TABLES:
                    continue  # rebuilt from the copied rows as the triggers come back
                writer.execute(table.delete())  # e.g. the meta rows of a fresh database
                rows = reader.execution_options(yield_per=BATCH).execute(select(table))
                copied = 0
                for batch in rows.mappings().partitions(BATCH):
                    writer.execute(table.insert(), [dict(row) for row in batch])
                    copied += len(batch)
                counts[table.name] = copied
            if not target.is_sqlite:
                _reset_sequences(writer)
    return counts


def _reset_sequences(connection) -> None:  # noqa: ANN001
    """Rows came with their ids: move each id sequence past the largest one."""
    for table in SQLModel.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.autoincrement:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
