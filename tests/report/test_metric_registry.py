"""The metric registry: one `Metric` per figure gives keys, labels, goals and the one
formatter that the CLI and the Summary screen both use."""

import pytest

from callq.metrics import (
    GOALS,
    METRIC,
    METRIC_KEYS,
    METRICS,
    Metrics,
    SpeedTally,
    goals_of,
    metrics_for,
    response_bucket,
    speed_to_lead,
    tally_speed_kind,
)
from callq.rules.model import Goals

# SPEC section 11: the JSON keys, in order (and issue 17's qualified second touches).
SPEC_KEYS = (
    "leads_in",
    "median_first_response_minutes",
    "sla_miss_rate",
    "second_touch_rate",
    "qualified_second_touch_rate",
    "unworked_24h",
    "followup_completion_rate",
    "missed_followups",
    "overdue_now",
    "calls",
    "connects",
    "talk_time_minutes",
    "won",
    "leakage_cost",
)


def test_keys_follow_the_spec_and_the_metrics_row() -> None:
    assert METRIC_KEYS == SPEC_KEYS
    assert tuple(Metrics.__dataclass_fields__) == SPEC_KEYS
    assert [m.key for m in METRICS] == list(SPEC_KEYS)
    assert len({m.label for m in METRICS}) == len({m.short for m in METRICS}) == len(METRICS)


def test_goals_and_directions() -> None:
    assert {key: (g.compare, g.target) for key, g in GOALS.items()} == {
        "sla_miss_rate": ("lt", 0.10),
        "second_touch_rate": ("gt", 0.90),
        "qualified_second_touch_rate": ("gt", 0.90),
        "unworked_24h": ("eq", 0),
    }
    assert [m.goal_text() for m in METRICS if m.goal] == ["< 10%", "> 90%", "> 90%", "0"]
    assert {m.key for m in METRICS if m.lower_is_better} == {
        "median_first_response_minutes",
        "sla_miss_rate",
        "unworked_24h",
        "missed_followups",
        "overdue_now",
        "leakage_cost",
    }


@pytest.mark.parametrize(
    ("key", "value", "currency", "text"),
    [
        ("sla_miss_rate", 0.4, "", "40.0%"),
        ("sla_miss_rate", 1.0, "", "100%"),
        ("sla_miss_rate", 0, "", "0%"),
        ("sla_miss_rate", None, "", "-"),
        ("median_first_response_minutes", 20.0, "", "20.0"),
        ("talk_time_minutes", 1234.5, "", "1,234.5"),
        ("calls", 12345, "", "12,345"),
        ("leakage_cost", 1850.0, "USD", "USD 1,850"),
        ("leakage_cost", 1850.0, "", "1,850"),
    ],
)
def test_one_formatter(key: str, value: object, currency: str, text: str) -> None:
    assert METRIC[key].text(value, currency) == text


def test_goal_colours_and_trends() -> None:
    sla = METRIC["sla_miss_rate"]
    assert sla.value_markup(0.4) == "[red]40.0%[/]"
    assert sla.value_markup(0.05) == "[green]5.0%[/]"
    assert METRIC["calls"].value_markup(3) == "3"
    # A rise in misses is bad news; a rise in calls good news; flat is "=".
    # A rate's change is in percentage points, not a percentage of itself.
    assert sla.trend_markup(0.4, 0.375, amount=True) == "[red]▲ 2.5 pts[/]"
    assert METRIC["second_touch_rate"].trend(0.5, 0.629).amount == "12.9 pts"
    assert sla.trend_markup(0.4, 0.375, amount=False) == "[red]▲[/]"
    assert METRIC["calls"].trend_markup(6, 4, amount=True) == "[green]▲ 2[/]"
    assert METRIC["leakage_cost"].trend_markup(900.0, 1350.0, amount=True) == "[green]▼ 450[/]"
    assert METRIC["won"].trend_markup(1, 1, amount=True) == "="
    assert METRIC["won"].trend_markup(1, None, amount=True) == ""


def test_goals_from_the_rules_replace_the_targets_only() -> None:
    mine = metrics_for(Goals(sla_miss_rate=0.05, unworked_24h=2))
    goals = goals_of(mine)
    assert (goals["sla_miss_rate"].compare, goals["sla_miss_rate"].target) == ("lt", 0.05)
    assert goals["unworked_24h"].target == 2
    assert goals["second_touch_rate"].target == 0.90
    by_key = {m.key: m for m in mine}
    assert by_key["sla_miss_rate"].value_markup(0.07) == "[red]7.0%[/]"
    assert by_key["unworked_24h"].goal_text() == "2"
    assert metrics_for(Goals()) == METRICS  # the built-in targets are the rules' defaults


@pytest.mark.parametrize(
    ("minutes", "bucket"),
    [(0, "<= 5 m"), (5, "<= 5 m"), (5.01, "5-15 m"), (15, "5-15 m"), (60, "15-60 m"),
     (60.5, "1-4 h"), (240, "1-4 h"), (241, "> 4 h"), (10_000, "> 4 h")],
)  # fmt: skip
def test_response_buckets_include_their_upper_bound(minutes: float, bucket: str) -> None:
    assert response_bucket(minutes) == bucket


def test_touches_after_the_fifth_count_together() -> None:
    tally = SpeedTally()
    bucket = response_bucket(3)
    tally_speed_kind(tally, bucket, 8, None, leads=1)  # 8 calls, never converted
    tally_speed_kind(tally, bucket, 9, 7, leads=1)  # converted at call 7
    tally_speed_kind(tally, bucket, 4, 2, leads=1)  # later calls are no chances
    rows = {r.label: (r.leads, r.converted) for r in speed_to_lead(tally).by_touch}
    assert rows == {"1": (3, 0), "2": (3, 1), "3": (2, 0), "4": (2, 0), "5": (2, 0),
                    "6+": (2, 1)}  # fmt: skip


def test_alike_leads_counted_at_once_count_as_each_would() -> None:
    """The report counts leads by kind first: n alike leads weigh what n single ones do."""
    one_by_one, at_once = SpeedTally(), SpeedTally()
    for _ in range(4):
        tally_speed_kind(one_by_one, "5-15 m", 7, 3, leads=1)
    tally_speed_kind(at_once, "5-15 m", 7, 3, leads=4)
    assert speed_to_lead(one_by_one) == speed_to_lead(at_once)
