"""The metric registry: one `Metric` per figure gives keys, labels, goals and the one
formatter that the CLI and the Summary screen both use."""

import pytest

from callq.metrics import GOALS, METRIC, METRIC_KEYS, METRICS, Metrics

# SPEC section 11: the JSON keys, in order.
SPEC_KEYS = (
    "leads_in",
    "median_first_response_minutes",
    "sla_miss_rate",
    "second_touch_rate",
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
        "unworked_24h": ("eq", 0),
    }
    assert [m.goal_text() for m in METRICS if m.goal] == ["< 10%", "> 90%", "0"]
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
    assert sla.trend_markup(0.4, 0.375, amount=True) == "[red]▲ 2.5%[/]"
    assert sla.trend_markup(0.4, 0.375, amount=False) == "[red]▲[/]"
    assert METRIC["calls"].trend_markup(6, 4, amount=True) == "[green]▲ 2[/]"
    assert METRIC["leakage_cost"].trend_markup(900.0, 1350.0, amount=True) == "[green]▼ 450[/]"
    assert METRIC["won"].trend_markup(1, 1, amount=True) == "="
    assert METRIC["won"].trend_markup(1, None, amount=True) == ""
