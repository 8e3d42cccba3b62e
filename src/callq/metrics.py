"""Report definitions (SPEC section 7): additive tallies, the metrics they give, goals, cost.

Pure: no database, no UI. `store/report_queries.py` fills tallies with SQL aggregates;
this module turns them into the figures a team lead reads.
"""

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta, tzinfo
from statistics import median

from callq.rules.hours import add_business_time, business_time_between, has_hours, local_instant
from callq.rules.model import BusinessHours

# The JSON keys of SPEC section 11, in order.
METRIC_KEYS = (
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

# Goals shown beside the metrics: (comparison, target). "lt": below, "gt": above, "eq": exactly.
# How each metric is named for people: in full (report rows) and short (column heads).
METRIC_LABELS = {
    "leads_in": "Leads in",
    "median_first_response_minutes": "Median 1st response (min)",
    "sla_miss_rate": "SLA miss rate",
    "second_touch_rate": "Second-touch rate",
    "unworked_24h": "Unworked > 24h",
    "followup_completion_rate": "Follow-up completion",
    "missed_followups": "Missed follow-ups",
    "overdue_now": "Overdue now",
    "calls": "Calls",
    "connects": "Connects",
    "talk_time_minutes": "Talk time (min)",
    "won": "Won",
    "leakage_cost": "Leakage cost",
}
METRIC_SHORT_LABELS = {
    "leads_in": "In",
    "median_first_response_minutes": "1st resp",
    "sla_miss_rate": "SLA miss",
    "second_touch_rate": "2nd touch",
    "unworked_24h": "Unworked",
    "followup_completion_rate": "FU done",
    "missed_followups": "Missed",
    "overdue_now": "Overdue",
    "calls": "Calls",
    "connects": "Conn",
    "talk_time_minutes": "Talk",
    "won": "Won",
    "leakage_cost": "Leak",
}
GOALS: dict[str, tuple[str, float]] = {
    "sla_miss_rate": ("lt", 0.10),
    "second_touch_rate": ("gt", 0.90),
    "unworked_24h": ("eq", 0),
}

# Metrics where a rise is bad news (the trend arrow turns red).
LOWER_IS_BETTER = frozenset(
    {
        "median_first_response_minutes",
        "sla_miss_rate",
        "unworked_24h",
        "missed_followups",
        "overdue_now",
        "leakage_cost",
    }
)

UNWORKED_AFTER = timedelta(hours=24)
CONVERSION_LOOKBACK = timedelta(days=90)


def rate(part: int, whole: int) -> float | None:
    """A share as a fraction 0..1; None when there is nothing to measure."""
    return part / whole if whole else None


def meets_goal(key: str, value: float | None) -> bool | None:
    """Whether a metric meets its goal; None when it has no goal or no value."""
    goal = GOALS.get(key)
    if goal is None or value is None:
        return None
    comparison, target = goal
    if comparison == "lt":
        return value < target
    if comparison == "gt":
        return value > target
    return value == target


def goal_text(key: str) -> str:
    goal = GOALS.get(key)
    if goal is None:
        return ""
    comparison, target = goal
    shown = f"{target:.0%}" if key.endswith("_rate") else f"{target:g}"
    return {"lt": "< ", "gt": "> ", "eq": ""}[comparison] + shown


@dataclass
class Tally:
    """The additive counts behind the metrics: tallies of groups sum to the team's."""

    leads_in: int = 0
    first_response_minutes: list[float] = field(default_factory=list)
    sla_due: int = 0  # leads created in the window whose SLA deadline is before now
    sla_missed: int = 0
    first_calls_open: int = 0  # leads whose first call (in the window) left them open
    second_touched: int = 0
    unworked: int = 0
    followups_due: int = 0  # due in the window with due + late_after before now
    followups_on_time: int = 0
    overdue: int = 0
    calls: int = 0
    connects: int = 0
    talk_seconds: float = 0.0
    won: int = 0

    def add(self, other: "Tally") -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, list):
                mine.extend(theirs)
            else:
                setattr(self, f.name, mine + theirs)


@dataclass(frozen=True)
class Metrics:
    """One row of the report: SPEC section 7 for the team, a rep or a channel."""

    leads_in: int
    median_first_response_minutes: float | None
    sla_miss_rate: float | None
    second_touch_rate: float | None
    unworked_24h: int
    followup_completion_rate: float | None
    missed_followups: int
    overdue_now: int
    calls: int
    connects: int
    talk_time_minutes: float
    won: int
    leakage_cost: float

    def as_dict(self) -> dict[str, object]:
        return {key: getattr(self, key) for key in METRIC_KEYS}


