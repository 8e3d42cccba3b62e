"""The outcome workflow: log a call and schedule what follows, or undo it. One transaction each.

Both read the facts, ask `rules` for a plan and write the plan (`store.outcome_rows`).
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection

from callq.errors import Conflict, NotFound, UserError
from callq.rules.model import Outcome, Rules
from callq.rules.outcomes import (
    CallPlan,
    FollowUpFacts,
    LeadFacts,
    cadence_outcome_ids,
    message_outcome,
    plan_call,
)
from callq.rules.text import require_storable
from callq.rules.undo import UndoFacts, plan_undo
from callq.rules.wording import typeable
from callq.services.common import held_by_other, held_sentence, lead_id_for, lead_zone, rep_zone
from callq.services.views import LoggedOutcome
from callq.store import outcome_rows as rows
from callq.store.db import Database
from callq.store.outbox import emit


def log_outcome(
    db: Database,
    rules: Rules,
    lead_ref: str | int,
    outcome_ref: str,
    *,
    rep: str,
    now: datetime,
    at: datetime | None = None,
    note: str = "",
    callback: str | datetime | None = None,
    their_time: bool = False,
    started_at: datetime | None = None,
    expected_followup_id: int | None = None,
    override_claim: bool = False,
    channel: str = "call",
) -> LoggedOutcome:
    """Record a call and everything it implies, atomically.

    The call, the completed follow-up, the stage, the next follow-up and the timeline
    events commit together or not at all. `expected_followup_id` is the follow-up the
    rep was looking at: if someone completed it meanwhile, nothing is written.
    A `channel` other than "call" logs a sent message touch (`services.message`), with
    the outcome of its own that `rules.outcomes.message_outcome` is.
    """
    require_storable("the note", note)
    require_storable("the rep name", rep)
    outcome = rules.outcome(outcome_ref) if channel == "call" else message_outcome()
    call_at = at or now
    if call_at > now + timedelta(minutes=1):
        raise UserError("a call cannot be logged in the future (check --at)")
    with db.write_connection() as conn:
        lead_id = lead_id_for(conn, lead_ref, rules)
        facts = rows.outcome_facts(
            conn, lead_id, rep=rep, cadence_outcomes=cadence_outcome_ids(rules)
        )
        if facts is None:
            raise NotFound(f"no lead with id {lead_id}")
        lead = facts.lead
        actor = facts.rep or rows.rep(conn, rep)
        plan = _plan(
            rules,
            outcome,
            facts,
            actor,
            holder=lambda rep_id: rows.rep_name(conn, rep_id),
            now=now,
            call_at=call_at,
            note=note,
            callback=callback,
            their_time=their_time,
            started_at=started_at,
            expected_followup_id=expected_followup_id,
            override_claim=override_claim,
            channel=channel,
        )
        call_id = rows.write_call(conn, plan, rep_id=actor.id)
        if outcome.stage == "dnc":  # every number of the lead goes on the do-not-call list
            from callq.services.dnc import list_lead_numbers

            list_lead_numbers(
                conn, lead.id, reason=outcome.label, by=actor.name, rep_id=actor.id, now=now
            )
        logged = _logged(lead, outcome, plan, call_id)
        change = logged_change(logged, actor.name, note)
        emit(conn, rules.hooks, type="outcome_logged", at=now, changes=[change])
    return logged


def preview_outcome(
    rules: Rules,
    facts: rows.OutcomeFacts,
    outcome_ref: str,
    *,
    now: datetime,
    note: str = "",
    callback: str | datetime | None = None,
    their_time: bool = False,
    started_at: datetime | None = None,
    expected_followup_id: int | None = None,
) -> LoggedOutcome | None:
    """What `log_outcome` will report for a lead whose facts were read ahead, if nothing
    changes them before it runs: the same plan, so a screen can show the outcome in the
    frame that closes the form and write it right after (the result then confirms it).

    None when `log_outcome` would refuse (its error is for it to give) or when the
    preview cannot tell: the rep's first outcome (no rep row yet), a call logged "now"
    before the lead existed. The result has no `call_id` (nothing is written)."""
    if facts.rep is None:
        return None
    try:
        require_storable("the note", note)
        outcome = rules.outcome(outcome_ref)
        plan = _plan(
            rules,
            outcome,
            facts,
            facts.rep,
            holder=lambda _rep_id: None,
            now=now,
            call_at=now,
            note=note,
            callback=callback,
            their_time=their_time,
            started_at=started_at,
            expected_followup_id=expected_followup_id,
            override_claim=False,
            channel="call",
        )
    except UserError:
        return None
    return _logged(facts.lead, outcome, plan, call_id=None)


def _plan(
    rules: Rules,
    outcome: Outcome,
    facts: rows.OutcomeFacts,
    actor: rows.RepFacts,
    *,
    holder: Callable[[int | None], str | None],
    now: datetime,
    call_at: datetime,
    note: str,
    callback: str | datetime | None,
    their_time: bool,
    started_at: datetime | None,
    expected_followup_id: int | None,
    override_claim: bool,
    channel: str,
) -> CallPlan:
    """The checks an outcome must pass on these facts, then the rules' plan for it."""
    lead, followup = facts.lead, facts.open_followup
    if call_at < lead.created_at:
        raise UserError(
            "a call cannot be logged before the lead existed (added "
            f"{typeable(lead.created_at, rep_zone(actor, rules))}; check --at)"
        )
    if not override_claim and held_by_other(lead, actor.id, now):
        raise Conflict(
            f"{held_sentence(lead, holder(lead.claimed_by_id), rep_zone(actor, rules))}; "
            "nothing was saved (override to log anyway)"
        )
    _check_expected(lead, followup, expected_followup_id)
    return plan_call(
        rules,
        outcome,
        lead,
        followup,
        rep_id=actor.id,
        calls_before=facts.calls,
        cadence_calls_before=facts.cadence_calls,
        tz=lead_zone(lead, rules),
        call_at=call_at,
        now=now,
        started_at=started_at,
        note=note,
        callback_at=_callback_at(callback, rules, lead, actor, now, their_time),
        channel=channel,
    )


