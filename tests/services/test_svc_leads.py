"""Lead intake, merge/reopen, notes and reschedule on a real SQLite file."""

from datetime import timedelta

import pytest
from sqlmodel import select

from callq.errors import NotFound, UserError
from callq.phones import PhoneError
from callq.rules.phrases import CallbackError
from callq.services.doctor import check
from callq.services.leads import NewLead, add_lead, add_note, reschedule, show_lead
from callq.store.models import Event, FollowUp, Lead


def test_add_normalises_phone_and_schedules_first_response_at_sla(db, rules, now, ist, rows):
    added = add_lead(
        db, rules, NewLead(name="Asha K", phone="098765 43210", source="web"), now=now, rep="ben"
    )
    [lead] = rows(Lead)
    assert lead.phone == "+919876543210"
    assert (lead.stage, lead.source, lead.created_at, lead.first_touch_at) == (
        "new",
        "web",
        now,
        None,
    )
    [followup] = rows(FollowUp)
    # web SLA is 15 business minutes; Monday 10:00 is inside hours.
    assert followup.due_at == ist("2026-11-23 10:15") == added.first_response_due
    assert (followup.kind, followup.status, followup.touch) == ("first_response", "open", 1)
    assert followup.owner_id == lead.owner_id
    assert [e.type for e in rows(Event)] == ["created", "followup_scheduled"]
    assert check(db).ok


@pytest.mark.parametrize(
    ("source", "due"),
    [("phone", "10:05"), ("web", "10:15"), ("social", "10:30"), ("referral", "11:00")],
)
def test_first_response_due_per_channel(add, rows, ist, source, due):
    add(source=source)
    [followup] = rows(FollowUp)
    assert followup.due_at == ist(f"2026-11-23 {due}")


def test_sla_counts_business_time_only(add, rows, ist):
    # 18:20 with 10 minutes left today: due 5 minutes after Tuesday's 09:30 opening.
    add(source="web", at=ist("2026-11-23 18:20"))
    [followup] = rows(FollowUp)
    assert followup.due_at == ist("2026-11-24 09:35")


def test_add_round_robins_over_team_reps(db, rules, now):
    owners = [
        add_lead(
            db, rules, NewLead(name=f"L{i}", phone=f"98765432{i:02d}"), now=now, rep="asha"
        ).owner
        for i in range(7)
    ]
    assert list(rules.team.reps) == ["asha", "ben", "chen"]
    assert owners == ["asha", "ben", "chen", "asha", "ben", "chen", "asha"]


def test_add_with_owner_skips_round_robin(db, rules, now):
    first = add_lead(
        db, rules, NewLead(name="A", phone="9876543210", owner="dev"), now=now, rep="x"
    )
    second = add_lead(db, rules, NewLead(name="B", phone="9876543211"), now=now, rep="x")
    assert (first.owner, second.owner) == ("dev", "asha")


def test_duplicate_phone_merges_onto_the_timeline(db, rules, now, rows):
    first = add_lead(db, rules, NewLead(name="Asha", phone="9876543210"), now=now, rep="asha")
    again = add_lead(
        db,
        rules,
        NewLead(name="Asha K", phone="+91 98765-43210", source="web", company="Acme"),
        now=now + timedelta(hours=1),
        rep="ben",
    )
    assert again.merged and not again.reopened
    assert again.lead_id == first.lead_id
    [lead] = rows(Lead)
    assert lead.company == "Acme"  # blanks are filled from the new inquiry
    assert lead.name == "Asha"  # what a rep already knows is not overwritten
    assert len(rows(FollowUp)) == 1
    assert [e.type for e in rows(Event)][-1] == "inquiry"
    assert check(db).ok


def test_closed_lead_reopens_with_a_new_first_response(db, rules, now, add, log, rows, ist):
    lead_id = add(source="web")
    log(lead_id, "not_interested")
    assert rows(Lead)[0].stage == "lost"
    later = ist("2026-11-25 12:00")
    again = add_lead(
        db, rules, NewLead(name="x", phone="9876543210", source="phone"), now=later, rep="asha"
    )
    assert again.merged and again.reopened and again.lead_id == lead_id
    lead = rows(Lead)[0]
    assert lead.stage == "contacted"  # it was touched before: not `new` again
    [open_followup] = rows(FollowUp, status="open")
    assert open_followup.kind == "first_response"
    assert open_followup.due_at == later + timedelta(minutes=5)  # the phone SLA
    assert check(db).ok


