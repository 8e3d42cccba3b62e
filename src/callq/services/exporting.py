"""Exports: leads, calls and timelines as rows (CSV/JSON), callbacks as iCalendar."""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import aliased

from callq.store.db import Database
from callq.store.models import Call, Event, FollowUp, Lead, Rep
from callq.store.queries import OPEN_FOLLOWUP

LEADS, CALLS, EVENTS, FOLLOWUPS = (m.__table__ for m in (Lead, Call, Event, FollowUp))
REPS = Rep.__table__
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CALLBACK_MINUTES = 15  # how long a callback occupies in a calendar

LEAD_COLUMNS = (
    "id", "name", "phone", "other_phones", "email", "company", "source", "interest",
    "urgency", "owner", "stage", "timezone", "created_at", "first_touch_at", "next_due_at",
    "next_kind",
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
        writer.writerow([neutralise(_cell(row.get(c))) for c in columns])
        count += 1
    return count


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
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
    stamp = _ics_time(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//callq//callbacks//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for row in rows:
        due = _aware(row["due_at"])
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
        name, phone = row["name"], row["phone"]
        lines += [
            "BEGIN:VEVENT",
            f"UID:followup-{row['id']}@callq",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{stamp}",
            f"DTSTART:{_ics_time(due)}",
            f"DTEND:{_ics_time(due + timedelta(minutes=CALLBACK_MINUTES))}",
            "SUMMARY:" + _escape(f"{what}: {name} ({phone})"),
            f"DESCRIPTION:{_escape(description)}",
            f"URL:tel:{phone}",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:" + _escape(f"Call {name}"),
            "TRIGGER:-PT5M",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _ics_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF + space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > (75 if not parts else 74):
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)
