"""Message touches: render the lead's next message touch from its template, and log it
as sent (a touch of its own outcome, which schedules the next one).

Sending is the front end's part (`callq message`, the TUI's `m`): it runs the channel's
command, an argument list without a shell, or copies the text when the channel has none,
and only then logs the touch with `log_sent`.
"""

from dataclasses import dataclass
from datetime import datetime

from callq.errors import NotFound, UserError
from callq.rules.model import Rules
from callq.rules.templates import command_values, fill, message_values
from callq.services.common import lead_id_for
from callq.services.dnc import OnDoNotCallList, listed_sentence, listing_of_lead
from callq.services.outcomes import log_outcome
from callq.services.views import LoggedOutcome
from callq.store import compliance_rows
from callq.store.db import Database


@dataclass(frozen=True)
class Message:
    """A rendered message touch, ready to send."""

    lead_id: int
    name: str
    followup_id: int
    touch: int | None
    channel: str
    template: str
    text: str
    subject: str
    argv: list[str] | None  # the channel's command, filled; None: copy `text`


def prepare_message(
    db: Database, rules: Rules, lead_ref: str | int, *, rep: str, now: datetime
) -> Message:
    """The lead's next touch rendered; refused when it is a call, or the number is listed."""
    with db.read() as session:
        conn = session.connection()
        lead_id = lead_id_for(conn, lead_ref, rules)
        lead = compliance_rows.contact(conn, lead_id)
        if lead is None:
            raise NotFound(f"no lead with id {lead_id}")
        touch = compliance_rows.next_touch(conn, lead_id)
        listing = listing_of_lead(conn, lead_id)
    if listing is not None:
        sentence = listed_sentence(listing, rules, now)
        raise OnDoNotCallList(listing, f"{lead.name}: {sentence}; no message sent")
    if touch is None:
        raise UserError(f"{lead.name} has no next touch; nothing sent")
    if touch.channel is None:
        raise UserError(f"{lead.name}'s next touch is a call, not a message; nothing sent")
    template = rules.templates.get(touch.template or "")
    if template is None:
        raise UserError(
            f"the template {touch.template!r} of {lead.name}'s next touch is no longer in the "
            "rules; nothing sent"
        )
    if touch.channel == "email" and not lead.email:
        raise UserError(f"{lead.name} has no email address; nothing sent")
    values = message_values(
        name=lead.name,
        phone=lead.phone,
        email=lead.email,
        company=lead.company,
        interest=lead.interest,
        rep=rep,
        team=rules.team.name,
    )
    filled = command_values(template, values, lead.email)
    channel = rules.channels.get(touch.channel)
    argv = None
    if channel is not None and channel.command:
        argv = [fill(arg, filled) for arg in channel.command]
    return Message(
        lead_id=lead.id,
        name=lead.name,
        followup_id=touch.followup_id,
        touch=touch.touch,
        channel=touch.channel,
        template=template.name,
        text=filled["text"],
        subject=filled["subject"],
        argv=argv,
    )


def log_sent(
    db: Database, rules: Rules, message: Message, *, rep: str, now: datetime
) -> LoggedOutcome:
    """The touch as sent: a `message_sent` touch on its channel, which schedules the next
    touch; nothing is written if the follow-up changed since the message was prepared."""
    return log_outcome(
        db,
        rules,
        message.lead_id,
        "",
        rep=rep,
        now=now,
        note=f"{message.channel}:{message.template}",
        expected_followup_id=message.followup_id,
        channel=message.channel,
    )
