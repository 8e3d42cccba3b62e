"""Report definitions (SPEC section 7): additive tallies, the metrics they give, goals, cost.

Pure: no database, no UI. `store/report_queries.py` fills tallies with SQL aggregates;
this module turns them into the figures a team lead reads.
"""

import math
from dataclasses import dataclass, field, fields
from datetime import timedelta
from statistics import median

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
