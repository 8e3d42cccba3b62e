"""Clock times typed without am/pm (`3:30`), and the warning for times outside business hours."""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callq.rules.hours import is_open
from callq.rules.model import BusinessHours
from callq.rules.phrases import Callback, CallbackError, hours_warning, parse_callback

KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")


def spans(text: str) -> tuple:
    opens, closes = text.split("-")
    return ((time.fromisoformat(opens), time.fromisoformat(closes)),)


# The SPEC's hours: mon-fri 09:30-18:30, sat 10:00-14:00, Christmas a holiday.
SPEC_HOURS = BusinessHours(
    (spans("09:30-18:30"),) * 5 + (spans("10:00-14:00"), ()),
    frozenset({date(2026, 12, 25)}),
)
LONG_HOURS = BusinessHours((spans("08:00-21:00"),) * 7)  # 8:30 and 20:30 both open
ALWAYS_OPEN = BusinessHours(((),) * 7)

MON_1502 = datetime(2026, 11, 23, 15, 2, tzinfo=KOLKATA)  # Monday 23 Nov 2026
MON_0800 = datetime(2026, 11, 23, 8, 0, tzinfo=KOLKATA)
MON_1000 = datetime(2026, 11, 23, 10, 0, tzinfo=KOLKATA)


def ist(day: int, clock: str, month: int = 11) -> datetime:
    return datetime.combine(date(2026, month, day), time.fromisoformat(clock), KOLKATA)


def read(text, now=MON_1502, hours=SPEC_HOURS, tz=KOLKATA, hours_tz=None) -> Callback:
    return parse_callback(text, now=now, tz=tz, hours=hours, hours_tz=hours_tz)


# (typed, now, hours, the instant it means): the reading inside business hours wins.
READINGS = [
    ("3:30", MON_1502, SPEC_HOURS, ist(23, "15:30")),  # not 03:30 tomorrow
    ("3:30 pm", MON_1502, SPEC_HOURS, ist(23, "15:30")),
    ("9:45", MON_0800, SPEC_HOURS, ist(23, "09:45")),  # 21:45 is outside hours
    ("10:00", MON_1502, SPEC_HOURS, ist(24, "10:00")),  # today's has gone, 22:00 is closed
    ("12:30", MON_1000, SPEC_HOURS, ist(23, "12:30")),  # 12:30 or 00:30
    ("12:30", MON_1502, SPEC_HOURS, ist(24, "12:30")),
    ("tomorrow 3:30", MON_1502, SPEC_HOURS, ist(24, "15:30")),
    ("3:30 tomorrow", MON_1502, SPEC_HOURS, ist(24, "15:30")),
    ("fri 3:30", MON_1502, SPEC_HOURS, ist(27, "15:30")),
    ("sat 1:00", MON_1502, SPEC_HOURS, ist(28, "13:00")),  # Saturday 10:00-14:00
    ("24 dec 4:15", MON_1502, SPEC_HOURS, ist(24, "16:15", month=12)),
    ("next monday 11:00", MON_1502, SPEC_HOURS, ist(30, "11:00")),
    ("today 8:30", MON_1000, LONG_HOURS, ist(23, "20:30")),  # 08:30 has gone
    ("12:30", MON_1502, LONG_HOURS, ist(24, "12:30")),  # 00:30 is closed even in long hours
    # 24-hour time has one reading, kept as typed (with a warning when closed):
    ("03:30", MON_1502, SPEC_HOURS, ist(24, "03:30")),
    ("15:30", MON_1502, SPEC_HOURS, ist(23, "15:30")),
    ("0:30", MON_1502, SPEC_HOURS, ist(24, "00:30")),
    ("2026-11-24 8:00", MON_1502, SPEC_HOURS, ist(24, "08:00")),  # an ISO date: 24-hour
    ("2bd@8:00", MON_1502, SPEC_HOURS, ist(25, "08:00")),  # a rule expression: 24-hour
    ("3:30pm", MON_1502, LONG_HOURS, ist(23, "15:30")),
    ("8:30am", MON_1502, LONG_HOURS, ist(24, "08:30")),
]


