"""Report definitions (SPEC section 7): additive tallies, the metrics they give, goals, cost.

Pure: no database, no UI. `store/report_queries.py` fills tallies with SQL aggregates;
this module turns them into the figures a team lead reads.
"""

import math
from dataclasses import dataclass, field, fields
from datetime import timedelta
from statistics import median


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
    amount: str  # the size of the change in the metric's units ("" when flat)

    def markup(self, *, amount: bool) -> str:
        """`[red]▲ 3[/]` (or just the arrow), green when the change is good news."""
        if self.worse is None:
            return self.arrow
        shown = f"{self.arrow} {self.amount}" if amount else self.arrow
        return f"[{'red' if self.worse else 'green'}]{shown}[/]"


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
            return f"{value:.0%}" if value in (0, 1) else f"{value:.1%}"
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
        amount = f"{abs(change):.1%}" if self.unit == "rate" else self.text(abs(change))
        return Trend("▲" if change > 0 else "▼", (change > 0) == self.lower_is_better, amount)

    def trend_markup(self, value: float | None, before: float | None, *, amount: bool) -> str:
        """The trend as the CLI's and the Summary's cells write it ("" without both values)."""
        change = self.trend(value, before)
        return "" if change is None else change.markup(amount=amount)


# SPEC section 7's figures, in the order of the JSON keys of SPEC section 11.
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
        goal=Goal("lt", 0.10),
        lower_is_better=True,
    ),
    Metric(
        "second_touch_rate", "Second-touch rate", "2nd touch", unit="rate", goal=Goal("gt", 0.90)
    ),
    Metric("unworked_24h", "Unworked > 24h", "Unworked", goal=Goal("eq", 0), lower_is_better=True),
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
GOALS = {metric.key: metric.goal for metric in METRICS if metric.goal is not None}

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
