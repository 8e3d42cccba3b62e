"""The outcome workflow: log a call and schedule what follows, or undo it. One transaction each."""

from datetime import datetime, timedelta

from sqlmodel import select

from callq.errors import Conflict, NotFound, UserError
from callq.rules.model import Rules
from callq.rules.outcomes import (
    cadence_outcome_ids,
    is_cadence_outcome,
    plan_outcome,
    undo_window,
)
from callq.services.common import held_by_other, held_sentence, lead_id_for, lead_zone, rep_zone
from callq.services.views import LoggedOutcome
from callq.store import outcome_rows as rows
from callq.store import queries
from callq.store.db import Database
from callq.store.models import Call, Event, FollowUp, Lead
from callq.store.timeline import append_event, event_detail


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
) -> LoggedOutcome:
    """Record a call and everything it implies, atomically.

    The call, the completed follow-up, the stage, the next follow-up and the timeline
    events commit together or not at all. `expected_followup_id` is the follow-up the
    rep was looking at: if someone completed it meanwhile, nothing is written.
    """
    outcome = rules.outcome(outcome_ref)
    call_at = at or now
    if call_at > now + timedelta(minutes=1):
        raise UserError("a call cannot be logged in the future (check --at)")
    with db.write_connection() as conn:
        lead_id = lead_id_for(conn, lead_ref, rules)
        sql = rows.driver(conn)
        lead = rows.lead_row(sql, lead_id)
        if lead is None:
            raise NotFound(f"no lead with id {lead_id}")
        actor = rows.rep_row(conn, sql, rep)
        _check_claim(sql, rules, lead, actor, now, override_claim)
        followup = rows.open_followup_row(sql, lead.id)
        if expected_followup_id is not None and (
            followup is None or followup.id != expected_followup_id
        ):
            raise Conflict(
                f"{lead.name}'s follow-up was completed or changed by someone else meanwhile; "
                "nothing was saved - reload and check the timeline"
            )
        calls_before, cadence_calls = rows.call_counts(sql, lead.id, cadence_outcome_ids(rules))
        if is_cadence_outcome(outcome):
            cadence_calls += 1
        callback_at = None
        if callback is not None and str(callback).strip():
            from callq.services.callback import callback_instant  # dateutil: only when asked

            callback_at = callback_instant(
                callback, rules, lead=lead, rep=actor, now=now, their_time=their_time
            )
        plan = plan_outcome(
            rules,
            outcome,
            stage_before=lead.stage,
            call_at=call_at,
            arrived_at=lead.created_at,
            cadence_calls=cadence_calls,
            tz=lead_zone(lead, rules),
            callback_at=callback_at,
        )
        attempt = calls_before + 1
        call_id = rows.insert_call(
            sql,
            lead_id=lead.id,
            rep_id=actor.id,
            started_at=started_at or call_at,
            ended_at=call_at,
            outcome=outcome.id,
            connected=outcome.connected,
            note=note.strip(),
            logged_at=now,
        )
        if followup is not None:
            # Closed before the next one is inserted: the one-open index must see it done.
            rows.complete_followup(sql, followup.id, at=call_at, call_id=call_id)
        next_id = None
        if plan.next_due_at is not None:
            next_id = rows.insert_followup(
                sql,
                lead_id=lead.id,
                owner_id=lead.owner_id,
                due_at=plan.next_due_at,
                kind=plan.next_kind,
                touch=plan.touch,
                created_at=now,
                created_by_call_id=call_id,
            )
        first_touch = lead.first_touch_at
        if first_touch is None or call_at < first_touch:
            first_touch = call_at
        claim_kept = lead.claimed_by_id != actor.id  # logging ends the rep's own claim
        rows.update_lead_after_call(
            sql,
            lead.id,
            stage=plan.stage,
            first_touch_at=first_touch,
            claimed_by_id=lead.claimed_by_id if claim_kept else None,
            claimed_until=lead.claimed_until if claim_kept else None,
        )

        events = [
            rows.event(
                lead.id,
                call_at,
                "call_logged",
                actor.id,
                call_id=call_id,
                outcome=outcome.id,
                label=outcome.label,
                note=note.strip(),
                connected=outcome.connected,
                attempt=attempt,
                # What undo needs to restore the lead exactly as it was:
                stage_before=lead.stage,
                first_touch_before=lead.first_touch_at,
                completed_followup_id=followup.id if followup else None,
                created_followup_id=next_id,
            )
        ]
        if followup is not None:
            events.append(
                rows.event(
                    lead.id,
                    call_at,
                    "followup_done",
                    actor.id,
                    kind=followup.kind,
                    due_at=followup.due_at,
                )
            )
        if plan.stage != lead.stage:
            reason = "cadence exhausted" if plan.cadence_exhausted else outcome.id
            events.append(
                rows.event(
                    lead.id,
                    call_at,
                    "stage_changed",
                    actor.id,
                    reason=reason,
                    **{"from": lead.stage, "to": plan.stage},
                )
            )
        if next_id is not None:
            events.append(
                rows.event(
                    lead.id,
                    call_at,
                    "followup_scheduled",
                    actor.id,
                    due_at=plan.next_due_at,
                    kind=plan.next_kind,
                    touch=plan.touch,
                )
            )
        rows.insert_events(sql, events)
        return LoggedOutcome(
            call_id=call_id,
            lead_id=lead.id,
            lead_name=lead.name,
            outcome_id=outcome.id,
            outcome_label=outcome.label,
            stage_before=lead.stage,
            stage=plan.stage,
            next_due_at=plan.next_due_at,
            next_kind=plan.next_kind,
            attempt=attempt,
            attempts_total=plan.touches_total,
            touch=plan.touch,
            cadence_exhausted=plan.cadence_exhausted,
        )


