"""Report definitions (SPEC section 7): additive tallies, the metrics they give, goals, cost.

Pure: no database, no UI. `store/report_queries.py` fills tallies with SQL aggregates;
this module turns them into the figures a team lead reads.
"""

import math
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from statistics import median

from callq.rules.model import Goals


@dataclass(frozen=True)
class Goal:
    """The target shown beside a metric: below ("lt"), above ("gt") or exactly ("eq")."""

    compare: str
    target: float

    def met_by(self, value: float) -> bool:
        if self.compare == "lt":
            return value < self.target
        if self.compare == "gt":
            return value > self.target
        return value == self.target


@dataclass(frozen=True)
class Trend:
    """The change since the previous window: an arrow, whether it is bad news, how much."""

    arrow: str  # "▲", "▼", or "=" when flat
    worse: bool | None  # None when flat
    amount: str  # the size of the change in the metric's units, "pts" for rates ("" when flat)

    def markup(self, *, amount: bool) -> str:
        """`[red]▲ 3[/]` (or just the arrow), green when the change is good news."""
        if self.worse is None:
            return self.arrow
        shown = f"{self.arrow} {self.amount}" if amount else self.arrow
        return f"[{'red' if self.worse else 'green'}]{shown}[/]"


def percent(share: float | None) -> str:
    """A share 0..1 for people: 40.0%, or 0% / 100% when exact; "-" for None."""
    if share is None:
        return "-"
    return f"{share:.0%}" if share in (0, 1) else f"{share:.1%}"


@dataclass(frozen=True)
class Metric:
    """One figure of the report: its JSON key, how people read it, its goal and direction.

    `unit` decides how a value is written: "count" (1,234), "minutes" (12.5), "rate"
    (40.0%, or 0% / 100% when exact) or "money" (USD 1,234).
    """

    key: str
    label: str  # in full: report rows
    short: str  # column heads
    unit: str = "count"
    goal: Goal | None = None
    lower_is_better: bool = False  # a rise is bad news: the trend arrow turns red

    def text(self, value: object, currency: str = "") -> str:
        """The value for people; "-" when there is nothing to measure."""
        if value is None:
            return "-"
        if self.unit == "rate":
            return percent(value)
        if self.unit == "money":
            return f"{currency} {value:,.0f}".strip()
        if self.unit == "minutes":
            return f"{value:,.1f}"
        return f"{value:,}"

    def meets_goal(self, value: float | None) -> bool | None:
        """Whether the value meets the goal; None without a goal or a value."""
        if self.goal is None or value is None:
            return None
        return self.goal.met_by(value)

    def value_markup(self, value: object, currency: str = "") -> str:
        """The value, green or red when it has a goal to meet or miss."""
        shown = self.text(value, currency)
        met = self.meets_goal(value)
        return shown if met is None else f"[{'green' if met else 'red'}]{shown}[/]"

    def goal_text(self) -> str:
        if self.goal is None:
            return ""
        target = self.goal.target
        shown = f"{target:.0%}" if self.unit == "rate" else f"{target:g}"
        return {"lt": "< ", "gt": "> ", "eq": ""}[self.goal.compare] + shown

    def trend(self, value: float | None, before: float | None) -> Trend | None:
        """The change from `before` to `value`; None when either is missing."""
        if value is None or before is None:
            return None
        change = value - before
        if abs(change) < 1e-9:
            return Trend("=", None, "")
        # A rate moves by percentage points: 40% -> 52.9% is "12.9 pts", never "12.9%".
        amount = f"{abs(change) * 100:.1f} pts" if self.unit == "rate" else self.text(abs(change))
        return Trend("▲" if change > 0 else "▼", (change > 0) == self.lower_is_better, amount)

    def trend_markup(self, value: float | None, before: float | None, *, amount: bool) -> str:
        """The trend as the CLI's and the Summary's cells write it ("" without both values)."""
        change = self.trend(value, before)
        return "" if change is None else change.markup(amount=amount)


_DEFAULT_GOALS = Goals()

# SPEC section 7's figures, in the order of the JSON keys of SPEC section 11 (plus the
# second-touch rate over qualified leads beside the SPEC's). Goals carry the built-in
# targets; `metrics_for(rules.goals)` gives the registry with the rules file's.
METRICS = (
    Metric("leads_in", "Leads in", "In"),
    Metric(
        "median_first_response_minutes",
        "Median 1st response (min)",
        "1st resp",
        unit="minutes",
        lower_is_better=True,
    ),
    Metric(
        "sla_miss_rate",
        "SLA miss rate",
        "SLA miss",
        unit="rate",
        goal=Goal("lt", _DEFAULT_GOALS.sla_miss_rate),
        lower_is_better=True,
    ),
    Metric(
        "second_touch_rate",
        "Second-touch rate",
        "2nd touch",
        unit="rate",
        goal=Goal("gt", _DEFAULT_GOALS.second_touch_rate),
    ),
    Metric(
        "qualified_second_touch_rate",
        "Second touch, qualified",
        "2nd q",
        unit="rate",
        goal=Goal("gt", _DEFAULT_GOALS.qualified_second_touch_rate),
    ),
    Metric(
        "unworked_24h",
        "Unworked > 24h",
        "Unworked",
        goal=Goal("eq", _DEFAULT_GOALS.unworked_24h),
        lower_is_better=True,
    ),
    Metric("followup_completion_rate", "Follow-up completion", "FU done", unit="rate"),
    Metric("missed_followups", "Missed follow-ups", "Missed", lower_is_better=True),
    Metric("overdue_now", "Overdue now", "Overdue", lower_is_better=True),
    Metric("calls", "Calls", "Calls"),
    Metric("connects", "Connects", "Conn"),
    Metric("talk_time_minutes", "Talk time (min)", "Talk", unit="minutes"),
    Metric("won", "Won", "Won"),
    Metric("leakage_cost", "Leakage cost", "Leak", unit="money", lower_is_better=True),
)
METRIC = {metric.key: metric for metric in METRICS}
METRIC_KEYS = tuple(METRIC)


