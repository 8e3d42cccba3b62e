"""Every scripting command through Typer's CliRunner: output, JSON keys, exit codes."""

import json
from pathlib import Path

import pytest

LEAD_KEYS = {
    "id",
    "name",
    "phone",
    "source",
    "stage",
    "owner",
    "timezone",
    "created_at",
    "first_touch_at",
}
QUEUE_KEYS = {
    "lead_id",
    "name",
    "phone",
    "company",
    "source",
    "stage",
    "owner",
    "section",
    "due_at",
    "kind",
    "touch",
    "late_minutes",
}


def ok(result) -> str:  # noqa: ANN001
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result.stdout


def test_init_writes_refuses_to_overwrite_and_forces(cli, tmp_path: Path):
    from callq.config.loading import default_config_text

    target = tmp_path / "conf" / "callq.toml"
    assert str(target) in ok(cli("init", str(target)))
    assert target.read_text() == default_config_text()
    target.write_text("# mine\n")
    again = cli("init", str(target))
    assert again.exit_code == 2
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert target.read_text() == "# mine\n"
    ok(cli("init", str(target), "--force"))
    assert target.read_text() == default_config_text()
    ok(cli("rules", "check", str(target)))


def test_init_default_path_is_the_user_config_dir(cli, tmp_path: Path):
    ok(cli("init"))
    written = tmp_path / "xdg-config" / "callq" / "callq.toml"
    assert written.is_file()
    assert str(written) in ok(cli("rules", "check"))  # discovery finds it


def test_add_prints_the_id(cli):
    assert ok(cli("add", "--name", "Asha", "--phone", "98765 43210")).strip() == "1"
    assert ok(cli("add", "--name", "Ben", "--phone", "9876543211", "--source", "web")) == "2\n"


def test_add_json_is_the_lead(cli):
    out = json.loads(
        ok(
            cli(
                "add",
                "--name",
                "Asha",
                "--phone",
                "+91 98765-43210",
                "--source",
                "web",
                "--owner",
                "chen",
                "--format",
                "json",
            )
        )
    )
    assert set(out) >= LEAD_KEYS
    assert out["id"] == 1 and out["phone"] == "+919876543210" and out["owner"] == "chen"
    assert out["created_at"] == "2026-11-23T10:00:00+05:30"
    assert out["first_touch_at"] is None and out["stage"] == "new"


def test_add_a_known_number_merges(cli):
    ok(cli("add", "--name", "Asha", "--phone", "9876543210"))
    again = cli("add", "--name", "Asha K", "--phone", "09876543210")
    assert ok(again).strip() == "1"
    assert "lead 1" in again.stderr


def test_log_prints_the_toast_sentence(cli):
    ok(cli("add", "--name", "Asha", "--phone", "9876543210", "--source", "web"))
    out = ok(cli("log", "1", "no_answer"))
    assert out.strip() == "Asha: No answer · next Mon 23 Nov 14:00 · touch 2/5"
    out = ok(cli("log", "+919876543210", "4", "--callback", "tomorrow 3pm", "--note", "busy now"))
    assert out.strip() == "Asha: Asked to call back · next Tue 24 Nov 15:00"
    assert ok(cli("log", "1", "won")).strip() == "Asha: Won · lead won"


def test_log_json(cli):
    ok(cli("add", "--name", "Asha", "--phone", "9876543210"))
    out = json.loads(ok(cli("log", "1", "interested", "--format", "json")))
    assert out["stage"] == "qualified" and out["outcome_id"] == "interested"
    assert out["next_due_at"] == "2026-11-25T11:00:00+05:30"
    assert out["next_kind"] == "callback"


def test_log_at_an_earlier_time(cli):
    # Added at 09:30 (a call before the lead existed is refused), logged at 10:00.
    ok(cli("--now", "2026-11-23T09:30", "add", "--name", "Asha", "--phone", "9876543210"))
    ok(cli("log", "1", "no_answer", "--at", "2026-11-23T09:45"))
    shown = json.loads(ok(cli("show", "1", "--format", "json")))
    assert shown["lead"]["first_touch_at"] == "2026-11-23T09:45:00+05:30"


def test_undo(cli):
    ok(cli("add", "--name", "Asha", "--phone", "9876543210"))
    before = json.loads(ok(cli("show", "1", "--format", "json")))
    ok(cli("log", "1", "interested"))
    assert ok(cli("undo")).strip() == "Undone: Interested on Asha · back to new"
    after = json.loads(ok(cli("show", "1", "--format", "json")))
    assert after["lead"] == before["lead"]
    assert after["open_followup"] == before["open_followup"]
    assert after["timeline"][0]["type"] == "outcome_undone"
    nothing = cli("undo")
    assert nothing.exit_code == 2 and "nothing to undo" in nothing.stderr


def test_reschedule_and_note(cli):
    ok(cli("add", "--name", "Asha", "--phone", "9876543210"))
    assert ok(cli("reschedule", "1", "fri 10:30", "--note", "travelling")).strip() == (
        "lead 1: next follow-up Fri 27 Nov 10:30"
    )
    assert ok(cli("note", "9876543210", "wants pricing")).strip() == "lead 1: note added"
    shown = json.loads(ok(cli("show", "1", "--format", "json")))
    assert shown["open_followup"]["due_at"] == "2026-11-27T10:30:00+05:30"
    types = [event["type"] for event in shown["timeline"]]
    assert types[:2] == ["note", "followup_rescheduled"]


