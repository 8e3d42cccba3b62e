"""Business-time arithmetic over opening spans in the lead's timezone (pure; `now` is passed in)."""

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from callq.rules.model import BusinessHours, Sla

if TYPE_CHECKING:
    from callq.rules.model import Rules

# How many consecutive days without an opening we look through before giving up: a year
# of holidays plus slack. Hours that never open again behave as "no hours" past this.
SEARCH_DAYS = 400

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)

Interval = tuple[datetime, datetime]


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, built once per name."""
    return ZoneInfo(name)


def is_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this machine knows (the one check for every way a
    zone comes in: the rules file, an import, intake, a lead edit)."""
    try:
        zone(name)
    # ZoneInfoNotFoundError is a KeyError; malformed names and directories raise the others.
    except (KeyError, ValueError, OSError):
        return False
    return True


def zone_or_team(name: str | None, rules: "Rules") -> ZoneInfo:
    """A lead's or rep's timezone; the team's when they have none."""
    return zone(name or rules.team.timezone)


def local_instant(day: date, at: time, tz: tzinfo) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `tz`.

    fold=0 gives the DST behaviour we want for free (PEP 495): an ambiguous wall time
    takes its first occurrence, and a wall time in a spring-forward gap is read with
    the pre-transition offset, which lands it after the gap (02:30 -> 03:30).
    """
    return datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz).astimezone(UTC)


def local_day_end(instant: datetime, tz: tzinfo) -> datetime:
    """The next local midnight after `instant`: the end of the rep's day (UTC)."""
    _require_aware(instant)
    tomorrow = instant.astimezone(tz).date() + _ONE_DAY
    return local_instant(tomorrow, time(0), tz)


def has_hours(hours: BusinessHours) -> bool:
    """False for a team with no opening spans at all, which works around the clock."""
    return any(hours.weekly)


