"""Pieces every service needs: finding a lead, timezones, read models."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlmodel import Session

from callq.errors import NotFound, UserError
from callq.phones import PhoneError, looks_like_phone, normalise_phone, shown
from callq.rules.fields import decode_fields, decode_tags
from callq.rules.hours import sla_deadline, zone_or_team
from callq.rules.model import Rules
from callq.services.views import EventView, FollowUpView, LeadView
from callq.store import queries
from callq.store.models import Event, FollowUp, Lead, Rep
from callq.store.timeline import event_detail
from callq.wording import clock


def lead_zone(lead: Lead, rules: Rules) -> ZoneInfo:
    return zone_or_team(lead.timezone, rules)


def rep_zone(rep: Rep | None, rules: Rules) -> ZoneInfo:
    return zone_or_team(rep.timezone if rep else None, rules)


# Lead ids fit PostgreSQL's INTEGER; a larger `#id` names no lead (and must not reach SQL).
LARGEST_ID = 2**31 - 1


def lead_id_for(session: Session | Connection, ref: str | int, rules: Rules) -> int:
    """The id a LEAD argument names (NotFound / UserError otherwise), without loading it.

    A phone number names the lead having it as its phone or among its other phones; a
    number several leads share names none of them: the message lists them all.
    Takes a session or a bare connection (the outcome path runs on one).
    """
    text = str(ref).strip()
    if text.lstrip("#").isdecimal() and (text.startswith("#") or not looks_like_phone(text)):
        lead_id = int(text.lstrip("#"))
        if lead_id > LARGEST_ID:
            raise NotFound(f"no lead with id {shown(text.lstrip('#'))}")
        return lead_id
    try:
        phone = normalise_phone(text, rules.team.region)
    except PhoneError as error:
        raise UserError(
            f"{shown(text)} is neither a lead id nor a phone number ({error})"
        ) from None
    matches = queries.leads_with_phone(session, phone)
    if not matches:
        raise NotFound(f"no lead with phone {phone}")
    if len(matches) > 1:
        listed = "; ".join(f"#{row.id} {row.name} ({row.phone})" for row in matches)
        raise UserError(f"{phone} belongs to {len(matches)} leads: {listed} - give the lead id")
    return matches[0].id


def team_rep(session: Session, rules: Rules, name: str) -> Rep:
    """A rep by name: one the database knows, or one listed in `[team] reps` (added now)."""
    name = name.strip()
    rep = queries.rep_by_name(session, name)
    if rep is None and name in rules.team.reps:
        rep = queries.ensure_rep(session, name)
    if rep is None:
        raise UserError(f"no rep called {name!r} (known reps come from [team] reps or past work)")
    return rep


def find_lead(session: Session, ref: str | int, rules: Rules, *, lock: bool = False) -> Lead:
    """A LEAD argument: a lead id, or a phone number in any format (normalised first)."""
    lead_id = lead_id_for(session, ref, rules)
    lead = queries.lock_lead(session, lead_id) if lock else session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead with id {lead_id}")
    return lead


def lead_view(lead: Lead, names: dict[int, str], rules: Rules) -> LeadView:
    return LeadView(
        id=lead.id,
        name=lead.name,
        phone=lead.phone,
        source=lead.source,
        stage=lead.stage,
        owner=names.get(lead.owner_id) if lead.owner_id else None,
        timezone=lead.timezone or rules.team.timezone,
        created_at=lead.created_at,
        first_touch_at=lead.first_touch_at,
        company=lead.company,
        email=lead.email,
        interest=lead.interest,
        urgency=lead.urgency,
        other_phones=tuple(p for p in lead.other_phones.split(",") if p),
        escalated_at=lead.escalated_at,
        claimed_by=names.get(lead.claimed_by_id) if lead.claimed_by_id else None,
        claimed_until=lead.claimed_until,
        timezone_guessed=lead.timezone is None,
        tags=decode_tags(lead.tags),
        fields=decode_fields(lead.fields),
    )


def followup_view(followup: FollowUp | None, names: dict[int, str]) -> FollowUpView | None:
    if followup is None:
        return None
    return FollowUpView(
        id=followup.id,
        due_at=followup.due_at,
        kind=followup.kind,
        owner=names.get(followup.owner_id) if followup.owner_id else None,
        touch=followup.touch,
    )


def event_view(event: Event, names: dict[int, str]) -> EventView:
    return EventView(
        at=event.at,
        type=event.type,
        rep=names.get(event.rep_id) if event.rep_id else None,
        detail=event_detail(event),
    )


def lead_sla_deadline(lead: Lead, rules: Rules) -> datetime:
    return sla_deadline(
        rules.sla, rules.hours, lead.source, lead.created_at, lead_zone(lead, rules)
    )


def held_by_other(lead, rep_id: int, now: datetime) -> bool:  # noqa: ANN001
    """Another rep's claim on `lead` (a Lead or a row with its claim columns) is live."""
    return (
        lead.claimed_by_id not in (None, rep_id)
        and lead.claimed_until is not None
        and lead.claimed_until > now
    )


def held_sentence(lead, holder: str | None, tz: ZoneInfo) -> str:  # noqa: ANN001
    """`Meera is being worked by ben until 10:05` (in the reader's timezone)."""
    return f"{lead.name} is being worked by {holder} until {clock(lead.claimed_until, tz)}"
