"""Do-not-call list and message touches: the dnc table, call.channel, followup.channel/template

`dnc` is the number-level do-not-call list. A listing is a row with no `removed_at`
(a partial unique index keeps one live listing a number); removing a number stamps the
row instead of deleting it, so who listed or released a number, when and why, stays.

`call.channel` is the touch's channel ("call" for every existing row); the report counts
touches per channel from its covering index, which therefore carries the column.
`followup.channel` / `followup.template` name a cadence touch to be sent as a message
(NULL: a call), so the queue can show it without reading the rules.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_LISTED = sa.text("removed_at IS NULL")
_CALL_COVER = ["started_at", "lead_id", "rep_id", "connected", "outcome", "ended_at"]


def upgrade() -> None:
    op.create_table(
        "dnc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("removed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("removed_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("removed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ux_dnc_listed",
        "dnc",
        ["phone"],
        unique=True,
        sqlite_where=_LISTED,
        postgresql_where=_LISTED,
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # ADD COLUMN in place: a batch rebuild would copy every call and follow-up.
        bind.exec_driver_sql("ALTER TABLE call ADD COLUMN channel VARCHAR DEFAULT 'call' NOT NULL")
        bind.exec_driver_sql("ALTER TABLE followup ADD COLUMN channel VARCHAR")
        bind.exec_driver_sql("ALTER TABLE followup ADD COLUMN template VARCHAR")
    else:
        op.add_column(
            "call",
            sa.Column(
                "channel",
                sqlmodel.sql.sqltypes.AutoString(),
                server_default="call",
                nullable=False,
            ),
        )
        op.add_column(
            "followup", sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        op.add_column(
            "followup", sa.Column("template", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    _cover(_CALL_COVER + ["channel"])


def _cover(call_columns: list[str]) -> None:
    """The report's covering index of calls over these columns."""
    op.drop_index("ix_call_started_cover", table_name="call")
    op.create_index("ix_call_started_cover", "call", call_columns)


def downgrade() -> None:
    _cover(_CALL_COVER)
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.drop_column("template")
        batch_op.drop_column("channel")
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_column("channel")
    op.drop_index("ux_dnc_listed", table_name="dnc")
    op.drop_table("dnc")
