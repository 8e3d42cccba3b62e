"""Reassignment: one lead to another rep, or a handoff of every open lead of a rep."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlmodel import Session

from callq.errors import UserError
from callq.rules.model import OPEN_STAGES, Rules
from callq.services.common import find_lead
from callq.store import queries
from callq.store.db import Database
from callq.store.models import Event, FollowUp, Lead, Rep


@dataclass(frozen=True)
class Reassigned:
    lead_id: int
    from_rep: str | None
    to_rep: str


def _target_rep(session: Session, rules: Rules, name: str) -> Rep:
    """The rep taking over: one the database knows, or one listed in `[team] reps`."""
    name = name.strip()
    rep = queries.rep_by_name(session, name)
    if rep is None and name in rules.team.reps:
        rep = queries.ensure_rep(session, name)
    if rep is None:
        raise UserError(f"no rep called {name!r} (known reps come from [team] reps or past work)")
    if not rep.active:
        raise UserError(f"{name} is not active")
    return rep


def reassign_lead(
    db: Database, rules: Rules, ref: str | int, to: str, *, now: datetime, actor: str
) -> Reassigned:
    """Move the lead and its open follow-up to `to`; the timeline goes with the lead."""
    with db.write() as session:
        lead = find_lead(session, ref, rules, lock=True)
        target = _target_rep(session, rules, to)
        acting = queries.ensure_rep(session, actor)
        names = queries.rep_names(session, {lead.owner_id} if lead.owner_id else set())
        before = names.get(lead.owner_id) if lead.owner_id else None
        if lead.owner_id == target.id:
            return Reassigned(lead.id, before, target.name)
        lead.owner_id = target.id
        session.add(lead)
        followup = queries.open_followup(session, lead.id, lock=True)
        if followup is not None:
            followup.owner_id = target.id
            session.add(followup)
        _events(session, [lead.id], before, target.name, now, acting.id)
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
        lead_ids = list(
            session.execute(
                select(Lead.id).where(Lead.owner_id == source.id, Lead.stage.in_(OPEN_STAGES))
            ).scalars()
        )
        if not lead_ids:
            return 0
        # In chunks: SQLite caps bound parameters per statement.
        for chunk in _chunks(lead_ids, 500):
            session.execute(
                update(FollowUp)
                .where(FollowUp.lead_id.in_(chunk), queries.OPEN_FOLLOWUP)
                .values(owner_id=target.id)
            )
            session.execute(update(Lead).where(Lead.id.in_(chunk)).values(owner_id=target.id))
        _events(session, lead_ids, source.name, target.name, now, acting.id)
        return len(lead_ids)


def _events(
    session: Session,
    lead_ids: list[int],
    before: str | None,
    after: str,
    now: datetime,
    actor_id: int,
) -> None:
    detail = json.dumps({"from": before, "to": after}, sort_keys=True)  # as append_event does
    session.execute(
        insert(Event),
        [
            {"lead_id": i, "at": now, "type": "reassigned", "rep_id": actor_id, "detail": detail}
            for i in lead_ids
        ],
    )


def _chunks(values: list[int], size: int):  # noqa: ANN202
    for index in range(0, len(values), size):
        yield values[index : index + size]


def rep_choices(db: Database, rules: Rules) -> list[str]:
    """Reps a lead can go to: the active reps the database knows, plus `[team] reps`."""
    with db.read() as session:
        known = session.execute(select(Rep.name).where(Rep.active.is_(True))).scalars()
        names = set(known)
    return sorted(names | set(rules.team.reps))
