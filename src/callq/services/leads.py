"""Lead intents: add (or merge an inquiry), show, note, reschedule."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from callq.errors import UserError
from callq.phones import normalise_phone, zone_for_number
from callq.rules.blame import followup_deadline, owner_to_record
from callq.rules.hours import local_day_end, zone
from callq.rules.model import CHANNELS, CLOSED_STAGES, URGENCIES, Rules
from callq.rules.outcomes import first_response_due
from callq.rules.queue import (
    attempt_number,
    attempts_total,
    cadence_calls,
    is_escalated,
    section_of,
)
from callq.rules.routing import LeadFacts
from callq.rules.text import require_storable
from callq.services.common import (
    event_view,
    find_lead,
    followup_view,
    lead_sla_deadline,
    lead_view,
    lead_zone,
    rep_zone,
)
from callq.services.routing import route_owners
from callq.services.views import AddedLead, LeadDetail
from callq.store import queries
from callq.store.db import Database
from callq.store.models import FollowUp, Lead, Rep
from callq.store.outbox import emit, lead_change
from callq.store.timeline import append_event, lead_events

ROUND_ROBIN = "round-robin"  # as an owner: the next of `[team] reps`, even for a rep adding it
MERGE_FILLS = ("email", "company", "interest")  # a repeat inquiry fills these when blank


@dataclass(frozen=True)
class NewLead:
    """What intake knows about a lead (validated by `add_lead`)."""

    name: str
    phone: str
    source: str = "other"
    interest: str = ""
    urgency: str = "normal"
    owner: str | None = None
    timezone: str | None = None
    email: str = ""
    company: str = ""
    note: str = ""


def validate_new_lead(new: NewLead, rules: Rules) -> tuple[NewLead, str]:
    """The lead with defaults applied, and its E.164 phone; UserError on bad input."""
    for what, text in (
        ("the name", new.name), ("the phone", new.phone), ("the company", new.company),
        ("the email", new.email), ("the interest", new.interest), ("the note", new.note),
        ("the owner", new.owner),
    ):  # fmt: skip
        require_storable(what, text)
    if not new.name.strip():
        raise UserError("a lead needs a name")
    if new.source not in CHANNELS:
        raise UserError(f"unknown source {new.source!r} (use one of: {', '.join(CHANNELS)})")
    if new.urgency not in URGENCIES:
        raise UserError(f"unknown urgency {new.urgency!r} (use one of: {', '.join(URGENCIES)})")
    if new.timezone:
        try:
            zone(new.timezone)
        except Exception:
            raise UserError(f"unknown timezone {new.timezone!r} (e.g. Asia/Kolkata)") from None
    phone = normalise_phone(new.phone, rules.team.region)
    return new, phone


def owner_choice(owner: str | None, adder: str | None) -> str | None:
    """Who owns a new lead: the owner chosen, else the rep adding it (`adder`, None when
    no rep is known: intake, a script), else (None) the next rep in the round-robin.
    `ROUND_ROBIN` chooses the round-robin. The TUI's add form and `callq add` both ask
    this, so a lead a rep takes on a call stays in their queue unless they give it away."""
    if owner == ROUND_ROBIN:
        return None
    return owner or adder or None


def add_lead(
    db: Database,
    rules: Rules,
    new: NewLead,
    *,
    now: datetime,
    rep: str,
    adder_owns: bool = False,
) -> AddedLead:
    """One lead in, one transaction: a known phone merges into the existing lead.

    `adder_owns`: `rep` is a known rep adding the lead (the TUI, `callq add --rep`), who
    owns it unless `new.owner` says otherwise (`owner_choice`)."""
    new, phone = validate_new_lead(new, rules)
    with db.write() as session:
        return add_lead_in(session, rules, new, phone, now=now, rep=rep, adder_owns=adder_owns)


def add_lead_in(
    session: Session,
    rules: Rules,
    new: NewLead,
    phone: str,
    *,
    now: datetime,
    rep: str,
    adder_owns: bool = False,
) -> AddedLead:
    """`add_lead`'s writes in the caller's transaction (intake stores its idempotency key
    in the same one); `new` and `phone` come from `validate_new_lead`."""
    queries.lock_intake(session)
    from callq.services.dnc import refuse_listed  # a listed number: neither added nor reopened

    refuse_listed(session.connection(), [phone], rules, now)
    actor = queries.ensure_rep(session, rep)
    existing = queries.lead_by_phone(session, phone)
    if existing is not None:
        return _merge_inquiry(session, rules, existing, new, now=now, actor_id=actor.id)
    owner_name = owner_choice(new.owner, rep if adder_owns else None)
    owner = (
        queries.ensure_rep(session, owner_name)
        if owner_name
        else route_owners(session, rules, [_facts(new)], now=now)[0]
    )
    lead = Lead(
        name=new.name.strip(),
        phone=phone,
        source=new.source,
        interest=new.interest,
        urgency=new.urgency,
        owner_id=owner.id if owner else None,
        stage="new",
        timezone=new.timezone or zone_for_number(phone),  # None: the team's, a guess
        email=new.email,
        company=new.company,
        created_at=now,
    )
    session.add(lead)
    session.flush()
    due = first_response_due(rules, source=lead.source, created_at=now, tz=lead_zone(lead, rules))
    session.add(
        FollowUp(
            lead_id=lead.id,
            owner_id=lead.owner_id,
            due_at=due,
            kind="first_response",
            touch=1,
            created_at=now,
        )
    )
    append_event(
        session,
        lead_id=lead.id,
        at=now,
        type="created",
        rep_id=actor.id,
        source=lead.source,
        owner=owner.name if owner else None,
        note=new.note,
    )
    append_event(
        session,
        lead_id=lead.id,
        at=now,
        type="followup_scheduled",
        rep_id=actor.id,
        due_at=due,
        kind="first_response",
    )
    emit(
        session,
        rules.hooks,
        type="lead_created",
        at=now,
        changes=[(lead.id, lead_change(lead, owner.name if owner else None))],
    )
    return AddedLead(lead.id, False, False, owner.name if owner else None, due, lead.name)


def _merge_inquiry(
    session: Session, rules: Rules, lead: Lead, new: NewLead, *, now: datetime, actor_id: int
) -> AddedLead:
    """A repeat inquiry goes onto the lead's timeline; a closed lead reopens."""
    current = {attr: getattr(lead, attr) for attr in MERGE_FILLS}
    for attr, value in blank_fills(current, new).items():
        setattr(lead, attr, value)
    typed = new.name.strip()
    append_event(
        session,
        lead_id=lead.id,
        at=now,
        type="inquiry",
        rep_id=actor_id,
        # The name as this inquiry gave it, when it is not the lead's: kept on the timeline.
        **({"name": typed} if typed and typed != lead.name else {}),
        source=new.source,
        note=new.note,
    )
    reopened = lead.stage in CLOSED_STAGES
    due = (
        reopen_closed_lead(session, rules, lead, source=new.source, now=now, actor_id=actor_id)
        if reopened
        else None
    )
    session.add(lead)
    owner = queries.rep_names(session, {lead.owner_id} if lead.owner_id else set())
    change = lead_change(lead, owner.get(lead.owner_id), inquiry_source=new.source)
    emit(
        session,
        rules.hooks,
        type="lead_reopened" if reopened else "lead_merged",
        at=now,
        changes=[(lead.id, change)],
    )
    return AddedLead(lead.id, True, reopened, owner.get(lead.owner_id), due, lead.name)


