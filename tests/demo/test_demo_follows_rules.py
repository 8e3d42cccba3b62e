"""The demo keeps its own rules: every generated row is what the outcome rules produce.

A small demo is replayed call by call through `callq.rules` (the one definition of what
an outcome does): each follow-up's due time, kind and touch, each stage, and the
first-response deadline of every lead must be the rules' answer; every call falls
inside business hours (the lead's timezone) and before `now`.
"""

import json
import sqlite3
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callq.demo.build import build_demo
from callq.rules.hours import is_open
from callq.rules.outcomes import (
    first_response_due,
    is_cadence_outcome,
    plan_outcome,
    suggested_time,
)
from callq.rules.timeexpr import Ask
from callq.services.doctor import check
from callq.store.db import open_database

# The suite's clock (tests/conftest.py): a Monday, 10:00 in Kolkata.
NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)


def _at(text: str | None) -> datetime | None:
    """A stored time (naive UTC text) or an event's ISO time, as an aware UTC instant."""
    if text is None:
        return None
    at = datetime.fromisoformat(text)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):  # noqa: ANN001, ANN201
    from callq.config.loading import load_default_rules

    path = tmp_path_factory.mktemp("demo-rules") / "demo.db"
    rules = load_default_rules()
    build_demo(path, rules, now=NOW, leads=400, calls=1600)
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        tables = {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("lead", "call", "followup", "event")
        }
    finally:
        connection.close()
    return path, rules, NOW, tables


def _zone(lead, rules) -> ZoneInfo:  # noqa: ANN001
    return ZoneInfo(lead["timezone"] or rules.team.timezone)


def test_every_follow_up_and_stage_is_what_the_rules_produce(demo) -> None:  # noqa: ANN001, C901
    _path, rules, now, tables = demo
    calls_of = defaultdict(list)
    for call in tables["call"]:
        calls_of[call["lead_id"]].append(call)
    created_by = {}
    first_response = {}
    for followup in tables["followup"]:
        if followup["created_by_call_id"] is None:
            assert followup["lead_id"] not in first_response  # one first response a lead
            first_response[followup["lead_id"]] = followup
        else:
            created_by[followup["created_by_call_id"]] = followup
    stage_before_of, logged = {}, {}
    for event in tables["event"]:
        if event["type"] == "call_logged":
            detail = json.loads(event["detail"])
            stage_before_of[detail["call_id"]] = detail["stage_before"]
            logged[detail["call_id"]] = (detail["stage_after"], _at(detail["next_due_at"]))

    wrong = []
    for lead in tables["lead"]:
        tz = _zone(lead, rules)
        arrived = _at(lead["created_at"])
        due = first_response_due(rules, source=lead["source"], created_at=arrived, tz=tz)
        first = first_response[lead["id"]]
        if (_at(first["due_at"]), first["kind"]) != (due, "first_response"):
            wrong.append(f"lead {lead['id']}: first response {first['due_at']} != {due}")
        stage, cadence_calls = "new", 0
        for call in sorted(calls_of[lead["id"]], key=lambda c: (c["ended_at"], c["id"])):
            outcome = rules.outcome(call["outcome"])
            call_at = _at(call["ended_at"])
            if stage_before_of[call["id"]] != stage:
                wrong.append(f"call {call['id']}: stage before {stage_before_of[call['id']]}")
            cadence_calls += is_cadence_outcome(outcome)
            facts = dict(call_at=call_at, arrived_at=arrived, cadence_calls=cadence_calls, tz=tz)
            # A rule that asks the rep: the demo's reps take the rule's suggestion.
            callback_at = (
                suggested_time(rules, outcome, **facts) if isinstance(outcome.next, Ask) else None
            )
            plan = plan_outcome(
                rules, outcome, stage_before=stage, callback_at=callback_at, **facts
            )
            made = created_by.get(call["id"])
            got = made and (_at(made["due_at"]), made["kind"], made["touch"])
            expected = plan.next_due_at and (plan.next_due_at, plan.next_kind, plan.touch)
            if got != expected:
                wrong.append(f"call {call['id']} ({outcome.id} at {call_at}): {got} != {expected}")
            if logged[call["id"]] != (plan.stage, plan.next_due_at):  # what undo checks
                wrong.append(f"call {call['id']}: logged {logged[call['id']]}")
            stage = plan.stage
        if lead["stage"] != stage:
            wrong.append(f"lead {lead['id']}: stage {lead['stage']}, the rules say {stage}")
    assert wrong == [], wrong[:10]


def test_every_call_is_inside_business_hours_and_before_now(demo) -> None:  # noqa: ANN001
    _path, rules, now, tables = demo
    leads = {lead["id"]: lead for lead in tables["lead"]}
    outside = []
    for call in tables["call"]:
        tz = _zone(leads[call["lead_id"]], rules)
        started, ended = _at(call["started_at"]), _at(call["ended_at"])
        if not (is_open(rules.hours, started, tz) and is_open(rules.hours, ended, tz)):
            local = f"{started.astimezone(tz):%a %H:%M}-{ended.astimezone(tz):%H:%M}"
            outside.append(f"call {call['id']}: {local} in {tz}")
        if not started <= ended < now:
            outside.append(f"call {call['id']}: {started} - {ended}, now {now}")
    assert outside == [], outside[:10]
    # And the queue's "later today" holds only times inside today's hours.
    team_tz = ZoneInfo(rules.team.timezone)
    for followup in tables["followup"]:
        due = _at(followup["due_at"])
        lead = leads[followup["lead_id"]]
        today = due.astimezone(team_tz).date() == now.astimezone(team_tz).date()
        if followup["status"] == "open" and lead["timezone"] is None and due > now and today:
            # A first response may be due at the closing minute itself (deadline 18:30).
            inside = is_open(rules.hours, due - timedelta(seconds=1), team_tz)
            assert inside, f"due later today at {due:%H:%M} UTC"


def test_the_demo_passes_doctor_and_keeps_the_invariant(demo) -> None:  # noqa: ANN001
    path, _rules, _now, tables = demo
    db = open_database(path)
    try:
        report = check(db)
    finally:
        db.dispose()
    assert report.ok, report.problems
    open_count = defaultdict(int)
    for followup in tables["followup"]:
        open_count[followup["lead_id"]] += followup["status"] == "open"
    for lead in tables["lead"]:
        closed = lead["stage"] in ("won", "lost", "cold", "invalid", "dnc")
        assert open_count[lead["id"]] == (0 if closed else 1), dict(lead)
