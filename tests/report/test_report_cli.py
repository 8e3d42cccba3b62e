"""`callq report`, `callq cost` and `callq reassign` through the CLI."""

import csv
import io
import json
from importlib.resources import files
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callq.cli import app

from .history import NOW
from .test_report_metrics import TEAM


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The default rules with the conversion rate fixed at 10%, as the history expects."""
    text = files("callq.config").joinpath("default_config.toml").read_text()
    path = tmp_path / "callq.toml"
    path.write_text(text.replace("# conversion_rate = 0.10", "conversion_rate = 0.10"))
    return path


@pytest.fixture
def run(history_db, config):  # noqa: ANN001, ANN201
    target = history_db.target

    def invoke(*args: str):  # noqa: ANN202
        return CliRunner().invoke(
            app, ["--db", target, "--config", str(config), "--rep", "asha", *args]
        )

    return invoke


def test_json_has_the_stable_shape(run) -> None:  # noqa: ANN001
    result = run("report", "--format", "json", "--now", NOW.isoformat())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["window"] == {
        "start": "2026-11-16T12:00:00+05:30",
        "end": "2026-11-23T12:00:00+05:30",
    }
    assert data["team"] == pytest.approx(TEAM)
    assert set(data["by_rep"]) == {"asha", "ben"}
    assert list(data["by_channel"]) == ["phone", "web", "social", "referral", "email"]
    assert data["previous"]["team"]["leads_in"] == 1
    assert [lead["name"] for lead in data["escalated"]] == ["L4"]


def test_table(run) -> None:  # noqa: ANN001
    result = run("report", "--now", NOW.isoformat())
    assert result.exit_code == 0, result.output
    for text in ("SLA miss rate", "40.0%", "< 10%", "By rep", "asha", "By channel", "Escalated"):
        assert text in result.stdout


def test_csv(run) -> None:  # noqa: ANN001
    result = run("report", "--format", "csv", "--now", NOW.isoformat(), "--days", "7")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    team = next(r for r in rows if r["window"] == "current" and r["scope"] == "team")
    assert team["leads_in"] == "6"
    assert team["sla_miss_rate"] == "0.4"
    assert team["median_first_response_minutes"] == "20.0"
    assert {r["name"] for r in rows if r["scope"] == "rep"} == {"asha", "ben"}


def test_filters(run) -> None:  # noqa: ANN001
    result = run("report", "--format", "json", "--now", NOW.isoformat(), "--rep", "ben")
    assert json.loads(result.stdout)["team"]["leads_in"] == 2
    result = run("report", "--format", "json", "--now", NOW.isoformat(), "--channel", "web")
    assert json.loads(result.stdout)["team"]["leads_in"] == 2


def test_bad_channel_or_rep_exits_2(run) -> None:  # noqa: ANN001
    result = run("report", "--channel", "fax")
    assert result.exit_code == 2
    assert "unknown channel 'fax'" in result.stderr
    result = run("report", "--rep", "nobody")
    assert result.exit_code == 2
    assert "no rep called 'nobody'" in result.stderr


def test_cost_uplift_example(run) -> None:  # noqa: ANN001
    result = run(
        "cost", "--leads", "120", "--conversion", "0.10", "--target", "0.13",
        "--deal-value", "4000", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["extra_deals_per_month"] == 3
    assert data["extra_revenue_per_month"] == 12000
    assert data["extra_revenue_per_year"] == 144000
    text = run("cost", "--leads", "120", "--conversion", "10", "--target", "13").stdout
    assert "3" in text and "12,000" in text and "144,000" in text


def test_cost_missed_followups(run) -> None:  # noqa: ANN001
    result = run(
        "cost", "--missed-per-rep-week", "5", "--reps", "4", "--conversion", "0.1",
        "--deal-value", "4000", "--cost-per-lead", "50", "--format", "json",
    )  # fmt: skip
    data = json.loads(result.stdout)
    assert data["missed_per_month"] == 80
    assert data["lost_revenue_per_month"] == 32000
    assert data["wasted_lead_spend_per_month"] == 4000
    assert data["total_per_month"] == 36000
    assert run("cost", "--reps", "4").exit_code == 2


def test_reassign_commands(run, history_db) -> None:  # noqa: ANN001
    l4 = history_db.ids["L4"]
    result = run("reassign", str(l4), "--to", "asha")
    assert result.exit_code == 0, result.output
    assert "ben → asha" in result.stdout
    result = run("reassign", "--from", "ben", "--to", "chen")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2 open leads moved from ben to chen"
    assert run("reassign", "--to", "asha").exit_code == 2
    assert run("reassign", str(l4), "--to", "nobody").exit_code == 2
    assert run("doctor").exit_code == 0


def test_goals_come_from_the_rules_file(history_db, config) -> None:  # noqa: ANN001
    text = config.read_text().replace("sla_miss_rate = 0.10", "sla_miss_rate = 0.45")
    config.write_text(text.replace("unworked_24h = 0 ", "unworked_24h = 3 "))
    args = ["--db", history_db.target, "--config", str(config), "--rep", "asha", "report"]
    result = CliRunner().invoke(app, [*args, "--format", "json", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    goals = json.loads(result.stdout)["goals"]
    assert goals["sla_miss_rate"] == {"compare": "lt", "target": 0.45}
    assert goals["unworked_24h"] == {"compare": "eq", "target": 3}
    assert goals["qualified_second_touch_rate"] == {"compare": "gt", "target": 0.90}
    table = CliRunner().invoke(app, [*args, "--now", NOW.isoformat()]).stdout
    sla_row = next(row for row in table.splitlines() if "SLA miss rate" in row)
    assert "< 45%" in sla_row and "40.0%" in sla_row
    shown = CliRunner().invoke(app, ["--config", str(config), "rules", "show"]).stdout
    assert "SLA miss rate: < 45%" in shown and "Unworked > 24h: 3" in shown


def test_a_bad_goal_is_refused_with_its_line(history_db, config) -> None:  # noqa: ANN001
    config.write_text(config.read_text().replace("sla_miss_rate = 0.10", "sla_miss_rate = 10"))
    line = next(
        n for n, row in enumerate(config.read_text().splitlines(), 1) if "sla_miss_rate" in row
    )
    result = CliRunner().invoke(app, ["--db", history_db.target, "--config", str(config), "report"])
    assert result.exit_code == 2
    assert f"callq.toml:{line}: goals.sla_miss_rate: must be a fraction" in result.stderr


def test_table_fits_80_columns_without_cutting_a_number(history_db, config) -> None:  # noqa: ANN001
    from callq.metrics import METRICS
    from callq.services.report import build_report

    from .history import report_rules

    result = CliRunner().invoke(
        app,
        ["--db", history_db.target, "--config", str(config), "report", "--now", NOW.isoformat()],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(row.rstrip()) for row in lines) <= 80
    assert "…" not in result.stdout
    report = build_report(history_db, report_rules(), now=NOW, flag=False)
    for name, metrics in report.current.by_rep.items():
        rows = " ".join(row for row in lines if row.startswith(f"│ {name} "))
        cells = [cell.strip() for cell in rows.split("│") if cell.strip()]
        values = metrics.as_dict()
        for metric in METRICS:
            assert metric.text(values[metric.key]) in cells, (name, metric.key)
    assert "pts" in next(row for row in lines if "SLA miss rate" in row)