def blank_fills(current: dict[str, str], new: NewLead) -> dict[str, str]:
    """The fields a repeat inquiry fills in: only those the lead has blank (never overwrites)."""
    return {
        attr: getattr(new, attr)
        for attr in MERGE_FILLS
        if not current.get(attr) and getattr(new, attr)
    }


def reopen_closed_lead(
    session: Session,
    rules: Rules,
    lead: Lead,
    *,
    source: str,
    now: datetime,
    actor_id: int,
    reason: str = "new inquiry",
    stage: str | None = None,
) -> datetime:
    """A closed lead with a new inquiry reopens with a new first-response follow-up
    (`stage`: the stage it reopens in; by default `new` until it was ever touched)."""
    stage = stage or ("contacted" if lead.first_touch_at else "new")
    append_event(
        session,
        lead_id=lead.id,
        at=now,
        type="stage_changed",
        rep_id=actor_id,
        **{"from": lead.stage, "to": stage},
        reason=reason,
    )
    lead.stage = stage
    due = first_response_due(rules, source=source, created_at=now, tz=lead_zone(lead, rules))
    session.add(
        FollowUp(
            lead_id=lead.id,
            owner_id=lead.owner_id,
            due_at=due,
            kind="first_response",
            created_at=now,
        )
    )
    append_event(
        session,
        lead_id=lead.id,
        at=now,
        type="followup_scheduled",
        rep_id=actor_id,
        due_at=due,
        kind="first_response",
    )
    session.add(lead)
    return due


