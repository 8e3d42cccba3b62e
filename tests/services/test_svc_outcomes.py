"""The outcome workflow: each default outcome, cadence, undo, atomicity and conflicts."""

from datetime import timedelta

import pytest
from sqlmodel import select

from callq.errors import Conflict, UserError
from callq.rules.model import UnknownOutcome
from callq.rules.outcomes import NeedsCallbackTime
from callq.rules.phrases import CallbackError
from callq.services import outcomes as outcome_service
from callq.services.doctor import check
from callq.services.outcomes import log_outcome, undo_last_outcome
from callq.store.models import Call, Event, FollowUp, Lead
from callq.store.queries import ensure_rep


def lead_state(rows, lead_id: int) -> dict:
    [lead] = [lead for lead in rows(Lead) if lead.id == lead_id]
    followups = rows(FollowUp, lead_id=lead_id, status="open")
    return {
        "stage": lead.stage,
        "first_touch_at": lead.first_touch_at,
        "open": [(f.id, f.due_at, f.kind, f.touch, f.owner_id) for f in followups],
    }


# Monday 23 Nov 2026, 10:00 IST; a web lead arrived then (first response due 10:15).
@pytest.mark.parametrize(
    ("outcome", "stage", "kind", "due", "touch"),
    [
        ("no_answer", "new", "cadence", "2026-11-23 14:00", 2),  # arrival + 4h
        ("voicemail", "new", "cadence", "2026-11-23 14:00", 2),
        ("busy", "new", "callback", "2026-11-23 10:30", None),  # 30m
        ("interested", "qualified", "callback", "2026-11-25 11:00", None),  # 2bd@11:00
        ("not_interested", "lost", None, None, None),
        ("won", "won", None, None, None),
        ("wrong_number", "invalid", None, None, None),
        ("dnc", "dnc", None, None, None),
    ],
)
def test_each_default_outcome(add, log, rows, ist, now, db, outcome, stage, kind, due, touch):
    lead_id = add(source="web")
    [first] = rows(FollowUp)
    result = log(lead_id, outcome, note="spoke briefly")
    assert (result.stage_before, result.stage) == ("new", stage)
    [lead] = rows(Lead)
    assert lead.stage == stage
    assert lead.first_touch_at == now  # any call is a touch
    done = rows(FollowUp, id=first.id)[0]
    assert (done.status, done.completed_at, done.completed_by_call_id) == (
        "done",
        now,
        result.call_id,
    )
    open_followups = rows(FollowUp, status="open")
    if kind is None:
        assert open_followups == []  # closed stages leave no open follow-up
        assert result.next_due_at is None
    else:
        [next_followup] = open_followups
        assert (next_followup.kind, next_followup.due_at, next_followup.touch) == (
            kind,
            ist(due),
            touch,
        )
        assert next_followup.created_by_call_id == result.call_id
        assert (result.next_kind, result.next_due_at) == (kind, ist(due))
    [call] = rows(Call)
    assert (call.outcome, call.note, call.started_at) == (outcome, "spoke briefly", now)
    types = [e.type for e in rows(Event)]
    assert "call_logged" in types and "followup_done" in types
    assert ("stage_changed" in types) == (stage != "new")
    assert check(db).ok


def test_outcome_by_key(add, log, rows):
    lead_id = add()
    assert log(lead_id, "2").outcome_id == "busy"


def test_callback_asks_for_a_time(add, log, dump):
    lead_id = add()
    before = dump()
    with pytest.raises(NeedsCallbackTime) as raised:
        log(lead_id, "callback")
    assert "callback time" in str(raised.value)
    assert raised.value.suggestion is not None
    assert dump() == before


@pytest.mark.parametrize(
    ("typed", "due"),
    [
        ("tomorrow 3pm", "2026-11-24 15:00"),
        ("in 2h", "2026-11-23 12:00"),
        ("fri 10:30", "2026-11-27 10:30"),
        ("next monday 11am", "2026-11-30 11:00"),
        ("2026-12-24 10:00", "2026-12-24 10:00"),
        ("1d@10:00", "2026-11-24 10:00"),
    ],
)
def test_callback_phrases(add, log, rows, ist, typed, due):
    lead_id = add()
    result = log(lead_id, "callback", callback=typed)
    assert result.stage == "contacted"  # connected: new -> contacted
    [followup] = rows(FollowUp, status="open")
    assert (followup.kind, followup.due_at) == ("callback", ist(due))


def test_callback_in_the_leads_time(add, log, rows, ist):
    lead_id = add(timezone="Europe/London")
    log(lead_id, "callback", callback="tomorrow 3pm", their_time=True)
    [followup] = rows(FollowUp, status="open")
    assert followup.due_at == ist("2026-11-24 20:30")  # 15:00 GMT


@pytest.mark.parametrize("typed", ["yesterday", "2026-11-20 10:00", "9", "whenever", "13/13"])
def test_bad_or_past_callback_changes_nothing(add, log, dump, typed):
    lead_id = add()
    before = dump()
    with pytest.raises(CallbackError):
        log(lead_id, "callback", callback=typed)
    assert dump() == before