@pytest.mark.parametrize(("text", "now", "hours", "expected"), READINGS)
def test_a_clock_time_takes_the_reading_inside_business_hours(text, now, hours, expected):
    assert read(text, now=now, hours=hours).at == expected


AMBIGUOUS = [
    # both readings inside business hours
    ("8:30", LONG_HOURS, "both inside", "8:30am or 8:30pm", "08:30 or 20:30"),
    ("tomorrow 8:30", LONG_HOURS, "both inside", "8:30am or 8:30pm", "08:30 or 20:30"),
    # neither reading inside business hours
    ("sat 7:00", SPEC_HOURS, "neither", "7am or 7pm", "07:00 or 19:00"),
    ("sun 10:00", SPEC_HOURS, "neither", "10am or 10pm", "10:00 or 22:00"),
    ("25 dec 11:00", SPEC_HOURS, "neither", "11am or 11pm", "11:00 or 23:00"),  # a holiday
    ("today 9:00", SPEC_HOURS, "neither", "9am or 9pm", "09:00 or 21:00"),  # 09:00 has gone
    ("3:30", ALWAYS_OPEN, "both inside", "3:30am or 3:30pm", "03:30 or 15:30"),
]


@pytest.mark.parametrize(("text", "hours", "why", "twelve", "twenty_four"), AMBIGUOUS)
def test_a_clock_time_with_no_single_reading_in_hours_is_refused(
    text, hours, why, twelve, twenty_four
):
    with pytest.raises(CallbackError) as refused:
        read(text, hours=hours)
    message = str(refused.value)
    assert "ambiguous" in message and why in message
    assert f"Say {twelve}, or in 24-hour time {twenty_four}." in message


def test_the_refusal_names_both_readings_as_the_preview_would():
    with pytest.raises(CallbackError) as refused:
        read("8:30", hours=LONG_HOURS)
    assert "tomorrow 08:30 and today 20:30 (in 5 h 28 min)" in str(refused.value)


def test_business_hours_are_the_leads_whatever_zone_the_rep_types_in():
    # 15:02 in Kolkata is 04:32 in New York. 15:30 IST is 05:00 there (closed), 03:30 IST
    # tomorrow is 17:00 there (open): a rep calling a New York lead means the latter.
    chosen = read("3:30", tz=KOLKATA, hours_tz=NEW_YORK)
    assert chosen.at == ist(24, "03:30") and chosen.warning is None
    # Typed in the lead's own zone ("their time"): 15:30 New York.
    theirs = read("3:30", tz=NEW_YORK, hours_tz=NEW_YORK)
    assert theirs.at == datetime(2026, 11, 23, 15, 30, tzinfo=NEW_YORK)


WARNINGS = [
    ("sat 19:00", "Sat 28 Nov 19:00 is outside business hours (opens Mon 09:30)"),
    ("sat 7pm", "Sat 28 Nov 19:00 is outside business hours (opens Mon 09:30)"),
    ("sun 10am", "Sun 29 Nov 10:00 is on a closed day (opens Mon 09:30)"),
    ("25 dec 10am", "Fri 25 Dec 10:00 is a holiday (opens Sat 10:00)"),
    ("in 4h", "Mon 23 Nov 19:02 is outside business hours (opens Tue 09:30)"),
    ("tomorrow 8am", "Tue 24 Nov 08:00 is outside business hours (opens 09:30)"),
    ("03:30", "Tue 24 Nov 03:30 is outside business hours (opens 09:30)"),
    ("sunday", "Sun 29 Nov 09:00 is on a closed day (opens Mon 09:30)"),
    ("tomorrow 3pm", None),
    ("3:30", None),
    ("tomorrow", None),
    ("2bd", None),
    ("tomorrow 6:30pm", "Tue 24 Nov 18:30 is outside business hours (opens Wed 09:30)"),
]


