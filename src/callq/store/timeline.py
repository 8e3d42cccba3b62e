"""The append-only timeline: how events are written (ORM session or Core) and read back."""

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, insert
from sqlmodel import Session, select

from callq.store.models import Event

INSERT_EVENT = insert(Event.__table__)


def append_event(
    session: Session,
    *,
    lead_id: int,
    at: datetime,
    type: str,
    rep_id: int | None = None,
    **detail: object,
) -> Event:
    event = Event(
        lead_id=lead_id,
        at=at,
        type=type,
        rep_id=rep_id,
        detail=detail_json(detail),
    )
    session.add(event)
    return event


def insert_events(
    conn: Connection,
    *,
    lead_id: int,
    at: datetime,
    rep_id: int | None,
    events: Iterable[tuple[str, dict]],
) -> None:
    """Append `(type, detail)` events of one lead, all at `at`, in one executemany."""
    conn.execute(
        INSERT_EVENT,
        [
            {"lead_id": lead_id, "at": at, "type": type, "rep_id": rep_id, "detail": detail_json(d)}
            for type, d in events
        ],
    )


def detail_json(detail: dict) -> str:
    return json.dumps(detail, default=_json_default, sort_keys=True)


def lead_events(session: Session, lead_id: int, *, newest_first: bool = True) -> list[Event]:
    order = Event.id.desc() if newest_first else Event.id.asc()
    return list(session.exec(select(Event).where(Event.lead_id == lead_id).order_by(order)))


def event_detail(event: Event) -> dict:
    return json.loads(event.detail or "{}")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable: {value!r}")
