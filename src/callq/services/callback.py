"""A typed callback time -> an instant, in the rep's (or the lead's) local time."""

from datetime import datetime

from callq.rules.model import Rules
from callq.rules.phrases import Callback, CallbackError, parse_callback, split_their_time
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
    """The instant `text` names for this lead, with the business-hours warning.

    Business hours are the lead's (SPEC 4): they pick between the readings of `3:30` and
    decide the warning, whichever zone the time was typed in.
    """
    text, said_theirs = split_their_time(text)
    hours_tz = lead_zone(lead, rules)
    tz = hours_tz if (their_time or said_theirs) else rep_zone(rep, rules)
    return parse_callback(
        text,
        now=now,
        tz=tz,
        hours=rules.hours,
        date_order=rules.team.date_order,
        hours_tz=hours_tz,
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
