"""Claims: opening a lead holds it for a few minutes so two reps never call it at once."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import select

from callq.errors import Conflict
from callq.rules.model import OPEN_STAGES, Rules
from callq.services.common import find_lead, held_by_other, held_sentence, rep_zone
from callq.services.queue import SECTIONS, QueueReader
from callq.store import queries
from callq.store.db import Database
from callq.store.models import Event, FollowUp, Lead
from callq.store.outbox import emit

CLAIM_TTL = timedelta(minutes=5)
CLAIMS_SEQ = "claims_seq"


@dataclass(frozen=True)
class Claim:
    lead_id: int
    lead_name: str
    holder: str
    until: datetime


def _bump_claims_seq(session) -> None:  # noqa: ANN001
    """Claims change no timeline; this counter lets other sessions notice them cheaply."""
    value = queries.get_meta(session, CLAIMS_SEQ)
    queries.set_meta(session, CLAIMS_SEQ, str(int(value or 0) + 1))


def claim_lead(
    db: Database,
    rules: Rules,
    ref: str | int,
    *,
    rep: str,
    now: datetime,
    ttl: timedelta = CLAIM_TTL,
    force: bool = False,
) -> Claim:
    """Hold `ref` for `ttl`; refused (Conflict) while another rep's claim is live."""
    with db.write() as session:
        lead = find_lead(session, ref, rules, lock=True)
        actor = queries.ensure_rep(session, rep)
        if held_by_other(lead, actor.id, now) and not force:
            holder = queries.rep_names(session, {lead.claimed_by_id})[lead.claimed_by_id]
            raise Conflict(held_sentence(lead, holder, rep_zone(actor, rules)))
        _take_from_pool(session, rules, lead, actor, now)
        lead.claimed_by_id, lead.claimed_until = actor.id, now + ttl
        session.add(lead)
        _bump_claims_seq(session)
        _claimed_event(session, rules, lead, actor.name, now)
        return Claim(lead.id, lead.name, actor.name, lead.claimed_until)


def release_claim(db: Database, rules: Rules, ref: str | int, *, rep: str, now: datetime) -> bool:
    """Give back `rep`'s hold on the lead; False (nothing changed) when `rep` holds none."""
    with db.write() as session:
        lead = find_lead(session, ref, rules, lock=True)
        actor = queries.rep_by_name(session, rep)
        if actor is None or lead.claimed_by_id != actor.id:
            return False
        lead.claimed_by_id, lead.claimed_until = None, None
        session.add(lead)
        _bump_claims_seq(session)
        change = {"rep": actor.name}
        emit(session, rules.hooks, type="lead_released", at=now, changes=[(lead.id, change)])
        return True


def _claimed_event(session, rules: Rules, lead: Lead, rep: str, now: datetime) -> None:  # noqa: ANN001
    """`lead_claimed`: who holds the lead, and until when (a claim that runs out releases
    the lead without an event)."""
    change = {"rep": rep, "until": lead.claimed_until}
    emit(session, rules.hooks, type="lead_claimed", at=now, changes=[(lead.id, change)])


def next_lead(db: Database, rules: Rules, *, rep: str, now: datetime) -> Claim | None:
    """The top of the rep's queue that nobody else holds, claimed in the same transaction.

    Two reps asking at once never get the same lead: SQLite serialises the writers
    (BEGIN IMMEDIATE) and PostgreSQL skips rows another transaction has locked.
    """
    reader = QueueReader(db, rules, rep=rep, now=now)
    with db.write() as session:
        actor = queries.ensure_rep(session, rep)
        for section in SECTIONS:
            statement = (
                reader.statement(section)
                .where(
                    or_(
                        Lead.claimed_until.is_(None),
                        Lead.claimed_until <= now,
                        Lead.claimed_by_id == actor.id,
                    )
                )
                .order_by(FollowUp.due_at, FollowUp.id)
                .limit(1)
                .with_for_update(skip_locked=True, of=Lead)
            )
            row = session.exec(statement).first()
            if row is None:
                continue
            _, lead = row
            _take_from_pool(session, rules, lead, actor, now)
            lead.claimed_by_id, lead.claimed_until = actor.id, now + CLAIM_TTL
            session.add(lead)
            _bump_claims_seq(session)
            _claimed_event(session, rules, lead, actor.name, now)
            return Claim(lead.id, lead.name, actor.name, lead.claimed_until)
    return None


def _take_from_pool(session, rules: Rules, lead: Lead, actor, now: datetime) -> None:  # noqa: ANN001
    """A pool lead (an open lead nobody owns) becomes the claimer's, with its open
    follow-up: it leaves every other rep's New. The caller holds the lead's row lock (or
    SQLite's write lock), so of two reps claiming it, the second finds it owned or held."""
    if lead.owner_id is not None or lead.stage not in OPEN_STAGES:
        return
    from callq.services.reassign import move_leads, reassigned_events

    move_leads(session, rules, Lead.id == lead.id, actor.id, now)
    reason = "claimed from the pool"
    reassigned_events(session, [lead.id], None, actor.name, now, actor.id, rules, reason=reason)
    lead.owner_id = actor.id  # the row is moved; the loaded object says so too


def change_token(db: Database) -> tuple:
    """Changes anywhere, cheaply: every write appends a timeline event or bumps a claim."""
    with db.read() as session:
        last_event = session.exec(select(func.max(Event.id))).one()
        return (last_event, queries.get_meta(session, CLAIMS_SEQ))
