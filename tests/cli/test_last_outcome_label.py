"""The queue's last outcome reads as the rules call it, in the CLI and the TUI alike."""

import json

from callq.config.loading import load_rules
from callq.rules.queue import QueueItem


def ok(result) -> str:  # noqa: ANN001
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result.stdout


def test_the_cli_queue_shows_the_outcome_label_not_its_id(cli):
    ok(cli("add", "--name", "Meera", "--phone", "9876543210"))
    ok(cli("log", "1", "1", "--note", "rang twice"))
    rows = json.loads(ok(cli("queue", "--format", "json", "--all")))
    assert rows[0]["last_outcome"] == "no_answer"  # the JSON keeps the id for tools
    table = ok(cli("queue", "--all", env={"COLUMNS": "200"}))
    assert "No answer: rang twice" in table
    assert "no answer" not in table


def test_an_outcome_the_rules_no_longer_define_reads_as_words():
    rules = load_rules(None)
    assert rules.outcome_label("no_answer") == "No answer"
    assert rules.outcome_label("callback_old") == "callback old"


def test_the_last_column_text_is_one_definition():
    item = _item(last_label="Busy", last_note="try after lunch")
    assert item.last_text() == "Busy: try after lunch"
    assert _item(last_label=None, last_note="imported note").last_text() == "imported note"
    assert _item(last_label="Busy", last_note="").last_text() == "Busy"


def _item(**fields) -> QueueItem:
    from datetime import UTC, datetime

    base = dict(
        followup_id=1, lead_id=1, name="A", phone="+919876543210", company="", source="web",
        stage="new", owner="asha", urgency="normal", section="new",
        due_at=datetime(2026, 12, 3, tzinfo=UTC), kind="cadence", touch=1, touches_total=5,
        late_minutes=0, last_outcome="busy", last_note="", escalated=False,
    )  # fmt: skip
    return QueueItem(**(base | fields))
