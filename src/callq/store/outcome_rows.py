"""The outcome path's reads and writes: SQLAlchemy Core statements, built once at import.

Statements are module constants, so SQLAlchemy compiles each once per dialect and reuses
it (its compiled cache is keyed on the statement's structure and parameter names). The
tables' own column types convert values, UTC timestamps included, on both backends.
Rows come back as the small read models of `callq.rules.outcomes`, never ORM objects.
On PostgreSQL the lead is locked (`FOR UPDATE`) before its facts are read; SQLite's write
transaction already holds the database's write lock.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update

from callq.rules.outcomes import CallPlan, FollowUpFacts, LeadFacts
from callq.rules.text import require_storable
from callq.rules.undo import CallFacts, CallRecord, UndoPlan
from callq.store.models import Call, Event, FollowUp, Lead, Rep
from callq.store.queries import OPEN_FOLLOWUP as IS_OPEN
from callq.store.queries import insert_ignoring_conflicts
from callq.store.timeline import insert_events

_lead, _rep, _call = Lead.__table__, Rep.__table__, Call.__table__
_followup, _event = FollowUp.__table__, Event.__table__

_LEAD_COLUMNS = (
    _lead.c.id,
    _lead.c.name,
    _lead.c.stage,
    _lead.c.owner_id,
    _lead.c.timezone,
    _lead.c.created_at,
    _lead.c.first_touch_at,
    _lead.c.claimed_by_id,
    _lead.c.claimed_until,
)
_FOLLOWUP_COLUMNS = (
    _followup.c.id,
    _followup.c.kind,
    _followup.c.due_at,
    _followup.c.owner_id,
    _followup.c.deadline_owner_id,
)
_LEAD_CALLS = select(func.count()).where(_call.c.lead_id == _lead.c.id)
_REP = _rep.c.name == bindparam("rep")
# Everything logging an outcome reads, in one statement: the lead, its open follow-up,
# its calls (all, and those with a cadence outcome) and the acting rep. On PostgreSQL the
# lead is locked by LOCK_LEAD first, in a statement of its own: a READ COMMITTED statement
# that waits for a row lock re-reads only the locked row afterwards, so a follow-up read
# in the same statement could be the one a concurrent outcome just completed (seen as a
# second open follow-up). The lock serialises the outcomes, undos, reschedules and
# reassignments of one lead (each locks the lead first).
LOCK_LEAD = select(_lead.c.id).where(_lead.c.id == bindparam("lead_id")).with_for_update()
OUTCOME_FACTS = (
    select(
        *_LEAD_COLUMNS,
        *_FOLLOWUP_COLUMNS,
        _LEAD_CALLS.scalar_subquery(),
        _LEAD_CALLS.where(
            _call.c.outcome.in_(bindparam("cadence", expanding=True))
        ).scalar_subquery(),
        select(_rep.c.id).where(_REP).scalar_subquery(),
        select(_rep.c.timezone).where(_REP).scalar_subquery(),
    )
    .select_from(_lead.outerjoin(_followup, and_(_followup.c.lead_id == _lead.c.id, IS_OPEN)))
    .where(_lead.c.id == bindparam("lead_id"))
)
REP = select(_rep.c.id, _rep.c.name, _rep.c.timezone).where(_rep.c.name == bindparam("name"))
REP_NAME = select(_rep.c.name).where(_rep.c.id == bindparam("rep_id"))
FOLLOWUP = select(*_FOLLOWUP_COLUMNS).where(_followup.c.id == bindparam("followup_id"))
INSERT_CALL = insert(_call)
INSERT_FOLLOWUP = insert(_followup).values(status="open")
# The SET columns of these updates are the parameters' column names.
UPDATE_LEAD = update(_lead).where(_lead.c.id == bindparam("lead_id"))
UPDATE_FOLLOWUP = update(_followup).where(_followup.c.id == bindparam("followup_id"))
DELETE_FOLLOWUP = delete(_followup).where(_followup.c.id == bindparam("followup_id"))
DELETE_CALL = delete(_call).where(_call.c.id == bindparam("call_id"))

# Undo's reads.
LAST_CALL_BY = (
    select(_call.c.id, _call.c.lead_id, _call.c.outcome, _call.c.logged_at)
    .where(_call.c.rep_id == bindparam("rep_id"))
    .order_by(_call.c.logged_at.desc(), _call.c.id.desc())
    .limit(1)
)
CALL_LOGGED_EVENTS = (
    select(_event.c.id, _event.c.detail)
    .where(_event.c.lead_id == bindparam("lead_id"), _event.c.type == "call_logged")
    .order_by(_event.c.id.desc())
)
# Ids are never reused and a lead's writes are serialised: a higher id was logged later.
LATER_CALL_BY = (
    select(_rep.c.name)
    .select_from(_call.join(_rep, _rep.c.id == _call.c.rep_id))
    .where(_call.c.lead_id == bindparam("lead_id"), _call.c.id > bindparam("call_id"))
    .order_by(_call.c.id.desc())
    .limit(1)
)
LAST_MOVER = (
    select(_rep.c.name)
    .select_from(_event.join(_rep, _rep.c.id == _event.c.rep_id))
    .where(
        _event.c.lead_id == bindparam("lead_id"),
        _event.c.id > bindparam("after_event_id"),
        _event.c.type == "followup_rescheduled",
    )
    .order_by(_event.c.id.desc())
    .limit(1)
)


@dataclass(frozen=True, slots=True)
class RepFacts:
    id: int
    name: str
    timezone: str | None


@dataclass(frozen=True, slots=True)
class OutcomeFacts:
    """What the outcome path reads about a lead, as its transaction sees it."""

    lead: LeadFacts
    open_followup: FollowUpFacts | None
    calls: int
    cadence_calls: int
    rep: RepFacts | None  # None: a rep's first outcome (not in the database yet)


def outcome_facts(
    conn: Connection,
    lead_id: int,
    *,
    rep: str,
    cadence_outcomes: tuple[str, ...] = (),
    lock: bool = True,
) -> OutcomeFacts | None:
    """The facts of `lead_id` for `rep` (None: no such lead); locks the lead on PostgreSQL
    unless `lock` is false (a read ahead of the outcome, outside its transaction)."""
    if lock and conn.dialect.name != "sqlite":  # SQLite's write transaction holds the lock
        conn.execute(LOCK_LEAD, {"lead_id": lead_id})
    row = conn.execute(
        OUTCOME_FACTS, {"lead_id": lead_id, "rep": rep, "cadence": list(cadence_outcomes)}
    ).first()
    if row is None:
        return None
    followup_id, rep_id = row[9], row[16]
    return OutcomeFacts(
        lead=LeadFacts(*row[:9]),
        open_followup=FollowUpFacts(*row[9:14]) if followup_id is not None else None,
        calls=row[14],
        cadence_calls=row[15],
        rep=RepFacts(rep_id, rep, row[17]) if rep_id is not None else None,
    )


def rep_by_name(conn: Connection, name: str) -> RepFacts | None:
    require_storable("the rep name", name)  # no rep has one; PostgreSQL cannot even look
    row = conn.execute(REP, {"name": name}).first()
    return RepFacts(*row) if row else None


def rep(conn: Connection, name: str) -> RepFacts:
    """The rep called `name`, created on first use (a racing insert yields to the other)."""
    found = rep_by_name(conn, name)
    if found is None:
        insert_ignoring_conflicts(conn, _rep, {"name": name, "role": "rep", "active": True})
        found = rep_by_name(conn, name)
    return found


def rep_name(conn: Connection, rep_id: int | None) -> str | None:
    return conn.execute(REP_NAME, {"rep_id": rep_id}).scalar() if rep_id else None


def followup(conn: Connection, followup_id: int | None) -> FollowUpFacts | None:
    if followup_id is None:
        return None
    row = conn.execute(FOLLOWUP, {"followup_id": followup_id}).first()
    return FollowUpFacts(*row) if row else None


def write_call(conn: Connection, plan: CallPlan, *, rep_id: int) -> int:
    """Write a logged outcome's plan; returns the new call's id."""
    call = plan.call
    call_id = conn.execute(
        INSERT_CALL,
        {
            "lead_id": call.lead_id,
            "rep_id": call.rep_id,
            "started_at": call.started_at,
            "ended_at": call.ended_at,
            "outcome": call.outcome,
            "connected": call.connected,
            "note": call.note,
            "logged_at": call.logged_at,
            "channel": call.channel,
        },
    ).inserted_primary_key[0]
    if plan.complete_followup_id is not None:
        # Closed before the next one opens: the one-open index must see it done.
        conn.execute(
            UPDATE_FOLLOWUP,
            {
                "followup_id": plan.complete_followup_id,
                "status": "done",
                "completed_at": call.ended_at,
                "completed_by_call_id": call_id,
            },
        )
    next_id = None
    if (new := plan.next_followup) is not None:
        next_id = conn.execute(
            INSERT_FOLLOWUP,
            {
                "lead_id": new.lead_id,
                "owner_id": new.owner_id,
                "due_at": new.due_at,
                "kind": new.kind,
                "touch": new.touch,
                "created_at": new.created_at,
                "created_by_call_id": call_id,
                "channel": new.channel,
                "template": new.template,
            },
        ).inserted_primary_key[0]
    if plan.lead_changes:
        conn.execute(UPDATE_LEAD, {"lead_id": call.lead_id, **plan.lead_changes})
    ids = {"call_id": call_id, "created_followup_id": next_id}
    events = [
        (e.type, {**e.detail, **ids} if e.type == "call_logged" else e.detail) for e in plan.events
    ]
    insert_events(conn, lead_id=call.lead_id, at=call.ended_at, rep_id=rep_id, events=events)
    return call_id


def last_call_by(conn: Connection, rep_id: int) -> CallFacts | None:
    row = conn.execute(LAST_CALL_BY, {"rep_id": rep_id}).first()
    return CallFacts(*row) if row else None


def call_record(conn: Connection, lead_id: int, call_id: int) -> tuple[int, CallRecord] | None:
    """The call's `call_logged` event: (its id, what it recorded); None if missing."""
    for event_id, detail in conn.execute(CALL_LOGGED_EVENTS, {"lead_id": lead_id}):
        parsed = json.loads(detail or "{}")
        if parsed.get("call_id") == call_id:
            return event_id, CallRecord.from_detail(parsed)
    return None


