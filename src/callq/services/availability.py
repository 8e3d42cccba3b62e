"""Rep availability: mark a rep away (until a time, or until back), back, and list the team."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from callq.errors import UserError
from callq.rules.model import Rules
from callq.rules.phrases import parse_callback
from callq.rules.routing import is_away
from callq.services.common import rep_zone, team_rep
from callq.store import queries
from callq.store.db import Database
from callq.store.models import FollowUp, Rep


@dataclass(frozen=True)
class RepStatus:
    name: str
    away: bool
    away_since: datetime | None
    away_until: datetime | None  # None while away: until marked back
    open_followups: int


def set_away(
    db: Database, rules: Rules, name: str, *, until: str | None, now: datetime
) -> RepStatus:
    """`name` is away from now until `until` (a time as a rep types one: "monday 9am",
    "in 3d", "2026-12-10"), or until marked back. Round-robin, routing and escalation
    skip them meanwhile; their own leads stay theirs."""
    with db.write() as session:
        rep = team_rep(session, rules, name)
        back_at = None
        if until is not None:
            back_at = parse_callback(
                until,
                now=now,
                tz=rep_zone(rep, rules),
                hours=rules.hours,
                date_order=rules.team.date_order,
            ).at
            if back_at <= now:
                raise UserError(f"--until {until!r} is not in the future")
        rep.away_since, rep.away_until = now, back_at
        session.add(rep)
        return RepStatus(rep.name, True, now, back_at, _open_counts(session, [rep.id])[rep.id])


def set_back(db: Database, rules: Rules, name: str, *, now: datetime) -> RepStatus:
    """`name` is available again (nothing changes when they were not away)."""
    with db.write() as session:
        rep = team_rep(session, rules, name)
        rep.away_since = rep.away_until = None
        session.add(rep)
        return RepStatus(rep.name, False, None, None, _open_counts(session, [rep.id])[rep.id])


def rep_statuses(db: Database, rules: Rules, *, now: datetime) -> list[RepStatus]:
    """The team: `[team] reps` and every other active rep who owns open work or is away
    (not the names that only ever acted, such as "intake"): away or not, open follow-ups."""
    with db.read() as session:
        reps = session.execute(
            select(Rep.id, Rep.name, Rep.away_since, Rep.away_until).where(Rep.active.is_(True))
        ).all()
        counts = _open_counts(session, [row.id for row in reps])
    known = {row.name for row in reps}
    statuses = [
        RepStatus(
            row.name,
            away := is_away(row.away_since, row.away_until, now),
            row.away_since if away else None,
            row.away_until if away else None,
            counts[row.id],
        )
        for row in reps
    ]
    statuses += [
        RepStatus(name, False, None, None, 0) for name in rules.team.reps if name not in known
    ]
    team = set(rules.team.reps)
    shown = [s for s in statuses if s.name in team or s.away or s.open_followups]
    return sorted(shown, key=lambda status: status.name.casefold())


def _open_counts(session, rep_ids: list[int]) -> dict[int, int]:  # noqa: ANN001
    """Open follow-ups per rep, from the queue's partial index (one grouped count)."""
    counts = dict.fromkeys(rep_ids, 0)
    if rep_ids:
        rows = session.execute(
            select(FollowUp.owner_id, func.count())
            .where(queries.OPEN_FOLLOWUP, FollowUp.owner_id.in_(rep_ids))
            .group_by(FollowUp.owner_id)
        )
        counts.update(dict(rows.all()))
    return counts


def pool_size(db: Database) -> int:
    """Open follow-ups nobody owns: the pool every rep's New shows."""
    with db.read() as session:
        return session.execute(
            select(func.count()).where(queries.OPEN_FOLLOWUP, FollowUp.owner_id.is_(None))
        ).scalar_one()