@pytest.mark.parametrize(("text", "warning"), WARNINGS)
def test_a_time_outside_business_hours_is_kept_with_a_warning(text, warning):
    assert read(text).warning == warning


def test_the_warning_says_when_its_times_are_the_leads():
    # A rep in New York types 9am tomorrow for a lead in Kolkata: 19:30 there.
    now = MON_1502.astimezone(NEW_YORK)
    chosen = read("tomorrow 9am", now=now, tz=NEW_YORK, hours_tz=KOLKATA)
    assert chosen.warning == "their Tue 24 Nov 19:30 is outside business hours (opens Wed 09:30)"


def test_no_warning_without_business_hours():
    assert read("03:30", hours=ALWAYS_OPEN).warning is None
    assert hours_warning(ist(29, "03:00"), ALWAYS_OPEN, KOLKATA) is None


def test_a_long_closure_names_the_opening_date():
    closed = BusinessHours(SPEC_HOURS.weekly, frozenset(date(2026, 12, d) for d in range(24, 32)))
    warning = hours_warning(ist(24, "10:00", month=12), closed, KOLKATA)
    assert warning == "Thu 24 Dec 10:00 is a holiday (opens Fri 1 Jan 09:30)"


# Properties: a clock time without am/pm means h:mm or h+12:mm, never a past time, and is
# only accepted with two readings when the one it takes is inside business hours.
ZONES = [KOLKATA, NEW_YORK, ZoneInfo("UTC"), ZoneInfo("Australia/Lord_Howe")]
now_strategy = st.builds(
    lambda naive, tz: naive.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2032, 12, 31)),
    st.sampled_from(ZONES),
)


@settings(max_examples=400, deadline=None)
@given(
    st.integers(0, 23),
    st.integers(0, 59),
    st.booleans(),
    st.sampled_from(["", "tomorrow ", "fri ", "24 dec ", "today ", "next mon "]),
    now_strategy,
    st.sampled_from(ZONES),
    st.sampled_from(ZONES),
    st.sampled_from([SPEC_HOURS, LONG_HOURS, ALWAYS_OPEN]),
)
def test_a_clock_time_is_one_of_its_readings_in_the_future_or_refused(
    hour, minute, padded, day, now, tz, hours_tz, hours
):
    typed = f"{hour:02d}:{minute:02d}" if padded else f"{hour}:{minute:02d}"
    two_readings = 1 <= hour <= 12 and not typed.startswith("0")
    try:
        chosen = parse_callback(day + typed, now=now, tz=tz, hours=hours, hours_tz=hours_tz)
    except CallbackError as refused:
        assert str(refused)
        return
    local = chosen.at.astimezone(tz).time()
    readings = {time(hour, minute), time((hour + 12) % 24, minute)}
    assert local in (readings if two_readings else {time(hour, minute)})
    assert chosen.at >= now.replace(second=0, microsecond=0)
    assert chosen.at.tzinfo is UTC
    if two_readings:
        assert is_open(hours, chosen.at, hours_tz) and chosen.warning is None


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        ["in 2h", "in 9h", "tomorrow", "tomorrow 7am", "sat 11am", "sun", "fri 19:00", "2bd"]
        + ["25 dec 10am", "in 3 days", "3pm", "03:00", "+3d", "next monday 11am", "18:30"]
    ),
    now_strategy,
    st.sampled_from(ZONES),
    st.sampled_from(ZONES),
)
def test_a_warning_exactly_when_business_hours_are_closed(text, now, tz, hours_tz):
    try:
        chosen = parse_callback(text, now=now, tz=tz, hours=SPEC_HOURS, hours_tz=hours_tz)
    except CallbackError:
        return
    assert (chosen.warning is None) == is_open(SPEC_HOURS, chosen.at, hours_tz)
    if chosen.warning:
        shown = chosen.at.astimezone(hours_tz)
        assert re.match(rf"(their )?\w{{3}} {shown.day} \w{{3}} {shown:%H:%M} is ", chosen.warning)
