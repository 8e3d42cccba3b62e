"""Report rollups: hourly sums of calls and follow-ups, kept by triggers

`rollup_call_hour` and `rollup_followup_hour` (store.rollups) hold, per UTC hour, the
counts the report sums per rep and channel; triggers on call, followup and lead (its
source) keep them in the transaction of every write. The report reads a window's whole
hours from them and only its ragged edges from the rows: on the 100k-lead demo a week's
report read ~900,000 rows, now a few thousand rollup rows.

This migration creates both tables and the triggers, and fills the call rollup from the
existing calls. The follow-up rollup depends on `[team] late_after`, which the database
does not know: the first report builds it (`rollups.ensure_late_after`).

Revision ID: 0009
Revises: 0008
"""

from alembic import op

from callq.store import rollups

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in rollups.DERIVED_TABLES:
        table.create(bind)
    for statement in rollups.trigger_ddl(bind.dialect.name):
        bind.exec_driver_sql(statement)
    rollups.rebuild_sums(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in (
            "rollup_call_insert",
            "rollup_call_delete",
            "rollup_call_update",
            "rollup_followup_insert",
            "rollup_followup_delete",
            "rollup_followup_update",
            "rollup_lead_source",
        ):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for table, name in (("call", "rollup_call"), ("followup", "rollup_followup")):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}_row()")
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS rollup_lead_source ON lead")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS rollup_lead_source()")
    bind.exec_driver_sql(f"DELETE FROM meta WHERE key = '{rollups.LATE_AFTER_KEY}'")
    for table in reversed(rollups.DERIVED_TABLES):
        table.drop(bind)
