"""A lead's call facts: first call (start, outcome), second and last call's start, count

lead.first_call_at, first_call_outcome, second_call_at, last_call_at and call_count
describe the lead's calls in (started_at, id) order. Triggers on call keep them (in the
transaction of every insert, delete and move of a call); nothing in Python writes them.
The report reads them instead of looking up each lead's calls: first response, second
touches, "called again", the conversion rate's last call (store.report_queries).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from callq.store import rollups

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TIME = sqlmodel.sql.sqltypes.UTCDateTime
_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # ADD COLUMN in place: a batch rebuild would copy every lead.
        for name, kind in (
            ("first_call_at", "DATETIME"),
            ("first_call_outcome", "VARCHAR"),
            ("second_call_at", "DATETIME"),
            ("last_call_at", "DATETIME"),
        ):
            bind.exec_driver_sql(f"ALTER TABLE lead ADD COLUMN {name} {kind}")
        bind.exec_driver_sql("ALTER TABLE lead ADD COLUMN call_count INTEGER DEFAULT '0' NOT NULL")
    else:
        op.add_column("lead", sa.Column("first_call_at", _TIME(), nullable=True))
        op.add_column("lead", sa.Column("first_call_outcome", _TEXT(), nullable=True))
        op.add_column("lead", sa.Column("second_call_at", _TIME(), nullable=True))
        op.add_column("lead", sa.Column("last_call_at", _TIME(), nullable=True))
        op.add_column(
            "lead", sa.Column("call_count", sa.Integer(), server_default="0", nullable=False)
        )
    for statement in rollups.lead_call_trigger_ddl(bind.dialect.name):
        bind.exec_driver_sql(statement)
    rollups.refresh_lead_calls(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS rollup_lead_calls_{name}")
    else:
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS rollup_lead_calls ON call")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS rollup_lead_calls_row()")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        for name in ("call_count", "last_call_at", "second_call_at", "first_call_outcome"):
            batch_op.drop_column(name)
        batch_op.drop_column("first_call_at")
