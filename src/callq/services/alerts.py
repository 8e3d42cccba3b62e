"""What the app's poll tells the rep: their follow-ups that fell due since the last poll."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from callq.store import queries
from callq.store.db import Database
from callq.store.models import FollowUp, Lead


@dataclass(frozen=True)
class DueAlert:
    lead_id: int
    name: str
    due_at: datetime


def falling_due(
    db: Database, *, rep: str, after: datetime, until: datetime, limit: int = 20
) -> list[DueAlert]:
    """The rep's open follow-ups that became due in (after, until]."""
    with db.read() as session:
        rep_row = queries.rep_by_name(session, rep)
        if rep_row is None:
            return []
        rows = session.exec(
            select(Lead.id, Lead.name, FollowUp.due_at)
            .join(Lead, Lead.id == FollowUp.lead_id)
            .where(
                queries.OPEN_FOLLOWUP,
                FollowUp.owner_id == rep_row.id,
                FollowUp.due_at > after,
                FollowUp.due_at <= until,
            )
            .order_by(FollowUp.due_at)
            .limit(limit)
        ).all()
    return [DueAlert(*row) for row in rows]
