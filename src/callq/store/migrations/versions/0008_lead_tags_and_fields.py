"""Lead tags and custom fields: lead.tags (a JSON list), lead.fields (a JSON object)

`callq edit` keeps a lead's free tags and the values of the custom fields `[fields]`
declares on the lead row itself, as JSON text (spelt by rules.fields). No query filters
or sorts by them, so neither a tag table nor an index is needed; every existing lead
gets none of either.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # ADD COLUMN in place: a batch rebuild would copy every lead (and fire cascades).
        bind.exec_driver_sql("ALTER TABLE lead ADD COLUMN tags VARCHAR DEFAULT '[]' NOT NULL")
        bind.exec_driver_sql("ALTER TABLE lead ADD COLUMN fields VARCHAR DEFAULT '{}' NOT NULL")
    else:
        for name, empty in (("tags", "[]"), ("fields", "{}")):
            op.add_column(
                "lead",
                sa.Column(
                    name, sqlmodel.sql.sqltypes.AutoString(), server_default=empty, nullable=False
                ),
            )


def downgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_column("fields")
        batch_op.drop_column("tags")
