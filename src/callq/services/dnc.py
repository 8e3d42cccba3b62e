"""Do-not-call intents: list, release, import and read numbers; the refusal every path
that would create, reopen or dial a listed number raises (one definition).

The list is kept by number, not by lead: a number asked not to be called stays listed
whoever adds it again. Each change to a lead's number is an event on that lead's timeline;
the `dnc` rows themselves keep who listed or released a number, when and why.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from callq.errors import Conflict, NotFound, UserError
from callq.phones import PhoneError, normalise_phone
from callq.rules.hours import zone
from callq.rules.model import Rules
from callq.rules.text import require_storable
from callq.rules.wording import when
from callq.store import compliance_rows
from callq.store.compliance_rows import Listing
from callq.store.db import Database
from callq.store.outcome_rows import rep_by_name
from callq.store.queries import leads_with_phone
from callq.store.timeline import insert_events


class OnDoNotCallList(Conflict):
    """A listed number: nothing is created, reopened or dialled (intake answers 409)."""

    def __init__(self, listing: Listing, sentence: str) -> None:
        super().__init__(sentence)
        self.listing = listing


def listed_sentence(listing: Listing, rules: Rules, now: datetime) -> str:
    """`+919845100001 is on the do-not-call list since Mon 23 Nov 14:00 (asked; by asha)`."""
    why = "; ".join(
        part for part in (listing.reason, f"by {listing.by}" if listing.by else "") if part
    )
    since = when(listing.added_at, zone(rules.team.timezone), now)
    return f"{listing.phone} is on the do-not-call list since {since}" + (
        f" ({why})" if why else ""
    )


def refuse_listed(conn: Connection, phones: list[str], rules: Rules, now: datetime) -> None:
    """Raise OnDoNotCallList when any of `phones` is listed."""
    found = compliance_rows.listed(conn, phones)
    for phone in phones:
        if phone in found:
            listing = found[phone]
            raise OnDoNotCallList(listing, listed_sentence(listing, rules, now))


def listing_of_lead(conn: Connection, lead_id: int) -> Listing | None:
    """The first listed number of a lead (its phone before its other phones), if any."""
    numbers = compliance_rows.lead_numbers(conn, lead_id)
    found = compliance_rows.listed(conn, numbers)
    return next((found[number] for number in numbers if number in found), None)


def list_lead_numbers(
    conn: Connection, lead_id: int, *, reason: str, by: str, rep_id: int | None, now: datetime
) -> list[str]:
    """List every number of a lead not listed yet (a `dnc`-stage outcome); returns them."""
    numbers = compliance_rows.lead_numbers(conn, lead_id)
    already = compliance_rows.listed(conn, numbers)
    new = [number for number in numbers if number not in already]
    compliance_rows.add(conn, [Listing(number, now, reason, by) for number in new])
    if new:
        detail = {"phones": new, "reason": reason, "by": by}
        insert_events(conn, lead_id=lead_id, at=now, rep_id=rep_id, events=[("dnc_added", detail)])
    return new


def _number(raw: str, rules: Rules) -> str:
    try:
        return normalise_phone(raw, rules.team.region)
    except PhoneError as error:
        raise UserError(str(error)) from None


def _log_on_leads(
    conn: Connection, phones: list[str], type: str, detail: dict, *, by: str, now: datetime
) -> None:
    """The change on the timeline of every lead having one of these numbers."""
    actor = rep_by_name(conn, by) if by else None
    for phone in phones:
        for row in leads_with_phone(conn, phone):
            insert_events(
                conn,
                lead_id=row.id,
                at=now,
                rep_id=actor.id if actor else None,
                events=[(type, {"phones": [phone], **detail, "by": by})],
            )


def add_number(
    db: Database, rules: Rules, raw: str, *, reason: str, by: str, now: datetime
) -> Listing:
    """List one number; refused (nothing changed) when it is listed already."""
    require_storable("the reason", reason)
    phone = _number(raw, rules)
    with db.write_connection() as conn:
        found = compliance_rows.listed(conn, [phone])
        if phone in found:
            raise UserError(f"{listed_sentence(found[phone], rules, now)} already; nothing changed")
        listing = Listing(phone, now, reason.strip(), by)
        compliance_rows.add(conn, [listing])
        _log_on_leads(conn, [phone], "dnc_added", {"reason": listing.reason}, by=by, now=now)
    return listing


def remove_number(
    db: Database, rules: Rules, raw: str, *, reason: str, by: str, now: datetime
) -> str:
    """Release a listed number; the reason is required and kept with the listing."""
    require_storable("the reason", reason)
    if not reason.strip():
        raise UserError("say why the number may be called again (--reason)")
    phone = _number(raw, rules)
    with db.write_connection() as conn:
        if not compliance_rows.remove(conn, phone, at=now, reason=reason.strip(), by=by):
            raise NotFound(f"{phone} is not on the do-not-call list; nothing changed")
        _log_on_leads(conn, [phone], "dnc_removed", {"reason": reason.strip()}, by=by, now=now)
    return phone


@dataclass(frozen=True)
class DncImport:
    added: int
    already: int  # listed before (or twice in the file)
    rejected: list[tuple[int, str]]  # (line, why) of lines that are not a number


def import_numbers(
    db: Database, rules: Rules, path: Path, *, by: str, now: datetime, reason: str = ""
) -> DncImport:
    """One number a line, or a CSV with a `phone` column; all in one transaction."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read {path}: {error}") from None
    require_storable("the file", text)
    numbers, rejected = _numbers_in(text, rules)
    with db.write_connection() as conn:
        already = compliance_rows.listed(conn, numbers)
        new = [number for number in dict.fromkeys(numbers) if number not in already]
        reason = reason.strip() or f"imported from {path.name}"
        compliance_rows.add(conn, [Listing(number, now, reason, by) for number in new])
        _log_on_leads(conn, new, "dnc_added", {"reason": reason}, by=by, now=now)
    return DncImport(len(new), len(numbers) - len(new), rejected)


def _numbers_in(text: str, rules: Rules) -> tuple[list[str], list[tuple[int, str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    column, first = 0, 0
    if "phone" in header:
        column, first = header.index("phone"), 1
    numbers: list[str] = []
    rejected: list[tuple[int, str]] = []
    for line, row in enumerate(rows[first:], start=first + 1):
        cell = row[column].strip() if len(row) > column else ""
        if not cell:
            continue
        try:
            numbers.append(normalise_phone(cell, rules.team.region))
        except PhoneError as error:
            rejected.append((line, str(error)))
    return numbers, rejected


def list_numbers(db: Database) -> list[Listing]:
    with db.read() as session:
        return compliance_rows.all_listed(session.connection())


def lead_listing(db: Database, rules: Rules, lead_id: int, *, now: datetime) -> str | None:
    """Why a lead may not be called (its listed number, since when, why), or None."""
    with db.read() as session:
        listing = listing_of_lead(session.connection(), lead_id)
    return listed_sentence(listing, rules, now) if listing else None
