"""A typed callback time -> an instant, in the rep's (or the lead's) local time."""

from datetime import datetime

from callq.rules.model import Rules
from callq.rules.phrases import CallbackError, parse_callback, split_their_time
from callq.services.common import lead_zone, rep_zone
from callq.store.models import Lead, Rep


def callback_instant(
    when: str | datetime,
    rules: Rules,
    *,
    lead: Lead,
    rep: Rep | None,
    now: datetime,
    their_time: bool = False,
) -> datetime:
    """Parse what the rep typed (CallbackError if ambiguous or past).

    The rep's local time applies unless `their_time` is set or the text ends with
    "their time", which means the lead's timezone.
    """
    if isinstance(when, datetime):
        if when < now:
            raise CallbackError(f"{when:%Y-%m-%d %H:%M} is in the past")
        return when
    text, said_theirs = split_their_time(when)
    tz = lead_zone(lead, rules) if (their_time or said_theirs) else rep_zone(rep, rules)
    return parse_callback(text, now=now, tz=tz, hours=rules.hours, date_order=rules.team.date_order)
