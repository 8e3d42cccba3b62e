"""Calling windows: whether a lead may be called now, in the lead's own time (pure).

`[compliance] call_window` is per weekday, like business hours, and read in the lead's
timezone. Where the rules put a follow-up (hours and window both open) is
`rules.hours.next_callable`; this module answers the dial's question and says why not.
"""

from dataclasses import dataclass
from datetime import datetime, tzinfo

from callq.rules.hours import is_open, next_opening
from callq.rules.model import Rules
from callq.rules.wording import weekday_clock, when


@dataclass(frozen=True)
class WindowClosed:
    """Outside the lead's calling window: their local time and when it opens (UTC)."""

    local: datetime  # now, in the lead's zone
    opens_at: datetime | None  # None: the window never opens again


def window_closed(rules: Rules, now: datetime, tz: tzinfo) -> WindowClosed | None:
    """None when the lead may be called at `now`, else what the refusal says."""
    window = rules.compliance.call_window
    if window is None or is_open(window, now, tz):
        return None
    opens = next_opening(window, now, tz)
    return WindowClosed(now.astimezone(tz), opens if is_open(window, opens, tz) else None)


def closed_sentence(name: str, closed: WindowClosed, tz: tzinfo, now: datetime) -> str:
    """`it is Tue 23:40 for Ravi (Asia/Kolkata); their calling window opens Wed 09:00
    (in 9h20)`."""
    local = f"it is {weekday_clock(closed.local, tz)} for {name} ({tz})"
    if closed.opens_at is None:
        return f"{local}; their calling window never opens"
    minutes = int((closed.opens_at - now).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    wait = f"{hours}h{rest:02d}" if hours else f"{rest}m"
    return f"{local}; their calling window opens {when(closed.opens_at, tz, now)} (in {wait})"
