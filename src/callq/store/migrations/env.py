"""Alembic environment: runs on the connection callq hands over, in its transaction."""

from alembic import context
from sqlmodel import SQLModel

from callq.store import models, rollups  # noqa: F401  (the tables)

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - callq always passes its connection
    raise RuntimeError("run migrations through callq.store.migrate")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: rebuild tables in batches
    transaction_per_migration=False,
)
context.run_migrations()
