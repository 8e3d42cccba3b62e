"""`timeexpr.resolve`: every concrete expression, with and without snapping to business hours."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from callq.rules.model import BusinessHours
from callq.rules.timeexpr import parse_time_expr, resolve

KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")


def make_hours(weekday: str, saturday: str, holidays: tuple[str, ...] = ()) -> BusinessHours:
    """Mon-Fri `weekday` and Saturday `saturday` spans (`"09:30-18:30"`, `""` for closed)."""

    def spans(text: str) -> tuple:
        if not text:
            return ()
        opens, closes = text.split("-")
        return ((time.fromisoformat(opens), time.fromisoformat(closes)),)

    weekly = (spans(weekday),) * 5 + (spans(saturday), ())
    return BusinessHours(weekly, frozenset(date.fromisoformat(h) for h in holidays))


# The SPEC's example rules; 2026-03-11 is a Wednesday, 2026-12-25 a Friday.
SPEC_HOURS = make_hours("09:30-18:30", "10:00-14:00", ("2026-12-25",))
ALWAYS_OPEN = BusinessHours(((),) * 7)


def at(text: str, tz: ZoneInfo = KOLKATA) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


@pytest.mark.parametrize(
    ("expr", "start", "snapped", "unsnapped"),
    [
        ("30m", "2026-03-11 10:00", "2026-03-11 10:30", "2026-03-11 10:30"),
        ("30m", "2026-03-11 18:15", "2026-03-12 09:30", "2026-03-11 18:45"),
        ("2h", "2026-03-11 10:00", "2026-03-11 12:00", "2026-03-11 12:00"),
        ("2h", "2026-03-11 17:30", "2026-03-12 09:30", "2026-03-11 19:30"),
        ("3d", "2026-03-11 10:00", "2026-03-14 10:00", "2026-03-14 10:00"),  # Sat, open
        ("3d", "2026-03-12 10:00", "2026-03-16 09:30", "2026-03-15 10:00"),  # Sunday
        ("1w", "2026-03-11 10:00", "2026-03-18 10:00", "2026-03-18 10:00"),
        ("1w", "2026-12-18 10:00", "2026-12-26 10:00", "2026-12-25 10:00"),  # holiday
        ("2bd", "2026-03-11 10:00", "2026-03-13 10:00", "2026-03-13 10:00"),
        ("2bd", "2026-03-12 15:00", "2026-03-16 09:30", "2026-03-14 15:00"),  # Sat after 14:00
        ("2bd", "2026-12-24 15:00", "2026-12-28 15:00", "2026-12-28 15:00"),  # skips Dec 25
        ("2bd@11:00", "2026-03-11 10:00", "2026-03-13 11:00", "2026-03-13 11:00"),
        ("2bd@11:00", "2026-12-24 17:00", "2026-12-28 11:00", "2026-12-28 11:00"),
        ("2bd@11:00", "2026-03-15 12:00", "2026-03-17 11:00", "2026-03-17 11:00"),  # from Sun
        ("1d@10:00", "2026-03-11 16:00", "2026-03-12 10:00", "2026-03-12 10:00"),
        ("1d@10:00", "2026-03-14 12:00", "2026-03-16 09:30", "2026-03-15 10:00"),  # Sunday
        ("1d@10:00", "2026-12-24 12:00", "2026-12-26 10:00", "2026-12-25 10:00"),  # holiday
        ("1d@09:00", "2026-03-11 12:00", "2026-03-12 09:30", "2026-03-12 09:00"),  # too early
        ("0d@16:00", "2026-03-11 10:00", "2026-03-11 16:00", "2026-03-11 16:00"),
        ("0d@16:00", "2026-03-14 10:00", "2026-03-16 09:30", "2026-03-14 16:00"),  # Sat closed
    ],
)
def test_resolve(expr, start, snapped, unsnapped):
    parsed = parse_time_expr(expr)
    kwargs = {"start": at(start), "tz": KOLKATA, "hours": SPEC_HOURS}
    assert resolve(parsed, snap=True, **kwargs) == at(snapped)
    assert resolve(parsed, snap=False, **kwargs) == at(unsnapped)


def test_resolve_snapped_result_is_utc():
    result = resolve(
        parse_time_expr("1d@10:00"), start=at("2026-03-14 12:00"), tz=KOLKATA, hours=SPEC_HOURS
    )
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("expr", "start", "expected_utc"),
    [
        # 02:30 does not exist on 2026-03-08 in New York: it moves on to 03:30 EDT
        ("0d@02:30", "2026-03-08 00:10", "2026-03-08 07:30"),
        # 01:30 happens twice on 2026-11-01: the first, EDT
        ("1d@01:30", "2026-10-31 12:00", "2026-11-01 05:30"),
        ("2bd@09:00", "2026-03-06 12:00", "2026-03-08 13:00"),  # EDT by then
    ],
)
def test_resolve_across_dst_for_a_team_open_around_the_clock(expr, start, expected_utc):
    expected = datetime.fromisoformat(expected_utc).replace(tzinfo=UTC)
    for snap in (True, False):
        result = resolve(
            parse_time_expr(expr),
            start=at(start, NEW_YORK),
            tz=NEW_YORK,
            hours=ALWAYS_OPEN,
            snap=snap,
        )
        assert result == expected