def test_unknown_outcome_changes_nothing(add, log, dump):
    lead_id = add()
    before = dump()
    with pytest.raises(UnknownOutcome):
        log(lead_id, "maybe")
    with pytest.raises(UnknownOutcome):
        log(lead_id, "0")
    assert dump() == before


def test_a_call_in_the_future_is_refused(db, rules, add, dump, now):
    lead_id = add()
    before = dump()
    with pytest.raises(UserError):
        log_outcome(
            db, rules, str(lead_id), "busy", rep="asha", now=now, at=now + timedelta(hours=1)
        )
    assert dump() == before


def test_cadence_runs_its_touches_then_closes_to_cold(add, log, rows, ist, db):
    lead_id = add(source="web")
    expected = [
        ("2026-11-23 10:00", "2026-11-23 14:00", 2),  # arrival + 4h
        ("2026-11-23 14:00", "2026-11-24 10:00", 3),  # arrival + 1d
        ("2026-11-24 10:00", "2026-11-25 10:00", 4),  # arrival + 2d
        ("2026-11-25 10:00", "2026-11-28 10:00", 5),  # arrival + 5d (Saturday, open 10-14)
    ]
    for call_at, due, touch in expected:
        result = log(lead_id, "no_answer", at=ist(call_at))
        assert (result.next_due_at, result.touch, result.stage) == (ist(due), touch, "new")
        assert check(db).ok
    last = log(lead_id, "no_answer", at=ist("2026-11-28 10:00"))
    assert last.cadence_exhausted and last.stage == "cold" and last.next_due_at is None
    assert rows(Lead)[0].stage == "cold"
    assert rows(FollowUp, status="open") == []
    changed = rows(Event, type="stage_changed")[-1]
    assert '"reason": "cadence exhausted"' in changed.detail
    assert check(db).ok


def test_cadence_never_sooner_than_min_gap(add, log, ist):
    lead_id = add(source="web")
    # Touch 2 is due at arrival + 4h = 14:00, but a call at 13:30 pushes it to 14:30.
    result = log(lead_id, "no_answer", at=ist("2026-11-23 13:30"))
    assert result.next_due_at == ist("2026-11-23 14:30")


def test_cadence_touch_moves_into_business_hours(add, log, ist):
    lead_id = add(source="web", at=ist("2026-11-23 15:00"))
    # arrival + 4h = 19:00, after closing: Tuesday's opening.
    result = log(lead_id, "no_answer", at=ist("2026-11-23 15:10"))
    assert result.next_due_at == ist("2026-11-24 09:30")


def test_busy_counts_no_cadence_touch(add, log, ist):
    lead_id = add(source="web")
    log(lead_id, "busy", at=ist("2026-11-23 10:00"))
    result = log(lead_id, "no_answer", at=ist("2026-11-23 10:30"))
    assert result.touch == 2  # the busy call did not use up a cadence touch
    assert result.attempt == 2


def test_connected_call_keeps_a_qualified_stage(add, log, rows):
    lead_id = add()
    log(lead_id, "interested")
    result = log(lead_id, "callback", callback="in 3h")
    assert result.stage == "qualified"


def test_logging_on_a_closed_lead_reopens_it_with_a_followup(add, log, rows, db):
    lead_id = add()
    log(lead_id, "not_interested")
    result = log(lead_id, "busy")
    assert result.stage == "contacted"
    assert len(rows(FollowUp, status="open")) == 1
    assert check(db).ok


# --- undo ---------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["no_answer", "busy", "interested", "won", "callback"])
def test_undo_restores_the_exact_previous_state(db, rules, add, log, rows, now, outcome):
    lead_id = add(source="web")
    log(lead_id, "no_answer")  # a first call, so first_touch_at and a cadence touch exist
    before = lead_state(rows, lead_id)
    calls_before = rows(Call)
    later = now + timedelta(hours=4)
    result = log(
        lead_id, outcome, at=later, callback="tomorrow 3pm" if outcome == "callback" else None
    )
    assert lead_state(rows, lead_id) != before
    undone = undo_last_outcome(db, rules, rep="asha", now=later + timedelta(minutes=9))
    assert undone.call_id == result.call_id
    assert lead_state(rows, lead_id) == before  # stage, first touch, the same open follow-up
    assert rows(Call) == calls_before  # the undone call is gone, it counts nowhere
    assert rows(FollowUp, created_by_call_id=result.call_id) == []
    assert rows(Event, type="outcome_undone")  # the timeline keeps the audit trail
    assert check(db).ok


def test_undo_of_the_first_call_clears_first_touch(db, rules, add, log, rows, now):
    lead_id = add()
    before = lead_state(rows, lead_id)
    log(lead_id, "interested")
    undo_last_outcome(db, rules, rep="asha", now=now)
    assert lead_state(rows, lead_id) == before
    assert before["first_touch_at"] is None


