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
