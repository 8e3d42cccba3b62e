"""What the outcome form pre-fills: a lead's facts read ahead, and the rule's suggestion."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import select

from callq.errors import NotFound
from callq.rules.hours import zone_or_team
from callq.rules.model import CLOSED_STAGES, Outcome, Rules
from callq.rules.outcomes import cadence_outcome_ids, is_cadence_outcome, suggested_time
from callq.rules.timeexpr import Ask, NoNext
from callq.store.db import Database
from callq.store.models import Call, Lead, Rep


@dataclass(frozen=True)
class Suggestion:
    """What the outcome form pre-fills for one lead and outcome."""

    outcome: Outcome
    at: datetime | None  # the rule's next follow-up time (None: no next follow-up)
    required: bool  # the rule says `ask`: the rep must choose a time
    closes: bool  # the outcome closes the lead (no next follow-up)
    lead_tz: ZoneInfo
    rep_tz: ZoneInfo


@dataclass(frozen=True)
class LeadFacts:
    """What a suggestion needs to know of a lead, whatever the outcome: read ahead while
    the cursor rests on the lead, so the outcome key does not wait for the database."""

    lead_id: int
    arrived_at: datetime
    lead_tz: ZoneInfo
    rep_tz: ZoneInfo
    cadence_calls: int  # calls so far whose outcome counts towards the cadence


def lead_facts(db: Database, rules: Rules, lead_id: int, *, rep: str) -> LeadFacts:
    """One statement, no ORM objects."""
    cadence_calls = (
        select(func.count())
        .select_from(Call)
        .where(Call.lead_id == Lead.id, Call.outcome.in_(cadence_outcome_ids(rules)))
        .scalar_subquery()
    )
    rep_timezone = select(Rep.timezone).where(Rep.name == rep).scalar_subquery()
    statement = select(Lead.created_at, Lead.timezone, cadence_calls, rep_timezone).where(
        Lead.id == lead_id
    )
    with db.read() as session:
        row = session.execute(statement).first()
    if row is None:
        raise NotFound(f"no lead with id {lead_id}")
    created_at, lead_timezone, calls, rep_timezone_name = row
    return LeadFacts(
        lead_id,
        created_at,
        zone_or_team(lead_timezone, rules),
        zone_or_team(rep_timezone_name, rules),
        calls,
    )


def suggest(rules: Rules, facts: LeadFacts, outcome_ref: str, *, now: datetime) -> Suggestion:
    """The next follow-up the rule would schedule if `outcome_ref` were logged now."""
    outcome = rules.outcome(outcome_ref)
    calls = facts.cadence_calls + (1 if is_cadence_outcome(outcome) else 0)
    closes = isinstance(outcome.next, NoNext) or outcome.stage in CLOSED_STAGES
    at = None
    if not closes:
        at = suggested_time(
            rules,
            outcome,
            call_at=now,
            arrived_at=facts.arrived_at,
            cadence_calls=calls,
            tz=facts.lead_tz,
        )
    return Suggestion(
        outcome=outcome,
        at=at,
        required=isinstance(outcome.next, Ask),
        closes=closes or (at is None and is_cadence_outcome(outcome)),
        lead_tz=facts.lead_tz,
        rep_tz=facts.rep_tz,
    )
