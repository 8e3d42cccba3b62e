"""Escalation flags: a lead still uncontacted at `rules.queue.lead_escalation_at` is flagged."""

from datetime import datetime

from sqlmodel import select

from callq.rules.hours import BusinessClock, zone
from callq.rules.model import Rules
from callq.rules.queue import lead_escalation_at
from callq.services.common import lead_sla_deadline
from callq.store import report_queries as q
from callq.store.db import Database
from callq.store.models import Lead
from callq.store.outbox import emit
from callq.store.timeline import append_event


def flag_escalations(db: Database, rules: Rules, now: datetime) -> int:
    """Flag every lead due for escalation at `now`; returns how many were newly flagged.

    Idempotent: a flagged lead keeps its `escalated_at` (the instant it became escalated)
    and gets exactly one `escalated` event. The report, the Summary screen and the queue
    refresh call it, so the flag appears wherever a team lead or the owner looks.
    """
    # Business time never runs faster than the clock, so a lead created later than this
    # cannot have reached its escalation point yet: a cheap filter before the exact one.
    shortest = min((*rules.sla.by_channel.values(), rules.sla.default)) + rules.sla.escalate_after
    candidates = _due(db, rules, now, now - shortest)
    if not candidates:
        return 0
    flagged = 0
    with db.write() as session:
        for lead_id, escalate_at in candidates:
            lead = session.exec(
                select(Lead).where(
                    Lead.id == lead_id,
                    Lead.escalated_at.is_(None),
                    Lead.first_touch_at.is_(None),
                )
            ).first()
            if lead is None:  # contacted or flagged meanwhile
                continue
            lead.escalated_at = escalate_at
            session.add(lead)
            append_event(
                session,
                lead_id=lead.id,
                at=now,
                type="escalated",
                escalate_at=escalate_at,
                sla_deadline=lead_sla_deadline(lead, rules),
            )
            change = {"escalate_at": escalate_at, "sla_deadline": lead_sla_deadline(lead, rules)}
            emit(session, rules.hooks, type="lead_escalated", at=now, changes=[(lead.id, change)])
            flagged += 1
    return flagged


def _due(db: Database, rules: Rules, now: datetime, created_before: datetime) -> list:
    with db.engine.connect() as connection:
        rows = q.escalation_candidates(connection, created_before)
    if not rows:
        return []
    oldest = min(row[3] for row in rows)
    clocks: dict[str, BusinessClock] = {}
    due = []
    for lead_id, source, tz_name, created_at in rows:
        tz_name = tz_name or rules.team.timezone
        clock = clocks.get(tz_name)
        if clock is None:
            clock = clocks[tz_name] = BusinessClock(rules.hours, zone(tz_name), oldest, now)
        escalate_at = lead_escalation_at(
            rules, source=source, created_at=created_at, tz=clock.tz, clock=clock
        )
        if escalate_at <= now:
            due.append((lead_id, escalate_at))
    return due
