"""Events out: the outbox written with each change, delivered by `callq serve` and
`callq hooks run`, retried with backoff, shown by `hooks status`, signed for URL hooks."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.serve.conftest import HOOK_SECRET, wait_for

from callq.store.models import outbox_table


def rows(db, hook: str, lead_id: int) -> list:  # noqa: ANN001
    with db.read() as session:
        statement = select(outbox_table).where(
            outbox_table.c.hook == hook, outbox_table.c.lead_id == lead_id
        )
        return list(session.execute(statement.order_by(outbox_table.c.id)))


def test_a_command_hook_receives_both_event_types_in_order(server, served_db, served_rules):
    from callq.services.outcomes import log_outcome

    lead_id = server.post(json={"name": "Hook Lead", "phone": "9845100001"}).json()["id"]
    created = wait_for(lambda: [e for e in server.hook_events() if e["lead_id"] == lead_id])
    assert created[0]["type"] == "lead_created"
    assert created[0]["name"] == "Hook Lead" and created[0]["phone"] == "+919845100001"
    # A change made by another process (here: this one) reaches the hook through the outbox.
    now = datetime.now(UTC)
    log_outcome(served_db, served_rules, lead_id, "no_answer", rep="asha", now=now)

    def both() -> list[dict]:
        events = [e for e in server.hook_events() if e["lead_id"] == lead_id]
        return events if len(events) >= 2 else []

    events = wait_for(both)
    assert [e["type"] for e in events] == ["lead_created", "outcome_logged"]
    logged = events[1]
    outcome = served_rules.outcome("no_answer")
    assert (logged["outcome"], logged["outcome_label"]) == ("no_answer", outcome.label)
    assert logged["next_followup"]["kind"] == "cadence" and logged["next_followup"]["due_at"]
    assert logged["rep"] == "asha" and logged["stage_before"] == "new"
    assert len({e["id"] for e in events}) == 2  # every event has its own id
    assert all(e["at"] for e in events)


def test_a_failing_hook_is_retried_and_shown_by_hooks_status(server, served_db, served_rules):
    from callq.services.hooks import Sender, deliver_round

    lead_id = server.post(json={"name": "Broken Hook", "phone": "9845100002"}).json()["id"]
    failed = wait_for(lambda: [r for r in rows(served_db, "broken", lead_id) if r.attempts])[0]
    assert failed.delivered_at is None and "crm is down" in failed.last_error
    # Past the backoff the next round tries it again (here: a round in this process).
    later = datetime.now(UTC) + timedelta(minutes=5)
    deliver_round(served_db, served_rules, Sender(), now=lambda: later)
    retried = rows(served_db, "broken", lead_id)[0]
    assert retried.attempts >= 2 and retried.delivered_at is None
    assert retried.next_attempt_at > later  # backed off again
    status = server.run_cli("hooks", "status")
    assert status.exit_code == 0, status.stderr
    line = next(line for line in status.stdout.splitlines() if " broken " in line)
    assert "exit 3: crm is down" in line
    # The other hooks got the same event: one failing hook holds back no one else.
    assert rows(served_db, "signed", lead_id)[0].delivered_at is not None or wait_for(
        lambda: rows(served_db, "signed", lead_id)[0].delivered_at
    )


def test_doctor_warns_about_a_hook_failing_for_over_an_hour(server):
    server.post(json={"name": "Doctor", "phone": "9845100003"})
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    wait_for(lambda: "broken" in server.run_cli("hooks", "status").stdout)
    doctor = server.run_cli("doctor", CALLQ_NOW=later)
    assert doctor.exit_code == 0, doctor.stderr  # a warning: the data itself is sound
    assert "hook 'broken'" in doctor.stderr and "over an hour" in doctor.stderr
    assert "crm is down" in doctor.stderr


def test_a_url_hook_gets_a_signed_post(server, receiver):
    lead_id = server.post(json={"name": "Signed", "phone": "9845100004"}).json()["id"]

    def delivered() -> list:
        return [
            (headers, body)
            for headers, body in receiver.received
            if json.loads(body)["lead_id"] == lead_id
        ]

    headers, body = wait_for(delivered)[0]
    expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Callq-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    event = json.loads(body)
    assert (event["type"], event["name"]) == ("lead_created", "Signed")


def test_events_are_written_in_the_changes_transaction(served_db, served_rules):
    """A refused change writes no event; a change writes exactly one per subscribed hook."""
    from callq.errors import UserError
    from callq.services.leads import NewLead, add_lead

    now = datetime.now(UTC)
    with served_db.read() as session:
        before = len(session.execute(select(outbox_table.c.id)).all())
    with pytest.raises(UserError):
        add_lead(served_db, served_rules, NewLead("", "9845100005"), now=now, rep="asha")
    added = add_lead(served_db, served_rules, NewLead("Tx", "9845100005"), now=now, rep="asha")
    with served_db.read() as session:
        after = session.exec(
            select(outbox_table.c.hook, outbox_table.c.type).where(outbox_table.c.id > 0)
        ).all()
        mine = sorted(
            session.execute(
                select(outbox_table.c.hook).where(outbox_table.c.lead_id == added.lead_id)
            ).scalars()
        )
    assert len(after) == before + 3
    assert mine == ["broken", "log", "signed"]


def test_hooks_run_delivers_unless_another_process_is_delivering(server, backend_of):
    run = server.run_cli("hooks", "run")
    assert run.exit_code == 0, run.stderr
    if backend_of(server) == "sqlite":  # serve holds the one deliverer's lock
        assert "another callq process" in run.stdout
    else:  # PostgreSQL: both deliver, row locks keep them apart
        assert run.stdout.startswith("delivered ")
