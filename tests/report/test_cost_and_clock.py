"""The cost calculator of SPEC 7 and the fast business clock against the rules functions."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callq.config.loading import load_default_rules
from callq.metrics import METRIC, conversion_uplift, missed_followup_cost, monthly_missed
from callq.rules.hours import BusinessClock, add_business_time, business_time_between
from callq.rules.model import BusinessHours


def test_uplift_reproduces_the_worked_example() -> None:
    uplift = conversion_uplift(120, 0.10, 0.13, 4000)
    assert uplift.extra_deals_per_month == 3
    assert uplift.extra_revenue_per_month == 12_000
    assert uplift.extra_revenue_per_year == 144_000


@pytest.mark.parametrize(
    ("leads", "now", "target", "deals"),
    [(100, 0.10, 0.125, 2), (120, 0.10, 0.10, 0), (120, 0.13, 0.10, 0), (1000, 0.07, 0.08, 10)],
)
def test_uplift_counts_whole_deals_rounded_down(leads, now, target, deals) -> None:  # noqa: ANN001
    assert conversion_uplift(leads, now, target, 1000).extra_deals_per_month == deals


def test_missed_followup_cost() -> None:
    missed = monthly_missed(5, 4)
    assert missed == 80
    cost = missed_followup_cost(missed, 0.10, 4000, 50)
    assert cost.lost_deals == pytest.approx(8)
    assert cost.lost_revenue == pytest.approx(32_000)
    assert cost.wasted_lead_spend == 4_000
    assert cost.total == pytest.approx(36_000)


def test_goals() -> None:
    assert METRIC["sla_miss_rate"].meets_goal(0.09) is True
    assert METRIC["sla_miss_rate"].meets_goal(0.10) is False
    assert METRIC["second_touch_rate"].meets_goal(0.95) is True
    assert METRIC["second_touch_rate"].meets_goal(0.90) is False
    assert METRIC["unworked_24h"].meets_goal(0) is True
    assert METRIC["unworked_24h"].meets_goal(1) is False
    assert METRIC["calls"].meets_goal(3) is None


RULES = load_default_rules()
SPLIT = BusinessHours(
    weekly=(((time(9), time(13)), (time(14), time(18))),) * 5 + ((), ()),
    holidays=frozenset({date(2026, 3, 10)}),
)
START = datetime(2026, 3, 1, tzinfo=UTC)
instants = st.integers(0, 40 * 24 * 60).map(lambda m: START + timedelta(minutes=m))


@pytest.mark.parametrize(
    ("hours", "tz"),
    [
        (RULES.hours, ZoneInfo("Asia/Kolkata")),
        (SPLIT, ZoneInfo("America/New_York")),  # DST starts 8 March 2026
    ],
)
@settings(max_examples=300, deadline=None)
@given(a=instants, b=instants, minutes=st.integers(0, 3000))
def test_clock_agrees_with_the_rules_functions(hours, tz, a, b, minutes) -> None:  # noqa: ANN001
    clock = BusinessClock(hours, tz, START, START + timedelta(days=45))
    assert clock.between(a, b) == business_time_between(hours, a, b, tz)
    delta = timedelta(minutes=minutes)
    assert clock.add(a, delta) == add_business_time(hours, a, delta, tz)
