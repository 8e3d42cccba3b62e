"""Leads received over HTTP: `add_lead`'s transaction, answered once per idempotency key.

A request with an `Idempotency-Key` (or a Google Ads `lead_id`) stores the answer it got
in the transaction that added the lead, so a retry within `KEY_TTL` gets that answer and
changes nothing, even when the first reply was lost or two retries race.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select

from callq.rules.model import Rules
from callq.services.leads import NewLead, add_lead_in, validate_new_lead
from callq.store import queries
from callq.store.db import Database
from callq.store.models import Lead, intake_key_table

KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 200
_keys = intake_key_table
_STORED = select(_keys.c.created_at, _keys.c.status, _keys.c.answer)


@dataclass(frozen=True)
class IntakeAnswer:
    """What the intake endpoint answers: the HTTP status and the JSON body."""

    status: int
    body: dict
    replayed: bool = False  # the stored answer to an earlier request with the same key


def receive_lead(
    db: Database, rules: Rules, new: NewLead, *, now: datetime, rep: str, key: str | None = None
) -> IntakeAnswer:
    """Add (or merge) the lead; 201 created, 200 merged / reopened. UserError on bad input."""
    new, phone = validate_new_lead(new, rules)
    with db.write() as session:
        if key is not None:
            stored = session.execute(_STORED.where(_keys.c.key == key)).first()
            if stored is not None and now - stored.created_at < KEY_TTL:
                return IntakeAnswer(stored.status, json.loads(stored.answer), replayed=True)
        added = add_lead_in(session, rules, new, phone, now=now, rep=rep)
        status = "reopened" if added.reopened else "merged" if added.merged else "created"
        answer = IntakeAnswer(200 if added.merged else 201, {"id": added.lead_id, "status": status})
        if key is not None:
            # An expired row with this key is replaced by the new answer.
            session.execute(delete(_keys).where(_keys.c.key == key))
            session.execute(
                insert(_keys).values(
                    key=key, created_at=now, status=answer.status, answer=json.dumps(answer.body)
                )
            )
    return answer


def known_answer(db: Database, key: str, *, now: datetime) -> IntakeAnswer | None:
    """The stored answer for `key` (a retry of a request whose body need not be read)."""
    with db.read() as session:
        stored = session.execute(_STORED.where(_keys.c.key == key)).first()
    if stored is None or now - stored.created_at >= KEY_TTL:
        return None
    return IntakeAnswer(stored.status, json.loads(stored.answer), replayed=True)


def forget_old_keys(db: Database, *, now: datetime) -> int:
    """Drop idempotency keys older than `KEY_TTL`; returns how many."""
    with db.write() as session:
        result = session.execute(delete(_keys).where(_keys.c.created_at < now - KEY_TTL))
        return result.rowcount or 0


@dataclass(frozen=True)
class Arrival:
    """A lead that arrived while the TUI was open (shown as a toast)."""

    lead_id: int
    name: str
    source: str


def arrivals(
    db: Database, *, rep: str, after_id: int | None, limit: int = 5
) -> tuple[int, list[Arrival]]:
    """The newest lead id, and the leads added after `after_id` that are `rep`'s or nobody's
    (the first call, with None, only learns where to start)."""
    with db.read() as session:
        newest = session.execute(select(func.max(Lead.id))).scalar() or 0
        if after_id is None or newest <= after_id:
            return newest, []
        rep_row = queries.rep_by_name(session, rep)
        mine = or_(Lead.owner_id.is_(None), Lead.owner_id == (rep_row.id if rep_row else -1))
        rows = session.execute(
            select(Lead.id, Lead.name, Lead.source)
            .where(Lead.id > after_id, Lead.id <= newest, mine)
            .order_by(Lead.id)
            .limit(limit)
        ).all()
    return newest, [Arrival(*row) for row in rows]
