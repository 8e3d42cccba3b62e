"""The queue, the lead (`show`), the report's flagger and the TUI's rows give one answer.

Escalation, the attempt number and the section are each one rule (`rules/queue.py`);
these tests drive the CLI as a rep would and compare what each surface says.
"""

import json
from datetime import timedelta

NOW_ISO = "2026-11-23T10:00:00+05:30"  # a Monday inside business hours (the fixtures' NOW)


def ok(result) -> str:  # noqa: ANN001
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result.stdout


def at(cli, *args: str, now: str):  # noqa: ANN001, ANN201
    return cli(*args, env={"CALLQ_NOW": now})


def queue_rows(cli, now: str = NOW_ISO) -> dict[int, dict]:  # noqa: ANN001
    rows = json.loads(ok(at(cli, "queue", "--all", "--limit", "0", "--format", "json", now=now)))
    return {row["lead_id"]: row for row in rows}


def shown(cli, lead: int, now: str = NOW_ISO) -> dict:  # noqa: ANN001
    return json.loads(ok(at(cli, "show", str(lead), "--format", "json", now=now)))


def test_a_rescheduled_first_response_still_escalates_from_the_sla_deadline(cli):
    # A web lead at 10:00: SLA deadline 10:15, escalated at 11:15 (escalate_after 1h).
    lead = int(ok(cli("add", "--name", "Meera", "--phone", "9876543210", "--source", "web")))
    ok(cli("reschedule", str(lead), "+3d"))  # rescheduling does not move the SLA
    before = "2026-11-23T11:14:00+05:30"
    after = "2026-11-23T11:16:00+05:30"
    assert queue_rows(cli, before)[lead]["escalated"] is False
    assert queue_rows(cli, after)[lead]["escalated"] is True  # the rule, before any flagging
    ok(at(cli, "report", "--format", "json", now=after))  # the report runs the flagger
    flagged = shown(cli, lead, after)["lead"]["escalated_at"]
    assert flagged is not None
    assert queue_rows(cli, after)[lead]["escalated"] is True


def test_an_unrescheduled_lead_escalates_at_the_same_instant_everywhere(cli):
    lead = int(ok(cli("add", "--name", "Ravi", "--phone", "9876543211", "--source", "phone")))
    # phone SLA 5m -> 10:05; escalated at 11:05.
    assert queue_rows(cli, "2026-11-23T11:04:00+05:30")[lead]["escalated"] is False
    ok(at(cli, "report", "--format", "json", now="2026-11-23T11:04:00+05:30"))
    assert shown(cli, lead)["lead"]["escalated_at"] is None
    assert queue_rows(cli, "2026-11-23T11:05:00+05:30")[lead]["escalated"] is True


def attempt_everywhere(cli, lead: int, now: str = NOW_ISO) -> tuple:  # noqa: ANN001
    row = queue_rows(cli, now)[lead]
    lead_json = shown(cli, lead, now)["lead"]
    return (row["touch"], row["touches_total"]), (lead_json["attempt"], lead_json["attempts_total"])


def test_queue_and_show_agree_on_the_attempt_and_with_the_toast(cli):
    lead = int(ok(cli("add", "--name", "Harini", "--phone", "9876543212", "--source", "web")))
    assert attempt_everywhere(cli, lead) == ((1, 5), (1, 5))
    logged = ok(at(cli, "log", str(lead), "no_answer", now="2026-11-23T10:05:00+05:30"))
    assert "touch 2/5" in logged
    later = "2026-11-23T10:10:00+05:30"
    assert attempt_everywhere(cli, lead, later) == ((2, 5), (2, 5))
    logged = ok(at(cli, "log", str(lead), "no_answer", now="2026-11-23T14:00:00+05:30"))
    assert "touch 3/5" in logged
    later = "2026-11-23T14:05:00+05:30"
    assert attempt_everywhere(cli, lead, later) == ((3, 5), (3, 5))


def test_a_busy_retry_is_the_same_cadence_touch_as_the_toast_says(cli):
    lead = int(ok(cli("add", "--name", "Karan", "--phone", "9876543213", "--source", "web")))
    ok(at(cli, "log", str(lead), "busy", now="2026-11-23T10:01:00+05:30"))
    # Busy schedules a retry in 30 min; it uses up no cadence touch: still attempt 1.
    assert attempt_everywhere(cli, lead, "2026-11-23T10:02:00+05:30") == ((1, 5), (1, 5))
    logged = ok(at(cli, "log", str(lead), "no_answer", now="2026-11-23T10:35:00+05:30"))
    assert "touch 2/5" in logged
    assert attempt_everywhere(cli, lead, "2026-11-23T10:36:00+05:30") == ((2, 5), (2, 5))


def test_an_undone_call_counts_nowhere(cli):
    lead = int(ok(cli("add", "--name", "Tanvi", "--phone", "9876543214", "--source", "web")))
    ok(at(cli, "log", str(lead), "no_answer", now="2026-11-23T10:05:00+05:30"))
    ok(at(cli, "undo", now="2026-11-23T10:06:00+05:30"))
    assert attempt_everywhere(cli, lead, "2026-11-23T10:07:00+05:30") == ((1, 5), (1, 5))


def test_the_queue_table_labels_the_attempt(cli):
    ok(cli("add", "--name", "Tanvi", "--phone", "9876543214", "--source", "web"))
    out = ok(cli("queue"))
    assert "Attempt" in out and "Try" not in out


def test_sections_agree_with_the_section_rule(cli):
    from datetime import datetime

    from callq.rules.queue import section_of

    lead = int(ok(cli("add", "--name", "Asha", "--phone", "9876543215", "--source", "web")))
    ok(cli("reschedule", str(lead), "in 2h"))
    now = datetime.fromisoformat(NOW_ISO)
    for minutes in (0, 119, 121, 60 * 30):
        when = now + timedelta(minutes=minutes)
        row = queue_rows(cli, when.isoformat())[lead]
        day_end = datetime(2026, 11, 24, 0, 0, tzinfo=now.tzinfo)
        if when >= day_end:
            day_end += timedelta(days=1)
        due = datetime.fromisoformat(row["due_at"])
        assert row["section"] == section_of(row["kind"], due, now=when, day_end=day_end)
