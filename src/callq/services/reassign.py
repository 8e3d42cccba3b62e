"""Reassignment: one lead to another rep, or a handoff of every open lead of a rep."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, insert, select, update
from sqlmodel import Session

from callq.errors import UserError
from callq.rules.blame import MovingLead, plan_blame
from callq.rules.hours import BusinessClock, sla_deadline, zone
from callq.rules.model import OPEN_STAGES, Rules
from callq.services.common import find_lead, team_rep
from callq.store import queries
from callq.store.db import Database
from callq.store.models import Event, FollowUp, Lead, Rep
from callq.store.outbox import emit

_CHUNK = 500


@dataclass(frozen=True)
class Reassigned:
    lead_id: int
    from_rep: str | None
    to_rep: str


def _target_rep(session: Session, rules: Rules, name: str) -> Rep:
    """The rep taking over (`common.team_rep`), if still active."""
    rep = team_rep(session, rules, name)
    if not rep.active:
        raise UserError(f"{name} is not active")
    return rep


def reassign_lead(
    db: Database, rules: Rules, ref: str | int, to: str, *, now: datetime, actor: str
) -> Reassigned:
    """Move the lead and its open follow-up to `to`; the timeline goes with the lead, and
    a deadline already passed stays its old owner's (rules.blame)."""
    with db.write() as session:
        lead = find_lead(session, ref, rules, lock=True)
        target = _target_rep(session, rules, to)
        acting = queries.ensure_rep(session, actor)
        names = queries.rep_names(session, {lead.owner_id} if lead.owner_id else set())
        before = names.get(lead.owner_id) if lead.owner_id else None
        if lead.owner_id == target.id:
            return Reassigned(lead.id, before, target.name)
        move_leads(session, rules, Lead.id == lead.id, target.id, now)
        reassigned_events(session, [lead.id], before, target.name, now, acting.id, rules)
        return Reassigned(lead.id, before, target.name)


def handoff(
    db: Database, rules: Rules, from_rep: str, to: str, *, now: datetime, actor: str
) -> int:
    """Every open lead of `from_rep` goes to `to`, in one transaction; returns how many."""
    with db.write() as session:
        source = queries.rep_by_name(session, from_rep.strip())
        if source is None:
            raise UserError(f"no rep called {from_rep!r}")
        target = _target_rep(session, rules, to)
        if target.id == source.id:
            raise UserError("--from and --to are the same rep")
        acting = queries.ensure_rep(session, actor)
        which = and_(Lead.owner_id == source.id, Lead.stage.in_(OPEN_STAGES))
        lead_ids = move_leads(session, rules, which, target.id, now)
        if lead_ids:
            reassigned_events(session, lead_ids, source.name, target.name, now, acting.id, rules)
        return len(lead_ids)


def move_leads(
    session: Session,
    rules: Rules,
    which: ColumnElement[bool],
    target_id: int | None,
    now: datetime,
) -> list[int]:
    """Give the leads `which` selects, and their open follow-ups, to `target_id` (None: the
    pool): read the facts, ask rules.blame whose deadlines have passed, record those
    owners, move. Reassigning, escalating and claiming from the pool all move this way."""
    moving = _moving_leads(session, rules, which, now)
    plan = plan_blame(moving, rules.team.late_after, now)
    lead_ids = [lead.lead_id for lead in moving]
    # In chunks: SQLite caps bound parameters per statement.
    for owner_id, ids in _by_owner(plan.sla_owners).items():
        for chunk in _chunks(ids, _CHUNK):
            session.execute(update(Lead).where(Lead.id.in_(chunk)).values(sla_owner_id=owner_id))
    for owner_id, ids in _by_owner(plan.deadline_owners).items():
        for chunk in _chunks(ids, _CHUNK):
            session.execute(
                update(FollowUp).where(FollowUp.id.in_(chunk)).values(deadline_owner_id=owner_id)
            )
    for chunk in _chunks(lead_ids, _CHUNK):
        session.execute(
            update(FollowUp)
            .where(FollowUp.lead_id.in_(chunk), queries.OPEN_FOLLOWUP)
            .values(owner_id=target_id)
        )
        session.execute(update(Lead).where(Lead.id.in_(chunk)).values(owner_id=target_id))
    return lead_ids


