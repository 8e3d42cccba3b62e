"""Callback times typed in the CLI: `3:30` in business hours, ambiguity refused, a warning kept.

The clock is Monday 23 Nov 2026 10:00 in Asia/Kolkata; hours are mon-fri 09:30-18:30,
sat 10:00-14:00 (the default rules).
"""

import json
from pathlib import Path

import pytest


def ok(result) -> str:  # noqa: ANN001
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result.stdout


def refused(result) -> str:  # noqa: ANN001
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.startswith("callq: ") and "Traceback" not in result.stderr
    return result.stderr


@pytest.fixture
def lead(cli) -> None:  # noqa: ANN001
    ok(cli("add", "--name", "Priya", "--phone", "9876543210", "--source", "web"))


def due(cli) -> str:  # noqa: ANN001
    return json.loads(ok(cli("show", "1", "--format", "json")))["open_followup"]["due_at"]


@pytest.mark.parametrize("command", ["log", "reschedule"])
def test_a_clock_time_without_am_pm_takes_the_reading_in_business_hours(cli, lead, command):
    args = ["log", "1", "4", "--callback", "3:30"] if command == "log" else ["reschedule", "1"]
    result = cli(*args, *([] if command == "log" else ["3:30"]))
    ok(result)
    assert result.stderr == ""  # inside business hours: no warning
    assert due(cli) == "2026-11-23T15:30:00+05:30"  # not 03:30 tomorrow


@pytest.mark.parametrize(
    "args",
    [
        ["log", "1", "4", "--callback", "sat 19:00"],
        ["reschedule", "1", "sat 19:00"],
        ["reschedule", "1", "sat 7pm"],
    ],
)
def test_a_time_outside_business_hours_is_kept_with_a_warning_on_stderr(cli, lead, args):
    result = cli(*args)
    ok(result)
    assert result.stderr == (
        "callq: warning: Sat 28 Nov 19:00 is outside business hours (opens Mon 09:30)\n"
    )
    assert "Sat 28 Nov 19:00" in result.stdout
    assert due(cli) == "2026-11-28T19:00:00+05:30"  # kept as typed, not moved


def test_the_warning_keeps_json_output_clean(cli, lead):
    result = cli("log", "1", "4", "--callback", "sun 10am", "--format", "json")
    ok(result)
    assert json.loads(result.stdout)["next_due_at"] == "2026-11-29T10:00:00+05:30"
    assert (
        result.stderr == "callq: warning: Sun 29 Nov 10:00 is on a closed day (opens Mon 09:30)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["log", "1", "4", "--callback", "sat 7:00"], "neither"),
        (["reschedule", "1", "sat 7:00"], "neither"),
        (["reschedule", "1", "today 9:00"], "neither"),
    ],
)
def test_a_clock_time_with_no_single_reading_in_hours_is_refused(cli, lead, dump, args, message):
    before = dump()
    stderr = refused(cli(*args))
    assert "ambiguous" in stderr and message in stderr
    assert "Say " in stderr and "or in 24-hour time" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert dump() == before


def test_both_readings_in_business_hours_are_refused(cli, lead, dump, tmp_path: Path):
    config = tmp_path / "callq.toml"
    config.write_text('[hours]\nmon-sun = "08:00-21:00"\n')
    before = dump()
    stderr = refused(cli("reschedule", "1", "tomorrow 8:30", env={"CALLQ_CONFIG": str(config)}))
    assert "tomorrow 08:30 and tomorrow 20:30 are both inside business hours" in stderr
    assert "Say 8:30am or 8:30pm, or in 24-hour time 08:30 or 20:30." in stderr
    assert dump() == before
    ok(cli("reschedule", "1", "tomorrow 20:30", env={"CALLQ_CONFIG": str(config)}))
    assert due(cli) == "2026-11-24T20:30:00+05:30"


def test_their_time_reads_the_clock_in_the_leads_zone(cli):
    # 10:00 IST is 23:30 Sunday in New York; 3:30 there is 15:30 (inside), not 03:30.
    ok(cli("add", "--name", "Sam", "--phone", "+1 415 555 0123", "--tz", "America/New_York"))
    result = cli("reschedule", "1", "3:30 their time")
    ok(result)
    assert result.stderr == ""
    assert due(cli) == "2026-11-24T02:00:00+05:30"  # Mon 15:30 in New York
