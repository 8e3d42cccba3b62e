"""Business-time arithmetic: weekends, holidays, DST in the lead's timezone, SLA deadlines."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callq.rules.hours import (
    add_business_days,
    add_business_time,
    business_time_between,
    escalation_at,
    is_open,
    local_day_end,
    local_instant,
    next_opening,
    sla_deadline,
)
from callq.rules.model import BusinessHours, Sla

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def make_hours(spec: dict[str, str], holidays: tuple[str, ...] = ()) -> BusinessHours:
    """`{"mon-fri": "09:00-13:00,14:00-18:00"}` -> BusinessHours, like the rules file."""
    weekly: list[tuple] = [()] * 7
    for days, text in spec.items():
        first, _, last = days.partition("-")
        spans = tuple(
            (time.fromisoformat(opens), time.fromisoformat(closes))
            for opens, closes in (part.split("-") for part in text.split(","))
        )
        for index in range(_DAY_NAMES.index(first), _DAY_NAMES.index(last or first) + 1):
            weekly[index] = spans
    return BusinessHours(tuple(weekly), frozenset(date.fromisoformat(h) for h in holidays))


def at(text: str, tz: ZoneInfo) -> datetime:
    """A wall-clock time in `tz` (first occurrence if ambiguous)."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# The SPEC's example rules: Asia/Kolkata team, mon-fri 09:30-18:30, sat 10:00-14:00.
SPEC_HOURS = make_hours({"mon-fri": "09:30-18:30", "sat": "10:00-14:00"}, ("2026-12-25",))
LUNCH_HOURS = make_hours({"mon-fri": "09:00-13:00,14:00-18:00"})
NIGHT_HOURS = make_hours({"mon-sun": "01:00-04:00"})  # covers the DST switch every day
ALWAYS_OPEN = make_hours({})
SPEC_SLA = Sla(
    by_channel={"phone": timedelta(minutes=5), "web": timedelta(minutes=15)},
    default=timedelta(hours=1),
    escalate_after=timedelta(hours=1),
)


