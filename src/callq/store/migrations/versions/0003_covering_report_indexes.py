"""Report indexes: the window scans of calls, follow-ups and leads read no table rows

The leakage report counts a window's calls (by started_at) and follow-ups (by due_at):
~300k rows each at 100k leads. With indexes holding only the timestamp every row was
a table lookup; these replace them with indexes that carry every column the report
reads, so a window is one index range scan. The same for leads created in a window.
`first_touch_at` finds the uncontacted (NULL) and recently touched leads that the
unworked count, second touches and escalation look at, instead of scanning every lead.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_LEAD_COLUMNS = ["created_at", "owner_id", "source", "timezone"]
_CALL_COLUMNS = ["started_at", "lead_id", "rep_id", "connected", "outcome", "ended_at"]
_FOLLOWUP_COLUMNS = ["due_at", "lead_id", "owner_id", "status", "completed_at", "created_at"]


def upgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_created")
        batch_op.create_index("ix_lead_created_cover", _LEAD_COLUMNS, unique=False)
        batch_op.create_index("ix_lead_first_touch", ["first_touch_at"], unique=False)
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index("ix_call_started")
        batch_op.create_index("ix_call_started_cover", _CALL_COLUMNS, unique=False)
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_due")
        batch_op.create_index("ix_followup_due_cover", _FOLLOWUP_COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_due_cover")
        batch_op.create_index("ix_followup_due", ["due_at"], unique=False)
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index("ix_call_started_cover")
        batch_op.create_index("ix_call_started", ["started_at"], unique=False)
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_first_touch")
        batch_op.drop_index("ix_lead_created_cover")
        batch_op.create_index("ix_lead_created", ["created_at"], unique=False)
