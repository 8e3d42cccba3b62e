"""One wording for the CLI, the TUI and the rules' messages: the same instant reads the same.

The clock is Monday 23 Nov 2026 10:00 in Asia/Kolkata (the `cli` fixture's).
"""

import json
import subprocess
import sys
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from callq.rules.phrases import hours_warning
from callq.wording import (
    attempt_text,
    clock,
    day,
    late_text,
    span,
    until_text,
    weekday_clock,
    when,
)

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=KOLKATA)


def ok(result) -> str:  # noqa: ANN001
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result.stdout


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 11, 24, 10, 0, tzinfo=KOLKATA), "Tue 24 Nov 10:00"),
        (datetime(2026, 12, 1, 9, 5, tzinfo=KOLKATA), "Tue 1 Dec 09:05"),  # no zero padding
        (datetime(2027, 1, 4, 10, 0, tzinfo=KOLKATA), "Mon 4 Jan 2027 10:00"),  # next year
        (datetime(2025, 11, 21, 18, 0, tzinfo=KOLKATA), "Fri 21 Nov 2025 18:00"),  # last year
        # 31 Dec 20:00 UTC is already 1 Jan in Kolkata: the year is the viewer's.
        (datetime(2026, 12, 31, 20, 0, tzinfo=UTC), "Fri 1 Jan 2027 01:30"),
    ],
)
def test_when_shows_the_year_whenever_it_is_not_the_current_one(instant, expected):
    assert when(instant, KOLKATA, NOW) == expected


def test_when_of_nothing_is_a_dash():
    assert when(None, KOLKATA, NOW) == "-"


def test_day_clock_and_weekday():
    assert day(datetime(2027, 1, 1).date(), NOW.date()) == "Fri 1 Jan 2027"
    assert day(datetime(2026, 11, 28).date(), NOW.date()) == "Sat 28 Nov"
    assert clock(time(9, 30)) == "09:30"
    assert clock(datetime(2026, 11, 23, 4, 30, tzinfo=UTC), KOLKATA) == "10:00"
    assert weekday_clock(datetime(2026, 11, 23, 8, 30, tzinfo=UTC), KOLKATA) == "Mon 14:00"


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(0, "0m"), (15, "15m"), (60, "1h00"), (125, "2h05"), (1440, "1d"), (7440, "5d 4h")],
)
def test_span(minutes, expected):
    assert span(minutes) == expected


def test_late_until_and_attempts():
    assert late_text(7440) == "5d 4h late"
    assert until_text(datetime(2026, 11, 23, 12, 5, tzinfo=KOLKATA), NOW) == "in 2h05"
    assert until_text(datetime(2026, 11, 23, 9, 0, tzinfo=KOLKATA), NOW) == "in 0m"
    assert attempt_text(3, 5) == "3/5" and attempt_text(8, 5) == "#8"


def test_the_rules_warning_writes_a_day_as_everything_else_does(rules):
    early = datetime(2026, 12, 1, 7, 0, tzinfo=KOLKATA)
    assert hours_warning(early, rules.hours, KOLKATA) == (
        f"{day(early.date())} 07:00 is outside business hours (opens 09:30)"
    )


def test_the_wording_loads_no_ui_or_database_stack():
    probe = "import callq.wording, sys; print(' '.join(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[0] for name in run.stdout.split()}
    assert not loaded & {"rich", "textual", "sqlalchemy", "sqlmodel", "alembic"}


# Through the CLI, as a rep sees it.


@pytest.fixture
def lead(cli) -> None:  # noqa: ANN001
    ok(cli("add", "--name", "Asha", "--phone", "9876543210", "--source", "web"))


def test_a_callback_next_year_shows_its_year_in_log_and_show(cli, lead):
    out = ok(cli("log", "1", "4", "--callback", "2027-01-04 10:00"))
    assert out.strip() == "Asha: Asked to call back · next Mon 4 Jan 2027 10:00"
    shown = ok(cli("show", "1"))
    assert "next: Mon 4 Jan 2027 10:00 (callback)" in shown
    assert "Mon 23 Nov 10:00  Follow-up scheduled for Mon 4 Jan 2027 10:00" in shown


def test_reschedule_writes_the_day_as_the_warning_does(cli, lead):
    out = ok(cli("reschedule", "1", "2026-12-01 10:00"))
    assert out.strip() == "lead 1: next follow-up Tue 1 Dec 10:00"


def test_the_cli_queue_says_how_late_as_the_tui_does(cli, lead):
    # The web lead's first response was due 10:15; at 12:50 it is 2h35 late, as in the TUI.
    out = ok(cli("queue", "--now", "2026-11-23T12:50"))
    row = next(line for line in out.splitlines() if "Asha" in line)
    assert "2h35" in row


def test_json_keeps_iso_instants(cli, lead):
    ok(cli("log", "1", "4", "--callback", "2027-01-04 10:00"))
    shown = json.loads(ok(cli("show", "1", "--format", "json")))
    assert shown["open_followup"]["due_at"] == "2027-01-04T10:00:00+05:30"
