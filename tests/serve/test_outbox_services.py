"""Each service writes its change's event to the outbox, in its own transaction."""

import json
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select

from callq.rules.model import HOOK_EVENTS, Hook
from callq.services.leads import NewLead, add_lead
from callq.store.models import outbox_table


def with_hook(rules):  # noqa: ANN001, ANN201
    return replace(rules, hooks=(Hook(name="all", on=frozenset(HOOK_EVENTS), command=("true",)),))


def events(db, lead_id: int | None = None) -> list[dict]:  # noqa: ANN001
    with db.read() as session:
        statement = select(outbox_table.c.body).order_by(outbox_table.c.id)
        if lead_id is not None:
            statement = statement.where(outbox_table.c.lead_id == lead_id)
        return [json.loads(body) for body in session.execute(statement).scalars()]


def test_every_change_writes_its_event(db, rules, now):
    from callq.services.escalation import flag_escalations
    from callq.services.hooks import sweep_missed
    from callq.services.outcomes import log_outcome, undo_last_outcome
    from callq.services.reassign import reassign_lead

    rules = with_hook(rules)
    lead = add_lead(db, rules, NewLead("Asha Lead", "98450 55501", source="web", owner="asha"),
                    now=now, rep="asha").lead_id  # fmt: skip
    add_lead(db, rules, NewLead("Again", "9845055501", email="a@x.in"), now=now, rep="asha")
    log_outcome(db, rules, lead, "no_answer", rep="asha", now=now + timedelta(minutes=5))
    undo_last_outcome(db, rules, rep="asha", now=now + timedelta(minutes=6))
    reassign_lead(db, rules, lead, "ben", now=now + timedelta(minutes=7), actor="asha")
    assert flag_escalations(db, rules, now + timedelta(days=3)) == 1
    assert sweep_missed(db, rules, now=now + timedelta(days=3)) == 0  # starts the clock
    assert sweep_missed(db, rules, now=now + timedelta(days=30)) == 0  # already missed before
    found = events(db, lead)
    assert [e["type"] for e in found] == [
        "lead_created",
        "lead_merged",
        "outcome_logged",
        "outcome_undone",
        "lead_reassigned",
        "lead_escalated",
    ]
    created, merged, logged, undone, moved, escalated = found
    assert (created["name"], created["phone"], created["owner"]) == (
        "Asha Lead",
        "+919845055501",
        "asha",
    )
    assert merged["email"] == "a@x.in" and merged["lead_id"] == lead
    assert logged["outcome"] == "no_answer" and logged["next_followup"]["kind"] == "cadence"
    assert undone["call_id"] == logged["call_id"] and undone["stage"] == "new"
    assert (moved["from_owner"], moved["to_owner"]) == ("asha", "ben")
    assert escalated["escalate_at"] and escalated["sla_deadline"]
    assert len({e["id"] for e in found}) == len(found)


def test_a_missed_follow_up_is_an_event_once(db, rules, now):
    from callq.services.hooks import sweep_missed
    from callq.services.outcomes import log_outcome

    rules = with_hook(rules)
    lead = add_lead(db, rules, NewLead("Later", "98450 55502", owner="asha"), now=now, rep="asha")
    log_outcome(db, rules, lead.lead_id, "no_answer", rep="asha", now=now + timedelta(minutes=1))
    due = events(db, lead.lead_id)[-1]["next_followup"]["due_at"]
    deadline = datetime.fromisoformat(due) + rules.team.late_after
    sweep_missed(db, rules, now=deadline - timedelta(minutes=1))
    assert sweep_missed(db, rules, now=deadline + timedelta(minutes=1)) == 1
    assert sweep_missed(db, rules, now=deadline + timedelta(minutes=2)) == 0
    missed = events(db, lead.lead_id)[-1]
    assert missed["type"] == "followup_missed" and missed["due_at"] == due


def test_no_hook_no_outbox_row(db, rules, now):
    add_lead(db, rules, NewLead("Quiet", "98450 55503"), now=now, rep="asha")
    assert events(db) == []


def test_a_note_a_reschedule_a_claim_and_a_release_are_events(db, rules, now):
    from callq.services.claims import claim_lead, next_lead, release_claim
    from callq.services.leads import add_note, reschedule

    rules = with_hook(rules)
    lead = add_lead(db, rules, NewLead("Busy Lead", "98450 55504", owner="asha"), now=now,
                    rep="asha").lead_id  # fmt: skip
    add_note(db, rules, str(lead), "  wants a demo  ", now=now + timedelta(minutes=1), rep="asha")
    later = now + timedelta(days=2)
    _, due = reschedule(db, rules, str(lead), later, now=now + timedelta(minutes=2), rep="asha")
    claim = claim_lead(db, rules, lead, rep="asha", now=now + timedelta(minutes=3))
    assert release_claim(db, rules, lead, rep="asha", now=now + timedelta(minutes=4))
    assert not release_claim(db, rules, lead, rep="asha", now=now + timedelta(minutes=5))
    assert next_lead(db, rules, rep="asha", now=now + timedelta(minutes=6)).lead_id == lead
    found = events(db, lead)
    assert [e["type"] for e in found] == [
        "lead_created",
        "note_added",
        "followup_rescheduled",
        "lead_claimed",
        "lead_released",  # once: the second release changed nothing
        "lead_claimed",
    ]
    _, note, moved, claimed, released, _ = found
    assert (note["text"], note["rep"]) == ("wants a demo", "asha")
    assert moved["to"] == due.isoformat() and moved["from"] and moved["kind"] == "first_response"
    assert claimed["until"] == claim.until.isoformat() and claimed["rep"] == "asha"
    assert released["rep"] == "asha" and released["at"] == (now + timedelta(minutes=4)).isoformat()


def test_the_new_event_types_are_accepted_by_on(tmp_path):
    from callq.config.loading import load_rules

    config = tmp_path / "callq.toml"
    config.write_text(
        '[[hooks]]\nname = "crm"\n'
        'on = ["note_added", "followup_rescheduled", "lead_claimed", "lead_released"]\n'
        'command = ["true"]\n'
    )
    (hook,) = load_rules(config).hooks
    assert hook.on == {"note_added", "followup_rescheduled", "lead_claimed", "lead_released"}
