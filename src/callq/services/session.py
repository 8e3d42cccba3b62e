"""What a TUI session reads around the queue: header stats, outcome suggestions, search, changes."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import select

from callq.errors import NotFound
from callq.phones import PhoneError, normalise_phone
from callq.rules.model import CLOSED_STAGES, Outcome, Rules
from callq.rules.outcomes import cadence_outcome_ids, is_cadence_outcome, suggested_time
from callq.rules.timeexpr import NoNext
from callq.services.common import rep_zone, zone_or_team
from callq.store import queries
from callq.store.db import Database
from callq.store.models import Call, FollowUp, Lead, Rep


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
class HeaderStats:
    calls_today: int
    on_time_rate: float | None  # share of this week's due follow-ups done in time


@dataclass(frozen=True)
class FoundLead:
    lead_id: int
    name: str
    phone: str
    company: str
    stage: str


@dataclass(frozen=True)
class DueAlert:
    lead_id: int
    name: str
    due_at: datetime


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
    from callq.rules.timeexpr import Ask

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


def viewer_zone(db: Database, rules: Rules, rep: str) -> ZoneInfo:
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


def search_leads(db: Database, rules: Rules, text: str, *, limit: int = 50) -> list[FoundLead]:
    """Leads whose name or company contains `text`, or whose phone contains its digits."""
    text = text.strip()
    if not text:
        return []
    like = f"%{text}%"
    conditions = [Lead.name.ilike(like), Lead.company.ilike(like)]
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 3:
        conditions.append(Lead.phone.contains(digits))
    with db.read() as session:
        rows = session.exec(
            select(Lead.id, Lead.name, Lead.phone, Lead.company, Lead.stage)
            .where(or_(*conditions))
            .order_by(Lead.name, Lead.id)
            .limit(limit)
        ).all()
    return [FoundLead(*row) for row in rows]


def change_marker(db: Database) -> tuple:
    """Changes whenever anyone writes (an event appended or a claim taken): cheap to poll."""
    from callq.services.claims import change_token

    return change_token(db)


def falling_due(
    db: Database, *, rep: str, after: datetime, until: datetime, limit: int = 20
) -> list[DueAlert]:
    """The rep's open follow-ups that became due in (after, until]."""
    with db.read() as session:
        rep_row = queries.rep_by_name(session, rep)
        if rep_row is None:
            return []
        rows = session.exec(
            select(Lead.id, Lead.name, FollowUp.due_at)
            .join(Lead, Lead.id == FollowUp.lead_id)
            .where(
                queries.OPEN_FOLLOWUP,
                FollowUp.owner_id == rep_row.id,
                FollowUp.due_at > after,
                FollowUp.due_at <= until,
            )
            .order_by(FollowUp.due_at)
            .limit(limit)
        ).all()
    return [DueAlert(*row) for row in rows]


def section_of(due_at: datetime | None, kind: str | None, *, now: datetime, day_end: datetime):
    """Which queue section a follow-up due at `due_at` belongs in (None: no follow-up)."""
    if due_at is None:
        return None
    if kind == "first_response":
        return "new"
    if due_at < now:
        return "overdue"
    return "today" if due_at < day_end else "upcoming"


def dial_argv(command: tuple[str, ...], phone: str, region: str) -> list[str]:
    """The dial command's arguments with `{phone}` as a validated E.164 number (PhoneError)."""
    e164 = normalise_phone(phone, region)
    if not e164.startswith("+") or not e164[1:].isdigit():
        raise PhoneError(f"{phone!r} is not a dialable E.164 number")
    return [arg.replace("{phone}", e164) for arg in command]