def _check_expected(
    lead: LeadFacts, followup: FollowUpFacts | None, expected_id: int | None
) -> None:
    if expected_id is not None and (followup is None or followup.id != expected_id):
        raise Conflict(
            f"{lead.name}'s follow-up was completed or changed by someone else meanwhile, "
            "so nothing was saved (the lead's timeline shows what changed)"
        )


def _callback_at(
    callback: str | datetime | None,
    rules: Rules,
    lead: LeadFacts,
    actor: rows.RepFacts,
    now: datetime,
    their_time: bool,
) -> datetime | None:
    if callback is None or not str(callback).strip():
        return None
    from callq.services.callback import callback_instant  # dateutil: only when asked

    return callback_instant(callback, rules, lead=lead, rep=actor, now=now, their_time=their_time)


def _logged(
    lead: LeadFacts, outcome: Outcome, plan: CallPlan, call_id: int | None
) -> LoggedOutcome:
    effect = plan.effect
    return LoggedOutcome(
        call_id=call_id,
        lead_id=lead.id,
        lead_name=lead.name,
        outcome_id=outcome.id,
        outcome_label=outcome.label,
        stage_before=lead.stage,
        stage=effect.stage,
        next_due_at=effect.next_due_at,
        next_kind=effect.next_kind,
        attempt=plan.attempt,
        attempts_total=effect.touches_total,
        touch=effect.touch,
        cadence_exhausted=effect.cadence_exhausted,
    )


def undo_last_outcome(db: Database, rules: Rules, *, rep: str, now: datetime) -> LoggedOutcome:
    """Undo the rep's most recent outcome (within 10 minutes of logging it).

    The call disappears (it counts nowhere), the completed follow-up reopens for the
    lead's current owner, the one it created is removed and the stage is restored; the
    timeline keeps `outcome_undone`. Refused, changing nothing, when a later change
    touched what undo would restore (see `rules.undo`).
    """
    with db.write_connection() as conn:
        actor = rows.rep_by_name(conn, rep)
        facts = _undo_facts(conn, actor)
        plan = plan_undo(facts, actor=rep, now=now, late_after=rules.team.late_after)
        rows.write_undo(conn, plan, rep_id=actor.id, at=now)
        undone = {"call_id": plan.call_id, "rep": rep, "outcome": facts.call.outcome}
        undone |= {"stage_before": plan.stage_undone, "stage": plan.stage}
        emit(conn, rules.hooks, type="outcome_undone", at=now, changes=[(plan.lead_id, undone)])
    outcome = next((o for o in rules.outcomes if o.id == facts.call.outcome), None)
    return LoggedOutcome(
        call_id=plan.call_id,
        lead_id=plan.lead_id,
        lead_name=facts.lead.name,
        outcome_id=facts.call.outcome,
        outcome_label=outcome.label if outcome else facts.call.outcome,
        stage_before=plan.stage_undone,
        stage=plan.stage,
        next_due_at=None,
        next_kind=None,
        attempt=plan.attempt,
        attempts_total=len(rules.cadence.touches),
        touch=None,
        cadence_exhausted=False,
    )


def _undo_facts(conn: Connection, actor: rows.RepFacts | None) -> UndoFacts:
    """What `plan_undo` decides on: the rep's last call, its record, the lead now."""
    call = rows.last_call_by(conn, actor.id) if actor else None
    if call is None:
        return UndoFacts(rep_id=actor.id if actor else None, call=None)
    found = rows.call_record(conn, call.lead_id, call.id)
    record = found[1] if found else None
    now_facts = rows.outcome_facts(conn, call.lead_id, rep=actor.name)
    return UndoFacts(
        rep_id=actor.id,
        call=call,
        lead=now_facts.lead,
        record=record,
        open_followup=now_facts.open_followup,
        completed_followup=rows.followup(conn, record.completed_followup_id if record else None),
        later_call_by=rows.later_call_by(conn, call.lead_id, call.id),
        moved_by=rows.last_mover(conn, call.lead_id, found[0]) if found else None,
    )


def logged_change(result: LoggedOutcome, rep: str, note: str) -> tuple[int, dict]:
    """What an `outcome_logged` event tells: the outcome, the stage, the next follow-up."""
    next_followup = None
    if result.next_due_at is not None:
        next_followup = {"due_at": result.next_due_at, "kind": result.next_kind}
    return result.lead_id, {
        "call_id": result.call_id,
        "rep": rep,
        "outcome": result.outcome_id,
        "outcome_label": result.outcome_label,
        "stage_before": result.stage_before,
        "stage": result.stage,
        "next_followup": next_followup,
        "note": note,
    }
