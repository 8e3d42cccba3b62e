"""Covering indexes over the leads' call facts for the report

`ix_lead_created_cover` (the leads created in a window) gains first_call_at,
last_call_at and call_count, and `ix_lead_first_call` holds the leads by their first
call with its outcome and the second call's start: first response, speed to lead and
second touches then read an index and no lead rows (~0.1 s each on the 100k demo). The
price: a call rewrites its lead's entry in the first (its count and last call change).

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_CREATED = ["created_at", "owner_id", "source", "timezone", "sla_owner_id"]
_FACTS = ["first_call_at", "last_call_at", "call_count"]


def upgrade() -> None:
    op.drop_index("ix_lead_created_cover", table_name="lead")
    op.create_index("ix_lead_created_cover", "lead", _CREATED + _FACTS)
    op.create_index(
        "ix_lead_first_call",
        "lead",
        ["first_call_at", "first_call_outcome", "second_call_at", "owner_id", "source"],
    )


def downgrade() -> None:
    op.drop_index("ix_lead_first_call", table_name="lead")
    op.drop_index("ix_lead_created_cover", table_name="lead")
    op.create_index("ix_lead_created_cover", "lead", _CREATED)
