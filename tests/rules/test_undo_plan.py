"""rules.undo: what undoing an outcome writes, and when it refuses (pure, no database)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from callq.errors import Conflict, UserError
from callq.rules.outcomes import FollowUpFacts, LeadFacts
from callq.rules.undo import CallFacts, CallRecord, Reopen, UndoFacts, plan_undo

NOW = datetime(2026, 11, 23, 4, 40, tzinfo=UTC)
HOUR = timedelta(hours=1)
ASHA, BEN, CHEN = 1, 2, 3
LEAD = LeadFacts(7, "Meera", "contacted", ASHA, None, NOW - 2 * HOUR, NOW, None, None)
FIRST = FollowUpFacts(10, "first_response", NOW - HOUR, ASHA)  # completed by the call
CALLBACK = FollowUpFacts(11, "callback", NOW + 24 * HOUR, ASHA)  # scheduled by the call
FACTS = UndoFacts(
    rep_id=ASHA,
    call=CallFacts(5, LEAD.id, "callback", NOW - timedelta(minutes=2)),
    lead=LEAD,
    record=CallRecord("new", None, FIRST.id, CALLBACK.id, 1, "contacted", CALLBACK.due_at),
    open_followup=CALLBACK,
    completed_followup=FIRST,
)


def plan(facts: UndoFacts = FACTS, now: datetime = NOW):  # noqa: ANN201
    return plan_undo(facts, actor="asha", now=now, late_after=HOUR)


def test_undo_restores_what_the_call_changed() -> None:
    undo = plan()
    assert (undo.call_id, undo.delete_followup_id) == (5, CALLBACK.id)
    assert undo.reopen == Reopen(FIRST.id, ASHA, None)
    assert (undo.stage, undo.stage_undone, undo.first_touch_at) == ("new", "contacted", None)
    assert undo.event.type == "outcome_undone"
    assert undo.event.detail == {"call_id": 5, "outcome": "callback", "stage_restored": "new"}


def test_the_reopened_follow_up_goes_to_the_leads_owner_now() -> None:
    reassigned = replace(
        FACTS, lead=replace(LEAD, owner_id=CHEN), open_followup=replace(CALLBACK, owner_id=CHEN)
    )
    # FIRST was due an hour ago: with late_after 1h its deadline is now, not yet passed.
    assert plan(reassigned).reopen == Reopen(FIRST.id, CHEN, None)
    # Past its deadline, asha owned it then: the miss stays hers.
    assert plan(reassigned, NOW + timedelta(minutes=1)).reopen == Reopen(FIRST.id, CHEN, ASHA)


def test_a_recorded_deadline_owner_stays() -> None:
    facts = replace(
        FACTS,
        lead=replace(LEAD, owner_id=CHEN),
        completed_followup=replace(FIRST, deadline_owner_id=BEN),
    )
    assert plan(facts, NOW + timedelta(minutes=5)).reopen == Reopen(FIRST.id, CHEN, BEN)


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (replace(FACTS, call=None), "nothing to undo"),
        (replace(FACTS, record=None), "log entry is missing"),
    ],
)
def test_nothing_to_undo(facts: UndoFacts, message: str) -> None:
    with pytest.raises(UserError, match=message):
        plan(facts)


def test_only_within_ten_minutes() -> None:
    logged = FACTS.call.logged_at
    assert plan(now=logged + timedelta(minutes=10))
    with pytest.raises(UserError, match="nothing to undo"):
        plan(now=logged + timedelta(minutes=10, seconds=1))


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (replace(FACTS, later_call_by="ben"), "ben logged a later call on Meera"),
        (replace(FACTS, later_call_by="asha"), "you logged a later call on Meera; undo that one"),
        (
            replace(FACTS, open_followup=replace(CALLBACK, due_at=NOW + HOUR), moved_by="ben"),
            "ben moved Meera's follow-up",
        ),
        (
            replace(FACTS, open_followup=replace(CALLBACK, due_at=NOW + HOUR), moved_by="asha"),
            "you moved Meera's follow-up",
        ),
        (replace(FACTS, open_followup=replace(CALLBACK, id=12)), "Meera changed since"),
        (replace(FACTS, lead=replace(LEAD, stage="qualified")), "Meera changed since"),
    ],
)
def test_a_later_change_refuses(facts: UndoFacts, message: str) -> None:
    with pytest.raises(Conflict, match=message) as refused:
        plan(facts)
    assert "undo that one first" in str(refused.value) or "nothing was undone" in str(refused.value)


def test_records_from_before_stage_and_due_were_kept_skip_those_checks() -> None:
    old = replace(FACTS.record, stage_after=None, next_due_at=None)
    moved = replace(FACTS, record=old, open_followup=replace(CALLBACK, due_at=NOW + HOUR))
    assert plan(moved).delete_followup_id == CALLBACK.id
