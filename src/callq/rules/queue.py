"""The queue's rules: a follow-up's section, when a lead escalates, the attempt n/N (pure).

Each is written once here and read by every surface: the queue service and the TUI's
first-paint reader (their SQL filters are built from `SECTION_BOUNDS`), `callq queue` and
`callq show`, the lead screen and the escalation flagger behind the report.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from callq.rules.hours import BusinessClock, escalation_at, zone_or_team
from callq.rules.model import Rules
from callq.rules.outcomes import cadence_outcome_ids

SECTIONS = ("new", "overdue", "today", "upcoming")  # top to bottom, as SPEC section 5
SECTION_TITLES = {"new": "New", "overdue": "Overdue", "today": "Due today", "upcoming": "Upcoming"}

FIRST_RESPONSE = "first_response"


@dataclass(frozen=True)
class SectionBounds:
    """A section as data: new leads or not, and the due_at range [since, before).

    `since` / `before` name an instant of the reading ("now", "day_end") or None for
    unbounded. `section_of` and the store's SQL filter are both read off this table.
    """

    first_response: bool
    since: str | None
    before: str | None


SECTION_BOUNDS = {
    "new": SectionBounds(True, None, None),
    "overdue": SectionBounds(False, None, "now"),
    "today": SectionBounds(False, "now", "day_end"),
    "upcoming": SectionBounds(False, "day_end", None),
}


def section_of(
    kind: str | None, due_at: datetime | None, *, now: datetime, day_end: datetime
) -> str | None:
    """The section of an open follow-up (`kind`, due at `due_at`); None: no follow-up.

    `day_end` is the end of the viewing rep's day (`hours.local_day_end`).
    """
    if due_at is None:
        return None
    instants = {"now": now, "day_end": day_end}
    for section, bounds in SECTION_BOUNDS.items():
        if (kind == FIRST_RESPONSE) != bounds.first_response:
            continue
        if bounds.since is not None and due_at < instants[bounds.since]:
            continue
        if bounds.before is not None and due_at >= instants[bounds.before]:
            continue
        return section
    raise AssertionError("SECTION_BOUNDS covers every follow-up")  # pragma: no cover


def lead_escalation_at(
    rules: Rules,
    *,
    source: str,
    created_at: datetime,
    tz: tzinfo,
    clock: BusinessClock | None = None,
) -> datetime:
    """When an uncontacted lead escalates: `escalate_after` past its SLA deadline.

    Both are business time counted from the lead's arrival: rescheduling its first
    response moves neither (the SLA is a promise about the lead, not the follow-up).
    """
    return escalation_at(rules.sla, rules.hours, source, created_at, tz, clock=clock)


def is_escalated(
    rules: Rules,
    *,
    source: str,
    created_at: datetime,
    first_touch_at: datetime | None,
    escalated_at: datetime | None,
    tz: tzinfo,
    now: datetime,
) -> bool:
    """Still uncontacted at its escalation instant (flagged already, or due by now).

    A call ends it: the flag the report set stays on the lead as history, but a contacted
    lead is not escalated on any surface, whether or not a report ran before the call.
    """
    if first_touch_at is not None:
        return False
    if escalated_at is not None:
        return True
    # Business time never runs faster than the clock: a young lead cannot be due yet.
    if now - created_at < rules.sla.target(source) + rules.sla.escalate_after:
        return False
    return lead_escalation_at(rules, source=source, created_at=created_at, tz=tz) <= now


def cadence_calls(rules: Rules, outcomes: Iterable[str]) -> int:
    """How many of a lead's calls (their outcome ids) count as cadence touches."""
    return _count_in(outcomes, frozenset(cadence_outcome_ids(rules)))


def _count_in(outcomes: Iterable[str], ids: frozenset[str]) -> int:
    return sum(1 for outcome in outcomes if outcome in ids)


def attempt_number(cadence_calls_so_far: int) -> int:
    """The attempt the rep is about to make: the cadence touch the next call is.

    Touch 1 is the first response; each call with a `cadence` outcome uses up one touch
    (SPEC: the n-th such call schedules touch n+1), so this is the number the outcome's
    toast showed ("touch 3/5"). A busy retry or a callback uses none; an undone call is
    gone and counts nowhere.
    """
    return cadence_calls_so_far + 1


def attempts_total(rules: Rules) -> int:
    """N of `attempt n/N`: the cadence's touches."""
    return len(rules.cadence.touches)


@dataclass(frozen=True)
class QueueItem:
    """One row of the queue, as every surface shows it."""

    followup_id: int
    lead_id: int
    name: str
    phone: str
    company: str
    source: str
    stage: str
    owner: str | None
    urgency: str
    section: str  # new | overdue | today | upcoming
    due_at: datetime
    kind: str
    touch: int  # attempt n: `attempt_number`, the cadence touch the next call is
    touches_total: int
    late_minutes: int
    last_outcome: str | None  # the outcome's id (JSON); `last_label` is what people read
    last_note: str
    escalated: bool
    channel: str | None = None  # the message channel of a message touch (None: a call)
    last_label: str | None = None  # the last outcome as the rules call it

    def last_text(self) -> str:
        """The "last outcome: note" column, the same in the TUI and the CLI."""
        last = self.last_label or ""
        if self.last_note:
            return f"{last}: {self.last_note}" if last else self.last_note
        return last


def queue_items(
    rules: Rules, rows: Iterable[Mapping], *, section: str, now: datetime
) -> list[QueueItem]:
    """Queue rows from the facts the rows of the queue query hold (`store.queue_query`)."""
    cadence = frozenset(cadence_outcome_ids(rules))
    return [_queue_item(rules, row, cadence, section=section, now=now) for row in rows]


def _queue_item(
    rules: Rules, row: Mapping, cadence: frozenset[str], *, section: str, now: datetime
) -> QueueItem:
    due_at = row["due_at"]
    late = (now - due_at) // timedelta(minutes=1)
    outcomes = row["outcomes"].split(",") if row["outcomes"] else ()
    touch = attempt_number(_count_in(outcomes, cadence))
    message = rules.cadence.message(touch) if row["kind"] == "cadence" else None
    return QueueItem(
        followup_id=row["followup_id"],
        lead_id=row["lead_id"],
        name=row["name"],
        phone=row["phone"],
        company=row["company"],
        source=row["source"],
        stage=row["stage"],
        owner=row["owner"],
        urgency=row["urgency"],
        section=section,
        due_at=due_at,
        kind=row["kind"],
        touch=touch,
        touches_total=attempts_total(rules),
        late_minutes=max(0, late),
        last_outcome=row["last_outcome"],
        last_label=rules.outcome_label(row["last_outcome"]) if row["last_outcome"] else None,
        last_note=row["last_note"] or "",
        escalated=is_escalated(
            rules,
            source=row["source"],
            created_at=row["created_at"],
            first_touch_at=row["first_touch_at"],
            escalated_at=row["escalated_at"],
            tz=zone_or_team(row["timezone"], rules),
            now=now,
        ),
        channel=message.channel if message else None,
    )
