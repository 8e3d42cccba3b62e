"""Outcome rules: what a logged call does to a lead's stage and its next follow-up (pure).

`plan_call` turns the facts a service read into everything one logged outcome writes
(`CallPlan`); the service writes that plan and nothing else.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from callq.errors import UserError
from callq.rules import timeexpr as te
from callq.rules.model import CLOSED_STAGES, Outcome, Rules
from callq.rules.wording import typeable


class NeedsCallbackTime(UserError):
    """The rule says `ask` and no time was given; `suggestion` may pre-fill the question."""

    def __init__(self, outcome: Outcome, suggestion: datetime | None) -> None:
        hint = f"; the rule suggests {typeable(suggestion, UTC)} UTC" if suggestion else ""
        super().__init__(
            f"{outcome.label}: this outcome needs a callback time "
            f"(e.g. --callback 'tomorrow 3pm'){hint}"
        )
        self.suggestion = suggestion


@dataclass(frozen=True)
class Plan:
    """The effect of one outcome: the stage reached and the follow-up to schedule, if any."""

    stage: str
    next_due_at: datetime | None
    next_kind: str | None  # "callback" or "cadence"
    touch: int | None  # cadence touch number of the next follow-up
    touches_total: int
    cadence_exhausted: bool = False

    @property
    def closes(self) -> bool:
        return self.stage in CLOSED_STAGES


def is_cadence_outcome(outcome: Outcome) -> bool:
    return isinstance(outcome.next, te.CadenceStep)


# A cadence touch sent as a message is logged as a call row of its channel with this
# outcome: a touch like any other (it counts, and schedules the next one), never a rep's key.
MESSAGE_SENT = "message_sent"


def message_outcome() -> Outcome:
    """The outcome a sent message touch is logged with (not one of the rules' outcomes)."""
    return Outcome(MESSAGE_SENT, "", "Message sent", False, te.CadenceStep(), "cadence")


def cadence_outcome_ids(rules: Rules) -> tuple[str, ...]:
    """The outcomes whose calls count as cadence touches (a sent message among them)."""
    return (*(o.id for o in rules.outcomes if is_cadence_outcome(o)), MESSAGE_SENT)


def stage_after(outcome: Outcome, stage_before: str) -> str:
    """A rule's stage wins; a connected call moves `new` to `contacted`.

    A call on a closed lead whose rule sets no stage reopens it as `contacted`: the lead
    is being worked again, so it must get a next action.
    """
    if outcome.stage:
        return outcome.stage
    if stage_before == "new" and outcome.connected:
        return "contacted"
    if stage_before in CLOSED_STAGES:
        return "contacted"
    return stage_before


def cadence_due(
    rules: Rules, *, touch: int, arrived_at: datetime, call_at: datetime, tz: ZoneInfo
) -> datetime | None:
    """Touch `touch` (1-based) is due at arrival + its offset, never sooner than
    `min_gap` after this call, moved to where business hours and the lead's calling window
    meet; None when there is no such touch."""
    touches = rules.cadence.touches
    if touch > len(touches):
        return None
    due = max(arrived_at + touches[touch - 1], call_at + rules.cadence.min_gap)
    from callq.rules.hours import next_callable

    return next_callable(rules, due, tz)


def rule_due(rules: Rules, step: object, *, call_at: datetime, tz: ZoneInfo) -> datetime:
    """A rule's time expression from `call_at`, moved to where business hours and the
    lead's calling window meet (the rep's own choice of time is never moved)."""
    from callq.rules.hours import next_callable

    resolved = te.resolve(step, start=call_at, tz=tz, hours=rules.hours, snap=True)
    return next_callable(rules, resolved, tz)


def suggested_time(
    rules: Rules,
    outcome: Outcome,
    *,
    call_at: datetime,
    arrived_at: datetime,
    cadence_calls: int,
    tz: ZoneInfo,
) -> datetime | None:
    """The time the rule proposes for the next follow-up (what the form pre-fills)."""
    step = outcome.next
    if isinstance(step, te.Ask):
        step = step.suggestion
    if step is None or isinstance(step, te.NoNext):
        return None
    if isinstance(step, te.CadenceStep):
        return cadence_due(
            rules, touch=cadence_calls + 1, arrived_at=arrived_at, call_at=call_at, tz=tz
        )
    return rule_due(rules, step, call_at=call_at, tz=tz)


def plan_outcome(
    rules: Rules,
    outcome: Outcome,
    *,
    stage_before: str,
    call_at: datetime,
    arrived_at: datetime,
    cadence_calls: int,
    tz: ZoneInfo,
    callback_at: datetime | None = None,
) -> Plan:
    """Apply `outcome` to a lead.

    `cadence_calls` counts the lead's calls with a cadence outcome, this one included
    (the n-th such call schedules touch n+1). `callback_at` is the rep's own choice of
    time; it replaces the rule's suggestion (and is required when the rule says `ask`).
    """
    total = len(rules.cadence.touches)
    stage = stage_after(outcome, stage_before)
    if stage in CLOSED_STAGES or isinstance(outcome.next, te.NoNext):
        return Plan(stage, None, None, None, total)

    if isinstance(outcome.next, te.CadenceStep):
        touch = cadence_calls + 1
        due = cadence_due(rules, touch=touch, arrived_at=arrived_at, call_at=call_at, tz=tz)
        if due is None:
            # Cadence exhausted: the lead goes to `after_last` (a closed stage).
            return Plan(rules.cadence.after_last, None, None, None, total, cadence_exhausted=True)
        return Plan(stage, callback_at or due, "cadence", touch, total)

    if isinstance(outcome.next, te.Ask) and callback_at is None:
        suggestion = suggested_time(
            rules,
            outcome,
            call_at=call_at,
            arrived_at=arrived_at,
            cadence_calls=cadence_calls,
            tz=tz,
        )
        raise NeedsCallbackTime(outcome, suggestion)

    due = callback_at or rule_due(rules, outcome.next, call_at=call_at, tz=tz)
    return Plan(stage, due, "callback", None, total)


def first_response_due(
    rules: Rules, *, source: str, created_at: datetime, tz: ZoneInfo
) -> datetime:
    """A new lead's first-response follow-up is due at its SLA deadline (business time),
    or when the lead's calling window next meets the hours, if that is later (the SLA
    itself, which the report measures, stays `rules.hours.sla_deadline`)."""
    from callq.rules.hours import add_business_time, is_open, next_callable

    deadline = add_business_time(rules.hours, created_at, rules.sla.target(source), tz)
    window = rules.compliance.call_window
    # Only the window moves it: a deadline at closing time ("due by 18:30") stays.
    if window is None or is_open(window, deadline, tz):
        return deadline
    return next_callable(rules, deadline, tz)


def undo_window() -> timedelta:
    """How long after logging a rep may undo an outcome."""
    return timedelta(minutes=10)


# --- the facts an outcome reads and the plan it writes ---------------------------------


@dataclass(frozen=True, slots=True)
class LeadFacts:
    """The lead columns the outcome path reads (a read model, not a live row)."""

    id: int
    name: str
    stage: str
    owner_id: int | None
    timezone: str | None
    created_at: datetime
    first_touch_at: datetime | None
    claimed_by_id: int | None
    claimed_until: datetime | None


@dataclass(frozen=True, slots=True)
class FollowUpFacts:
    """A follow-up as the outcome path (and undo) sees it."""

    id: int
    kind: str
    due_at: datetime
    owner_id: int | None
    deadline_owner_id: int | None = None


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """One timeline row to append; `detail` is its JSON object."""

    type: str
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewCall:
    lead_id: int
    rep_id: int
    started_at: datetime
    ended_at: datetime
    outcome: str
    connected: bool
    note: str
    logged_at: datetime
    channel: str = "call"


@dataclass(frozen=True, slots=True)
class NewFollowUp:
    lead_id: int
    owner_id: int | None
    due_at: datetime
    kind: str
    touch: int | None
    created_at: datetime
    channel: str | None = None  # a message touch's channel and template (None: a call)
    template: str | None = None


@dataclass(frozen=True, slots=True)
class CallPlan:
    """Everything one logged outcome writes, in one transaction.

    The ids the database assigns (the call's, the next follow-up's) are not known here:
    the writer adds them to the `call_logged` event as `call_id` / `created_followup_id`.
    """

    effect: Plan
    call: NewCall
    complete_followup_id: int | None  # closed before `next_followup` opens (one open a lead)
    next_followup: NewFollowUp | None
    lead_changes: dict[str, object]  # the lead's columns that change (stage, first touch, claim)
    attempt: int
    events: tuple[PlannedEvent, ...]


def plan_call(
    rules: Rules,
    outcome: Outcome,
    lead: LeadFacts,
    open_followup: FollowUpFacts | None,
    *,
    rep_id: int,
    calls_before: int,
    cadence_calls_before: int,
    tz: ZoneInfo,
    call_at: datetime,
    now: datetime,
    started_at: datetime | None = None,
    note: str = "",
    callback_at: datetime | None = None,
    channel: str = "call",
) -> CallPlan:
    """What logging `outcome` on `lead` now writes: the call, the follow-ups, the lead, events.

    `channel` is the touch's channel: "call", or a message's (with `message_outcome()`)."""
    effect = plan_outcome(
        rules,
        outcome,
        stage_before=lead.stage,
        call_at=call_at,
        arrived_at=lead.created_at,
        cadence_calls=cadence_calls_before + (1 if is_cadence_outcome(outcome) else 0),
        tz=tz,
        callback_at=callback_at,
    )
    note = note.strip()
    next_followup = None
    if effect.next_due_at is not None:
        message = rules.cadence.message(effect.touch) if effect.next_kind == "cadence" else None
        next_followup = NewFollowUp(
            lead.id,
            lead.owner_id,
            effect.next_due_at,
            effect.next_kind,
            effect.touch,
            now,
            message.channel if message else None,
            message.template if message else None,
        )
    events = [
        PlannedEvent(
            "call_logged",
            {
                "outcome": outcome.id,
                "label": outcome.label,
                "note": note,
                "connected": outcome.connected,
                "attempt": calls_before + 1,
                # What undo needs to restore the lead, and to see whether anyone moved it since:
                "stage_before": lead.stage,
                "first_touch_before": lead.first_touch_at,
                "completed_followup_id": open_followup.id if open_followup else None,
                "stage_after": effect.stage,
                "next_due_at": effect.next_due_at,
            },
        )
    ]
    if open_followup is not None:
        events.append(
            PlannedEvent(
                "followup_done", {"kind": open_followup.kind, "due_at": open_followup.due_at}
            )
        )
    if effect.stage != lead.stage:
        reason = "cadence exhausted" if effect.cadence_exhausted else outcome.id
        events.append(
            PlannedEvent(
                "stage_changed", {"from": lead.stage, "to": effect.stage, "reason": reason}
            )
        )
    if channel != "call":
        events[0].detail["channel"] = channel
    if next_followup is not None:
        scheduled = {"due_at": effect.next_due_at, "kind": effect.next_kind, "touch": effect.touch}
        if next_followup.channel:
            scheduled |= {"channel": next_followup.channel, "template": next_followup.template}
        events.append(PlannedEvent("followup_scheduled", scheduled))
    lead_changes: dict[str, object] = {}
    if effect.stage != lead.stage:
        lead_changes["stage"] = effect.stage
    if lead.first_touch_at is None or call_at < lead.first_touch_at:
        lead_changes["first_touch_at"] = call_at
    if lead.claimed_by_id == rep_id:  # logging ends the rep's own claim on the lead
        lead_changes |= {"claimed_by_id": None, "claimed_until": None}
    return CallPlan(
        effect=effect,
        call=NewCall(
            lead.id,
            rep_id,
            started_at or call_at,
            call_at,
            outcome.id,
            outcome.connected,
            note,
            now,
            channel,
        ),
        complete_followup_id=open_followup.id if open_followup else None,
        next_followup=next_followup,
        lead_changes=lead_changes,
        attempt=calls_before + 1,
        events=tuple(events),
    )
