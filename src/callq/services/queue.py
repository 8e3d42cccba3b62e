"""The rep's queue: New, Overdue, Due today, Upcoming; paged so 100k rows stay instant.

The statements are `store.queue_query`'s (the first paint runs their SQLite text); each
row becomes a `QueueItem` through `rules.queue.queue_item`.
"""

from datetime import datetime

from sqlmodel import select

from callq.rules.hours import local_day_end
from callq.rules.model import Rules
from callq.rules.queue import SECTION_TITLES, SECTIONS, QueueItem, queue_items
from callq.services.common import rep_zone
from callq.store import queries
from callq.store import queue_query as qq
from callq.store.db import Database
from callq.store.models import FollowUp, Lead

__all__ = ["SECTIONS", "SECTION_TITLES", "QueueReader"]


class QueueReader:
    """Reads one rep's (or everyone's) queue as of `now`; cheap to make, paged reads."""

    def __init__(self, db: Database, rules: Rules, *, rep: str | None, now: datetime) -> None:
        self.db, self.rules, self.now = db, rules, now
        with db.read() as session:
            rep_row = queries.rep_by_name(session, rep) if rep else None
        self.rep_name = rep
        self.owner_id = rep_row.id if rep_row else (-1 if rep else None)
        self.day_end = local_day_end(now, rep_zone(rep_row, rules))

    @property
    def _params(self) -> dict:
        return {"now": self.now, "day_end": self.day_end, "owner": self.owner_id}

    @property
    def _by_owner(self) -> bool:
        return self.owner_id is not None

    def statement(self, section: str):  # noqa: ANN201
        """The SELECT of (FollowUp, Lead) rows in `section`, in queue order (claims use it)."""
        statement = (
            select(FollowUp, Lead)
            .join(Lead, Lead.id == FollowUp.lead_id)
            .where(queries.OPEN_FOLLOWUP, qq.section_filter(section))
            .order_by(FollowUp.due_at, qq.URGENCY_RANK, FollowUp.id)
        )
        if self._by_owner:
            statement = statement.where(qq.viewer_filter(section))
        return statement.params(self._params)

    def counts(self) -> dict[str, int]:
        """Open follow-ups per section, in one pass over the rep's open follow-ups."""
        statement = qq.counts_statement(by_owner=self._by_owner)
        with self.db.read() as session:
            row = session.execute(statement, self._params).one()
        return dict(zip(SECTIONS, row, strict=True))

    def page(self, section: str, *, offset: int = 0, limit: int = 100) -> list[QueueItem]:
        """Rows `offset`..`offset+limit` of a section: earliest deadline first, then urgency."""
        statement = qq.page_statement(section, by_owner=self._by_owner)
        params = {**self._params, "offset": offset, "limit": limit}
        with self.db.read() as session:
            rows = session.execute(statement, params).mappings().all()
        return queue_items(self.rules, rows, section=section, now=self.now)

    def all(self, *, limit_per_section: int | None = None) -> list[QueueItem]:
        items: list[QueueItem] = []
        for section in SECTIONS:
            items += self.page(section, limit=limit_per_section or 10**9)
        return items