@pytest.mark.parametrize(
    ("day", "wall", "tz", "expected"),
    [
        ("2026-03-11", "10:00", KOLKATA, "2026-03-11 04:30"),
        # spring forward: 02:30 does not exist, it moves on by the gap to 03:30 EDT
        ("2026-03-08", "02:30", NEW_YORK, "2026-03-08 07:30"),
        ("2026-03-08", "03:30", NEW_YORK, "2026-03-08 07:30"),
        # fall back: 01:30 happens twice, the first (EDT) wins
        ("2026-11-01", "01:30", NEW_YORK, "2026-11-01 05:30"),
        ("2026-03-29", "01:30", LONDON, "2026-03-29 01:30"),
        ("2026-10-25", "01:30", LONDON, "2026-10-25 00:30"),
    ],
)
def test_local_instant(day, wall, tz, expected):
    result = local_instant(date.fromisoformat(day), time.fromisoformat(wall), tz)
    assert result == utc(expected)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "tz", "expected"),
    [
        ("2026-03-11 23:59", KOLKATA, "2026-03-11 18:30"),
        ("2026-03-11 00:00", KOLKATA, "2026-03-11 18:30"),
        ("2026-03-07 12:00", NEW_YORK, "2026-03-08 05:00"),  # midnight before DST: EST
        ("2026-03-08 12:00", NEW_YORK, "2026-03-09 04:00"),  # the short day ends in EDT
        ("2026-10-25 12:00", LONDON, "2026-10-26 00:00"),
    ],
)
def test_local_day_end(start, tz, expected):
    assert local_day_end(at(start, tz), tz) == utc(expected)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        ("2026-03-11", 0, "2026-03-11"),  # Wed is a business day
        ("2026-03-15", 0, "2026-03-16"),  # Sun -> Mon
        ("2026-12-25", 0, "2026-12-26"),  # holiday -> Sat
        ("2026-03-11", 1, "2026-03-12"),
        ("2026-03-13", 1, "2026-03-14"),  # Fri -> Sat (Saturday has hours)
        ("2026-03-14", 1, "2026-03-16"),  # Sat -> Mon
        ("2026-12-24", 1, "2026-12-26"),  # over Christmas
        ("2026-03-11", 5, "2026-03-17"),
    ],
)
def test_add_business_days(day, n, expected):
    result = add_business_days(SPEC_HOURS, date.fromisoformat(day), n)
    assert result == date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("hours", "tz", "instant", "expected", "open_now"),
    [
        (SPEC_HOURS, KOLKATA, "2026-03-11 10:00", "2026-03-11 10:00", True),
        (SPEC_HOURS, KOLKATA, "2026-03-11 09:30", "2026-03-11 09:30", True),
        (SPEC_HOURS, KOLKATA, "2026-03-11 18:30", "2026-03-12 09:30", False),  # close excluded
        (SPEC_HOURS, KOLKATA, "2026-03-11 07:00", "2026-03-11 09:30", False),
        (SPEC_HOURS, KOLKATA, "2026-03-13 19:00", "2026-03-14 10:00", False),  # Fri -> Sat
        (SPEC_HOURS, KOLKATA, "2026-03-14 14:05", "2026-03-16 09:30", False),  # Sat -> Mon
        (SPEC_HOURS, KOLKATA, "2026-12-24 19:00", "2026-12-26 10:00", False),  # Christmas
        (LUNCH_HOURS, LONDON, "2026-03-11 13:30", "2026-03-11 14:00", False),
        (LUNCH_HOURS, LONDON, "2026-03-11 12:59", "2026-03-11 12:59", True),
        (LUNCH_HOURS, LONDON, "2026-03-28 10:00", "2026-03-30 09:00", False),  # BST Monday
        # 01:00-04:00 on the spring-forward night opens at 01:00 EST and closes 04:00 EDT
        (NIGHT_HOURS, NEW_YORK, "2026-03-08 03:30", "2026-03-08 03:30", True),
        (NIGHT_HOURS, NEW_YORK, "2026-03-08 04:00", "2026-03-09 01:00", False),
        (ALWAYS_OPEN, KOLKATA, "2026-03-15 03:00", "2026-03-15 03:00", True),
    ],
)
def test_next_opening_and_is_open(hours, tz, instant, expected, open_now):
    result = next_opening(hours, at(instant, tz), tz)
    assert result == at(expected, tz)
    assert result.tzinfo is UTC
    assert is_open(hours, at(instant, tz), tz) is open_now


def test_next_opening_gives_up_when_hours_never_open():
    every_monday = tuple((date(2026, 1, 5) + timedelta(weeks=w)).isoformat() for w in range(120))
    hours = make_hours({"mon": "09:00-17:00"}, every_monday)
    start = at("2026-03-11 10:00", LONDON)
    assert next_opening(hours, start, LONDON) == start
    assert not is_open(hours, start, LONDON)