def add_business_days(hours: BusinessHours, day: date, n: int) -> date:
    """The n-th business day after `day`; n=0: `day` if it is one, else the next one."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not has_hours(hours):
        return day + timedelta(days=n)
    candidate = day
    remaining = n
    if hours.is_business_day(candidate) and remaining == 0:
        return candidate
    for _ in range(SEARCH_DAYS + n * 7):
        candidate += _ONE_DAY
        if hours.is_business_day(candidate):
            if remaining <= 1:
                return candidate
            remaining -= 1
    # Hours that never open again (e.g. everything a holiday): count calendar days.
    return day + timedelta(days=n)


def next_opening(hours: BusinessHours, instant: datetime, tz: tzinfo) -> datetime:
    """`instant` if business hours are open then, else the start of the next opening span."""
    _require_aware(instant)
    instant = instant.astimezone(UTC)
    if not has_hours(hours):
        return instant
    for opens, closes in _open_intervals(hours, instant, tz):
        if closes > instant:
            return max(opens, instant)
    return instant


def next_callable(rules: "Rules", instant: datetime, tz: tzinfo) -> datetime:
    """The first moment at or after `instant` when the business hours and the lead's
    calling window (`[compliance]`, both in the lead's timezone) are open: where the rules
    put a follow-up. With no window, the next opening of the hours."""
    window = rules.compliance.call_window
    due = next_opening(rules.hours, instant, tz)
    if window is None:
        return due
    # Alternate until both agree; each step only moves forward, to an opening of one.
    for _ in range(2 * SEARCH_DAYS):
        in_window = next_opening(window, due, tz)
        if in_window == due:
            return due
        due = next_opening(rules.hours, in_window, tz)
    return due  # a window that never meets the hours: the hours alone decide


def is_open(hours: BusinessHours, instant: datetime, tz: tzinfo) -> bool:
    """Whether `instant` falls inside an opening span (open <= t < close, local time)."""
    _require_aware(instant)
    if not has_hours(hours):
        return True
    for opens, closes in _open_intervals(hours, instant, tz):
        if closes > instant:
            return opens <= instant
    return False


def add_business_time(
    hours: BusinessHours, start: datetime, delta: timedelta, tz: tzinfo
) -> datetime:
    """`start` plus `delta` of business time; counting starts at the next opening.

    A result that uses up a span exactly is that span's closing time, not the next
    opening: "due by 18:30" is still meetable today.
    """
    _require_aware(start)
    if delta < _ZERO:
        raise ValueError(f"delta must be >= 0, got {delta}")
    start = start.astimezone(UTC)
    if not has_hours(hours):
        return start + delta
    remaining = delta
    for opens, closes in _open_intervals(hours, start, tz):
        if closes <= start:
            continue
        begin = max(opens, start)
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    return start + delta


def business_time_between(
    hours: BusinessHours, start: datetime, end: datetime, tz: tzinfo
) -> timedelta:
    """Business time within [start, end); zero when end <= start. One step per day."""
    _require_aware(start)
    _require_aware(end)
    if end <= start:
        return _ZERO
    if not has_hours(hours):
        return end - start
    total = _ZERO
    for opens, closes in _open_intervals(hours, start, tz):
        if opens >= end:
            break
        overlap = min(closes, end) - max(opens, start)
        if overlap > _ZERO:
            total += overlap
    return total


def sla_deadline(
    rules_sla: Sla,
    hours: BusinessHours,
    channel: str,
    created_at: datetime,
    tz: tzinfo,
    *,
    clock: "BusinessClock | None" = None,
) -> datetime:
    """When a lead from `channel` must have had its first response (business time).

    `clock` (for the lead's timezone) gives the same answer faster over many leads.
    """
    target = rules_sla.target(channel)
    if clock is not None:
        return clock.add(created_at, target)
    return add_business_time(hours, created_at, target, tz)


def escalation_at(
    sla: Sla,
    hours: BusinessHours,
    channel: str,
    created_at: datetime,
    tz: tzinfo,
    *,
    clock: "BusinessClock | None" = None,
) -> datetime:
    """When an uncontacted lead is escalated: `escalate_after` business time past its SLA
    deadline, both counted from its arrival (a rescheduled first response moves neither)."""
    deadline = sla_deadline(sla, hours, channel, created_at, tz, clock=clock)
    if clock is not None:
        return clock.add(deadline, sla.escalate_after)
    return add_business_time(hours, deadline, sla.escalate_after, tz)


# Business time, fast: prefix sums over a range's opening intervals.

_MICRO = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def us(instant: datetime) -> int:
    """Microseconds since the epoch (exact)."""
    return (instant - _EPOCH) // _MICRO


def _instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


# How far past its range a BusinessClock lays out opening intervals: a deadline lands
# after its start by at most an SLA target (plus escalate_after) in business time; a month
# covers that with room for long holidays.
DEADLINE_REACH = timedelta(days=31)


class BusinessClock:
    """`business_time_between` and `add_business_time` for many leads of one timezone.

    The report needs both for every lead of a window; the rules functions walk day by day
    (~60 us a lead). Here the opening intervals of [lo, hi] are laid out once with their
    cumulative business time, so each answer is a bisection; and `DEADLINE_REACH` past
    hi, because a deadline counted from an instant in the range (an SLA, an escalation)
    lands after it. Outside that, or for a zero SLA (where "the next opening" rather than
    a cumulative instant is meant), it falls back to the rules functions, so the answers
    are always theirs.
    """

    def __init__(self, hours: BusinessHours, tz: tzinfo, lo: datetime, hi: datetime) -> None:
        self.hours, self.tz = hours, tz
        self.always_open = not has_hours(hours)
        hi = hi + DEADLINE_REACH
        self.lo, self.hi = lo, hi
        starts: list[int] = []
        ends: list[int] = []
        day: date = lo.astimezone(tz).date() - timedelta(days=2)
        last: date = hi.astimezone(tz).date() + timedelta(days=2)
        while day <= last:
            for opens_at, closes_at in hours.spans_on(day):
                opens = us(local_instant(day, opens_at, tz))
                closes = us(local_instant(day, closes_at, tz))
                if closes <= opens:
                    continue
                if ends and opens <= ends[-1]:  # a DST gap can make spans overlap
                    ends[-1] = max(ends[-1], closes)
                else:
                    starts.append(opens)
                    ends.append(closes)
            day += timedelta(days=1)
        self._starts, self._ends = starts, ends
        self._cum: list[int] = []  # business time before interval i
        self._cum_end: list[int] = []  # business time up to the end of interval i
        total = 0
        for opens, closes in zip(starts, ends, strict=True):
            self._cum.append(total)
            total += closes - opens
            self._cum_end.append(total)
        # The range where intervals are complete on both sides of any instant we answer.
        self._lo_us = us(lo)
        self._hi_us = us(hi)

    def between(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return timedelta(0)
        if self.always_open:
            return end - start
        return timedelta(microseconds=self.between_us(us(start), us(end)))

    def add(self, start: datetime, delta: timedelta) -> datetime:
        if self.always_open:
            return start + delta
        return _instant(self.add_us(us(start), delta // _MICRO))

    # The same on epoch microseconds: the report's loop over a window's leads uses these.

    def _inside(self, value: int) -> bool:
        return self._lo_us <= value <= self._hi_us and bool(self._starts)

    def _before(self, value: int) -> int:
        """Business time from the first laid-out interval up to `value`."""
        starts = self._starts
        i = bisect_right(starts, value) - 1
        if i < 0:
            return 0
        opens = starts[i]
        return self._cum[i] + min(value, self._ends[i]) - opens

    def between_us(self, start: int, end: int) -> int:
        if end <= start:
            return 0
        if self.always_open:
            return end - start
        if not (self._lo_us <= start and end <= self._hi_us and self._starts):
            found = business_time_between(self.hours, _instant(start), _instant(end), self.tz)
            return found // _MICRO
        return self._before(end) - self._before(start)

    def add_us(self, start: int, delta: int) -> int:
        if self.always_open:
            return start + delta
        j = bisect_right(self._ends, start)  # the first interval still open after start
        if delta <= 0 or not self._inside(start) or j >= len(self._starts):
            return self._fallback_add(start, delta)
        begin = max(self._starts[j], start)
        available = self._ends[j] - begin
        if delta <= available:
            return begin + delta
        target = self._cum_end[j] + delta - available
        k = bisect_left(self._cum_end, target)
        if k >= len(self._starts):  # past the laid-out intervals
            return self._fallback_add(start, delta)
        return self._starts[k] + target - self._cum[k]

    def _fallback_add(self, start: int, delta: int) -> int:
        found = add_business_time(
            self.hours, _instant(start), timedelta(microseconds=delta), self.tz
        )
        return us(found)


def _open_intervals(hours: BusinessHours, instant: datetime, tz: tzinfo) -> Iterator[Interval]:
    """Opening intervals in UTC, ordered and disjoint, from the day before `instant` on.

    Starting a day early costs little and keeps us right when a span's UTC interval
    reaches past a local midnight. Spans are merged because a DST gap can make two
    separate wall-clock spans overlap in real time (01:00-02:30 and 03:00-04:00 on a
    spring-forward day both cover 03:00-03:30). Stops after SEARCH_DAYS closed days.
    """
    day = instant.astimezone(tz).date() - _ONE_DAY
    pending: Interval | None = None
    closed_days = 0
    while closed_days <= SEARCH_DAYS:
        intervals = _day_intervals(hours, day, tz)
        closed_days = 0 if intervals else closed_days + 1
        for opens, closes in intervals:
            if pending is not None and opens <= pending[1]:
                pending = (pending[0], max(pending[1], closes))
                continue
            if pending is not None:
                yield pending
            pending = (opens, closes)
        day += _ONE_DAY
    if pending is not None:
        yield pending


def _day_intervals(hours: BusinessHours, day: date, tz: tzinfo) -> list[Interval]:
    """One day's spans as UTC intervals, dropping any that a DST gap leaves empty."""
    intervals = []
    for opens_at, closes_at in hours.spans_on(day):
        opens = local_instant(day, opens_at, tz)
        closes = local_instant(day, closes_at, tz)
        if closes > opens:
            intervals.append((opens, closes))
    intervals.sort()
    return intervals


def _require_aware(instant: datetime) -> None:
    # A naive datetime would silently be read as the machine's local time.
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {instant!r}")
