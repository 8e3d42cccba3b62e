"""Undoing an outcome (pure): restore the lead as the call found it, onto the lead as it is now.

Undo puts back what the call changed: the follow-up it completed reopens, the one it
scheduled goes, the stage and first touch return. It refuses, changing nothing, when a
later change (a call, a rescheduled follow-up, a new inquiry, a stage change) touched
what it would restore: undoing would silently throw that change away. A reassignment
or a note alone changes nothing undo restores; the reopened follow-up goes to the
lead's owner now.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from callq.errors import Conflict, UserError
from callq.rules.blame import followup_deadline, owner_to_record
from callq.rules.outcomes import FollowUpFacts, LeadFacts, PlannedEvent, undo_window


@dataclass(frozen=True, slots=True)
class CallFacts:
    """The call to undo: the rep's most recently logged one."""

    id: int
    lead_id: int
    outcome: str
    logged_at: datetime


@dataclass(frozen=True, slots=True)
class CallRecord:
    """What the call's `call_logged` event recorded about the lead around the call.

    `stage_after` / `next_due_at` are absent (None) in events written before undo
    compared them; then those comparisons are skipped.
    """

    stage_before: str
    first_touch_before: datetime | None
    completed_followup_id: int | None
    created_followup_id: int | None
    attempt: int
    stage_after: str | None = None
    next_due_at: datetime | None = None

    @classmethod
    def from_detail(cls, detail: dict) -> "CallRecord":
        def instant(key: str) -> datetime | None:
            value = detail.get(key)
            return datetime.fromisoformat(value) if value else None

        return cls(
            stage_before=detail["stage_before"],
            first_touch_before=instant("first_touch_before"),
            completed_followup_id=detail.get("completed_followup_id"),
            created_followup_id=detail.get("created_followup_id"),
            attempt=detail.get("attempt", 0),
            stage_after=detail.get("stage_after"),
            next_due_at=instant("next_due_at"),
        )


@dataclass(frozen=True, slots=True)
class UndoFacts:
    """What undo reads, in the transaction that will write its plan."""

    rep_id: int | None
    call: CallFacts | None  # the rep's last logged call, if any
    lead: LeadFacts | None = None
    record: CallRecord | None = None  # None: the call's timeline entry is missing
    open_followup: FollowUpFacts | None = None
    completed_followup: FollowUpFacts | None = None  # the follow-up the call completed
    later_call_by: str | None = None  # who logged a call on the lead after this one
    moved_by: str | None = None  # who last rescheduled the lead's follow-up since the call


@dataclass(frozen=True, slots=True)
class Reopen:
    """The completed follow-up, open again, owned by the lead's current owner."""

    id: int
    owner_id: int | None
    deadline_owner_id: int | None


@dataclass(frozen=True, slots=True)
class UndoPlan:
    call_id: int
    lead_id: int
    delete_followup_id: int | None  # the follow-up the call scheduled
    reopen: Reopen | None
    stage: str  # restored
    stage_undone: str  # the stage the call had left
    first_touch_at: datetime | None  # restored
    attempt: int
    event: PlannedEvent


def plan_undo(facts: UndoFacts, *, actor: str, now: datetime, late_after: timedelta) -> UndoPlan:
    """The writes that undo the rep's last outcome; UserError / Conflict when it may not."""
    call = facts.call
    if call is None or now - call.logged_at > undo_window():
        raise UserError("nothing to undo: no outcome logged by you in the last 10 minutes")
    lead, record, current = facts.lead, facts.record, facts.open_followup
    if record is None:
        raise UserError("this call's log entry is missing; it cannot be undone")
    if facts.later_call_by is not None:
        if facts.later_call_by == actor:
            raise Conflict(f"you logged a later call on {lead.name}; undo that one first")
        raise Conflict(
            f"{facts.later_call_by} logged a later call on {lead.name}; nothing was undone"
        )
    if (current.id if current else None) != record.created_followup_id or (
        record.stage_after is not None and lead.stage != record.stage_after
    ):
        # A new inquiry reopened the lead, or its stage moved on since.
        raise Conflict(
            f"{lead.name} changed since that call; nothing was undone - log a new outcome instead"
        )
    if current is not None and record.next_due_at not in (None, current.due_at):
        who = "you" if facts.moved_by == actor else facts.moved_by or "someone"
        raise Conflict(
            f"{who} moved {lead.name}'s follow-up since that call; nothing was undone "
            "(undoing would drop that change) - log a new outcome instead"
        )
    reopen = None
    if facts.completed_followup is not None:
        reopen = _reopen_onto(facts.completed_followup, lead.owner_id, now, late_after)
    return UndoPlan(
        call_id=call.id,
        lead_id=lead.id,
        delete_followup_id=record.created_followup_id,
        reopen=reopen,
        stage=record.stage_before,
        stage_undone=lead.stage,
        first_touch_at=record.first_touch_before,
        attempt=record.attempt,
        event=PlannedEvent(
            "outcome_undone",
            {"call_id": call.id, "outcome": call.outcome, "stage_restored": record.stage_before},
        ),
    )


def _reopen_onto(
    followup: FollowUpFacts, owner_id: int | None, now: datetime, late_after: timedelta
) -> Reopen:
    """The follow-up reopens for whoever owns the lead now (it may have been reassigned).

    Moving it to another rep after its deadline records who owned it then, as a
    reassignment does (`rules.blame`): a miss counts against the owner at the deadline.
    """
    recorded = followup.deadline_owner_id
    if owner_id != followup.owner_id:
        deadline = followup_deadline(followup.due_at, late_after)
        recorded = owner_to_record(followup.owner_id, recorded, deadline, now) or recorded
    return Reopen(followup.id, owner_id, recorded)
