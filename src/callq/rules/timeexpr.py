"""Time expressions of the rules file (`30m`, `2bd@11:00`, `cadence`, `ask:1d@10:00`, `none`).

Parsing is pure text -> value; `resolve` turns a concrete expression into an instant using
business hours (see `callq.rules.hours`).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from callq.errors import UserError

_UNITS = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_DURATION = re.compile(r"(\d{1,5})(m|h|d|w)")
_AT = r"@([01]?\d|2[0-3]):([0-5]\d)"
_DAY_AT = re.compile(r"(\d{1,3})d" + _AT)
_BUSINESS_DAYS = re.compile(r"(\d{1,3})bd(?:" + _AT + r")?")


class TimeExprError(UserError):
    """Text that is not a time expression; the message says what is accepted."""


@dataclass(frozen=True)
class After:
    """`30m`, `2h`, `3d`, `1w`: that long after the call."""

    delta: timedelta


@dataclass(frozen=True)
class BusinessDaysLater:
    """`2bd` (same time of day) or `2bd@11:00`: n business days later."""

    days: int
    at: time | None = None


@dataclass(frozen=True)
class DayAt:
    """`1d@10:00`, `0d@16:00`: n calendar days later at that local time."""

    days: int
    at: time


@dataclass(frozen=True)
class CadenceStep:
    """`cadence`: the next touch of `[cadence] touches`."""


@dataclass(frozen=True)
class Ask:
    """`ask` / `ask:EXPR`: the rep chooses; `suggestion` pre-fills the form."""

    suggestion: "After | BusinessDaysLater | DayAt | CadenceStep | None" = None


@dataclass(frozen=True)
class NoNext:
    """`none`: no next follow-up (only with a closed stage)."""


ConcreteExpr = After | BusinessDaysLater | DayAt
NextStep = ConcreteExpr | CadenceStep | Ask | NoNext

ACCEPTED = "30m, 2h, 3d, 1w, 2bd, 2bd@11:00, 1d@10:00, cadence, ask, ask:EXPR or none"


def parse_duration(text: str) -> timedelta:
    """`5m`, `1h`, `2d`, `1w` -> timedelta (also used for SLA targets and gaps)."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not match:
        raise TimeExprError(f"{text!r} is not a duration (use e.g. 30m, 2h, 3d, 1w)")
    return int(match.group(1)) * _UNITS[match.group(2)]


def parse_time_expr(text: str) -> ConcreteExpr:
    """A concrete expression: `30m`, `2bd`, `2bd@11:00`, `1d@10:00`."""
    cleaned = text.strip().lower()
    if match := _DAY_AT.fullmatch(cleaned):
        return DayAt(int(match.group(1)), time(int(match.group(2)), int(match.group(3))))
    if match := _BUSINESS_DAYS.fullmatch(cleaned):
        at = time(int(match.group(2)), int(match.group(3))) if match.group(2) else None
        return BusinessDaysLater(int(match.group(1)), at)
    if _DURATION.fullmatch(cleaned):
        return After(parse_duration(cleaned))
    raise TimeExprError(f"{text!r} is not a time expression (use e.g. 30m, 2h, 2bd, 1d@10:00)")


def parse_rule_expr(text: str) -> NextStep:
    """Any `next =` value of an outcome rule."""
    cleaned = text.strip().lower()
    if cleaned == "none":
        return NoNext()
    if cleaned == "cadence":
        return CadenceStep()
    if cleaned == "ask":
        return Ask()
    if cleaned.startswith("ask:"):
        inner = cleaned[4:].strip()
        suggestion = CadenceStep() if inner == "cadence" else _concrete_or_error(inner)
        return Ask(suggestion)
    try:
        return parse_time_expr(cleaned)
    except TimeExprError:
        raise TimeExprError(f"{text!r} is not a rule expression (use {ACCEPTED})") from None


def _concrete_or_error(text: str) -> ConcreteExpr:
    try:
        return parse_time_expr(text)
    except TimeExprError:
        raise TimeExprError(
            f"ask:{text} has no valid suggestion (use e.g. ask:1d@10:00, ask:2h)"
        ) from None


def resolve(expr: ConcreteExpr, *, start: datetime, tz, hours, snap: bool = True) -> datetime:
    """The instant `expr` names, counted from `start` (aware), in timezone `tz`.

    With `snap`, a time outside business hours moves forward to the next opening
    (rules do this; a time a rep typed explicitly is kept as typed).
    """
    from callq.rules import hours as business

    local = start.astimezone(tz)
    if isinstance(expr, After):
        result = (start + expr.delta).astimezone(UTC)
    elif isinstance(expr, DayAt):
        day = local.date() + timedelta(days=expr.days)
        result = business.local_instant(day, expr.at, tz)
    elif isinstance(expr, BusinessDaysLater):
        day = business.add_business_days(hours, local.date(), expr.days)
        at = expr.at or local.time().replace(second=0, microsecond=0)
        result = business.local_instant(day, at, tz)
    else:  # pragma: no cover - the type union is closed
        raise TypeError(expr)
    return business.next_opening(hours, result, tz) if snap else result


def format_duration(delta: timedelta) -> str:
    """Shortest exact text for a duration, the inverse of `parse_duration` where possible."""
    minutes = int(delta.total_seconds() // 60)
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"
