"""Callback times a rep types: the accepted phrases, the refusals, DST edges, and properties."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callq.rules.model import BusinessHours
from callq.rules.phrases import CallbackError, parse_callback, split_their_time
from callq.rules.wording import preview as describe

KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAY = ((time(9, 30), time(18, 30)),)
HOURS = BusinessHours(
    weekly=(WEEKDAY,) * 5 + (((time(10), time(14)),), ()),
    holidays=frozenset({date(2026, 12, 25)}),
)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=KOLKATA)  # a Monday


def at(y, mo, d, h, mi, tz=KOLKATA):
    return datetime(y, mo, d, h, mi, tzinfo=tz)


def parse(text, *, now=NOW, tz=KOLKATA, date_order="dmy"):
    return parse_callback(text, now=now, tz=tz, hours=HOURS, date_order=date_order).at


# Phrases whose meaning does not depend on the date order.
COMMON = [
    ("in 2h", at(2026, 11, 23, 12, 0)),
    ("in 45 min", at(2026, 11, 23, 10, 45)),
    ("2h", at(2026, 11, 23, 12, 0)),
    ("30m", at(2026, 11, 23, 10, 30)),
    ("in 2 hours", at(2026, 11, 23, 12, 0)),
    ("in an hour", at(2026, 11, 23, 11, 0)),
    ("in 1h 30m", at(2026, 11, 23, 11, 30)),
    ("in 1 day", at(2026, 11, 24, 10, 0)),
    ("in 3 days", at(2026, 11, 26, 10, 0)),
    ("+3d", at(2026, 11, 26, 10, 0)),
    ("1w", at(2026, 11, 30, 10, 0)),
    ("in 2 months", at(2027, 1, 23, 10, 0)),
    ("tomorrow 3pm", at(2026, 11, 24, 15, 0)),
    ("tomorrow at 3pm", at(2026, 11, 24, 15, 0)),
    ("3pm tomorrow", at(2026, 11, 24, 15, 0)),
    ("  TOMORROW   3 PM ", at(2026, 11, 24, 15, 0)),
    ("tomorrow 3 p.m.", at(2026, 11, 24, 15, 0)),
    ("tomorrow", at(2026, 11, 24, 9, 30)),  # the day's first opening
    ("day after tomorrow 4pm", at(2026, 11, 25, 16, 0)),
    ("3pm", at(2026, 11, 23, 15, 0)),
    ("9am", at(2026, 11, 24, 9, 0)),  # already past today: tomorrow
    ("12am", at(2026, 11, 24, 0, 0)),
    ("12pm", at(2026, 11, 23, 12, 0)),
    ("noon", at(2026, 11, 23, 12, 0)),
    ("today 5pm", at(2026, 11, 23, 17, 0)),
    ("15:30", at(2026, 11, 23, 15, 30)),
    ("3:30pm", at(2026, 11, 23, 15, 30)),
    ("fri 10:30", at(2026, 11, 27, 10, 30)),
    ("Friday 10:30", at(2026, 11, 27, 10, 30)),
    ("this fri 10:30", at(2026, 11, 27, 10, 30)),
    ("mon 10:30", at(2026, 11, 23, 10, 30)),  # today is Monday and 10:30 is ahead
    ("mon 09:00", at(2026, 11, 30, 9, 0)),  # today's 09:00 has gone: next week
    ("monday", at(2026, 11, 30, 9, 30)),  # today's opening has gone
    ("tuesday", at(2026, 11, 24, 9, 30)),
    ("saturday", at(2026, 11, 28, 10, 0)),  # Saturday opens at 10:00
    ("sunday", at(2026, 11, 29, 9, 0)),  # no hours: 09:00
    ("next monday 11am", at(2026, 11, 30, 11, 0)),
    ("next fri 10am", at(2026, 11, 27, 10, 0)),  # the first Friday strictly after today
    ("next tuesday", at(2026, 11, 24, 9, 30)),
    ("24 dec 10:00", at(2026, 12, 24, 10, 0)),
    ("24 December 10am", at(2026, 12, 24, 10, 0)),
    ("24th of december", at(2026, 12, 24, 9, 30)),
    ("dec 24 10:00", at(2026, 12, 24, 10, 0)),
    ("December 24th, 10am", at(2026, 12, 24, 10, 0)),
    ("thu 24 dec 3pm", at(2026, 12, 24, 15, 0)),
    ("25 dec", at(2026, 12, 25, 9, 0)),  # a holiday: no hours, 09:00
    ("1 jan 10:00", at(2027, 1, 1, 10, 0)),  # this year's has gone: next year
    ("24 dec 2027 10:00", at(2027, 12, 24, 10, 0)),
    ("29 feb 2028", at(2028, 2, 29, 9, 30)),
    ("2026-12-24 10:00", at(2026, 12, 24, 10, 0)),
    ("2026-12-24 3pm", at(2026, 12, 24, 15, 0)),
    ("2026-12-24T10:00", at(2026, 12, 24, 10, 0)),
    ("2026-12-24T10:00Z", datetime(2026, 12, 24, 10, 0, tzinfo=UTC)),
    ("2026-12-24T10:00+05:30", at(2026, 12, 24, 10, 0)),
    ("tomorrow 10:30:45", at(2026, 11, 24, 10, 30)),  # minute precision
]

ORDERED = [  # (text, dmy, mdy); None: refused
    ("24/12 10:00", at(2026, 12, 24, 10, 0), None),
    ("12/24 10:00", None, at(2026, 12, 24, 10, 0)),
    ("24/12", at(2026, 12, 24, 9, 30), None),
    ("5/6", at(2027, 6, 5, 10, 0), at(2027, 5, 6, 9, 30)),  # Sat 5 Jun / Thu 6 May 2027
    ("5/6/2027 3pm", at(2027, 6, 5, 15, 0), at(2027, 5, 6, 15, 0)),
    ("1/12/26 9am", at(2026, 12, 1, 9, 0), None),  # mdy: 1 Dec 2026 would be 12 Jan 2026, past
    ("at 10am on 1/12", at(2026, 12, 1, 10, 0), at(2027, 1, 12, 10, 0)),
]

RULE_EXPRESSIONS = [
    ("2bd", at(2026, 11, 25, 10, 0)),
    ("2bd@11:00", at(2026, 11, 25, 11, 0)),
    ("1d@10:00", at(2026, 11, 24, 10, 0)),
    ("in 2bd", at(2026, 11, 25, 10, 0)),
]

REFUSALS = [
    ("", "no callback time"),
    ("   ", "no callback time"),
    ("9", "9am or 09:30"),
    ("930", "9am or 09:30"),
    ("10", "9am or 09:30"),
    ("tomorrow 9", "9am or 09:30"),
    ("tomorrow 3pm maybe", "'maybe'"),
    ("in 2h maybe", "'maybe'"),
    ("hello", "'hello'"),
    ("10.30", "'10.30'"),
    ("31 feb", "31 feb is not a date"),
    ("30/2", "30 feb is not a date"),
    ("29 feb", "29 feb 2027 is not a date"),
    ("29 feb 2027", "not a date"),
    ("25:00", "hours go from 0 to 23"),
    ("24:00", "hours go from 0 to 23"),
    ("10:75", "minutes from 00 to 59"),
    ("13pm", "hour is 1 to 12"),
    ("0am", "hour is 1 to 12"),
    ("2bd@25:00", "hours go from 0 to 23"),
    ("today 9am", "in the past"),
    ("today", "in the past"),
    ("23 nov 09:00", "in the past"),  # today's date, time gone: not silently next year
    ("23 nov 9:00", "ambiguous"),  # 09:00 has gone, 21:00 is outside business hours
    ("2026-11-20 10:00", "in the past"),
    ("24 dec 2025", "in the past"),
    ("0d@09:00", "in the past"),
    ("next week", "next monday 10am"),
    ("next month", "ambiguous"),
    ("next", "ambiguous"),
    ("midnight", "ambiguous"),
    ("24 dec 2030", "more than 2 years"),
    ("in 900 days", "more than 2 years"),
    ("in 999999 weeks", "more than 2 years"),
    ("in 0 min", "no time at all"),
    ("tomorrow 3pm 4pm", "two times"),
    ("tomorrow friday", "two days"),
    ("fri 24 dec", "is a thursday, not a friday"),
    ("at", "no day or time"),
]


@pytest.mark.parametrize(("text", "expected"), COMMON)
@pytest.mark.parametrize("date_order", ["dmy", "mdy"])
def test_phrase(text, expected, date_order):
    result = parse(text, date_order=date_order)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(("text", "dmy", "mdy"), ORDERED)
def test_numeric_dates_follow_date_order(text, dmy, mdy):
    for date_order, expected in (("dmy", dmy), ("mdy", mdy)):
        if expected is None:
            with pytest.raises(CallbackError):
                parse(text, date_order=date_order)
        else:
            assert parse(text, date_order=date_order) == expected


def test_date_order_named_in_the_message():
    with pytest.raises(CallbackError, match="day/month"):
        parse("12/24", date_order="dmy")
    with pytest.raises(CallbackError, match="month/day"):
        parse("24/12", date_order="mdy")


@pytest.mark.parametrize(("text", "expected"), RULE_EXPRESSIONS)
def test_rule_expressions(text, expected):
    pytest.importorskip("callq.rules.hours")
    assert parse(text) == expected


@pytest.mark.parametrize(("text", "message"), REFUSALS)
def test_refusals(text, message):
    with pytest.raises(CallbackError) as refused:
        parse(text)
    assert message in str(refused.value).lower()


def test_past_message_shows_the_interpreted_time():
    with pytest.raises(CallbackError, match=r"today 09:00 \(1 h ago\)"):
        parse("today 9am")


def test_unknown_words_message_gives_examples():
    with pytest.raises(CallbackError, match="tomorrow 3pm"):
        parse("whenever")


def test_seconds_of_now_are_dropped_and_never_land_in_the_past():
    now = datetime(2026, 11, 23, 10, 0, 42, 5, tzinfo=KOLKATA)
    assert parse("in 2h", now=now) == at(2026, 11, 23, 12, 0)
    assert parse("in 1 min", now=now) == at(2026, 11, 23, 10, 1)


def test_now_in_any_zone_gives_the_same_answer():
    assert parse("in 2h", now=NOW.astimezone(NEW_YORK)) == at(2026, 11, 23, 12, 0)


def test_lead_timezone_is_used_for_their_time():
    text, theirs = split_their_time("tomorrow 3pm their time")
    assert (text, theirs) == ("tomorrow 3pm", True)
    # 10:00 Monday in Kolkata is 23:30 Sunday in New York: their tomorrow is Monday.
    assert parse(text, tz=NEW_YORK) == at(2026, 11, 23, 15, 0, tz=NEW_YORK)
    assert split_their_time("tomorrow 3pm") == ("tomorrow 3pm", False)


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError, match="aware"):
        parse("in 2h", now=datetime(2026, 11, 23, 10, 0))


# DST in New York, 2026: clocks go forward Sun 8 Mar 02:00, back Sun 1 Nov 02:00.
SPRING = datetime(2026, 3, 7, 10, 0, tzinfo=NEW_YORK)  # Saturday, EST
AUTUMN = datetime(2026, 10, 31, 10, 0, tzinfo=NEW_YORK)  # Saturday, EDT

DST_CASES = [
    (SPRING, "in 1 day", datetime(2026, 3, 8, 14, 0, tzinfo=UTC)),  # 10:00 EDT, 23 h later
    (SPRING, "in 24h", datetime(2026, 3, 8, 15, 0, tzinfo=UTC)),  # 11:00 EDT
    (SPRING, "tomorrow 3am", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
    (SPRING, "tomorrow", datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),  # Sunday: 09:00 EDT
    (SPRING, "mon 9:30", datetime(2026, 3, 9, 13, 30, tzinfo=UTC)),
    (AUTUMN, "in 1 day", datetime(2026, 11, 1, 15, 0, tzinfo=UTC)),  # 10:00 EST, 25 h later
    (AUTUMN, "in 24h", datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),  # 09:00 EST
    (AUTUMN, "tomorrow 3am", datetime(2026, 11, 1, 8, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("now", "text", "expected"), DST_CASES)
def test_dst_new_york(now, text, expected):
    assert parse(text, now=now, tz=NEW_YORK) == expected


@pytest.mark.parametrize(
    ("now", "text", "message"),
    [
        (SPRING, "tomorrow 2:30am", "does not exist"),
        (AUTUMN, "tomorrow 1:30am", "happens twice"),
        (AUTUMN, "2026-11-01T01:30", "happens twice"),
    ],
)
def test_dst_refuses_skipped_and_repeated_times(now, text, message):
    with pytest.raises(CallbackError, match=message):
        parse(text, now=now, tz=NEW_YORK)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (at(2026, 11, 24, 10, 0), "tomorrow 10:00"),
        (at(2026, 11, 23, 15, 0), "today 15:00 (in 5 h)"),
        (at(2026, 11, 23, 10, 45), "today 10:45 (in 45 min)"),
        (at(2026, 11, 23, 11, 30), "today 11:30 (in 1 h 30 min)"),
        (at(2026, 11, 23, 10, 0), "today 10:00 (now)"),
        (at(2026, 11, 23, 9, 0), "today 09:00 (1 h ago)"),
        (at(2026, 11, 25, 10, 0), "Wed 25 Nov 10:00 (in 2 d)"),
        (at(2027, 1, 1, 10, 0), "Fri 1 Jan 2027 10:00 (in 39 d)"),
    ],
)
def test_describe(instant, expected):
    assert describe(instant.astimezone(UTC), KOLKATA, NOW.astimezone(UTC)) == expected


# Properties: whatever is typed, the answer is a time not in the past, or a CallbackError.
ZONES = [KOLKATA, NEW_YORK, ZoneInfo("UTC"), ZoneInfo("Australia/Lord_Howe")]
TOKENS = [
    "in",
    "+",
    "2",
    "45",
    "9",
    "930",
    "0",
    "31",
    "24",
    "2026",
    "h",
    "min",
    "hours",
    "days",
    "d",
    "w",
    "an",
    "hour",
    "today",
    "tomorrow",
    "day",
    "after",
    "next",
    "this",
    "week",
    "monday",
    "fri",
    "sun",
    "3pm",
    "13pm",
    "12am",
    "pm",
    "10:30",
    "25:00",
    "0:00",
    "2:30am",
    "1:30am",
    "noon",
    "midnight",
    "at",
    "on",
    "of",
    "dec",
    "feb",
    "december",
    "24th",
    "24/12",
    "12/24",
    "5/6",
    "31/2",
    "2026-12-24",
    "2026-02-30",
    "2026-12-24t10:00",
    "+3d",
    "2h",
    "30m",
    "maybe",
    "2bd",
    "2bd@11:00",
    "1d@10:00",
    "0d@09:00",
    "999d@23:59",
    "0bd",
    "their",
    ".",
]

now_strategy = st.builds(
    lambda naive, tz: naive.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)),
    st.sampled_from(ZONES),
)


def _check(text, now, tz, date_order):
    try:
        result = parse_callback(text, now=now, tz=tz, hours=HOURS, date_order=date_order).at
    except CallbackError as refused:
        assert str(refused)
        return
    assert result >= now
    assert result.tzinfo is UTC and result.second == 0 and result.microsecond == 0


@settings(max_examples=300, deadline=None)
@given(st.text(), now_strategy, st.sampled_from(ZONES), st.sampled_from(["dmy", "mdy"]))
def test_any_text_is_a_future_time_or_a_callback_error(text, now, tz, date_order):
    _check(text, now, tz, date_order)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=5),
    st.sampled_from([" ", "  ", ""]),
    now_strategy,
    st.sampled_from(ZONES),
    st.sampled_from(["dmy", "mdy"]),
)
def test_grammar_like_text_is_a_future_time_or_a_callback_error(
    tokens, separator, now, tz, date_order
):
    _check(separator.join(tokens), now, tz, date_order)
