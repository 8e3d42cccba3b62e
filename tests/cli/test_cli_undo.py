"""Undo as a user meets it: after someone else acted on the lead, and ids never reused."""

import json

LEADS = ("Asha", "Ben", "Chen", "Dev")  # round-robin over [team] reps: asha, ben, chen, asha


def ok(result) -> str:  # noqa: ANN001
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result.stdout


def add_leads(cli) -> None:  # noqa: ANN001
    for i, name in enumerate(LEADS):
        ok(cli("add", "--name", name, "--phone", f"98765432{i + 10}"))


def shown(cli, lead: int) -> dict:  # noqa: ANN001
    return json.loads(ok(cli("show", str(lead), "--format", "json")))


def test_undo_after_a_reassignment_restores_onto_the_current_owner(cli):
    add_leads(cli)
    assert shown(cli, 4)["lead"]["owner"] == "asha"
    ok(cli("log", "4", "4", "--callback", "tomorrow 3pm"))
    ok(cli("reassign", "4", "--to", "chen"))
    assert ok(cli("undo")).startswith("Undone: Asked to call back on Dev")
    after = shown(cli, 4)
    assert after["lead"]["owner"] == "chen"
    assert after["open_followup"]["owner"] == "chen"  # in the queue of the rep who owns the lead
    assert after["open_followup"]["kind"] == "first_response"
    chens = json.loads(ok(cli("queue", "--format", "json", env={"CALLQ_REP": "chen"})))
    assert 4 in [row["lead_id"] for row in chens]
    ashas = json.loads(ok(cli("queue", "--format", "json")))
    assert 4 not in [row["lead_id"] for row in ashas]
    ok(cli("doctor"))


def test_undo_refuses_after_another_rep_rescheduled(cli, dump):
    add_leads(cli)
    ok(cli("log", "1", "4", "--callback", "tomorrow 3pm"))
    ok(cli("reschedule", "1", "fri 10:30", env={"CALLQ_REP": "ben"}))
    before = dump()
    refused = cli("undo")
    assert refused.exit_code == 2, (refused.stdout, refused.stderr)
    assert "ben" in refused.stderr and "nothing was undone" in refused.stderr
    assert dump() == before  # ben's Friday stands
    assert shown(cli, 1)["open_followup"]["due_at"] == "2026-11-27T10:30:00+05:30"


def test_undo_refuses_after_its_own_follow_up_was_moved(cli, dump):
    # Undoing would delete the moved follow-up: whoever moved it, that change would be lost.
    add_leads(cli)
    ok(cli("log", "1", "4", "--callback", "tomorrow 3pm"))
    ok(cli("reschedule", "1", "fri 10:30"))
    before = dump()
    refused = cli("undo")
    assert refused.exit_code == 2 and "nothing was undone" in refused.stderr
    assert dump() == before


def test_undo_refuses_after_a_later_call_by_someone_else(cli, dump):
    add_leads(cli)
    ok(cli("log", "1", "4", "--callback", "tomorrow 3pm"))
    ok(cli("log", "1", "busy", env={"CALLQ_REP": "ben"}))
    before = dump()
    refused = cli("undo")
    assert refused.exit_code == 2 and "ben" in refused.stderr
    assert dump() == before


def test_a_note_or_a_reassignment_alone_does_not_block_undo(cli):
    add_leads(cli)
    before = shown(cli, 1)["open_followup"]
    ok(cli("log", "1", "busy"))
    ok(cli("note", "1", "asked for the brochure", env={"CALLQ_REP": "ben"}))
    ok(cli("reassign", "1", "--to", "ben"))
    ok(cli("undo"))
    after = shown(cli, 1)
    assert after["open_followup"] == {**before, "owner": "ben"}
    assert after["lead"]["calls"] == 0


def test_ids_are_never_reused(cli):
    add_leads(cli)
    first = json.loads(ok(cli("log", "1", "1", "--format", "json")))
    ok(cli("undo"))
    second = json.loads(ok(cli("log", "2", "1", "--format", "json")))
    assert second["call_id"] != first["call_id"]
    timeline = shown(cli, 1)["timeline"]
    pointed = {e["type"]: e["call_id"] for e in timeline if "call_id" in e}
    assert pointed == {"call_logged": first["call_id"], "outcome_undone": first["call_id"]}
    assert [e.get("call_id") for e in shown(cli, 2)["timeline"] if e["type"] == "call_logged"] == [
        second["call_id"]
    ]
