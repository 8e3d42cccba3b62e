"""Escalations: a lead still uncontacted at `rules.queue.lead_escalation_at` escalates, once.

`escalate_due` is the one function `callq escalate`, `callq serve`'s minute chores, a
running TUI (once a minute) and the report call. By `[escalation] action` it flags the
lead (`escalated_at`, an `escalated` event) or also moves it, with its open follow-up,
to the next available rep, a named rep or the pool (`reassigned` event; the owner at the
SLA deadline stays recorded for blame, as every move records it). After the commit,
`[escalation] notify` (apprise URLs) and `command` hear of what escalated.
"""

import json
import subprocess
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from callq.rules.hours import BusinessClock, zone
from callq.rules.model import Rules
from callq.rules.queue import lead_escalation_at
from callq.services.common import lead_sla_deadline
from callq.services.lead_times import kept_times_current
from callq.services.reassign import move_leads, reassigned_events
from callq.services.routing import Rotations
from callq.store import queries
from callq.store import report_queries as q
from callq.store.db import Database
from callq.store.models import Lead
from callq.store.outbox import emit
from callq.store.timeline import append_event

NOTIFY_TIMEOUT_SECONDS = 30
_CHUNK = 500


@dataclass(frozen=True)
class Escalated:
    """One lead this run escalated: `to_rep` None after a move is the pool."""

    lead_id: int
    name: str
    from_rep: str | None
    to_rep: str | None
    moved: bool


@dataclass(frozen=True)
class EscalationRun:
    escalated: tuple[Escalated, ...] = ()
    notify_problems: tuple[str, ...] = ()  # notifications that failed (the escalation stands)


def escalate_due(
    db: Database, rules: Rules, now: datetime, *, notify: bool = True
) -> EscalationRun:
    """Apply every escalation due at `now`, each lead at most once, ever.

    Escalating sets `escalated_at`, which the candidates' query excludes. Two runs at once
    escalate each lead once: on SQLite the write transaction holds the one write lock
    while it re-reads the candidates; on PostgreSQL it locks them (`FOR UPDATE SKIP
    LOCKED`, so a parallel run skips the rows this one holds) and re-reads them locked.
    """
    # Business time never runs faster than the clock, so a lead created later than this
    # cannot have reached its escalation point yet: a cheap filter before the exact one.
    shortest = min((*rules.sla.by_channel.values(), rules.sla.default)) + rules.sla.escalate_after
    candidates = dict(_due(db, rules, now, now - shortest))
    if not candidates:
        return EscalationRun()
    with db.write() as session:
        leads = []
        ids = sorted(candidates)
        for start in range(0, len(ids), _CHUNK):  # SQLite caps bound parameters
            statement = (
                select(Lead)
                .where(
                    Lead.id.in_(ids[start : start + _CHUNK]),
                    Lead.escalated_at.is_(None),
                    Lead.first_touch_at.is_(None),
                )
                .order_by(Lead.id)
                .with_for_update(skip_locked=True)
            )
            leads.extend(session.execute(statement).scalars())
        escalated = _apply(session, rules, leads, candidates, now)
    problems = _notify(rules, escalated) if notify and escalated else ()
    return EscalationRun(tuple(escalated), problems)


