"""Exports: leads, calls and timelines as rows (CSV/JSON), callbacks as iCalendar.

Untrusted text in a file: a CSV is data, so a cell keeps its text, its line breaks and tabs
(the writer quotes them), but every other control, bidi or invisible character is written
as the placeholder the terminal shows (`callq.visible.safe`: `␛`, `\\x9b`, `<U+202E>`), and
a cell a spreadsheet would run as a formula gets a leading `'` (`neutralise`). A file is
opened by a spreadsheet or a pager that may obey raw escapes; JSON keeps the exact text as
escapes instead. iCalendar fields get `safe` throughout (icalendar escapes line breaks).
An export file is created 0600 (it holds personal data), never through a symlink, and
replaces an existing file only when asked to (`open_export`).
"""

import csv
import errno
import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import aliased

from callq.errors import UserError
from callq.rules.fields import decode_fields, decode_tags
from callq.store.db import Database
from callq.store.models import Call, Event, FollowUp, Lead, Rep
from callq.store.queries import OPEN_FOLLOWUP
from callq.visible import safe

LEADS, CALLS, EVENTS, FOLLOWUPS = (m.__table__ for m in (Lead, Call, Event, FollowUp))
REPS = Rep.__table__
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CALLBACK_MINUTES = 15  # how long a callback occupies in a calendar

LEAD_COLUMNS = (
    "id", "name", "phone", "other_phones", "email", "company", "source", "interest",
    "urgency", "owner", "stage", "timezone", "tags", "fields", "created_at", "first_touch_at",
    "next_due_at", "next_kind",
)  # fmt: skip
CALL_COLUMNS = (
    "id", "lead_id", "lead_name", "phone", "rep", "started_at", "ended_at", "outcome",
    "connected", "note",
)  # fmt: skip
TIMELINE_COLUMNS = ("id", "lead_id", "lead_name", "at", "type", "rep", "detail")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _aware(value: datetime | None) -> datetime | None:
    # Core selects return what the UTCDateTime type returns: aware UTC, kept as is.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def lead_rows(db: Database) -> Iterator[dict]:
    owner = REPS.alias("owner")
    open_fu = (
        select(FOLLOWUPS.c.lead_id, FOLLOWUPS.c.due_at, FOLLOWUPS.c.kind)
        .where(OPEN_FOLLOWUP)
        .subquery()
    )
    statement = (
        select(LEADS, owner.c.name.label("owner"), open_fu.c.due_at, open_fu.c.kind)
        .select_from(
            LEADS.outerjoin(owner, owner.c.id == LEADS.c.owner_id).outerjoin(
                open_fu, open_fu.c.lead_id == LEADS.c.id
            )
        )
        .order_by(LEADS.c.id)
    )
    with db.read() as session:
        for row in session.connection().execute(statement).mappings():
            yield {
                **{c: row[c] for c in LEAD_COLUMNS[:-2] if c in row},
                "tags": list(decode_tags(row["tags"])),
                "fields": decode_fields(row["fields"]),
                "created_at": _aware(row["created_at"]),
                "first_touch_at": _aware(row["first_touch_at"]),
                "next_due_at": _aware(row["due_at"]),
                "next_kind": row["kind"],
            }


def call_rows(db: Database) -> Iterator[dict]:
    statement = (
        select(
            CALLS.c.id,
            CALLS.c.lead_id,
            LEADS.c.name.label("lead_name"),
            LEADS.c.phone,
            REPS.c.name.label("rep"),
            CALLS.c.started_at,
            CALLS.c.ended_at,
            CALLS.c.outcome,
            CALLS.c.connected,
            CALLS.c.note,
        )  # fmt: skip
        .join(LEADS, LEADS.c.id == CALLS.c.lead_id)
        .join(REPS, REPS.c.id == CALLS.c.rep_id)
        .order_by(CALLS.c.started_at, CALLS.c.id)
    )
    with db.read() as session:
        for row in session.connection().execute(statement).mappings():
            yield {
                **row,
                "started_at": _aware(row["started_at"]),
                "ended_at": _aware(row["ended_at"]),
            }


