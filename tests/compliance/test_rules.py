"""The rules side (pure): `rules check` errors at file:line for an unknown channel,
template or placeholder; follow-ups land where business hours and the lead's calling
window meet, in the lead's zone; `rules simulate --tz` shows it; templates fill."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.compliance.conftest import RULES, write_rules
from typer.testing import CliRunner

import callq.cli


def _callq(*args: str, tmp_path: Path):  # noqa: ANN202
    env = {"CALLQ_CONFIG": "", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    env["COLUMNS"] = "200"  # tables as wide as they need, whatever the test run's terminal
    return CliRunner().invoke(callq.cli.app, list(args), env=env)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("4h whatsapp:intro", "4h fax:intro"), "cadence.touches: unknown channel 'fax'"),
        (("2d email:last", "2d email:lats"), "cadence.touches: unknown template 'lats'"),
        (("{rep} from", "{rpe} from"), "templates.intro.text: unknown placeholder {rpe}"),
        (("{text_url}", "{txt}"), "channels.whatsapp.command: unknown placeholder {txt}"),
        (("{interest}", "{interest:>9}"), "templates.last.subject: {interest:>9} is not a"),
    ],
)
def test_rules_check_says_file_and_line(tmp_path: Path, change, words: str):
    path = write_rules(tmp_path).path
    text = path.read_text().replace(*change)
    path.write_text(text)
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if change[1] in t)
    result = _callq("rules", "check", str(path), tmp_path=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"callq: {path}:{line}: {words}"), result.stderr


def test_team_placeholder_needs_a_team_name(tmp_path: Path):
    desk = write_rules(tmp_path)
    desk.path.write_text(desk.path.read_text().replace('name = "Acme"\n', ""))
    result = _callq("rules", "check", str(desk.path), tmp_path=tmp_path)
    assert result.exit_code == 2 and "{team} needs the team's name" in result.stderr


def test_followups_land_where_hours_and_the_window_meet(tmp_path: Path):
    from callq.rules.hours import next_callable
    from callq.rules.outcomes import plan_outcome

    rules = write_rules(tmp_path).rules
    new_york = ZoneInfo("America/New_York")
    # Monday 09:00 in New York (19:30 in the team's Kolkata): busy -> 30m -> 09:30 there,
    # inside the default hours and the 09:00-21:00 window.
    call_at = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    busy = rules.outcome("busy")
    plan = plan_outcome(
        rules, busy, stage_before="new", call_at=call_at, arrived_at=call_at,
        cadence_calls=0, tz=new_york,
    )  # fmt: skip
    assert plan.next_due_at.astimezone(new_york).strftime("%a %H:%M") == "Mon 09:30"
    # A window opening at 11:00 their time moves it there (not to the team's 11:00).
    late = write_rules(tmp_path, RULES.replace('"09:00-21:00"', '"11:00-20:00"')).rules
    plan = plan_outcome(
        late, busy, stage_before="new", call_at=call_at, arrived_at=call_at,
        cadence_calls=0, tz=new_york,
    )  # fmt: skip
    assert plan.next_due_at.astimezone(new_york).strftime("%a %H:%M") == "Mon 11:00"
    # Saturday has hours (10:00-14:00); a window closed at weekends moves a Saturday
    # follow-up to Monday's opening, in their time.
    saturday_noon = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)  # 12:00 in New York
    assert next_callable(rules, saturday_noon, new_york) == saturday_noon
    weekdays = write_rules(tmp_path, RULES.replace('sun = "closed"', 'sat-sun = "closed"')).rules
    monday = next_callable(weekdays, saturday_noon, new_york).astimezone(new_york)
    assert monday.strftime("%a %d %H:%M") == "Mon 30 09:30"


def test_a_window_closed_every_day_is_refused(tmp_path: Path):
    path = write_rules(tmp_path).path
    path.write_text(path.read_text().replace('sun = "closed"', 'mon-sun = "closed"'))
    result = _callq("rules", "check", str(path), tmp_path=tmp_path)
    assert result.exit_code == 2 and "closed every day" in result.stderr


def test_simulate_tz_shows_the_leads_own_time(tmp_path: Path):
    desk = write_rules(tmp_path, RULES.replace('"09:00-21:00"', '"11:00-20:00"'))
    result = _callq(
        "--config", str(desk.path), "rules", "simulate", "--now", "2026-11-23T19:00",
        "--arrived", "2026-11-23T19:00", "--outcomes", "no_answer,busy",
        "--tz", "America/New_York", tmp_path=tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Their time (America/New_York)" in result.stdout
    assert "whatsapp:intro" in result.stdout
    assert "Mon 23 Nov 11:00" in result.stdout  # the first response, at their window's opening


def test_templates_fill_and_encode():
    from callq.rules.model import Template
    from callq.rules.templates import TemplateError, command_values, message_values, placeholders

    assert placeholders("Hi {first_name}, {{literal}} {rep}") == ("first_name", "rep")
    for bad in ("{name!r}", "{name:>9}", "{name.x}", "{oops"):
        with pytest.raises(TemplateError):
            placeholders(bad)
    values = message_values(
        name="Zoë {evil} O'Neil", phone="+919845000001", email="z@x.in", company="",
        interest="solar & wind", rep="asha", team="Acme",
    )  # fmt: skip
    filled = command_values(
        Template("t", "Hi {first_name} from {team}", "About {interest}"), values, "z@x.in"
    )
    assert filled["text"] == "Hi Zoë from Acme"  # a lead's braces are data, never parsed
    assert filled["subject_url"] == "About%20solar%20%26%20wind"
    assert filled["phone_digits"] == "919845000001"
