"""Re-entry: `[cadence] reopen_after` brings leads that went cold that long ago back to
New, with a first-response follow-up and a `reopened` event (the end of the cadence is
not the end of the lead).

Run by `callq reopen` (a cron line) and by `callq serve`'s minute chores. Idempotent:
a reopened lead is no longer cold, and one that goes cold again waits the full time anew.
"""

from datetime import datetime

from callq.rules.model import Rules
from callq.rules.timeexpr import format_duration
from callq.services.leads import reopen_closed_lead
from callq.store import compliance_rows, queries
from callq.store.db import Database
from callq.store.outbox import emit, lead_fields
from callq.store.timeline import append_event

REOPENER = "callq"  # the actor of a reopening no rep asked for


def reopen_cold_leads(db: Database, rules: Rules, *, now: datetime) -> list[int]:
    """Reopen every lead cold for `reopen_after` or longer; returns their ids."""
    after = rules.cadence.reopen_after
    if after is None:
        return []
    with db.write() as session:
        ids = compliance_rows.cold_before(session.connection(), now - after)
        if not ids:
            return []
        actor = queries.ensure_rep(session, REOPENER)
        for lead_id in ids:
            lead = queries.lock_lead(session, lead_id)
            if lead is None or lead.stage != "cold":
                continue
            due = reopen_closed_lead(
                session,
                rules,
                lead,
                source=lead.source,
                now=now,
                actor_id=actor.id,
                reason="reopen_after",
                stage="new",
            )
            append_event(
                session,
                lead_id=lead.id,
                at=now,
                type="reopened",
                rep_id=actor.id,
                after=f"cold for {format_duration(after)}",
                due_at=due,
            )
            emit(
                session,
                rules.hooks,
                type="lead_reopened",
                at=now,
                changes=[(lead.id, lead_fields(lead))],
            )
    return ids