def _apply(session, rules: Rules, leads: list, candidates: dict, now: datetime) -> list:  # noqa: ANN001
    """Flag each lead; with action = "reassign", move it where rules.routing says."""
    moving = rules.escalation.action == "reassign"
    owner_ids = {lead.owner_id for lead in leads if lead.owner_id is not None}
    names = queries.rep_names(session, owner_ids) if owner_ids else {}
    rotations = Rotations(session, rules, now) if moving else None
    targets: dict[tuple[str | None, str | None], list[int]] = {}
    escalated = []
    for lead in leads:
        escalate_at, owner = candidates[lead.id], names.get(lead.owner_id)
        lead.escalated_at = escalate_at
        session.add(lead)
        deadline = lead_sla_deadline(lead, rules)
        to, moved = owner, False
        if rotations is not None:
            found = rotations.escalation(rules.escalation, owner)
            # None with no rotation: nobody available, the lead stays (flagged).
            moved = found.owner != owner and (found.owner is not None or found.rotation == "pool")
            if moved:
                to = found.owner
                targets.setdefault((owner, to), []).append(lead.id)
        action = ("pool" if to is None else "reassign") if moved else "flag"
        append_event(
            session,
            lead_id=lead.id,
            at=now,
            type="escalated",
            escalate_at=escalate_at,
            sla_deadline=deadline,
            action=action,
            **({"to": to} if moved else {}),
        )
        change = {"escalate_at": escalate_at, "sla_deadline": deadline, "action": action}
        emit(session, rules.hooks, type="lead_escalated", at=now, changes=[(lead.id, change)])
        escalated.append(Escalated(lead.id, lead.name, owner, to, moved))
    session.flush()
    for (before, after), lead_ids in targets.items():
        target = rotations.rep(after) if after else None
        for start in range(0, len(lead_ids), _CHUNK):
            chunk = Lead.id.in_(lead_ids[start : start + _CHUNK])
            move_leads(session, rules, chunk, target.id if target else None, now)
        reassigned_events(session, lead_ids, before, after, now, None, rules, reason="escalated")
    if rotations is not None:
        rotations.save()
    return escalated


def _notify(rules: Rules, escalated: list[Escalated]) -> tuple[str, ...]:
    """Tell `[escalation] notify` and `command`; a failure is reported, never raised (the
    escalation is committed and is not repeated, so neither is its message)."""
    escalation = rules.escalation
    if not escalation.notify and escalation.command is None:
        return ()
    title = f"callq: {len(escalated)} lead{'s' if len(escalated) != 1 else ''} escalated"
    problems = []
    if escalation.notify:
        problems.extend(_apprise(escalation.notify, title, notice_text(escalated)))
    if escalation.command is not None:
        body = json.dumps(
            {
                "escalated": [
                    {"lead_id": e.lead_id, "name": e.name, "from": e.from_rep, "to": e.to_rep,
                     "moved": e.moved}
                    for e in escalated
                ]
            }
        )  # fmt: skip
        try:
            done = subprocess.run(  # noqa: S603 - the admin's own argv, no shell
                list(escalation.command),
                input=body,
                text=True,
                capture_output=True,
                timeout=NOTIFY_TIMEOUT_SECONDS,
                check=False,
            )
            if done.returncode != 0:
                problems.append(f"escalation command exited {done.returncode}")
        except (OSError, subprocess.TimeoutExpired) as error:
            problems.append(f"escalation command failed: {error}")
    return tuple(problems)


def notice_text(escalated: list[Escalated]) -> str:
    """The notification's body: one line a lead (names are data: sent, never interpreted)."""
    lines = []
    for e in escalated:
        if not e.moved:
            lines.append(f"#{e.lead_id} {e.name} (owner {e.from_rep or 'nobody'})")
        else:
            lines.append(f"#{e.lead_id} {e.name}: {e.from_rep or 'nobody'} -> {e.to_rep or 'pool'}")
    return "\n".join(lines)


def _apprise(urls: tuple[str, ...], title: str, body: str) -> list[str]:
    try:
        import apprise  # optional (pip install 'callq[notify]'); only a notifying run pays for it
    except ImportError:
        return ["[escalation] notify needs apprise: pip install 'callq[notify]'"]
    sender = apprise.Apprise()
    for url in urls:
        if not sender.add(url):
            return [f"[escalation] notify: apprise does not understand {url.split('://')[0]}://"]
    if not sender.notify(title=title, body=body):
        return ["[escalation] notify: apprise could not deliver"]
    return []


def flag_escalations(db: Database, rules: Rules, now: datetime) -> int:
    """How many leads `escalate_due` escalated now (the report's count)."""
    return len(escalate_due(db, rules, now).escalated)


def _due(db: Database, rules: Rules, now: datetime, created_before: datetime) -> list:
    with db.engine.connect() as connection:
        # A lead escalates escalate_after (business time, which runs no faster than the
        # clock) past its SLA deadline: with the report's kept deadlines (computed with
        # these rules), leads that cannot be due yet stay in the database.
        deadline_by = None
        if kept_times_current(connection, rules):
            deadline_by = now - rules.sla.escalate_after
        rows = q.escalation_candidates(connection, created_before, deadline_by)
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
