"""What the queue's header shows: the rep's calls today and on-time rate, in the rep's zone."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import select

from callq.rules.model import Rules
from callq.services.common import rep_zone
from callq.store import queries
from callq.store.db import Database
from callq.store.models import Call, FollowUp


@dataclass(frozen=True)
class HeaderStats:
    calls_today: int
    on_time_rate: float | None  # share of this week's due follow-ups done in time


def viewer_zone(db: Database, rules: Rules, rep: str) -> ZoneInfo:
    """The zone the rep's screens show times in."""
    with db.read() as session:
        return rep_zone(queries.rep_by_name(session, rep), rules)


def header_stats(db: Database, rules: Rules, *, rep: str, now: datetime) -> HeaderStats:
    """Calls the rep logged today and the share of this week's follow-ups done in time."""
    with db.read() as session:
        rep_row = queries.rep_by_name(session, rep)
        if rep_row is None:
            return HeaderStats(0, None)
        tz = rep_zone(rep_row, rules)
        local = now.astimezone(tz)
        day_start = datetime.combine(local.date(), time(0), tz)
        week_start = day_start - timedelta(days=local.weekday())
        calls = session.exec(
            select(func.count())
            .select_from(Call)
            .where(Call.rep_id == rep_row.id, Call.started_at >= day_start, Call.started_at <= now)
        ).one()
        late_after = rules.team.late_after
        rows = session.exec(
            select(FollowUp.due_at, FollowUp.completed_at).where(
                FollowUp.owner_id == rep_row.id,
                FollowUp.due_at >= week_start,
                FollowUp.due_at < now - late_after,
                FollowUp.status != "cancelled",
            )
        ).all()
        on_time = sum(1 for due, done in rows if done is not None and done <= due + late_after)
        return HeaderStats(calls, on_time / len(rows) if rows else None)
