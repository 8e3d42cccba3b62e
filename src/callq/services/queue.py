"""The rep's queue: New, Overdue, Due today, Upcoming; paged so 100k rows stay instant."""

from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, select

from callq.rules.hours import add_business_time, local_day_end
from callq.rules.model import Rules
from callq.services.common import lead_zone, rep_zone
from callq.services.views import SECTION_TITLES, SECTIONS, QueueItem
from callq.store import queries
from callq.store.db import Database
from callq.store.models import Call, FollowUp, Lead

__all__ = ["SECTIONS", "SECTION_TITLES", "QueueReader"]
_URGENCY_RANK = case((Lead.urgency == "high", 0), (Lead.urgency == "normal", 1), else_=2)


def _section_filter(section: str, now: datetime, day_end: datetime):  # noqa: ANN202
    first = FollowUp.kind == "first_response"
    if section == "new":
        return first
    if section == "overdue":
        return (~first) & (FollowUp.due_at < now)
    if section == "today":
        return (~first) & (FollowUp.due_at >= now) & (FollowUp.due_at < day_end)
    if section == "upcoming":
        return (~first) & (FollowUp.due_at >= day_end)
    raise ValueError(f"unknown section {section!r}")


class QueueReader:
    """Reads one rep's (or everyone's) queue as of `now`; cheap to make, paged reads."""

    def __init__(self, db: Database, rules: Rules, *, rep: str | None, now: datetime) -> None:
        self.db, self.rules, self.now = db, rules, now
        with db.read() as session:
            rep_row = queries.rep_by_name(session, rep) if rep else None
        self.rep_name = rep
        self.owner_id = rep_row.id if rep_row else (-1 if rep else None)
        self.day_end = local_day_end(now, rep_zone(rep_row, rules))

    def statement(self, section: str):  # noqa: ANN201
        """The SELECT of (FollowUp, Lead) rows in `section`, unordered."""
        statement = (
            select(FollowUp, Lead)
            .join(Lead, Lead.id == FollowUp.lead_id)
            .where(queries.OPEN_FOLLOWUP, _section_filter(section, self.now, self.day_end))
        )
        if self.owner_id is not None:
            statement = statement.where(FollowUp.owner_id == self.owner_id)
        return statement

    def counts(self) -> dict[str, int]:
        """Open follow-ups per section, in one pass over the rep's open follow-ups."""
        columns = [
            func.coalesce(
                func.sum(case((_section_filter(s, self.now, self.day_end), 1), else_=0)), 0
            )
            for s in SECTIONS
        ]
        statement = select(*columns).select_from(FollowUp).where(queries.OPEN_FOLLOWUP)
        if self.owner_id is not None:
            statement = statement.where(FollowUp.owner_id == self.owner_id)
        with self.db.read() as session:
            return dict(zip(SECTIONS, session.exec(statement).one(), strict=True))

    def page(self, section: str, *, offset: int = 0, limit: int = 100) -> list[QueueItem]:
        """Rows `offset`..`offset+limit` of a section: earliest deadline first, then urgency."""
        statement = (
            self.statement(section)
            .order_by(FollowUp.due_at, _URGENCY_RANK, FollowUp.id)
            .offset(offset)
            .limit(limit)
        )
        with self.db.read() as session:
            rows = session.exec(statement).all()
            return self._items(session, section, rows)

    def _items(self, session: Session, section: str, rows: list) -> list[QueueItem]:
        lead_ids = [lead.id for _, lead in rows]
        calls = _call_summaries(session, lead_ids)
        owners = queries.rep_names(session, {f.owner_id for f, _ in rows if f.owner_id})
        total = len(self.rules.cadence.touches)
        items = []
        for followup, lead in rows:
            count, last_outcome, last_note = calls.get(lead.id, (0, None, ""))
            late = int((self.now - followup.due_at).total_seconds() // 60)
            items.append(
                QueueItem(
                    followup_id=followup.id,
                    lead_id=lead.id,
                    name=lead.name,
                    phone=lead.phone,
                    company=lead.company,
                    source=lead.source,
                    stage=lead.stage,
                    owner=owners.get(followup.owner_id),
                    urgency=lead.urgency,
                    section=section,
                    due_at=followup.due_at,
                    kind=followup.kind,
                    touch=count + 1,
                    touches_total=total,
                    late_minutes=max(0, late),
                    last_outcome=last_outcome,
                    last_note=last_note,
                    escalated=lead.escalated_at is not None or self._escalated(lead, followup),
                )
            )
        return items

    def _escalated(self, lead: Lead, followup: FollowUp) -> bool:
        """Uncontacted `escalate_after` (business time) past the SLA deadline."""
        if followup.kind != "first_response" or lead.first_touch_at is not None:
            return False
        if followup.due_at > self.now:
            return False
        escalate_at = add_business_time(
            self.rules.hours,
            followup.due_at,
            self.rules.sla.escalate_after,
            lead_zone(lead, self.rules),
        )
        return escalate_at <= self.now

    def all(self, *, limit_per_section: int | None = None) -> list[QueueItem]:
        items: list[QueueItem] = []
        for section in SECTIONS:
            items += self.page(section, limit=limit_per_section or 10**9)
        return items


def _call_summaries(session: Session, lead_ids: list[int]) -> dict[int, tuple[int, str, str]]:
    """Per lead: number of calls, the last outcome and its note (for the visible rows only)."""
    if not lead_ids:
        return {}
    counts = dict(
        session.exec(
            select(Call.lead_id, func.count())
            .where(Call.lead_id.in_(lead_ids))
            .group_by(Call.lead_id)
        ).all()
    )
    latest = (
        select(Call.lead_id, func.max(Call.id).label("last_id"))
        .where(Call.lead_id.in_(lead_ids))
        .group_by(Call.lead_id)
        .subquery()
    )
    last = {
        lead_id: (outcome, note)
        for lead_id, outcome, note in session.exec(
            select(Call.lead_id, Call.outcome, Call.note).join(latest, Call.id == latest.c.last_id)
        ).all()
    }
    return {
        lead_id: (counts.get(lead_id, 0), *last.get(lead_id, (None, ""))) for lead_id in lead_ids
    }
