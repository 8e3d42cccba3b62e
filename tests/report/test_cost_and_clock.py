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


def test_epoch_us_in_sql_is_exact(history_db) -> None:  # noqa: ANN001
    """The report reads lead and call instants as epoch microseconds computed by the
    database: exactly `metrics.us` of the stored instant, on each backend, including
    fractions of a second that would round."""
    from sqlalchemy import select, update

    from callq.rules.hours import us
    from callq.store.models import Lead
    from callq.store.report_queries import epoch_us

    lead = Lead.__table__
    odd = datetime(2026, 11, 16, 4, 30, 59, 999_999, tzinfo=UTC)
    with history_db.engine.begin() as connection:
        first = connection.execute(select(lead.c.id).order_by(lead.c.id)).scalar()
        connection.execute(update(lead).where(lead.c.id == first).values(created_at=odd))
    with history_db.engine.connect() as connection:
        rows = connection.execute(select(lead.c.created_at, epoch_us(lead.c.created_at))).all()
    assert rows
    assert any(created == odd for created, _ in rows)
    for created, micros in rows:
        assert micros == us(created)


@settings(max_examples=200, deadline=None)
@given(
    instant=st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
    )
)
def test_epoch_us_in_sql_is_exact_for_any_instant(instant: datetime) -> None:
    """Any stored instant, to the microsecond (SQLite's spelling of epoch_us)."""
    from sqlalchemy import create_engine, literal, select
    from sqlmodel.sql.sqltypes import UTCDateTime

    from callq.rules.hours import us
    from callq.store.sqltime import epoch_us

    with create_engine("sqlite://").connect() as connection:
        got = connection.execute(select(epoch_us(literal(instant, UTCDateTime())))).scalar()
    assert got == us(instant)