def metrics_for(goals: Goals) -> tuple[Metric, ...]:
    """The registry with `goals`' targets (the rules file's `[goals]`)."""
    return tuple(
        m if m.goal is None else replace(m, goal=replace(m.goal, target=getattr(goals, m.key)))
        for m in METRICS
    )


def goals_of(metrics: tuple[Metric, ...]) -> dict[str, Goal]:
    """Metric key -> goal, for the metrics that have one."""
    return {metric.key: metric.goal for metric in metrics if metric.goal is not None}


GOALS = goals_of(METRICS)

CONVERSION_LOOKBACK = timedelta(days=90)


def rate(part: int, whole: int) -> float | None:
    """A share as a fraction 0..1; None when there is nothing to measure."""
    return part / whole if whole else None


@dataclass
class Tally:
    """The additive counts behind the metrics: tallies of groups sum to the team's."""

    leads_in: int = 0
    first_response_minutes: list[float] = field(default_factory=list)
    sla_due: int = 0  # leads created in the window whose SLA deadline is before now
    sla_missed: int = 0
    first_calls_open: int = 0  # leads whose first call (in the window) left them open
    second_touched: int = 0
    qualified: int = 0  # leads whose first qualifying call fell in the window
    qualified_touched: int = 0  # of those, called again before the window's end
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
    qualified_second_touch_rate: float | None
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
        qualified_second_touch_rate=rate(tally.qualified_touched, tally.qualified),
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


# --- speed to lead: conversion by first-response time and by touch -------------------------

# First-response buckets: (upper bound in minutes, inclusive; None: no bound, label).
RESPONSE_BUCKETS: tuple[tuple[float | None, str], ...] = (
    (5, "<= 5 m"),
    (15, "5-15 m"),
    (60, "15-60 m"),
    (240, "1-4 h"),
    (None, "> 4 h"),
)
# Touch numbers shown one by one; later touches are counted together as the last ("6+").
TOUCHES_SHOWN = 5


def response_bucket(minutes: float) -> str:
    """The bucket of a first response `minutes` long (the median's business time)."""
    for bound, label in RESPONSE_BUCKETS:
        if bound is None or minutes <= bound:
            return label
    raise AssertionError("the last bucket has no bound")


def touch_label(touch: int) -> str:
    """`1` .. `5`, then `6+` for every later touch."""
    return str(touch) if touch <= TOUCHES_SHOWN else f"{TOUCHES_SHOWN + 1}+"


TOUCH_LABELS = tuple(touch_label(n) for n in range(1, TOUCHES_SHOWN + 2))


@dataclass
class SpeedTally:
    """Speed to lead's counts over the window's leads with a first call: leads and
    conversions by first-response bucket, and by touch number (leads still unconverted at
    their n-th call, and those that call converted)."""

    response_leads: Counter = field(default_factory=Counter)
    response_converted: Counter = field(default_factory=Counter)
    touch_leads: Counter = field(default_factory=Counter)
    touch_converted: Counter = field(default_factory=Counter)


def tally_speed_kind(
    tally: SpeedTally, bucket: str, touches: int, converted_touch: int | None, *, leads: int
) -> None:
    """Count `leads` alike leads: first response in `bucket` (`response_bucket`'s),
    `touches` calls so far, converted at call number `converted_touch` (or None)."""
    tally.response_leads[bucket] += leads
    if converted_touch is not None:
        tally.response_converted[bucket] += leads
    # Touches while still unconverted: a converted lead's later calls are not chances to convert.
    reached = converted_touch if converted_touch is not None else touches
    for touch in range(1, min(reached, TOUCHES_SHOWN + 1) + 1):
        tally.touch_leads[touch_label(touch)] += leads
    if converted_touch is not None:
        tally.touch_converted[touch_label(converted_touch)] += leads


@dataclass(frozen=True)
class Conversion:
    """One row of speed to lead: leads, those converted, the rate (None: no leads)."""

    label: str
    leads: int
    converted: int

    @property
    def rate(self) -> float | None:
        return rate(self.converted, self.leads)

    def as_dict(self, key: str) -> dict[str, object]:
        return {
            key: self.label,
            "leads": self.leads,
            "converted": self.converted,
            "rate": self.rate,
        }


@dataclass(frozen=True)
class SpeedToLead:
    """Conversion (qualified or won) of the window's leads by first response and by touch."""

    by_first_response: tuple[Conversion, ...]
    by_touch: tuple[Conversion, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "by_first_response": [row.as_dict("bucket") for row in self.by_first_response],
            "by_touch": [row.as_dict("touch") for row in self.by_touch],
        }


def speed_to_lead(tally: SpeedTally) -> SpeedToLead:
    return SpeedToLead(
        by_first_response=tuple(
            Conversion(label, tally.response_leads[label], tally.response_converted[label])
            for _bound, label in RESPONSE_BUCKETS
        ),
        by_touch=tuple(
            Conversion(label, tally.touch_leads[label], tally.touch_converted[label])
            for label in TOUCH_LABELS
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
