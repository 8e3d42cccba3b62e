"""`callq rules simulate`: replay a sequence of outcomes on an imaginary lead (pure)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from callq.rules.model import CLOSED_STAGES, Rules
from callq.rules.outcomes import (
    first_response_due,
    is_cadence_outcome,
    plan_outcome,
    suggested_time,
)
from callq.rules.timeexpr import Ask


@dataclass(frozen=True)
class SimulatedCall:
    call_at: datetime
    outcome_id: str
    label: str
    stage: str
    next_due_at: datetime | None
    next_kind: str | None
    touch: int | None
    touches_total: int


@dataclass(frozen=True)
class Simulation:
    first_response_due: datetime
    calls: tuple[SimulatedCall, ...]


def simulate(
    rules: Rules,
    *,
    source: str,
    arrived_at: datetime,
    outcomes: list[str],
    tz: ZoneInfo | None = None,
) -> Simulation:
    """Each call happens when its follow-up is due (the rep is punctual); `ask` outcomes
    take their suggestion (or one day later when the rule suggests nothing)."""
    tz = tz or ZoneInfo(rules.team.timezone)
    due = first_response_due(rules, source=source, created_at=arrived_at, tz=tz)
    stage, cadence_calls, call_at = "new", 0, due
    calls = []
    for ref in outcomes:
        outcome = rules.outcome(ref)
        if stage in CLOSED_STAGES:
            break
        if is_cadence_outcome(outcome):
            cadence_calls += 1
        callback_at = None
        if isinstance(outcome.next, Ask):
            callback_at = suggested_time(
                rules,
                outcome,
                call_at=call_at,
                arrived_at=arrived_at,
                cadence_calls=cadence_calls,
                tz=tz,
            ) or call_at + timedelta(days=1)
        plan = plan_outcome(
            rules,
            outcome,
            stage_before=stage,
            call_at=call_at,
            arrived_at=arrived_at,
            cadence_calls=cadence_calls,
            tz=tz,
            callback_at=callback_at,
        )
        calls.append(
            SimulatedCall(
                call_at,
                outcome.id,
                outcome.label,
                plan.stage,
                plan.next_due_at,
                plan.next_kind,
                plan.touch,
                plan.touches_total,
            )
        )
        stage = plan.stage
        if plan.next_due_at is None:
            break
        call_at = plan.next_due_at
    return Simulation(due, tuple(calls))