def test_show_json_keys(cli):
    ok(cli("add", "--name", "Asha", "--phone", "9876543210", "--source", "web"))
    ok(cli("log", "1", "busy", "--note", "in a meeting"))
    shown = json.loads(ok(cli("show", "1", "--format", "json")))
    assert set(shown) >= {"lead", "open_followup", "timeline"}
    assert set(shown["lead"]) >= LEAD_KEYS
    assert shown["lead"]["timezone"] == "Asia/Kolkata"
    assert {"due_at", "kind"} <= set(shown["open_followup"])
    assert shown["open_followup"] == {
        **shown["open_followup"],
        "due_at": "2026-11-23T10:30:00+05:30",
        "kind": "callback",
    }
    assert all({"at", "type"} <= set(event) for event in shown["timeline"])
    call = next(e for e in shown["timeline"] if e["type"] == "call_logged")
    assert call["outcome"] == "busy" and call["note"] == "in a meeting"
    ok(cli("log", "1", "won"))
    assert json.loads(ok(cli("show", "1", "--format", "json")))["open_followup"] is None


def test_show_table(cli):
    ok(cli("add", "--name", "Asha Kumar", "--phone", "9876543210", "--company", "Acme"))
    out = ok(cli("show", "1"))
    assert "Asha Kumar" in out and "+91 98765 43210" in out and "Acme" in out
    assert "(first response)" in out and "first_response" not in out  # words, not the key


@pytest.fixture
def queue_data(cli):  # noqa: ANN001, ANN201
    ok(cli("add", "--name", "New One", "--phone", "9876543210", "--owner", "asha"))
    ok(cli("add", "--name", "Ben Lead", "--phone", "9876543211", "--owner", "ben"))
    ok(cli("add", "--name", "Busy One", "--phone", "9876543212", "--owner", "asha"))
    ok(cli("log", "3", "busy"))
    ok(cli("add", "--name", "Keen One", "--phone", "9876543213", "--owner", "asha"))
    ok(cli("log", "4", "interested"))


def test_queue_json(cli, queue_data):
    items = json.loads(ok(cli("queue", "--format", "json")))
    assert all(set(item) >= QUEUE_KEYS for item in items)
    assert [(i["name"], i["section"]) for i in items] == [
        ("New One", "new"),
        ("Busy One", "today"),
        ("Keen One", "upcoming"),
    ]
    assert items[1]["due_at"] == "2026-11-23T10:30:00+05:30"
    # A busy retry uses no cadence touch: the next call is still attempt 1 (rules.queue).
    assert items[1]["kind"] == "callback" and items[1]["touch"] == 1
    later = json.loads(ok(cli("--now", "2026-11-23T11:00+05:30", "queue", "--format", "json")))
    busy = next(i for i in later if i["name"] == "Busy One")
    assert (busy["section"], busy["late_minutes"]) == ("overdue", 30)
    everyone = json.loads(ok(cli("queue", "--all", "--format", "json")))
    assert {i["owner"] for i in everyone} == {"asha", "ben"}
    bens = json.loads(ok(cli("queue", "--rep", "ben", "--format", "json")))
    assert [i["name"] for i in bens] == ["Ben Lead"]


def test_queue_table(cli, queue_data):
    out = ok(cli("queue"))
    assert "Queue of asha" in out
    for title in ("New (1)", "Due today (1)", "Upcoming (1)"):
        assert title in out
    assert out.index("New One") < out.index("Busy One") < out.index("Keen One")
    assert "Ben Lead" not in out
    assert "+91 98765 43210" in out and "+919876543210" not in out  # for people, as in show


def test_rules_check_ok(cli, tmp_path: Path):
    assert "built-in default rules: ok (9 outcomes)" in ok(cli("rules", "check"))


BROKEN = """\
[team]
timezone = "Asia/Kolkata"

[outcomes.busy]
key = "2"
label = "Busy"
connected = false
next = "sometime"
"""


def test_rules_check_a_broken_file(cli, tmp_path: Path):
    path = tmp_path / "callq.toml"
    path.write_text(BROKEN)
    result = cli("rules", "check", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"callq: {path}:8: outcomes.busy.next: ")
    missing = cli("rules", "check", str(tmp_path / "nope.toml"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_rules_show(cli):
    out = ok(cli("rules", "show"))
    for text in ("Asia/Kolkata", "No answer", "ask:1d@10:00", "09:30-18:30", "web", "cold"):
        assert text in out


def test_rules_simulate(cli):
    out = ok(
        cli(
            "rules",
            "simulate",
            "--source",
            "web",
            "--arrived",
            "2026-11-23T10:00",
            "--outcomes",
            "no_answer,no_answer,busy",
        )
    )
    assert "first response due Mon 23 Nov 10:15" in out
    rows = [line for line in out.splitlines() if line.strip("│ ")[:1].isdigit()]
    assert len(rows) == 3
    assert "No answer" in rows[0] and "Mon 23 Nov 14:00" in rows[0] and "cadence 2/5" in rows[0]
    assert "Tue 24 Nov 10:00" in rows[1] and "cadence 3/5" in rows[1]
    assert "Busy" in rows[2] and "Tue 24 Nov 10:30" in rows[2]


def test_doctor_ok_and_violation(cli, db):
    from sqlalchemy import text

    ok(cli("add", "--name", "Asha", "--phone", "9876543210"))
    assert "ok: integrity and invariant hold" in ok(cli("doctor"))
    with db.write() as session:
        session.execute(text("UPDATE followup SET status = 'cancelled'"))
    result = cli("doctor")
    assert result.exit_code == 1
    assert "open lead without exactly one open follow-up: lead 1" in result.stderr
    assert "ok:" not in result.stdout


def test_help_lists_every_command(cli):
    out = ok(cli("--help"))
    for name in ("init", "add", "log", "undo", "reschedule", "note", "show", "queue", "rules"):
        assert name in out
