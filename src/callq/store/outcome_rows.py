"""The outcome path's SQL as prebuilt Core statements: the hottest write, ~9 statements.

Statements are built once with bind parameters, so each call skips SQLAlchemy's
construction and cache-key work (most of the cost of a small statement).
"""

from datetime import datetime

from sqlalchemy import Connection, Integer, bindparam, func, insert, select, update
from sqlalchemy.engine import Row

from callq.store.models import Call, Event, FollowUp, Lead, Rep

_lead = Lead.__table__
_followup = FollowUp.__table__
_call = Call.__table__
_event = Event.__table__
_rep = Rep.__table__

_LEAD = select(_lead).where(_lead.c.id == bindparam("lead_id")).with_for_update()
_REP = select(_rep).where(_rep.c.name == bindparam("name"))
_OPEN_FOLLOWUP = (
    select(_followup)
    .where(_followup.c.lead_id == bindparam("lead_id"), _followup.c.status == "open")
    .with_for_update()
)
_CALL_COUNTS = select(
    func.count(),
    func.coalesce(
        func.sum(_call.c.outcome.in_(bindparam("cadence", expanding=True)).cast(Integer)), 0
    ),
).where(_call.c.lead_id == bindparam("lead_id"))
_INSERT_CALL = insert(_call).returning(_call.c.id)
_COMPLETE_FOLLOWUP = (
    update(_followup)
    .where(_followup.c.id == bindparam("followup_id"))
    .values(status="done", completed_at=bindparam("at"), completed_by_call_id=bindparam("call_id"))
)
_INSERT_FOLLOWUP = insert(_followup).returning(_followup.c.id)
_INSERT_EVENT = insert(_event)


def lead_row(conn: Connection, lead_id: int) -> Row | None:
    """The lead, row-locked on PostgreSQL (SQLite already holds the write lock)."""
    return conn.execute(_LEAD, {"lead_id": lead_id}).first()


def rep_row(conn: Connection, name: str) -> Row:
    """The rep called `name`, created on first use."""
    row = conn.execute(_REP, {"name": name}).first()
    if row is None:
        # Rare (a rep's first outcome): the shared helper copes with a racing insert.
        from callq.store.queries import insert_ignoring_conflicts

        insert_ignoring_conflicts(conn, _rep, {"name": name, "role": "rep", "active": True})
        row = conn.execute(_REP, {"name": name}).first()
    return row


def open_followup_row(conn: Connection, lead_id: int) -> Row | None:
    return conn.execute(_OPEN_FOLLOWUP, {"lead_id": lead_id}).first()


def call_counts(
    conn: Connection, lead_id: int, cadence_outcomes: tuple[str, ...]
) -> tuple[int, int]:
    """(all calls, calls with a cadence outcome) of a lead, in one indexed query."""
    total, cadence = conn.execute(
        _CALL_COUNTS, {"lead_id": lead_id, "cadence": list(cadence_outcomes) or [""]}
    ).one()
    return int(total), int(cadence)


def insert_call(conn: Connection, **values: object) -> int:
    return conn.execute(_INSERT_CALL, values).scalar_one()


def complete_followup(conn: Connection, followup_id: int, *, at: datetime, call_id: int) -> None:
    conn.execute(_COMPLETE_FOLLOWUP, {"followup_id": followup_id, "at": at, "call_id": call_id})


def insert_followup(conn: Connection, **values: object) -> int:
    return conn.execute(_INSERT_FOLLOWUP, values).scalar_one()


_UPDATE_LEAD = (
    update(_lead)
    .where(_lead.c.id == bindparam("lead_id"))
    .values(
        stage=bindparam("stage"),
        first_touch_at=bindparam("first_touch_at"),
        claimed_by_id=bindparam("claimed_by_id"),
        claimed_until=bindparam("claimed_until"),
    )
)
_REP_NAME = select(_rep.c.name).where(_rep.c.id == bindparam("rep_id"))


def update_lead_after_call(
    conn: Connection,
    lead_id: int,
    *,
    stage: str,
    first_touch_at: datetime | None,
    claimed_by_id: int | None,
    claimed_until: datetime | None,
) -> None:
    """Every lead column a call can change, in one prebuilt statement."""
    conn.execute(
        _UPDATE_LEAD,
        {
            "lead_id": lead_id,
            "stage": stage,
            "first_touch_at": first_touch_at,
            "claimed_by_id": claimed_by_id,
            "claimed_until": claimed_until,
        },
    )


def rep_name(conn: Connection, rep_id: int) -> str | None:
    return conn.execute(_REP_NAME, {"rep_id": rep_id}).scalar()


def event(lead_id: int, at: datetime, type: str, rep_id: int | None, **detail: object) -> dict:
    """One timeline row as insert parameters (the same JSON as `timeline.append_event`)."""
    from callq.store.timeline import detail_json

    return {
        "lead_id": lead_id,
        "at": at,
        "type": type,
        "rep_id": rep_id,
        "detail": detail_json(detail),
    }


def insert_events(conn: Connection, rows: list[dict]) -> None:
    conn.execute(_INSERT_EVENT, rows)