def timeline_rows(db: Database) -> Iterator[dict]:
    statement = (
        select(
            EVENTS.c.id,
            EVENTS.c.lead_id,
            LEADS.c.name.label("lead_name"),
            EVENTS.c.at,
            EVENTS.c.type,
            REPS.c.name.label("rep"),
            EVENTS.c.detail,
        )  # fmt: skip
        .join(LEADS, LEADS.c.id == EVENTS.c.lead_id)
        .outerjoin(REPS, REPS.c.id == EVENTS.c.rep_id)
        .order_by(EVENTS.c.lead_id, EVENTS.c.id)
    )
    with db.read() as session:
        for row in session.connection().execute(statement).mappings():
            yield {**row, "at": _aware(row["at"]), "detail": json.loads(row["detail"] or "{}")}


def write_csv(rows: Iterable[dict], columns: tuple[str, ...], out: TextIO) -> int:
    """Rows as CSV, every text cell neutralised against formula injection; rows written."""
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
        count += 1
    return count


def csv_cell(value: object) -> object:
    """One CSV cell: text as shown (no terminal control, line breaks kept), formula-safe."""
    cell = _cell(value)
    return neutralise(safe(cell, keep="\t\n\r")) if isinstance(cell, str) else cell


def open_export(path: Path, *, force: bool = False) -> TextIO:
    """A new file for an export: 0600, never through a symlink, an existing file replaced
    only with `force`. Refusals are UserErrors naming the path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise UserError(f"{path} exists; use --force to overwrite it") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UserError(f"{path} is a symbolic link; not followed, nothing written") from None
        raise UserError(f"cannot write {path}: {error.strerror}") from None
    try:
        os.fchmod(fd, 0o600)  # a file replaced with --force may have been wider
    except OSError:
        os.close(fd)
        raise
    return open(fd, "w", encoding="utf-8", newline="")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list):  # a lead's tags
        return json.dumps(value, ensure_ascii=False)
    return value


# --- iCalendar -------------------------------------------------------------------------


def callback_rows(db: Database, *, now: datetime, owner: str | None = None) -> list[dict]:
    """Open follow-ups (callbacks and other next actions) due from `now` on."""
    rep = aliased(Rep)
    statement = (
        select(
            FollowUp.id,
            FollowUp.due_at,
            FollowUp.kind,
            FollowUp.touch,
            Lead.id.label("lead_id"),
            Lead.name,
            Lead.phone,
            Lead.company,
            Lead.stage,
            rep.name.label("owner"),
        )  # fmt: skip
        .join(Lead, Lead.id == FollowUp.lead_id)
        .outerjoin(rep, rep.id == FollowUp.owner_id)
        .where(OPEN_FOLLOWUP, FollowUp.due_at >= now)
        .order_by(FollowUp.due_at, FollowUp.id)
    )
    if owner:
        statement = statement.where(rep.name == owner)
    with db.read() as session:
        return [dict(row) for row in session.connection().execute(statement).mappings()]


def ics_text(rows: list[dict], *, now: datetime, name: str = "callq callbacks") -> str:
    """An RFC 5545 calendar; UIDs are stable (`followup-<id>@callq`), so re-importing it
    updates the events it added before instead of duplicating them."""
    # Imported here: only `export --format ics` pays for the library.
    from icalendar import Alarm, Calendar, Event

    stamp = now.astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//callq//callbacks//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for row in rows:
        row = {key: safe(value) if isinstance(value, str) else value for key, value in row.items()}
        due = _aware(row["due_at"]).astimezone(UTC)
        what = {"callback": "Call back", "first_response": "First call"}.get(row["kind"], "Call")
        description = "\n".join(
            part
            for part in (
                f"Phone: {row['phone']}",
                f"Company: {row['company']}" if row["company"] else "",
                f"Stage: {row['stage']}",
                f"Owner: {row['owner']}" if row["owner"] else "",
                f"Follow-up: {row['kind']}" + (f", touch {row['touch']}" if row["touch"] else ""),
                f"callq show {row['lead_id']}",
            )
            if part
        )
        event = Event()
        event.add("uid", f"followup-{row['id']}@callq")
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(minutes=CALLBACK_MINUTES))
        event.add("summary", f"{what}: {row['name']} ({row['phone']})")
        event.add("description", description)
        event.add("url", f"tel:{row['phone']}")
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Call {row['name']}")
        alarm.add("trigger", timedelta(minutes=-5))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