@pytest.mark.parametrize(
    ("hours", "tz", "start", "delta", "expected"),
    [
        # the SPEC: a web lead at 18:20 with 10 minutes left today: 5 minutes into tomorrow
        (SPEC_HOURS, KOLKATA, "2026-03-11 18:20", "15m", "2026-03-12 09:35"),
        (SPEC_HOURS, KOLKATA, "2026-03-11 18:20", "10m", "2026-03-11 18:30"),
        (SPEC_HOURS, KOLKATA, "2026-03-11 10:00", "15m", "2026-03-11 10:15"),
        (SPEC_HOURS, KOLKATA, "2026-03-11 07:00", "15m", "2026-03-11 09:45"),
        (SPEC_HOURS, KOLKATA, "2026-03-11 10:00", "9h", "2026-03-12 10:00"),
        (SPEC_HOURS, KOLKATA, "2026-03-13 18:20", "15m", "2026-03-14 10:05"),  # Fri -> Sat
        (SPEC_HOURS, KOLKATA, "2026-03-13 20:00", "1h", "2026-03-14 11:00"),
        (SPEC_HOURS, KOLKATA, "2026-03-14 13:50", "15m", "2026-03-16 09:35"),  # Sat -> Mon
        (SPEC_HOURS, KOLKATA, "2026-03-14 15:00", "5m", "2026-03-16 09:35"),
        (SPEC_HOURS, KOLKATA, "2026-03-15 12:00", "1h", "2026-03-16 10:30"),  # Sunday
        (SPEC_HOURS, KOLKATA, "2026-12-24 18:25", "15m", "2026-12-26 10:10"),  # Dec 24 -> 26
        (SPEC_HOURS, KOLKATA, "2026-03-13 18:00", "20h", "2026-03-17 16:00"),  # Fri..Tue
        (SPEC_HOURS, KOLKATA, "2026-03-15 12:00", "0m", "2026-03-16 09:30"),
        (LUNCH_HOURS, LONDON, "2026-03-11 12:50", "20m", "2026-03-11 14:10"),
        (LUNCH_HOURS, LONDON, "2026-03-11 13:15", "1h", "2026-03-11 15:00"),
        (LUNCH_HOURS, LONDON, "2026-03-27 17:30", "1h", "2026-03-30 09:30"),  # over BST start
        (LUNCH_HOURS, LONDON, "2026-10-23 17:30", "1h", "2026-10-26 09:30"),  # over BST end
        (LUNCH_HOURS, NEW_YORK, "2026-03-06 17:30", "1h", "2026-03-09 09:30"),  # over EDT start
        # the spring-forward night has only 2 real hours of 01:00-04:00
        (NIGHT_HOURS, NEW_YORK, "2026-03-08 01:00", "2h", "2026-03-08 04:00"),
        (NIGHT_HOURS, NEW_YORK, "2026-03-08 01:00", "3h", "2026-03-09 02:00"),
        # the fall-back night has 4: 01:00 EDT .. 04:00 EST
        (NIGHT_HOURS, NEW_YORK, "2026-11-01 01:00", "3h", "2026-11-01 03:00"),
        (NIGHT_HOURS, LONDON, "2026-03-29 01:00", "1h", "2026-03-29 03:00"),
        (ALWAYS_OPEN, KOLKATA, "2026-03-15 23:50", "15m", "2026-03-16 00:05"),
    ],
)
def test_add_business_time(hours, tz, start, delta, expected):
    result = add_business_time(hours, at(start, tz), _duration(delta), tz)
    assert result == at(expected, tz)
    assert result.tzinfo is UTC


def test_add_business_time_counts_the_repeated_hour_on_fall_back():
    # 02:00 EST is 4 real hours after 01:00 EDT on 2026-11-01: assert in UTC, since the
    # wall clock shows 01:00-02:00 twice.
    start = at("2026-11-01 01:00", NEW_YORK)
    result = add_business_time(NIGHT_HOURS, start, timedelta(hours=4), NEW_YORK)
    assert result == utc("2026-11-01 09:00")  # 04:00 EST, the close


@pytest.mark.parametrize(
    ("hours", "tz", "start", "end", "expected"),
    [
        (SPEC_HOURS, KOLKATA, "2026-03-11 18:20", "2026-03-12 09:35", "15m"),
        (SPEC_HOURS, KOLKATA, "2026-03-11 10:00", "2026-03-11 09:00", "0m"),
        (SPEC_HOURS, KOLKATA, "2026-03-14 00:00", "2026-03-16 00:00", "4h"),  # Sat + Sun
        (SPEC_HOURS, KOLKATA, "2026-12-24 00:00", "2026-12-27 00:00", "13h"),  # Thu, -, Sat
        (SPEC_HOURS, KOLKATA, "2026-03-09 00:00", "2026-03-16 00:00", "49h"),  # a full week
        (LUNCH_HOURS, LONDON, "2026-03-11 00:00", "2026-03-12 00:00", "8h"),
        (LUNCH_HOURS, LONDON, "2026-03-11 12:30", "2026-03-11 14:30", "1h"),
        (NIGHT_HOURS, NEW_YORK, "2026-03-08 00:00", "2026-03-09 00:00", "2h"),
        (NIGHT_HOURS, NEW_YORK, "2026-11-01 00:00", "2026-11-02 00:00", "4h"),
        (NIGHT_HOURS, LONDON, "2026-03-29 00:00", "2026-03-30 00:00", "2h"),
        (NIGHT_HOURS, LONDON, "2026-10-25 00:00", "2026-10-26 00:00", "4h"),
        (ALWAYS_OPEN, KOLKATA, "2026-03-11 00:00", "2026-03-12 06:00", "30h"),
    ],
)
def test_business_time_between(hours, tz, start, end, expected):
    assert business_time_between(hours, at(start, tz), at(end, tz), tz) == _duration(expected)


