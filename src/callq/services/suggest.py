"""What the outcome form pre-fills: a lead's facts read ahead, and the rule's suggestion."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from callq.errors import NotFound
from callq.rules.model import CLOSED_STAGES, Outcome, Rules
from callq.rules.outcomes import cadence_outcome_ids, is_cadence_outcome, suggested_time
from callq.rules.timeexpr import Ask, NoNext
from callq.services.common import lead_zone, rep_zone
from callq.store import outcome_rows
from callq.store.db import Database
from callq.store.outcome_rows import OutcomeFacts


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
    """What the outcome form needs to know of a lead, whatever the outcome: the facts
    logging an outcome reads (the same statement), read ahead while the cursor rests on
    the lead. The outcome key then draws its panel without waiting for the database, and
    enter can show what the outcome does (`outcomes.preview_outcome`) before it is written."""

    facts: OutcomeFacts
    lead_tz: ZoneInfo
    rep_tz: ZoneInfo

    @property
    def lead_id(self) -> int:
        return self.facts.lead.id

    @property
    def arrived_at(self) -> datetime:
        return self.facts.lead.created_at

    @property
    def cadence_calls(self) -> int:  # calls so far whose outcome counts towards the cadence
        return self.facts.cadence_calls


def lead_facts(db: Database, rules: Rules, lead_id: int, *, rep: str) -> LeadFacts:
    """One statement (the outcome path's), no ORM objects, no lock."""
    with db.read() as session:
        facts = outcome_rows.outcome_facts(
            session.connection(),
            lead_id,
            rep=rep,
            cadence_outcomes=cadence_outcome_ids(rules),
            lock=False,
        )
    if facts is None:
        raise NotFound(f"no lead with id {lead_id}")
    return LeadFacts(facts, lead_zone(facts.lead, rules), rep_zone(facts.rep, rules))


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
