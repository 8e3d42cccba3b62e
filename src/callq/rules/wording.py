"""How callq writes a day, a clock time and an instant: one definition for every message.

The front ends take these through `callq.wording`; they live under `rules/` because the
rules' own messages (a callback's business-hours warning, a refused callback time) use
them too, and `rules` imports nothing above itself. Names are fixed English, never the
locale's `strftime("%a")`, so the CLI, the TUI and the tests read the same everywhere.
"""

from datetime import UTC, date, datetime, time, tzinfo

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def clock(at: datetime | time, tz: tzinfo | None = None) -> str:
    """`14:00`: a time of day; an instant is shown in `tz` when one is given."""
    if isinstance(at, datetime) and tz is not None:
        at = at.astimezone(tz)
    return f"{at.hour:02d}:{at.minute:02d}"


def day(value: date, today: date | None = None) -> str:
    """`Mon 23 Nov`, with the year (`Fri 1 Jan 2027`) when it is not `today`'s year."""
    label = f"{DAY_NAMES[value.weekday()]} {value.day} {MONTH_NAMES[value.month - 1]}"
    return label if today is None or value.year == today.year else f"{label} {value.year}"


def dated(value: date) -> str:
    """`Sun 1 Nov 2026`: a day with its year always (a message about one exact date)."""
    return f"{day(value)} {value.year}"


def when(instant: datetime | None, tz: tzinfo, now: datetime | None) -> str:
    """`Mon 23 Nov 14:00` in `tz`; the year shows whenever it is not `now`'s year there.

    `None` reads `-` (no follow-up, never called). `now` is the clock of the caller; `None`
    only where no year can be meant (a clock on screen, never a stored instant).
    """
    if instant is None:
        return "-"
    local = instant.astimezone(tz)
    today = now.astimezone(tz).date() if now is not None else None
    return f"{day(local.date(), today)} {clock(local)}"


def weekday_clock(instant: datetime, tz: tzinfo) -> str:
    """`Mon 14:00`: an instant within the coming week, in `tz`."""
    local = instant.astimezone(tz)
    return f"{DAY_NAMES[local.weekday()]} {clock(local)}"


def typeable(instant: datetime, tz: tzinfo) -> str:
    """`2026-11-24 10:00` in `tz`: the form a rep can type back into a time field."""
    local = instant.astimezone(tz)
    return f"{local.date().isoformat()} {clock(local)}"


def preview(instant: datetime, tz: tzinfo, now: datetime) -> str:
    """`today 15:00 (in 3 h)`, `tomorrow 09:00`, `Wed 25 Nov 10:00 (in 2 d)`: what a typed
    callback time means, said relative to `now`."""
    instant, now = instant.astimezone(UTC), now.astimezone(UTC)
    local = instant.astimezone(tz)
    today = now.astimezone(tz).date()
    days = (local.date() - today).days
    if days == 1:
        return f"tomorrow {clock(local)}"
    if days == 0:
        minutes = round((instant - now).total_seconds() / 60)
        hours, rest = divmod(abs(minutes), 60)
        span = " ".join(f"{n} {unit}" for n, unit in ((hours, "h"), (rest, "min")) if n)
        relative = "now" if not span else f"in {span}" if minutes > 0 else f"{span} ago"
        return f"today {clock(local)} ({relative})"
    relative = f"in {days} d" if days > 0 else f"{-days} d ago"
    return f"{day(local.date(), today)} {clock(local)} ({relative})"
