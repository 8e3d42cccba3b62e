"""A typed callback time -> an instant, in the rep's (or the lead's) local time."""

from datetime import datetime

from callq.phrases import parse_callback
from callq.rules.model import Rules
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
    """Parse what the rep typed (CallbackError if ambiguous or past); datetimes pass through."""
    if isinstance(when, datetime):
        return when
    tz = lead_zone(lead, rules) if their_time else rep_zone(rep, rules)
    return parse_callback(when, now=now, tz=tz, hours=rules.hours, date_order=rules.team.date_order)