def _facts(new: NewLead) -> LeadFacts:
    """What `[[routing]]` matches a new lead on."""
    return LeadFacts(source=new.source, interest=new.interest, urgency=new.urgency)


def show_lead(db: Database, rules: Rules, ref: str, *, now: datetime | None = None) -> LeadDetail:
    """The lead, its open follow-up and timeline; with `now`, also whether it is escalated
    and its follow-up's section, by the rules the queue uses (`rules.queue`)."""
    with db.read() as session:
        lead = find_lead(session, ref, rules)
        followup = queries.open_followup(session, lead.id)
        events = lead_events(session, lead.id)
        rep_ids = {lead.owner_id, lead.claimed_by_id, followup.owner_id if followup else None}
        rep_ids |= {e.rep_id for e in events}
        names = queries.rep_names(session, {i for i in rep_ids if i})
        escalated = section = None
        if now is not None:
            escalated = is_escalated(
                rules,
                source=lead.source,
                created_at=lead.created_at,
                first_touch_at=lead.first_touch_at,
                escalated_at=lead.escalated_at,
                tz=lead_zone(lead, rules),
                now=now,
            )
        if now is not None and followup is not None:
            # Its owner's queue: that rep's day decides between today and upcoming.
            owner = session.get(Rep, followup.owner_id) if followup.owner_id else None
            day_end = local_day_end(now, rep_zone(owner, rules))
            section = section_of(followup.kind, followup.due_at, now=now, day_end=day_end)
        return LeadDetail(
            lead=lead_view(lead, names, rules),
            open_followup=followup_view(followup, names),
            timeline=tuple(event_view(e, names) for e in events),
            calls=queries.count_calls(session, lead.id),
            sla_deadline=lead_sla_deadline(lead, rules),
            attempt=attempt_number(cadence_calls(rules, queries.call_outcomes(session, lead.id))),
            attempts_total=attempts_total(rules),
            escalated=escalated,
            section=section,
        )


def add_note(db: Database, rules: Rules, ref: str, text: str, *, now: datetime, rep: str) -> int:
    require_storable("the note", text)
    if not text.strip():
        raise UserError("the note is empty")
    with db.write() as session:
        lead = find_lead(session, ref, rules, lock=True)
        actor = queries.ensure_rep(session, rep)
        append_event(
            session, lead_id=lead.id, at=now, type="note", rep_id=actor.id, text=text.strip()
        )
        change = {"rep": actor.name, "text": text.strip()}
        emit(session, rules.hooks, type="note_added", at=now, changes=[(lead.id, change)])
        return lead.id


def reschedule(
    db: Database,
    rules: Rules,
    ref: str,
    when: str | datetime,
    *,
    now: datetime,
    rep: str,
    note: str = "",
    their_time: bool = False,
) -> tuple[int, datetime]:
    """Move the lead's open follow-up; the invariant holds (still exactly one open)."""
    from callq.services.callback import callback_instant

    require_storable("the note", note)
    with db.write() as session:
        lead = find_lead(session, ref, rules, lock=True)
        actor = queries.ensure_rep(session, rep)
        followup = queries.open_followup(session, lead.id, lock=True)
        if followup is None:
            raise UserError(
                f"lead {lead.id} is {lead.stage} and has no open follow-up; "
                "log an outcome to reopen it"
            )
        due = callback_instant(when, rules, lead=lead, rep=actor, now=now, their_time=their_time)
        before = followup.due_at
        followup.due_at = due
        # A new due time is a new deadline: whoever owns the follow-up when it passes is
        # blamed, not the owner recorded at the old one (rules.blame).
        followup.deadline_owner_id = owner_to_record(
            followup.owner_id, None, followup_deadline(due, rules.team.late_after), now
        )
        session.add(followup)
        append_event(
            session,
            lead_id=lead.id,
            at=now,
            type="followup_rescheduled",
            rep_id=actor.id,
            **{"from": before, "to": due},
            kind=followup.kind,
            note=note.strip(),
        )
        change = {
            "rep": actor.name,
            "followup_id": followup.id,
            "kind": followup.kind,
            "from": before,
            "to": due,
            "note": note.strip(),
        }
        emit(session, rules.hooks, type="followup_rescheduled", at=now, changes=[(lead.id, change)])
        return lead.id, due
