"""Who is to blame for a miss: whoever owned the work when its deadline passed (pure).

A missed follow-up counts against its owner at due + late_after, an SLA miss against the
lead's owner at the SLA deadline. The database keeps that owner only once the work moves
after its deadline (`lead.sla_owner_id`, `followup.deadline_owner_id`); until then the
recorded owner is None and the current owner is the one to blame. The report's SQL says
the same in `store.report_queries` (`blamed_lead_owner`, `blamed_followup_owner`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


def blamed_owner(recorded_owner_id: int | None, owner_id: int | None) -> int | None:
    """The rep a miss counts against: the one recorded at the deadline, else the owner."""
    return recorded_owner_id if recorded_owner_id is not None else owner_id


def deadline_passed(deadline: datetime, now: datetime) -> bool:
    """Whether `deadline` is behind us: a miss is final (and counted) once it has passed."""
    return deadline < now


def followup_deadline(due_at: datetime, late_after: timedelta) -> datetime:
    """When an open follow-up turns into a missed one."""
    return due_at + late_after


def owner_to_record(
    owner_id: int | None, recorded_owner_id: int | None, deadline: datetime, now: datetime
) -> int | None:
    """When work moves to another rep at `now`: the owner to record as the one at its
    deadline, or None to record nothing.

    Before the deadline the new owner will own it when the deadline comes, so nothing is
    recorded; after it the current owner is recorded, unless an earlier move already did.
    """
    if recorded_owner_id is not None or not deadline_passed(deadline, now):
        return None
    return owner_id


@dataclass(frozen=True)
class MovingLead:
    """The facts about a lead moving to another rep that decide whom its misses stay with."""

    lead_id: int
    owner_id: int | None
    sla_owner_id: int | None
    sla_deadline: datetime
    followup_id: int | None = None  # its open follow-up, if any
    followup_owner_id: int | None = None
    deadline_owner_id: int | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class BlamePlan:
    """Owners to record: lead id -> the owner at its SLA deadline, follow-up id -> the
    owner at its deadline."""

    sla_owners: dict[int, int] = field(default_factory=dict)
    deadline_owners: dict[int, int] = field(default_factory=dict)


def plan_blame(moving: Iterable[MovingLead], late_after: timedelta, now: datetime) -> BlamePlan:
    """The owners to record before the leads (and their open follow-ups) change hands."""
    plan = BlamePlan()
    for lead in moving:
        owner = owner_to_record(lead.owner_id, lead.sla_owner_id, lead.sla_deadline, now)
        if owner is not None:
            plan.sla_owners[lead.lead_id] = owner
        if lead.followup_id is None or lead.due_at is None:
            continue
        deadline = followup_deadline(lead.due_at, late_after)
        owner = owner_to_record(lead.followup_owner_id, lead.deadline_owner_id, deadline, now)
        if owner is not None:
            plan.deadline_owners[lead.followup_id] = owner
    return plan
