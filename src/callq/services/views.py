"""Plain read models the services return (never live ORM rows)."""

from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class LeadView:
    id: int
    name: str
    phone: str
    source: str
    stage: str
    owner: str | None
    timezone: str
    created_at: datetime
    first_touch_at: datetime | None
    company: str = ""
    email: str = ""
    interest: str = ""
    urgency: str = "normal"
    other_phones: tuple[str, ...] = ()
    escalated_at: datetime | None = None
    claimed_by: str | None = None
    claimed_until: datetime | None = None


@dataclass(frozen=True)
class FollowUpView:
    id: int
    due_at: datetime
    kind: str
    owner: str | None
    touch: int | None = None


@dataclass(frozen=True)
class EventView:
    at: datetime
    type: str
    rep: str | None
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class LeadDetail:
    lead: LeadView
    open_followup: FollowUpView | None
    timeline: tuple[EventView, ...]
    calls: int
    sla_deadline: datetime


@dataclass(frozen=True)
class LoggedOutcome:
    """What logging an outcome did, for the toast / CLI line."""

    call_id: int
    lead_id: int
    lead_name: str
    outcome_id: str
    outcome_label: str
    stage_before: str
    stage: str
    next_due_at: datetime | None
    next_kind: str | None
    attempt: int  # this call was attempt n
    attempts_total: int  # of the cadence
    touch: int | None
    cadence_exhausted: bool


@dataclass(frozen=True)
class AddedLead:
    lead_id: int
    merged: bool  # the phone was known: the inquiry went onto that lead
    reopened: bool
    owner: str | None
    first_response_due: datetime | None


SECTIONS = ("new", "overdue", "today", "upcoming")  # the queue's sections, in SPEC order
SECTION_TITLES = {"new": "New", "overdue": "Overdue", "today": "Due today", "upcoming": "Upcoming"}


@dataclass(frozen=True)
class QueueItem:
    followup_id: int
    lead_id: int
    name: str
    phone: str
    company: str
    source: str
    stage: str
    owner: str | None
    urgency: str
    section: str  # new | overdue | today | upcoming
    due_at: datetime
    kind: str
    touch: int  # this would be attempt n (calls so far + 1)
    touches_total: int
    late_minutes: int
    last_outcome: str | None
    last_note: str
    escalated: bool


def as_dict(view: object) -> dict:
    return asdict(view)