def metrics_from_tally(
    tally: Tally, *, conversion_rate: float | None, avg_deal_value: float, cost_per_lead: float
) -> Metrics:
    missed = tally.followups_due - tally.followups_on_time
    responses = tally.first_response_minutes
    return Metrics(
        leads_in=tally.leads_in,
        median_first_response_minutes=round(median(responses), 2) if responses else None,
        sla_miss_rate=rate(tally.sla_missed, tally.sla_due),
        second_touch_rate=rate(tally.second_touched, tally.first_calls_open),
        unworked_24h=tally.unworked,
        followup_completion_rate=rate(tally.followups_on_time, tally.followups_due),
        missed_followups=missed,
        overdue_now=tally.overdue,
        calls=tally.calls,
        connects=tally.connects,
        talk_time_minutes=round(tally.talk_seconds / 60, 2),
        won=tally.won,
        leakage_cost=round(
            missed_followup_cost(
                missed, conversion_rate or 0.0, avg_deal_value, cost_per_lead
            ).total,
            2,
        ),
    )


# --- the cost calculator (SPEC section 7), shared by `callq cost` and the report ----------


@dataclass(frozen=True)
class MissedCost:
    missed: float
    lost_deals: float
    lost_revenue: float
    wasted_lead_spend: float

    @property
    def total(self) -> float:
        return self.lost_revenue + self.wasted_lead_spend


def missed_followup_cost(
    missed: float, conversion_rate: float, avg_deal_value: float, cost_per_lead: float
) -> MissedCost:
    """missed x conversion x deal value (lost revenue) + missed x cost per lead (wasted spend)."""
    lost_deals = missed * conversion_rate
    return MissedCost(
        missed=missed,
        lost_deals=lost_deals,
        lost_revenue=lost_deals * avg_deal_value,
        wasted_lead_spend=missed * cost_per_lead,
    )


WEEKS_PER_MONTH = 4


def monthly_missed(missed_per_rep_week: float, reps: int) -> float:
    """Missed follow-ups a month: per rep per week x reps x 4 weeks."""
    return missed_per_rep_week * reps * WEEKS_PER_MONTH


@dataclass(frozen=True)
class Uplift:
    extra_deals_per_month: int
    extra_revenue_per_month: float
    extra_revenue_per_year: float


def conversion_uplift(
    leads_per_month: int, conversion_rate: float, target_rate: float, avg_deal_value: float
) -> Uplift:
    """Extra whole deals (rounded down) and revenue from lifting conversion to the target.

    120 leads at 10% -> 13% at 4,000: 3 deals, 12,000 a month, 144,000 a year. The product
    is rounded to 9 places before flooring so 120 x (0.13 - 0.10) is 3, not 2.999...
    """
    extra = math.floor(round(leads_per_month * (target_rate - conversion_rate), 9))
    extra = max(extra, 0)
    monthly = extra * avg_deal_value
    return Uplift(extra, monthly, monthly * 12)


# --- business time, fast: prefix sums over a range's opening intervals -------------------

_MICRO = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def us(instant: datetime) -> int:
    """Microseconds since the epoch (exact)."""
    return (instant - _EPOCH) // _MICRO


def _instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


class BusinessClock:
    """`business_time_between` and `add_business_time` for many leads of one timezone.

    The report needs both for every lead of a window; the rules functions walk day by day
    (~60 us a lead). Here the opening intervals of [lo, hi] are laid out once with their
    cumulative business time, so each answer is a bisection. Outside the range, or for
    a zero SLA (where "the next opening" rather than a cumulative instant is meant), it
    falls back to the rules functions, so the answers are always theirs.
    """

    def __init__(self, hours: BusinessHours, tz: tzinfo, lo: datetime, hi: datetime) -> None:
        self.hours, self.tz = hours, tz
        self.always_open = not has_hours(hours)
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
        i = bisect_right(self._starts, value) - 1
        if i < 0:
            return 0
        return self._cum[i] + min(value - self._starts[i], self._ends[i] - self._starts[i])

    def between_us(self, start: int, end: int) -> int:
        if end <= start:
            return 0
        if self.always_open:
            return end - start
        if not (self._inside(start) and self._inside(end)):
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
