"""The outcome path's SQL as Core statements: the hottest write, kept to ~9 statements."""

from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.engine import Row

from callq.store.models import Call, Event, FollowUp, Lead, Rep

_lead = Lead.__table__
_followup = FollowUp.__table__
_call = Call.__table__
_event = Event.__table__
_rep = Rep.__table__


def lead_row(conn: Connection, lead_id: int) -> Row | None:
    """The lead, row-locked on PostgreSQL (SQLite already holds the write lock)."""
    return conn.execute(select(_lead).where(_lead.c.id == lead_id).with_for_update()).first()


def rep_row(conn: Connection, name: str) -> Row:
    """The rep called `name`, created on first use."""
    row = conn.execute(select(_rep).where(_rep.c.name == name)).first()
    if row is None:
        conn.execute(insert(_rep).values(name=name, role="rep", active=True))
        row = conn.execute(select(_rep).where(_rep.c.name == name)).first()
    return row


def open_followup_row(conn: Connection, lead_id: int) -> Row | None:
    return conn.execute(
        select(_followup)
        .where(_followup.c.lead_id == lead_id, _followup.c.status == "open")
        .with_for_update()
    ).first()


def call_counts(
    conn: Connection, lead_id: int, cadence_outcomes: tuple[str, ...]
) -> tuple[int, int]:
    """(all calls, calls with a cadence outcome) of a lead, in one indexed query."""
    total, cadence = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(_call.c.outcome.in_(cadence_outcomes).cast(_int())), 0),
        ).where(_call.c.lead_id == lead_id)
    ).one()
    return int(total), int(cadence)


def _int():  # noqa: ANN202
    from sqlalchemy import Integer

    return Integer()


def insert_call(conn: Connection, **values: object) -> int:
    return conn.execute(insert(_call).values(**values).returning(_call.c.id)).scalar_one()


def complete_followup(conn: Connection, followup_id: int, *, at: datetime, call_id: int) -> None:
    conn.execute(
        update(_followup)
        .where(_followup.c.id == followup_id)
        .values(status="done", completed_at=at, completed_by_call_id=call_id)
    )


def insert_followup(conn: Connection, **values: object) -> int:
    return conn.execute(insert(_followup).values(**values).returning(_followup.c.id)).scalar_one()


def update_lead(conn: Connection, lead_id: int, **values: object) -> None:
    conn.execute(update(_lead).where(_lead.c.id == lead_id).values(**values))


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
    conn.execute(insert(_event), rows)
