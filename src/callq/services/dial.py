"""Dialling a lead: the checks every dial makes (do-not-call list, the lead's calling
window), the configured dial command's arguments, and a forced dial's reason on the
timeline. `callq dial` and the TUI's `d` both ask `prepare_dial`: one definition."""

from dataclasses import dataclass
from datetime import datetime

from callq.errors import NotFound, UserError
from callq.phones import PhoneError, normalise_phone
from callq.rules.compliance import closed_sentence, window_closed
from callq.rules.hours import zone_or_team
from callq.rules.model import Rules
from callq.services.common import lead_id_for
from callq.services.dnc import OnDoNotCallList, listed_sentence, listing_of_lead
from callq.store import compliance_rows
from callq.store.db import Database
from callq.store.outcome_rows import rep_by_name
from callq.store.timeline import insert_events


class OutsideCallWindow(UserError):
    """Outside the lead's calling window: nothing was dialled (`--force --reason` to call)."""


def dial_argv(command: tuple[str, ...], phone: str, region: str) -> list[str]:
    """The dial command's arguments with `{phone}` as a validated E.164 number (PhoneError).

    An argument list, run without a shell: a number can never become a command."""
    e164 = normalise_phone(phone, region)
    if not e164.startswith("+") or not e164[1:].isdigit():
        raise PhoneError(f"{phone!r} is not a dialable E.164 number")
    return [arg.replace("{phone}", e164) for arg in command]


@dataclass(frozen=True)
class Dial:
    """A dial that may go ahead: the command to run (None: copy the number instead)."""

    lead_id: int
    name: str
    phone: str
    argv: list[str] | None
    forced: bool = False


def prepare_dial(
    db: Database,
    rules: Rules,
    lead_ref: str | int,
    *,
    rep: str,
    now: datetime,
    force: bool = False,
    reason: str = "",
    dry_run: bool = False,
) -> Dial:
    """Check that the lead may be called now and say how.

    A listed number is refused always (release it with `callq dnc remove` first); outside
    the lead's calling window only `force` with a reason dials, and the reason goes on the
    timeline (`dial_forced`) unless this is a dry run. Refusals raise and write nothing.
    """
    if force and not reason.strip():
        raise UserError("--force needs --reason: say why this call cannot wait")
    with db.write_connection() as conn:
        lead_id = lead_id_for(conn, lead_ref, rules)
        lead = compliance_rows.contact(conn, lead_id)
        if lead is None:
            raise NotFound(f"no lead with id {lead_id}")
        listing = listing_of_lead(conn, lead_id)
        if listing is not None:
            sentence = listed_sentence(listing, rules, now)
            raise OnDoNotCallList(listing, f"{lead.name}: {sentence}; not dialled")
        tz = zone_or_team(lead.timezone, rules)
        closed = window_closed(rules, now, tz)
        if closed is not None and not force:
            raise OutsideCallWindow(
                f"{closed_sentence(lead.name, closed, tz, now)}; not dialled "
                "(--force --reason to call anyway)"
            )
        try:
            argv = (
                dial_argv(rules.dial_command, lead.phone, rules.team.region)
                if (rules.dial_command)
                else None
            )
        except PhoneError as error:
            raise UserError(str(error)) from None
        forced = closed is not None
        if forced and not dry_run:
            actor = rep_by_name(conn, rep)
            detail = {"reason": reason.strip(), "by": rep, "local_time": closed.local}
            insert_events(
                conn,
                lead_id=lead_id,
                at=now,
                rep_id=actor.id if actor else None,
                events=[("dial_forced", detail)],
            )
    return Dial(lead_id, lead.name, lead.phone, argv, forced)
