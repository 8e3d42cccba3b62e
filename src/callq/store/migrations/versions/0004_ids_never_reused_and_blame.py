"""Ids never reused; who owned a lead or follow-up at its deadline

SQLite gives a new row the largest id + 1 unless the table says AUTOINCREMENT, so after
an undo deleted the newest call (or follow-up), the next one took its id and the
timeline's `call_logged` / `outcome_undone` events pointed at another lead's row. The
lead, call and follow-up tables are rebuilt with AUTOINCREMENT (PostgreSQL's sequences
never hand out an id twice). The rebuild works on the stored DDL, so every column,
constraint and partial index stays exactly as it was.

A miss is the fault of whoever owned the work at its deadline. Reassigning after a
deadline records that owner: `lead.sla_owner_id` (the owner at the SLA deadline) and
`followup.deadline_owner_id` (the owner at due + late_after). NULL means "the current
owner", which is right until the work moves after its deadline. The report reads these
columns in its window scans, so the covering indexes of 0003 carry them too (without,
every row of a window was a table lookup again: ~20% on the 100k report).

Revision ID: 0004
Revises: 0003
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_REBUILT = ("lead", "call", "followup")
_PRIMARY_KEY = re.compile(r",\s*PRIMARY KEY \(id\)")
_ID_COLUMN = re.compile(r"\bid INTEGER NOT NULL\b(?! PRIMARY)")
_LEAD_COVER = ["created_at", "owner_id", "source", "timezone"]
_FOLLOWUP_COVER = ["due_at", "lead_id", "owner_id", "status", "completed_at", "created_at"]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("ALTER TABLE lead ADD COLUMN sla_owner_id INTEGER REFERENCES rep (id)")
        bind.exec_driver_sql(
            "ALTER TABLE followup ADD COLUMN deadline_owner_id INTEGER REFERENCES rep (id)"
        )
        for table in _REBUILT:
            _rebuild_with_autoincrement(bind, table)
    else:
        op.add_column("lead", sa.Column("sla_owner_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_lead_sla_owner", "lead", "rep", ["sla_owner_id"], ["id"])
        op.add_column("followup", sa.Column("deadline_owner_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_followup_deadline_owner", "followup", "rep", ["deadline_owner_id"], ["id"]
        )
    _cover(_LEAD_COVER + ["sla_owner_id"], _FOLLOWUP_COVER + ["deadline_owner_id"])


def _cover(lead_columns: list[str], followup_columns: list[str]) -> None:
    """The report's covering indexes over these columns."""
    op.drop_index("ix_lead_created_cover", table_name="lead")
    op.create_index("ix_lead_created_cover", "lead", lead_columns)
    op.drop_index("ix_followup_due_cover", table_name="followup")
    op.create_index("ix_followup_due_cover", "followup", followup_columns)


def _rebuild_with_autoincrement(bind, table: str) -> None:  # noqa: ANN001
    """CREATE the table again from its own DDL with `id ... AUTOINCREMENT`, copy, swap.

    Runs with foreign keys off (callq.store.migrate), so dropping the old table touches
    no child row; the caller checks PRAGMA foreign_key_check before committing.
    """
    ddl = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if "AUTOINCREMENT" in ddl.upper():
        return
    indexes = [
        row[0]
        for row in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL",
            (table,),
        )
    ]
    new_ddl, keys = _PRIMARY_KEY.subn("", ddl)
    new_ddl, ids = _ID_COLUMN.subn("id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT", new_ddl)
    if keys != 1 or ids != 1:
        raise RuntimeError(f"unexpected DDL for {table}: {ddl}")
    temporary = f"{table}__rebuild"
    new_ddl = re.sub(rf"^CREATE TABLE \"?{table}\"?", f'CREATE TABLE "{temporary}"', new_ddl)
    bind.exec_driver_sql(new_ddl)
    bind.exec_driver_sql(f'INSERT INTO "{temporary}" SELECT * FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for index in indexes:
        bind.exec_driver_sql(index)


def downgrade() -> None:
    # AUTOINCREMENT stays (harmless to older code); the blame columns go.
    _cover(_LEAD_COVER, _FOLLOWUP_COVER)
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.drop_column("deadline_owner_id")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_column("sla_owner_id")