def test_untouched_closed_lead_reopens_as_new(db, rules, now, add, rows):
    lead_id = add()
    # Closed without a call (e.g. by an admin): a new inquiry makes it `new` again.
    with db.write() as session:
        lead = session.get(Lead, lead_id)
        lead.stage = "cold"
        followup = session.exec(select(FollowUp).where(FollowUp.lead_id == lead_id)).one()
        followup.status = "cancelled"
        session.add_all([lead, followup])
    again = add_lead(db, rules, NewLead(name="x", phone="9876543210"), now=now, rep="asha")
    assert again.reopened
    assert rows(Lead)[0].stage == "new"
    assert check(db).ok


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"phone": "12345"}, PhoneError),
        ({"phone": "not a number"}, PhoneError),
        ({"phone": ""}, PhoneError),
        ({"name": "  "}, UserError),
        ({"source": "fax"}, UserError),
        ({"urgency": "urgent"}, UserError),
        ({"timezone": "Mars/Olympus"}, UserError),
    ],
)
def test_bad_intake_changes_nothing(db, rules, now, dump, fields, error):
    before = dump()
    values = {"name": "A", "phone": "9876543210", **fields}
    with pytest.raises(error):
        add_lead(db, rules, NewLead(**values), now=now, rep="asha")
    assert dump() == before


def test_note_goes_on_the_timeline(db, rules, now, add, rows):
    lead_id = add()
    assert add_note(db, rules, "+919876543210", "  wants a demo  ", now=now, rep="ben") == lead_id
    note = rows(Event, type="note")[0]
    assert note.detail == '{"text": "wants a demo"}'
    with pytest.raises(UserError):
        add_note(db, rules, str(lead_id), "   ", now=now, rep="ben")
    with pytest.raises(NotFound):
        add_note(db, rules, "999", "hello", now=now, rep="ben")


def test_reschedule_moves_the_one_open_followup(db, rules, now, add, rows, ist):
    lead_id = add()
    [before] = rows(FollowUp)
    moved_id, due = reschedule(db, rules, str(lead_id), "tomorrow 3pm", now=now, rep="asha")
    assert (moved_id, due) == (lead_id, ist("2026-11-24 15:00"))
    [after] = rows(FollowUp)
    assert (after.id, after.due_at, after.status, after.kind) == (
        before.id,
        due,
        "open",
        before.kind,
    )
    event = rows(Event, type="followup_rescheduled")[0]
    assert '"to": "2026-11-24T09:30:00+00:00"' in event.detail
    assert check(db).ok


@pytest.mark.parametrize("when", ["yesterday 3pm", "9", "soonish", "2026-11-01 10:00"])
def test_reschedule_refuses_bad_or_past_times(db, rules, now, add, dump, when):
    lead_id = add()
    before = dump()
    with pytest.raises(CallbackError):
        reschedule(db, rules, str(lead_id), when, now=now, rep="asha")
    assert dump() == before


def test_reschedule_a_closed_lead_is_refused(db, rules, now, add, log, dump):
    lead_id = add()
    log(lead_id, "won")
    before = dump()
    with pytest.raises(UserError, match="no open follow-up"):
        reschedule(db, rules, str(lead_id), "in 2h", now=now, rep="asha")
    assert dump() == before


def test_show_lead_by_id_or_any_phone_format(db, rules, add):
    lead_id = add(source="web", name="Asha")
    by_id = show_lead(db, rules, str(lead_id))
    by_phone = show_lead(db, rules, "098765 43210")
    assert by_id == by_phone
    assert by_id.lead.name == "Asha" and by_id.open_followup.kind == "first_response"
    assert [e.type for e in by_id.timeline] == ["followup_scheduled", "created"]  # newest first
    with pytest.raises(NotFound):
        show_lead(db, rules, "+14155550123")
    with pytest.raises(NotFound):
        show_lead(db, rules, "42")