def _check_claim(sql, rules: Rules, lead: Lead, actor, now: datetime, override: bool) -> None:  # noqa: ANN001, E501
    if override or not held_by_other(lead, actor.id, now):
        return
    holder = rows.rep_name(sql, lead.claimed_by_id)
    raise Conflict(
        f"{held_sentence(lead, holder, rep_zone(actor, rules))}; "
        "nothing was saved (override to log anyway)"
    )


def undo_last_outcome(db: Database, rules: Rules, *, rep: str, now: datetime) -> LoggedOutcome:
    """Undo the rep's most recent outcome (within 10 minutes of logging it).

    The call disappears (it counts nowhere), the completed follow-up reopens, the one it
    created is removed and the stage is restored; the timeline keeps `outcome_undone`.
    """
    with db.write() as session:
        actor = queries.rep_by_name(session, rep)
        call = None
        if actor is not None:
            call = session.exec(
                select(Call)
                .where(Call.rep_id == actor.id)
                .order_by(Call.logged_at.desc(), Call.id.desc())
            ).first()
        if call is None or now - call.logged_at > undo_window():
            raise UserError("nothing to undo: no outcome logged by you in the last 10 minutes")
        lead = queries.lock_lead(session, call.lead_id)
        latest = queries.last_call(session, lead.id)
        if latest is not None and latest.id != call.id and latest.started_at >= call.started_at:
            raise Conflict(f"{lead.name} has a later call; undo that one first")
        logged = _logged_event(session, lead.id, call.id)
        created_id = logged.get("created_followup_id")
        completed_id = logged.get("completed_followup_id")
        current = queries.open_followup(session, lead.id, lock=True)
        if (current.id if current else None) != created_id:
            # Something else (a new inquiry, another rep's call) moved the lead on since.
            raise Conflict(
                f"{lead.name} changed since that call; nothing was undone - "
                "log a new outcome instead"
            )
        if created_id is not None:
            created = session.get(FollowUp, created_id)
            if created is not None:
                session.delete(created)
                session.flush()
        if completed_id is not None:
            completed = session.get(FollowUp, completed_id)
            completed.status = "open"
            completed.completed_at = None
            completed.completed_by_call_id = None
            session.add(completed)
        stage_after = lead.stage
        lead.stage = logged["stage_before"]
        first_touch = logged.get("first_touch_before")
        lead.first_touch_at = datetime.fromisoformat(first_touch) if first_touch else None
        session.add(lead)
        session.flush()
        session.delete(call)
        append_event(
            session,
            lead_id=lead.id,
            at=now,
            type="outcome_undone",
            rep_id=actor.id,
            call_id=call.id,
            outcome=call.outcome,
            stage_restored=lead.stage,
        )
        outcome = rules.outcome(call.outcome) if _known(rules, call.outcome) else None
        return LoggedOutcome(
            call_id=call.id,
            lead_id=lead.id,
            lead_name=lead.name,
            outcome_id=call.outcome,
            outcome_label=outcome.label if outcome else call.outcome,
            stage_before=stage_after,
            stage=lead.stage,
            next_due_at=None,
            next_kind=None,
            attempt=logged.get("attempt", 0),
            attempts_total=len(rules.cadence.touches),
            touch=None,
            cadence_exhausted=False,
        )


def _logged_event(session, lead_id: int, call_id: int) -> dict:  # noqa: ANN001
    events = session.exec(
        select(Event)
        .where(Event.lead_id == lead_id, Event.type == "call_logged")
        .order_by(Event.id.desc())
    )
    for event in events:
        detail = event_detail(event)
        if detail.get("call_id") == call_id:
            return detail
    raise UserError("this call's log entry is missing; it cannot be undone")


def _known(rules: Rules, outcome_id: str) -> bool:
    return any(o.id == outcome_id for o in rules.outcomes)
