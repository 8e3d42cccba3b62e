"""The vocabulary of callq and the validated shape of the rules file (plain, frozen data)."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from callq.errors import UserError

OPEN_STAGES = ("new", "contacted", "qualified")
CLOSED_STAGES = ("won", "lost", "cold", "invalid", "dnc")
STAGES = OPEN_STAGES + CLOSED_STAGES
CHANNELS = ("phone", "web", "social", "referral", "email", "other")
URGENCIES = ("high", "normal", "low")
DATE_ORDERS = ("dmy", "mdy")
# A lead with no call this long after it arrived counts as unworked (SPEC 7, goal zero).
UNWORKED_AFTER = timedelta(hours=24)

# A closed interval of opening on one day, local wall-clock times (close > open).
OpeningSpan = tuple[time, time]


@dataclass(frozen=True)
class BusinessHours:
    """Opening spans per weekday (index 0 = Monday) and holidays, in the lead's timezone."""

    weekly: tuple[tuple[OpeningSpan, ...], ...]
    holidays: frozenset[date] = frozenset()

    def spans_on(self, day: date) -> tuple[OpeningSpan, ...]:
        if day in self.holidays:
            return ()
        return self.weekly[day.weekday()]

    def is_business_day(self, day: date) -> bool:
        return bool(self.spans_on(day))


@dataclass(frozen=True)
class Team:
    timezone: str = "UTC"
    region: str = "US"
    reps: tuple[str, ...] = ()
    late_after: timedelta = timedelta(hours=1)
    me: str | None = None
    date_order: str = "dmy"


@dataclass(frozen=True)
class Sla:
    by_channel: dict[str, timedelta]
    default: timedelta = timedelta(hours=1)
    escalate_after: timedelta = timedelta(hours=1)

    def target(self, channel: str) -> timedelta:
        return self.by_channel.get(channel, self.default)


@dataclass(frozen=True)
class Cadence:
    """Touch offsets from a lead's arrival; touch 1 is the first response."""

    touches: tuple[timedelta, ...]
    min_gap: timedelta = timedelta(hours=1)
    after_last: str = "cold"


@dataclass(frozen=True)
class Cost:
    avg_deal_value: float = 0.0
    cost_per_lead: float = 0.0
    currency: str = "USD"
    conversion_rate: float | None = None  # None: measured from won / closed leads


@dataclass(frozen=True)
class Outcome:
    id: str
    key: str
    label: str
    connected: bool
    next: object  # a callq.rules.timeexpr.NextStep
    next_text: str
    stage: str | None = None


@dataclass(frozen=True)
class Goals:
    """`[goals]`: the targets the report shows beside its figures (the seeds' numbers).

    Each is compared the way its metric reads (`callq.metrics`): SLA misses below,
    second touches above, unworked leads exactly.
    """

    sla_miss_rate: float = 0.10
    second_touch_rate: float = 0.90
    qualified_second_touch_rate: float = 0.90
    unworked_24h: int = 0


@dataclass(frozen=True)
class Notify:
    bell: bool = True


# The events a `[[hooks]]` entry can subscribe to (`on = [...]`), written to the outbox
# by the service that makes the change.
HOOK_EVENTS = (
    "lead_created",
    "lead_merged",
    "lead_reopened",
    "outcome_logged",
    "outcome_undone",
    "followup_missed",
    "lead_escalated",
    "lead_reassigned",
)


@dataclass(frozen=True)
class Hook:
    """One `[[hooks]]` entry: the events it wants and where they go (a command or a URL)."""

    name: str
    on: frozenset[str]
    command: tuple[str, ...] | None = None
    url: str | None = None
    secret: str = ""  # signs a URL hook's body (X-Callq-Signature)
    secret_file: str | None = None
    timeout: timedelta = timedelta(seconds=10)


@dataclass(frozen=True)
class Intake:
    """`[intake]`: how `callq serve` authenticates what it receives."""

    token_file: str | None = None
    google_key: str | None = None


@dataclass(frozen=True)
class Rules:
    team: Team
    hours: BusinessHours
    sla: Sla
    cadence: Cadence
    cost: Cost
    outcomes: tuple[Outcome, ...]
    dial_command: tuple[str, ...] | None = None
    notify: Notify = Notify()
    keys: dict[str, str] = field(default_factory=dict)
    goals: Goals = Goals()
    hooks: tuple[Hook, ...] = ()
    intake: Intake = Intake()

    def outcome(self, ref: str) -> Outcome:
        """An outcome by id (`no_answer`) or key (`1`)."""
        for outcome in self.outcomes:
            if ref in (outcome.id, outcome.key):
                return outcome
        known = ", ".join(f"{o.key}={o.id}" for o in self.outcomes)
        raise UnknownOutcome(f"unknown outcome {ref!r}; known: {known}")


class UnknownOutcome(UserError):
    """An outcome id or key that the rules do not define."""
