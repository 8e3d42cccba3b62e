"""A typed callback time -> an instant, in the rep's (or the lead's) local time."""

from datetime import datetime

from callq.rules.model import Rules
from callq.rules.phrases import Callback, CallbackError, read_typed_callback
from callq.services.common import find_lead, lead_zone, rep_zone
from callq.store import queries
from callq.store.db import Database
from callq.store.models import Lead, Rep
from callq.wording import typeable


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
            raise CallbackError(f"{typeable(when, when.tzinfo)} is in the past")
        return when
    return callback_for(when, rules, lead=lead, rep=rep, now=now, their_time=their_time).at


def callback_for(
    text: str,
    rules: Rules,
    *,
    lead: Lead,
    rep: Rep | None,
    now: datetime,
    their_time: bool = False,
) -> Callback:
    """The instant `text` names for this lead, with the business-hours warning
    (`rules.phrases.read_typed_callback`, which the TUI's time field reads with too)."""
    return read_typed_callback(
        text,
        now=now,
        rep_tz=rep_zone(rep, rules),
        lead_tz=lead_zone(lead, rules),
        hours=rules.hours,
        date_order=rules.team.date_order,
        their_time=their_time,
    )


def read_callback(
    db: Database,
    rules: Rules,
    lead_ref: str,
    text: str,
    *,
    rep: str,
    now: datetime,
    their_time: bool = False,
) -> Callback:
    """What the CLI's `--callback` / `reschedule` text means for this lead; writes nothing.

    The CLI reads the time first, as the TUI's time field does, so it can print the
    warning; the instant then goes to the service that saves it.
    """
    with db.read() as session:
        lead = find_lead(session, lead_ref, rules)
        actor = queries.rep_by_name(session, rep)
        return callback_for(text, rules, lead=lead, rep=actor, now=now, their_time=their_time)
