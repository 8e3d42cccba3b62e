"""Compliance reads and writes (SQLAlchemy Core), one builder per question: the
do-not-call list, and the lead a dial or a message touch goes to.

A number is listed while its `dnc` row has no `removed_at`; the partial unique index
`ux_dnc_listed` makes that at most one row a number and answers "is it listed?".
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, insert, select, update

from callq.store.models import Event, FollowUp, Lead, dnc_table
from callq.store.queries import OPEN_FOLLOWUP

_dnc, _lead, _followup = dnc_table, Lead.__table__, FollowUp.__table__
_event = Event.__table__
IN_CHUNK = 500  # bound parameters per IN (...) list: portable to SQLite and PostgreSQL

_LISTED = _dnc.c.removed_at.is_(None)
_COLUMNS = (_dnc.c.phone, _dnc.c.added_at, _dnc.c.reason, _dnc.c.added_by)
LISTED_AMONG = select(*_COLUMNS).where(
    _LISTED, _dnc.c.phone.in_(bindparam("phones", expanding=True))
)
ALL_LISTED = select(*_COLUMNS).where(_LISTED).order_by(_dnc.c.added_at, _dnc.c.id)
INSERT = insert(_dnc)
REMOVE = (
    update(_dnc)
    .where(_LISTED, _dnc.c.phone == bindparam("number"))
    .values(
        removed_at=bindparam("removed_at"),
        removed_reason=bindparam("removed_reason"),
        removed_by=bindparam("removed_by"),
    )
)
LEAD_NUMBERS = select(_lead.c.phone, _lead.c.other_phones).where(_lead.c.id == bindparam("lead_id"))
CONTACT = select(
    _lead.c.id,
    _lead.c.name,
    _lead.c.phone,
    _lead.c.email,
    _lead.c.company,
    _lead.c.interest,
    _lead.c.timezone,
    _lead.c.stage,
).where(_lead.c.id == bindparam("lead_id"))


@dataclass(frozen=True, slots=True)
class Contact:
    """What dialling or messaging a lead needs to know about it."""

    id: int
    name: str
    phone: str
    email: str
    company: str
    interest: str
    timezone: str | None
    stage: str


def contact(conn: Connection, lead_id: int) -> Contact | None:
    row = conn.execute(CONTACT, {"lead_id": lead_id}).first()
    return Contact(*row) if row else None


@dataclass(frozen=True, slots=True)
class Listing:
    """A listed number: since when, why and by whom ("import", a rep, an outcome's rep)."""

    phone: str
    added_at: datetime
    reason: str
    by: str


def listed(conn: Connection, phones: list[str] | set[str]) -> dict[str, Listing]:
    """The listings among `phones` (E.164), by number."""
    found: dict[str, Listing] = {}
    numbers = sorted(set(phones))
    for start in range(0, len(numbers), IN_CHUNK):
        chunk = numbers[start : start + IN_CHUNK]
        for row in conn.execute(LISTED_AMONG, {"phones": chunk}):
            found[row[0]] = Listing(*row)
    return found


def all_listed(conn: Connection) -> list[Listing]:
    return [Listing(*row) for row in conn.execute(ALL_LISTED)]


def add(conn: Connection, listings: list[Listing]) -> None:
    """List these numbers (none of them listed now)."""
    if listings:
        conn.execute(
            INSERT,
            [
                {
                    "phone": item.phone,
                    "added_at": item.added_at,
                    "reason": item.reason,
                    "added_by": item.by,
                    "removed_reason": "",
                    "removed_by": "",
                }
                for item in listings
            ],
        )


def remove(conn: Connection, phone: str, *, at: datetime, reason: str, by: str) -> bool:
    """Release a listed number, keeping its row as the record; False if it was not listed."""
    result = conn.execute(
        REMOVE, {"number": phone, "removed_at": at, "removed_reason": reason, "removed_by": by}
    )
    return result.rowcount > 0


def lead_numbers(conn: Connection, lead_id: int) -> list[str]:
    """Every number of a lead: its phone and its other phones."""
    row = conn.execute(LEAD_NUMBERS, {"lead_id": lead_id}).first()
    if row is None:
        return []
    return [row[0], *(number for number in row[1].split(",") if number)]


NEXT_TOUCH = select(
    _followup.c.id, _followup.c.touch, _followup.c.channel, _followup.c.template
).where(_followup.c.lead_id == bindparam("lead_id"), OPEN_FOLLOWUP)


@dataclass(frozen=True, slots=True)
class NextTouch:
    """A lead's open follow-up as a touch: a message's channel and template, or None."""

    followup_id: int
    touch: int | None
    channel: str | None
    template: str | None


def next_touch(conn: Connection, lead_id: int) -> NextTouch | None:
    row = conn.execute(NEXT_TOUCH, {"lead_id": lead_id}).first()
    return NextTouch(*row) if row else None


# When a lead last changed stage (for a cold lead: when it went cold), else its arrival.
_STAGE_SINCE = func.coalesce(
    select(func.max(_event.c.at))
    .where(_event.c.lead_id == _lead.c.id, _event.c.type == "stage_changed")
    .scalar_subquery(),
    _lead.c.created_at,
)
COLD_SINCE_BEFORE = (
    select(_lead.c.id)
    .where(_lead.c.stage == "cold")
    .where(bindparam("cutoff", type_=_lead.c.created_at.type) >= _STAGE_SINCE)
    .order_by(_lead.c.id)
)


def cold_before(conn: Connection, cutoff: datetime) -> list[int]:
    """The cold leads that went cold at or before `cutoff`."""
    return list(conn.execute(COLD_SINCE_BEFORE, {"cutoff": cutoff}).scalars())
