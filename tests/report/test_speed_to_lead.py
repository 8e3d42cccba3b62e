"""Speed to lead and the qualified second-touch rate, against a hand-computed history.

The known history (history.py) plus four leads, all in the 7-day window (Asia/Kolkata,
hours Mon-Fri 09:30-18:30; first response in business time, as the median's):

    L8  web      asha  Mon 16 14:00  16:30 no_answer (150 m: 1-4 h), Tue 17 11:00 interested
    L9  phone    ben   Thu 19 11:00  Fri 20 10:00 won (7.5 h Thu + 30 m Fri = 480 m: > 4 h)
    L10 phone    asha  Fri 20 12:00  12:10 no_answer (10 m), 15:00 interested, 16:00 won
    L11 referral ben   Mon 23 10:00  10:30 no_answer (30 m), 11:00 busy, 11:30 no_answer

With the history's L1 (3 m; 2 calls, no conversion), L2 (20 m; interested at call 1),
L3 (20 m; not_interested) and L7 (30 m; won at call 1). L4 and L5 have no call yet.
"""

import json

import pytest

from callq.services.leads import NewLead, add_lead
from callq.services.outcomes import log_outcome
from callq.services.report import build_report

from .history import NOW, ist


def _extend(db, rules) -> None:  # noqa: ANN001
    def lead(name: str, phone: str, source: str, owner: str, at) -> int:  # noqa: ANN001
        new = NewLead(name=name, phone=phone, source=source, owner=owner)
        return add_lead(db, rules, new, now=at, rep=owner).lead_id

    def call(lead_id: int, outcome: str, rep: str, at) -> None:  # noqa: ANN001
        log_outcome(db, rules, lead_id, outcome, rep=rep, now=at, at=at)

    l8 = lead("L8", "+919811100008", "web", "asha", ist(16, "14:00"))
    call(l8, "no_answer", "asha", ist(16, "16:30"))
    call(l8, "interested", "asha", ist(17, "11:00"))
    l9 = lead("L9", "+919811100009", "phone", "ben", ist(19, "11:00"))
    call(l9, "won", "ben", ist(20, "10:00"))
    l10 = lead("L10", "+919811100010", "phone", "asha", ist(20, "12:00"))
    call(l10, "no_answer", "asha", ist(20, "12:10"))
    call(l10, "interested", "asha", ist(20, "15:00"))
    call(l10, "won", "asha", ist(20, "16:00"))
    l11 = lead("L11", "+919811100011", "referral", "ben", ist(23, "10:00"))
    call(l11, "no_answer", "ben", ist(23, "10:30"))
    call(l11, "busy", "ben", ist(23, "11:00"))
    call(l11, "no_answer", "ben", ist(23, "11:30"))


@pytest.fixture
def extended_db(history_db, report_rules_fixture):  # noqa: ANN001, ANN201
    _extend(history_db, report_rules_fixture)
    return history_db


BY_FIRST_RESPONSE = [
    {"bucket": "<= 5 m", "leads": 1, "converted": 0, "rate": 0.0},  # L1
    {"bucket": "5-15 m", "leads": 1, "converted": 1, "rate": 1.0},  # L10
    {"bucket": "15-60 m", "leads": 4, "converted": 2, "rate": 0.5},  # L2 L3 L7 L11
    {"bucket": "1-4 h", "leads": 1, "converted": 1, "rate": 1.0},  # L8
    {"bucket": "> 4 h", "leads": 1, "converted": 1, "rate": 1.0},  # L9
]
# Leads still unconverted at their n-th call, and those that call converted.
BY_TOUCH = [
    {"touch": "1", "leads": 8, "converted": 3, "rate": 3 / 8},  # L2 L7 L9 convert
    {"touch": "2", "leads": 4, "converted": 2, "rate": 0.5},  # L1 L8 L10 L11; L8 L10
    {"touch": "3", "leads": 1, "converted": 0, "rate": 0.0},  # L11 (L10's won came after)
    {"touch": "4", "leads": 0, "converted": 0, "rate": None},
    {"touch": "5", "leads": 0, "converted": 0, "rate": None},
    {"touch": "6+", "leads": 0, "converted": 0, "rate": None},
]


def test_speed_to_lead_by_first_response_and_touch(extended_db, report_rules_fixture) -> None:  # noqa: ANN001
    report = build_report(extended_db, report_rules_fixture, now=NOW, flag=False)
    speed = report.speed_to_lead.as_dict()
    assert speed["by_first_response"] == BY_FIRST_RESPONSE
    assert speed["by_touch"] == [pytest.approx(row) for row in BY_TOUCH]


def test_speed_to_lead_follows_the_filters(extended_db, report_rules_fixture) -> None:  # noqa: ANN001
    report = build_report(extended_db, report_rules_fixture, now=NOW, channel="phone", flag=False)
    rows = {r.label: (r.leads, r.converted) for r in report.speed_to_lead.by_first_response}
    assert rows == {
        "<= 5 m": (1, 0),
        "5-15 m": (1, 1),
        "15-60 m": (0, 0),
        "1-4 h": (0, 0),
        "> 4 h": (1, 1),
    }  # fmt: skip  (L1, L10, L9)


def test_qualified_second_touch_rate(extended_db, report_rules_fixture) -> None:  # noqa: ANN001
    report = build_report(extended_db, report_rules_fixture, now=NOW, flag=False)
    # Qualified in the window: L2 (not called again), L8 (not), L10 (won an hour later).
    assert report.current.team.qualified_second_touch_rate == pytest.approx(1 / 3)
    assert report.current.by_rep["asha"].qualified_second_touch_rate == 0.5
    assert report.current.by_rep["ben"].qualified_second_touch_rate == 0.0
    # Beside today's: over first calls that left the lead open.
    assert report.current.team.second_touch_rate is not None
    # As of Fri 20 15:30, L10 had not been called again yet (its window: the last day).
    earlier = build_report(
        extended_db, report_rules_fixture, now=ist(20, "15:30"), days=1, flag=False
    )
    assert earlier.current.team.qualified_second_touch_rate == 0.0


def test_json_has_speed_to_lead(extended_db, tmp_path) -> None:  # noqa: ANN001
    from importlib.resources import files

    from typer.testing import CliRunner

    from callq.cli import app

    config = tmp_path / "callq.toml"  # the built-in rules, never the machine's own file
    config.write_text(files("callq.config").joinpath("default_config.toml").read_text())

    result = CliRunner().invoke(
        app,
        ["--db", extended_db.target, "--config", str(config), "report", "--format", "json",
         "--now", NOW.isoformat()],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["speed_to_lead"]["by_first_response"] == BY_FIRST_RESPONSE
    assert data["speed_to_lead"]["by_touch"] == [pytest.approx(row) for row in BY_TOUCH]
    assert data["team"]["qualified_second_touch_rate"] == pytest.approx(1 / 3)