def _moving_leads(
    session: Session, rules: Rules, which: ColumnElement[bool], now: datetime
) -> list[MovingLead]:
    """The leads about to move, with their SLA deadlines and open follow-ups (locked)."""
    leads = session.execute(
        select(
            Lead.id, Lead.owner_id, Lead.sla_owner_id, Lead.source, Lead.timezone, Lead.created_at
        )
        .where(which)
        .order_by(Lead.id)
        .with_for_update()
    ).all()
    if not leads:
        return []
    followups: dict[int, tuple] = {}
    for chunk in _chunks([row.id for row in leads], _CHUNK):
        statement = (
            select(
                FollowUp.lead_id,
                FollowUp.id,
                FollowUp.owner_id,
                FollowUp.deadline_owner_id,
                FollowUp.due_at,
            )
            .where(FollowUp.lead_id.in_(chunk), queries.OPEN_FOLLOWUP)
            .with_for_update()
        )
        followups.update((row[0], row[1:]) for row in session.execute(statement))
    deadlines = _sla_deadlines(rules, leads, now)
    moving = []
    for row, deadline in zip(leads, deadlines, strict=True):
        followup_id, followup_owner_id, deadline_owner_id, due_at = followups.get(
            row.id, (None, None, None, None)
        )
        moving.append(
            MovingLead(
                lead_id=row.id,
                owner_id=row.owner_id,
                sla_owner_id=row.sla_owner_id,
                sla_deadline=deadline,
                followup_id=followup_id,
                followup_owner_id=followup_owner_id,
                deadline_owner_id=deadline_owner_id,
                due_at=due_at,
            )
        )
    return moving


def _sla_deadlines(rules: Rules, leads: list, now: datetime) -> list[datetime]:
    """Each lead's SLA deadline (rules.hours.sla_deadline), through one business clock per
    timezone: a handoff can move tens of thousands of leads."""
    lo = min(row.created_at for row in leads)
    clocks: dict[str, BusinessClock] = {}
    deadlines = []
    for row in leads:
        zone_name = row.timezone or rules.team.timezone
        clock = clocks.get(zone_name)
        if clock is None:
            clock = clocks[zone_name] = BusinessClock(
                rules.hours, zone(zone_name), lo, max(now, lo)
            )
        deadlines.append(
            sla_deadline(rules.sla, rules.hours, row.source, row.created_at, clock.tz, clock=clock)
        )
    return deadlines


def _by_owner(owners: dict[int, int]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for row_id, owner_id in owners.items():
        grouped.setdefault(owner_id, []).append(row_id)
    return grouped


def reassigned_events(
    session: Session,
    lead_ids: list[int],
    before: str | None,
    after: str | None,
    now: datetime,
    actor_id: int | None,
    rules: Rules,
    *,
    reason: str | None = None,
) -> None:
    """The `reassigned` timeline event and the `lead_reassigned` outbox event of each lead
    (`after` None: to the pool; `reason`: why, when no rep chose it)."""
    change = {"from": before, "to": after, **({"reason": reason} if reason else {})}
    detail = json.dumps(change, sort_keys=True)  # as append_event does
    session.execute(
        insert(Event),
        [
            {"lead_id": i, "at": now, "type": "reassigned", "rep_id": actor_id, "detail": detail}
            for i in lead_ids
        ],
    )
    changes = [(i, {"from_owner": before, "to_owner": after}) for i in lead_ids]
    emit(session, rules.hooks, type="lead_reassigned", at=now, changes=changes)


def _chunks(values: list[int], size: int):  # noqa: ANN202
    for index in range(0, len(values), size):
        yield values[index : index + size]


def rep_choices(db: Database, rules: Rules) -> list[str]:
    """Reps a lead can go to: the active reps the database knows, plus `[team] reps`."""
    with db.read() as session:
        known = session.execute(select(Rep.name).where(Rep.active.is_(True))).scalars()
        names = set(known)
    return sorted(names | set(rules.team.reps))
