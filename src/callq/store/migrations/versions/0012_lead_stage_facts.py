"""A lead's stage facts (first qualifying call, the call after it, first converting call);
follow-ups by completion

lead.first_qualified_at, qualified_again_at, first_converted_at and converted_touch (the
converting call's number among the lead's calls), kept by triggers on call like the call
facts of 0010, with the outcomes the rules give the stages "qualified" and
"won" copied into rollup_outcome_stage. The report's qualified second touches and speed
to lead by touch read them instead of grouping a week of calls by lead (~0.4 s on the
100k demo). The mapping is the rules file's, which a migration does not know: the table
starts empty (no outcome converts, every fact NULL) and the first report fills it and
the facts (`rollups.ensure_outcome_stages`).

lead.sla_deadline_at and first_response_us keep what the report's leads part computed
with the business clock for every lead of a window (~0.3 s on the 100k demo): it now
computes them once, for new leads and those a trigger marked stale (their arrival,
timezone, source or first call changed); they start empty.

`ix_lead_closed_last_call` (closed leads by last call) gives the measured conversion
rate without reading every lead (~0.07 s).

`ix_followup_done_at` (done follow-ups by completion time) lets the previous window's
overdue count find the follow-ups done since its end without reading every older due
time (~0.1 s on the 100k demo).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from callq.store import rollups

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TIME = sqlmodel.sql.sqltypes.UTCDateTime
_CREATED = ["created_at", "owner_id", "source", "timezone", "sla_owner_id"]
_CALL_FACTS = ["first_call_at", "last_call_at", "call_count"]
# 0012's: the kept business times replace the timezone they are computed with.
_COVER = [
    "created_at",
    "owner_id",
    "source",
    "sla_owner_id",
    "first_call_at",
    "sla_deadline_at",
    "first_response_us",
    "last_call_at",
    "call_count",
    "first_converted_at",
    "converted_touch",
]
_DONE = "status = 'done'"
# models.LEAD_CLOSED and LEAD_TIMES_PENDING as of this revision
_CLOSED = "stage IN ('won', 'lost', 'cold', 'invalid', 'dnc')"
LEAD_TIMES_PENDING = (
    "sla_deadline_at IS NULL OR (first_call_at IS NOT NULL AND first_response_us IS NULL)"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # ADD COLUMN in place: a batch rebuild would copy every lead.
        for name, kind in (
            ("first_qualified_at", "DATETIME"),
            ("qualified_again_at", "DATETIME"),
            ("first_converted_at", "DATETIME"),
            ("converted_touch", "INTEGER"),
            ("sla_deadline_at", "DATETIME"),
            ("first_response_us", "BIGINT"),
        ):
            bind.exec_driver_sql(f"ALTER TABLE lead ADD COLUMN {name} {kind}")
    else:
        op.add_column("lead", sa.Column("first_qualified_at", _TIME(), nullable=True))
        op.add_column("lead", sa.Column("qualified_again_at", _TIME(), nullable=True))
        op.add_column("lead", sa.Column("first_converted_at", _TIME(), nullable=True))
        op.add_column("lead", sa.Column("converted_touch", sa.Integer(), nullable=True))
        op.add_column("lead", sa.Column("sla_deadline_at", _TIME(), nullable=True))
        op.add_column("lead", sa.Column("first_response_us", sa.BigInteger(), nullable=True))
    op.create_table(
        "rollup_outcome_stage",
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("outcome"),
    )
    op.drop_index("ix_lead_created_cover", table_name="lead")
    op.create_index("ix_lead_created_cover", "lead", _COVER)
    op.create_index(
        "ix_lead_closed_last_call",
        "lead",
        ["last_call_at", "stage"],
        sqlite_where=sa.text(_CLOSED),
        postgresql_where=sa.text(_CLOSED),
    )
    op.create_index(
        "ix_lead_times_pending",
        "lead",
        ["id"],
        sqlite_where=sa.text(LEAD_TIMES_PENDING),
        postgresql_where=sa.text(LEAD_TIMES_PENDING),
    )
    op.create_index(
        "ix_lead_first_qualified",
        "lead",
        ["first_qualified_at", "owner_id", "source", "qualified_again_at"],
    )
    op.create_index(
        "ix_followup_done_at",
        "followup",
        ["completed_at", "due_at", "created_at", "owner_id", "lead_id", "status"],
        sqlite_where=sa.text(_DONE),
        postgresql_where=sa.text(_DONE),
    )
    dialect = bind.dialect.name
    for statement in rollups.lead_stage_trigger_ddl(dialect) + rollups.lead_times_trigger_ddl(
        dialect
    ):
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS rollup_lead_stages_{name}")
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS rollup_lead_times_stale")
    else:
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS rollup_lead_stages ON call")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS rollup_lead_stages_row()")
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS rollup_lead_times_stale ON lead")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS rollup_lead_times_stale()")
    op.drop_index("ix_lead_times_pending", table_name="lead")
    op.drop_index("ix_lead_closed_last_call", table_name="lead")
    op.drop_index("ix_followup_done_at", table_name="followup")
    op.drop_index("ix_lead_first_qualified", table_name="lead")
    op.drop_index("ix_lead_created_cover", table_name="lead")
    op.create_index("ix_lead_created_cover", "lead", _CREATED + _CALL_FACTS)
    op.drop_table("rollup_outcome_stage")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        for name in (
            "first_response_us",
            "sla_deadline_at",
            "converted_touch",
            "first_converted_at",
            "qualified_again_at",
            "first_qualified_at",
        ):
            batch_op.drop_column(name)
