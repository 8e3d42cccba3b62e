"""Rep availability and due escalations: rep.away_since / rep.away_until, a partial index

A rep marked away (`callq rep away NAME [--until EXPR]`) gets `away_since`; `away_until`
is when they are back (NULL: until `callq rep back`). Round-robin, routing and escalation
to "next" skip a rep whose away span covers `now` (rules.availability).

`ix_lead_escalation_due` holds only the leads escalation still has to look at (never
contacted, never escalated), by arrival: `callq escalate` runs every minute from `serve`
and every TUI, and without it each run walked every uncontacted lead, flagged or not.
A lead escalates at most once because escalating it sets `escalated_at`, which takes it
out of this index.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_DUE = sa.text("escalated_at IS NULL AND first_touch_at IS NULL")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # ADD COLUMN in place: a batch rebuild of rep is needless for two nullable columns.
        bind.exec_driver_sql("ALTER TABLE rep ADD COLUMN away_since DATETIME")
        bind.exec_driver_sql("ALTER TABLE rep ADD COLUMN away_until DATETIME")
    else:
        op.add_column(
            "rep", sa.Column("away_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        op.add_column(
            "rep", sa.Column("away_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.create_index(
        "ix_lead_escalation_due",
        "lead",
        ["created_at"],
        sqlite_where=_DUE,
        postgresql_where=_DUE,
    )


def downgrade() -> None:
    op.drop_index("ix_lead_escalation_due", table_name="lead")
    with op.batch_alter_table("rep", schema=None) as batch_op:
        batch_op.drop_column("away_until")
        batch_op.drop_column("away_since")