def later_call_by(conn: Connection, lead_id: int, call_id: int) -> str | None:
    """Who logged the lead's latest call after `call_id`, if anyone did."""
    return conn.execute(LATER_CALL_BY, {"lead_id": lead_id, "call_id": call_id}).scalar()


def last_mover(conn: Connection, lead_id: int, after_event_id: int) -> str | None:
    """Who last rescheduled the lead's follow-up after the event `after_event_id`."""
    return conn.execute(LAST_MOVER, {"lead_id": lead_id, "after_event_id": after_event_id}).scalar()


def write_undo(conn: Connection, plan: UndoPlan, *, rep_id: int, at: datetime) -> None:
    """Write an undo plan: follow-ups first (they reference the call), the call last."""
    if plan.delete_followup_id is not None:
        conn.execute(DELETE_FOLLOWUP, {"followup_id": plan.delete_followup_id})
    if (reopen := plan.reopen) is not None:
        conn.execute(
            UPDATE_FOLLOWUP,
            {
                "followup_id": reopen.id,
                "status": "open",
                "completed_at": None,
                "completed_by_call_id": None,
                "owner_id": reopen.owner_id,
                "deadline_owner_id": reopen.deadline_owner_id,
            },
        )
    conn.execute(
        UPDATE_LEAD,
        {"lead_id": plan.lead_id, "stage": plan.stage, "first_touch_at": plan.first_touch_at},
    )
    conn.execute(DELETE_CALL, {"call_id": plan.call_id})
    insert_events(
        conn,
        lead_id=plan.lead_id,
        at=at,
        rep_id=rep_id,
        events=[(plan.event.type, plan.event.detail)],
    )