def test_business_time_between_overlapping_spans_in_dst_gap_count_once():
    # 01:00-02:30 and 03:00-04:00 on the spring-forward night overlap in real time.
    hours = make_hours({"mon-sun": "01:00-02:30,03:00-04:00"})
    start, end = at("2026-03-08 00:00", NEW_YORK), at("2026-03-09 00:00", NEW_YORK)
    assert business_time_between(hours, start, end, NEW_YORK) == timedelta(hours=2)


def test_business_time_between_a_year_is_fast_and_exact():
    start, end = at("2026-01-01 00:00", KOLKATA), at("2027-01-01 00:00", KOLKATA)
    # 2026: 261 weekdays (one of them Christmas) and 52 Saturdays
    expected = timedelta(hours=9) * 260 + timedelta(hours=4) * 52
    assert business_time_between(SPEC_HOURS, start, end, KOLKATA) == expected


@pytest.mark.parametrize(
    ("channel", "created", "deadline", "escalation"),
    [
        ("web", "2026-03-11 18:20", "2026-03-12 09:35", "2026-03-12 10:35"),  # the SPEC
        ("web", "2026-03-11 18:00", "2026-03-11 18:15", "2026-03-12 10:15"),
        ("phone", "2026-03-11 18:28", "2026-03-12 09:33", "2026-03-12 10:33"),
        ("other", "2026-03-11 18:00", "2026-03-12 10:00", "2026-03-12 11:00"),  # default 1h
        ("web", "2026-03-14 13:50", "2026-03-16 09:35", "2026-03-16 10:35"),
        ("web", "2026-12-24 22:00", "2026-12-26 10:15", "2026-12-26 11:15"),
    ],
)
def test_sla_deadline_and_escalation(channel, created, deadline, escalation):
    created_at = at(created, KOLKATA)
    assert sla_deadline(SPEC_SLA, SPEC_HOURS, channel, created_at, KOLKATA) == at(deadline, KOLKATA)
    assert escalation_at(SPEC_SLA, SPEC_HOURS, channel, created_at, KOLKATA) == at(
        escalation, KOLKATA
    )


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        next_opening(SPEC_HOURS, datetime(2026, 3, 11, 10), KOLKATA)


# --- properties ---------------------------------------------------------------------

CASES = [
    (SPEC_HOURS, KOLKATA),
    (LUNCH_HOURS, LONDON),
    (LUNCH_HOURS, NEW_YORK),
    (NIGHT_HOURS, NEW_YORK),
    (NIGHT_HOURS, LONDON),
]
hours_and_tz = st.sampled_from(CASES)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)
deltas = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10))


@settings(max_examples=200, deadline=None)
@given(hours_and_tz, instants, deltas)
def test_add_business_time_never_goes_back(case, start, delta):
    hours, tz = case
    assert add_business_time(hours, start, delta, tz) >= start


@settings(max_examples=200, deadline=None)
@given(hours_and_tz, instants, deltas)
def test_business_time_between_inverts_add_business_time(case, instant, delta):
    hours, tz = case
    start = next_opening(hours, instant, tz)
    assert is_open(hours, start, tz)
    end = add_business_time(hours, start, delta, tz)
    assert business_time_between(hours, start, end, tz) == delta


@settings(max_examples=200, deadline=None)
@given(hours_and_tz, instants)
def test_next_opening_is_idempotent_and_open(case, instant):
    hours, tz = case
    opening = next_opening(hours, instant, tz)
    assert opening >= instant
    assert next_opening(hours, opening, tz) == opening
    assert is_open(hours, opening, tz)
    assert business_time_between(hours, instant, opening, tz) == timedelta(0)


def _duration(text: str) -> timedelta:
    unit = {"m": "minutes", "h": "hours"}[text[-1]]
    return timedelta(**{unit: int(text[:-1])})
