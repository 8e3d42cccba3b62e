"""Plain read models the services return (never live ORM rows)."""

from dataclasses import asdict, dataclass, field
from datetime import datetime

# The queue's sections and rows are the queue rules' own types (re-exported for the front ends).
from callq.rules.queue import SECTION_TITLES as SECTION_TITLES
from callq.rules.queue import SECTIONS as SECTIONS
from callq.rules.queue import QueueItem as QueueItem


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
    # The lead has no timezone of its own (its number spans several zones or none is
    # known): `timezone` is the team's, a guess.
    timezone_guessed: bool = False
    tags: tuple[str, ...] = ()
    fields: dict = field(default_factory=dict)  # custom field name -> value ([fields])


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
    attempt: int = 1  # `rules.queue.attempt_number`: the attempt the next call makes
    attempts_total: int = 0
    # As of the `now` the lead was read at (None when read without one): the queue's rules.
    escalated: bool | None = None  # `rules.queue.is_escalated`
    section: str | None = None  # the open follow-up's section in its owner's queue


@dataclass(frozen=True)
class LoggedOutcome:
    """What logging an outcome did, for the toast / CLI line."""

    call_id: int | None  # None: a preview (`outcomes.preview_outcome`), not written yet
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
    name: str = ""  # the lead's name (on a merge, the existing lead's, not the one typed)


def as_dict(view: object) -> dict:
    return asdict(view)