def test_undo_refuses_after_ten_minutes(db, rules, add, log, dump, now):
    lead_id = add()
    log(lead_id, "busy")
    before = dump()
    with pytest.raises(UserError, match="nothing to undo"):
        undo_last_outcome(db, rules, rep="asha", now=now + timedelta(minutes=10, seconds=1))
    assert dump() == before


def test_undo_is_per_rep_and_only_once(db, rules, add, log, now):
    lead_id = add()
    log(lead_id, "busy", rep="ben")
    with pytest.raises(UserError):
        undo_last_outcome(db, rules, rep="asha", now=now)
    undo_last_outcome(db, rules, rep="ben", now=now)
    with pytest.raises(UserError):
        undo_last_outcome(db, rules, rep="ben", now=now)


def test_undo_twice_walks_back_two_calls(db, rules, add, log, rows, now):
    lead_id = add()
    start = lead_state(rows, lead_id)
    log(lead_id, "no_answer", at=now)
    log(lead_id, "busy", at=now + timedelta(minutes=1))
    undo_last_outcome(db, rules, rep="asha", now=now + timedelta(minutes=2))
    undo_last_outcome(db, rules, rep="asha", now=now + timedelta(minutes=3))
    assert lead_state(rows, lead_id) == start
    assert rows(Call) == []
    assert check(db).ok


# --- one transaction, conflicts --------------------------------------------------------


def test_a_write_failing_midway_changes_nothing(db, rules, add, dump, now, monkeypatch):
    lead_id = add()
    before = dump()
    real_insert = outcome_service.rows.insert_events

    def insert_then_fail(conn, **events):  # noqa: ANN001, ANN003, ANN202
        real_insert(conn, **events)  # the call, both follow-ups, the stage and events are written
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(outcome_service.rows, "insert_events", insert_then_fail)
    with pytest.raises(RuntimeError, match="disk unplugged"):
        log_outcome(db, rules, str(lead_id), "no_answer", rep="asha", now=now)
    assert dump() == before
    assert check(db).ok


def test_expected_followup_conflict(db, rules, add, log, rows, dump, now):
    lead_id = add()
    [seen] = rows(FollowUp)  # what rep asha is looking at
    log(lead_id, "busy", rep="ben")  # meanwhile ben completes it
    before = dump()
    with pytest.raises(Conflict, match="someone else"):
        log(lead_id, "no_answer", rep="asha", expected_followup_id=seen.id)
    assert dump() == before  # no duplicate call, no second open follow-up
    [current] = rows(FollowUp, status="open")
    assert log(lead_id, "no_answer", expected_followup_id=current.id).call_id


def test_claim_conflict(db, rules, add, log, rows, dump, now):
    lead_id = add()
    with db.write() as session:
        lead = session.exec(select(Lead)).one()
        lead.claimed_by_id = ensure_rep(session, "ben").id
        lead.claimed_until = now + timedelta(minutes=5)
        session.add(lead)
    before = dump()
    with pytest.raises(Conflict, match="ben"):
        log(lead_id, "busy", rep="asha")
    assert dump() == before
    # The holder may log, and a rep may override; an expired claim is no obstacle.
    assert log(lead_id, "busy", rep="asha", override_claim=True).stage == "new"
    assert log(lead_id, "busy", rep="ben", at=now + timedelta(minutes=1)).stage == "new"
    assert rows(Lead)[0].claimed_by_id is None  # the holder's outcome releases the claim


def test_an_expired_claim_does_not_block(db, rules, add, log, now):
    lead_id = add()
    with db.write() as session:
        lead = session.get(Lead, lead_id)
        lead.claimed_by_id = ensure_rep(session, "ben").id
        lead.claimed_until = now - timedelta(seconds=1)
        session.add(lead)
    assert log(lead_id, "busy", rep="asha").call_id


def test_undo_after_the_lead_was_reopened_is_refused(db, rules, add, log, rows, dump, now):
    from callq.services.leads import NewLead, add_lead

    lead_id = add()
    log(lead_id, "not_interested")
    # A new inquiry reopens the lead (a new first-response follow-up) before the undo.
    add_lead(db, rules, NewLead(name="x", phone="9876543210"), now=now, rep="ben")
    before = dump()
    with pytest.raises(Conflict, match="changed since"):
        undo_last_outcome(db, rules, rep="asha", now=now + timedelta(minutes=1))
    assert dump() == before
    assert check(db).ok


def test_undo_after_a_later_call_logged_with_an_earlier_time_is_refused(
    db, rules, add, log, dump, now
):
    lead_id = add(at=now - timedelta(minutes=5))  # calls before the lead existed are refused
    log(lead_id, "busy", rep="asha")
    # ben logs a call afterwards, saying it happened a minute before asha's.
    log_outcome(
        db, rules, str(lead_id), "no_answer", rep="ben", now=now, at=now - timedelta(minutes=1)
    )
    before = dump()
    with pytest.raises(Conflict):
        undo_last_outcome(db, rules, rep="asha", now=now + timedelta(minutes=1))
    assert dump() == before
    assert check(db).ok
