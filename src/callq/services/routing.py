"""Owners for new leads and escalations, in the caller's transaction: read the reps'
availability, open follow-ups and rotation pointers, ask `rules.routing`, move the pointers.

`callq add`, `callq import`, `callq serve` intake and `callq escalate` all come here, so
an away rep is skipped the same way everywhere.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from callq.rules.model import Escalation, Rules
from callq.rules.routing import (
    TEAM_ROTATION,
    LeadFacts,
    RepState,
    Route,
    escalation_target,
    is_away,
    route,
)
from callq.store import queries
from callq.store.db import Database
from callq.store.models import FollowUp, Rep

ROUND_ROBIN_KEY = "round_robin_last"  # the team rotation's pointer: the last rep's name
_ROUTING_KEY = "routing_positions"  # "1:3,2:0": each [[routing]] rule's last position


class Rotations:
    """The state routing reads, loaded once per transaction and kept current as leads
    are given out (a bulk import routes thousands in one)."""

    def __init__(self, session: Session, rules: Rules, now: datetime) -> None:
        self.session, self.rules, self.now = session, rules, now
        self.names = _involved(rules)
        rows = session.execute(
            select(Rep.id, Rep.name, Rep.away_since, Rep.away_until).where(Rep.name.in_(self.names))
        ).all()
        self.ids = {row.name: row.id for row in rows}
        self.away = {row.name for row in rows if is_away(row.away_since, row.away_until, now)}
        self.open = _open_counts(session, rules, self.ids)
        self.positions: dict[str, int] = {}
        last = queries.get_meta(session, ROUND_ROBIN_KEY)
        if last in rules.team.reps:
            self.positions[TEAM_ROTATION] = rules.team.reps.index(last)
        stored = queries.get_meta(session, _ROUTING_KEY) or ""
        for item in filter(None, stored.split(",")):
            key, _, position = item.rpartition(":")
            if position.isdigit():
                self.positions[f"routing:{key}"] = int(position)
        self._moved = False

    def states(self) -> dict[str, RepState]:
        return {
            name: RepState(away=name in self.away, open_followups=self.open.get(name, 0))
            for name in self.names
        }

    def route(self, facts: LeadFacts) -> Route:
        """Where a lead goes; the rotation turns and the owner's open count grows."""
        found = route(self.rules, facts, self.states(), self.positions)
        self._turn(found)
        return found

    def escalation(self, escalation: Escalation, owner: str | None) -> Route:
        found = escalation_target(self.rules, escalation, owner, self.states(), self.positions)
        self._turn(found)
        return found

    def _turn(self, found: Route) -> None:
        if found.rotation is not None and found.position is not None:
            self.positions[found.rotation] = found.position
            self._moved = True
        if found.owner is not None:
            self.open[found.owner] = self.open.get(found.owner, 0) + 1

    def rep(self, name: str | None) -> Rep | None:
        return queries.ensure_rep(self.session, name) if name else None

    def save(self) -> None:
        """Write the pointers back (in the caller's transaction)."""
        if not self._moved:
            return
        if TEAM_ROTATION in self.positions and self.rules.team.reps:
            last = self.rules.team.reps[self.positions[TEAM_ROTATION]]
            queries.set_meta(self.session, ROUND_ROBIN_KEY, last)
        routed = sorted(
            (int(key.split(":")[1]), position)
            for key, position in self.positions.items()
            if key.startswith("routing:")
        )
        if routed:
            text = ",".join(f"{number}:{position}" for number, position in routed)
            queries.set_meta(self.session, _ROUTING_KEY, text)


def route_owners(
    session: Session, rules: Rules, leads: Iterable[LeadFacts], *, now: datetime
) -> list[Rep | None]:
    """The owner of each new lead without a chosen one (None: nobody available)."""
    rotations = Rotations(session, rules, now)
    names = [rotations.route(facts).owner for facts in leads]
    rotations.save()
    by_name = {name: rotations.rep(name) for name in dict.fromkeys(names) if name}
    return [by_name.get(name) if name else None for name in names]


def _involved(rules: Rules) -> list[str]:
    names = dict.fromkeys(rules.team.reps)
    for rule in rules.routing:
        names.update(dict.fromkeys(rule.to))
    if rules.escalation.to not in ("next", "pool"):
        names[rules.escalation.to] = None
    return list(names)


def _open_counts(session: Session, rules: Rules, ids: dict[str, int]) -> dict[str, int]:
    """Open follow-ups of the reps some `max_open` limits (none read otherwise)."""
    limited = {name for rule in rules.routing if rule.max_open for name in rule.to}
    wanted = {ids[name]: name for name in limited if name in ids}
    if not wanted:
        return {}
    rows = session.execute(
        select(FollowUp.owner_id, func.count())
        .where(queries.OPEN_FOLLOWUP, FollowUp.owner_id.in_(wanted))
        .group_by(FollowUp.owner_id)
    )
    return {wanted[owner_id]: count for owner_id, count in rows}


def simulate_route(db: Database, rules: Rules, facts: dict[str, str], *, now: datetime) -> Route:
    """Where a lead with these facts would go now, and why; nothing is written."""
    with db.read() as session:
        return Rotations(session, rules, now).route(LeadFacts(**facts))
