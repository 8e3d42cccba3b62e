"""The vocabulary of callq and the validated shape of the rules file (plain, frozen data)."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from callq.errors import UserError
from callq.rules.fields import FieldSpec

OPEN_STAGES = ("new", "contacted", "qualified")
CLOSED_STAGES = ("won", "lost", "cold", "invalid", "dnc")
CONVERTED_STAGES = ("qualified", "won")  # a converted lead (speed to lead)
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
    name: str = ""  # the team's name, for message templates ({team})


@dataclass(frozen=True)
class Sla:
    by_channel: dict[str, timedelta]
    default: timedelta = timedelta(hours=1)
    escalate_after: timedelta = timedelta(hours=1)

    def target(self, channel: str) -> timedelta:
        return self.by_channel.get(channel, self.default)


@dataclass(frozen=True)
class TouchMessage:
    """A cadence touch sent as a message: `"2d sms:reminder"` is channel sms, template reminder."""

    channel: str
    template: str


@dataclass(frozen=True)
class Cadence:
    """Touch offsets from a lead's arrival; touch 1 is the first response."""

    touches: tuple[timedelta, ...]
    min_gap: timedelta = timedelta(hours=1)
    after_last: str = "cold"
    # Per touch (index touch - 1): the message it is, or None for a call. Shorter than
    # `touches` (or empty) means the rest are calls.
    messages: tuple[TouchMessage | None, ...] = ()
    # A lead closed as `cold` this long ago comes back to New (None: never).
    reopen_after: timedelta | None = None

    def message(self, touch: int | None) -> TouchMessage | None:
        """The message touch `touch` (1-based) is, or None when it is a call."""
        if touch is None or not 1 <= touch <= len(self.messages):
            return None
        return self.messages[touch - 1]


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


# Message channels a cadence touch may name without a `[channels.NAME]` table (then
# `m` copies the text for the rep to send); a table names more, or gives a command.
MESSAGE_CHANNELS = ("sms", "whatsapp", "email")
# What a template's text may use, and what a channel's command may use besides.
TEMPLATE_PLACEHOLDERS = ("first_name", "name", "rep", "team", "company", "interest", "phone")
COMMAND_PLACEHOLDERS = (
    "phone",
    "phone_digits",
    "email",
    "text",
    "text_url",
    "subject",
    "subject_url",
)


@dataclass(frozen=True)
class Channel:
    """`[channels.NAME]`: the command that sends a message (None: copy the text)."""

    name: str
    command: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Template:
    """`[templates.NAME]`: a message's text (and subject, for email) with placeholders."""

    name: str
    text: str
    subject: str = ""


@dataclass(frozen=True)
class Compliance:
    """`[compliance]`: when a lead may be called, in the lead's own timezone
    (None: any hour). Per-weekday spans, like business hours."""

    call_window: BusinessHours | None = None


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
    "lead_edited",
    "note_added",
    "followup_rescheduled",
    "lead_claimed",
    "lead_released",
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
class RoutingRule:
    """`[[routing]]`: new leads matching `when` go to the reps in `to` in turn (first
    matching rule wins); `weights` gives a rep more turns, `max_open` skips a rep with
    that many open follow-ups."""

    when: dict[str, tuple[str, ...]]  # source / interest / urgency -> accepted values
    to: tuple[str, ...]
    weights: dict[str, int] = field(default_factory=dict)
    max_open: int | None = None


ESCALATION_ACTIONS = ("flag", "reassign")


@dataclass(frozen=True)
class Escalation:
    """`[escalation]`: what a due escalation does. `flag` marks the lead; `reassign` also
    moves it `to` "next" (the next available rep in the rotation), "pool" (no owner,
    in every rep's New) or a rep's name; `notify` (apprise URLs) and `command` hear of it."""

    action: str = "flag"
    to: str = "next"
    notify: tuple[str, ...] = ()
    command: tuple[str, ...] | None = None


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
    compliance: Compliance = Compliance()
    channels: dict[str, Channel] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    routing: tuple[RoutingRule, ...] = ()  # `[[routing]]`, in file order
    escalation: Escalation = Escalation()
    fields: dict[str, FieldSpec] = field(default_factory=dict)  # `[fields]`, by name

    def outcome_label(self, outcome_id: str) -> str:
        """How an outcome is called on every surface: its label, or, for an id these rules
        no longer define (an older call), the id in words."""
        for outcome in self.outcomes:
            if outcome.id == outcome_id:
                return outcome.label
        return outcome_id.replace("_", " ")

    def converting_outcomes(self) -> dict[str, str]:
        """Outcome id -> stage of the outcomes that convert a lead (qualify or win it)."""
        return {o.id: o.stage for o in self.outcomes if o.stage in CONVERTED_STAGES}

    def outcome(self, ref: str) -> Outcome:
        """An outcome by id (`no_answer`) or key (`1`)."""
        for outcome in self.outcomes:
            if ref in (outcome.id, outcome.key):
                return outcome
        known = ", ".join(f"{o.key}={o.id}" for o in self.outcomes)
        raise UnknownOutcome(f"unknown outcome {ref!r}; known: {known}")


class UnknownOutcome(UserError):
    """An outcome id or key that the rules do not define."""
