"""Who is to blame: a miss counts against whoever owned the work at its deadline (issue 12).

On the known history (history.py) ben misses L2's SLA and follow-up, L4's SLA and first
response, and L6's 11:00 follow-up. Handing his leads over afterwards must not move those
misses to the rep who takes over; handing a lead over before its deadline does.
"""

import json
from datetime import timedelta
from importlib.resources import files
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callq.cli import app
from callq.services.reassign import handoff, reassign_lead
from callq.services.report import build_report

from .history import NOW, ist
from .test_report_metrics import BY_REP

# What follows the lead's current owner: it is about now, not about a past deadline.
ABOUT_NOW = (
    "overdue_now",
    "unworked_24h",
    "second_touch_rate",
    "qualified_second_touch_rate",
)
HISTORY = tuple(k for k in BY_REP["ben"] if k not in ABOUT_NOW)


def _by_rep(db, rules, *, now=NOW, rep: str | None = None) -> dict[str, dict]:  # noqa: ANN001
    report = build_report(db, rules, now=now, days=7, rep=rep, flag=False)
    return {name: m.as_dict() for name, m in report.current.by_rep.items()}


def _history(row: dict) -> dict:
    return {key: row[key] for key in HISTORY}


def test_handoff_after_the_deadlines_leaves_the_misses_with_the_old_owner(
    history_db, report_rules_fixture
) -> None:  # noqa: ANN001
    rules = report_rules_fixture
    assert handoff(history_db, rules, "ben", "chen", now=NOW, actor="asha") == 3
    rows = _by_rep(history_db, rules)
    assert _history(rows["ben"]) == pytest.approx(_history(BY_REP["ben"]))
    assert _history(rows["asha"]) == pytest.approx(_history(BY_REP["asha"]))
    chen = rows["chen"]
    assert chen["missed_followups"] == 0
    assert chen["sla_miss_rate"] is None
    assert chen["followup_completion_rate"] is None
    assert chen["leads_in"] == 0
    assert chen["leakage_cost"] == 0
    # What is late now is chen's to do.
    assert chen["overdue_now"] == BY_REP["ben"]["overdue_now"]
    assert chen["unworked_24h"] == BY_REP["ben"]["unworked_24h"]
    assert rows["ben"]["overdue_now"] == 0
    # --rep ben still finds ben's misses.
    assert _history(_by_rep(history_db, rules, rep="ben")["ben"]) == pytest.approx(
        _history(BY_REP["ben"])
    )


def test_a_later_handoff_keeps_the_first_owner_to_blame(history_db, report_rules_fixture) -> None:  # noqa: ANN001
    rules = report_rules_fixture
    handoff(history_db, rules, "ben", "chen", now=NOW, actor="asha")
    handoff(history_db, rules, "chen", "asha", now=NOW + timedelta(minutes=5), actor="asha")
    rows = _by_rep(history_db, rules, now=NOW + timedelta(minutes=10))
    assert rows["ben"]["missed_followups"] == BY_REP["ben"]["missed_followups"]
    assert rows["ben"]["sla_miss_rate"] == 1.0
    assert rows.get("chen", {}).get("missed_followups", 0) == 0


def test_reassigning_one_lead_after_its_deadlines(history_db, report_rules_fixture) -> None:  # noqa: ANN001
    rules = report_rules_fixture
    # L4 (ben's referral lead, never called): its SLA and its first response were missed.
    reassign_lead(history_db, rules, history_db.ids["L4"], "asha", now=NOW, actor="asha")
    rows = _by_rep(history_db, rules)
    assert _history(rows["ben"]) == pytest.approx(_history(BY_REP["ben"]))
    assert _history(rows["asha"]) == pytest.approx(_history(BY_REP["asha"]))
    assert rows["asha"]["unworked_24h"] == 1  # L4 is asha's to work now


def test_reassigning_before_the_deadline_blames_the_new_owner(
    history_db, report_rules_fixture
) -> None:  # noqa: ANN001
    rules = report_rules_fixture
    later = ist(23, "13:30")  # L5 (web, 11:50): SLA deadline 12:05, first response missed 13:05
    before = _by_rep(history_db, rules, now=later)
    reassign_lead(history_db, rules, history_db.ids["L5"], "ben", now=NOW, actor="asha")
    after = _by_rep(history_db, rules, now=later)
    for key, moved in (("leads_in", 1), ("missed_followups", 1)):
        assert after["ben"][key] == before["ben"][key] + moved
        assert after["asha"][key] == before["asha"][key] - moved
    assert after["ben"]["sla_miss_rate"] == 1.0  # L2, L4 and now L5: all missed
    assert after["asha"]["sla_miss_rate"] == 0.0


def test_reassigning_before_a_followup_deadline_blames_the_new_owner(
    history_db, report_rules_fixture
) -> None:  # noqa: ANN001
    rules = report_rules_fixture
    # L2's follow-up (Fri 20 11:00, missed from 12:00) moved on Fri 11:30: chen's miss.
    # Its SLA deadline (Wed 09:40) had passed: that miss stays ben's.
    reassign_lead(history_db, rules, history_db.ids["L2"], "chen", now=ist(20, "11:30"), actor="a")
    rows = _by_rep(history_db, rules)
    assert rows["chen"]["missed_followups"] == 1
    assert rows["ben"]["missed_followups"] == BY_REP["ben"]["missed_followups"] - 1
    assert rows["ben"]["sla_miss_rate"] == 1.0
    assert rows["ben"]["leads_in"] == BY_REP["ben"]["leads_in"]
    assert rows["chen"]["leads_in"] == 0


@pytest.fixture
def run(history_db, tmp_path: Path):  # noqa: ANN001, ANN201
    text = files("callq.config").joinpath("default_config.toml").read_text()
    config = tmp_path / "callq.toml"
    config.write_text(text.replace("# conversion_rate = 0.10", "conversion_rate = 0.10"))

    def invoke(*args: str):  # noqa: ANN202
        return CliRunner().invoke(
            app,
            ["--db", history_db.target, "--config", str(config), "--rep", "asha", *args],
        )

    return invoke


def test_cli_handoff_then_report(run) -> None:  # noqa: ANN001
    """The issue's steps: `reassign --from ben --to chen`, then `report --format json`."""
    moved = run("reassign", "--from", "ben", "--to", "chen", "--now", NOW.isoformat())
    assert moved.exit_code == 0, moved.output
    result = run("report", "--format", "json", "--now", NOW.isoformat())
    assert result.exit_code == 0, result.output
    by_rep = json.loads(result.stdout)["by_rep"]
    assert by_rep["chen"]["calls"] == 0
    assert by_rep["chen"]["missed_followups"] == 0
    assert by_rep["chen"]["sla_miss_rate"] is None
    assert _history(by_rep["ben"]) == pytest.approx(_history(BY_REP["ben"]))
