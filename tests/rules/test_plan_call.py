"""rules.outcomes.plan_call: everything one logged outcome writes (pure, no database)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callq.rules.outcomes import FollowUpFacts, LeadFacts, NeedsCallbackTime, plan_call

NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)  # Monday 10:00 in Asia/Kolkata
IST = ZoneInfo("Asia/Kolkata")
ASHA, BEN = 1, 2
NEW_LEAD = LeadFacts(7, "Meera", "new", ASHA, None, NOW, None, None, None)
FIRST = FollowUpFacts(10, "first_response", NOW + timedelta(minutes=15), ASHA)


@pytest.fixture
def rules():  # noqa: ANN201
    from callq.config.loading import load_default_rules

    return load_default_rules()


def plan(rules, outcome: str, lead: LeadFacts = NEW_LEAD, **kw):  # noqa: ANN001, ANN201, ANN003
    kw.setdefault("calls_before", 0)
    kw.setdefault("cadence_calls_before", 0)
    return plan_call(
        rules, rules.outcome(outcome), lead, FIRST, rep_id=ASHA, tz=IST, call_at=NOW, now=NOW, **kw
    )


def test_a_first_no_answer(rules) -> None:  # noqa: ANN001
    call = plan(rules, "no_answer", note="  rang out ")
    assert (call.call.outcome, call.call.note, call.call.connected) == (
        "no_answer",
        "rang out",
        False,
    )
    assert call.complete_followup_id == FIRST.id
    assert call.next_followup.kind == "cadence" and call.next_followup.touch == 2
    assert call.next_followup.owner_id == ASHA
    assert call.lead_changes == {"first_touch_at": NOW}  # stage stays new
    assert [e.type for e in call.events] == ["call_logged", "followup_done", "followup_scheduled"]
    logged = call.events[0].detail
    assert logged["stage_before"] == "new" and logged["stage_after"] == "new"
    assert logged["next_due_at"] == call.next_followup.due_at
    assert logged["completed_followup_id"] == FIRST.id and logged["attempt"] == 1


def test_a_closing_outcome_changes_the_stage_and_schedules_nothing(rules) -> None:  # noqa: ANN001
    touched = LeadFacts(7, "Meera", "contacted", ASHA, None, NOW, NOW, None, None)
    call = plan(rules, "won", touched, calls_before=3)
    assert call.next_followup is None and call.lead_changes == {"stage": "won"}
    assert call.attempt == 4
    assert [e.type for e in call.events] == ["call_logged", "followup_done", "stage_changed"]
    assert call.events[2].detail == {"from": "contacted", "to": "won", "reason": "won"}


def test_logging_ends_the_reps_own_claim_only(rules) -> None:  # noqa: ANN001
    mine = LeadFacts(7, "M", "new", ASHA, None, NOW, NOW, ASHA, NOW + timedelta(minutes=5))
    assert plan(rules, "busy", mine).lead_changes == {"claimed_by_id": None, "claimed_until": None}
    bens = LeadFacts(7, "M", "new", ASHA, None, NOW, NOW, BEN, NOW + timedelta(minutes=5))
    assert plan(rules, "busy", bens).lead_changes == {}


def test_an_ask_outcome_needs_a_time(rules) -> None:  # noqa: ANN001
    with pytest.raises(NeedsCallbackTime):
        plan(rules, "callback")
    at = NOW + timedelta(days=1)
    assert plan(rules, "callback", callback_at=at).next_followup.due_at == at
