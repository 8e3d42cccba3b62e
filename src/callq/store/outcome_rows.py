"""The outcome path's SQL, run at the driver level: the hottest write in callq.

Logging an outcome is nine small statements in one transaction. Through SQLAlchemy each
costs more in Python than in the database, so these go straight to the DB-API cursor of
the transaction's connection (same transaction, same BEGIN IMMEDIATE / row locks).
Values are stored exactly as SQLModel stores them: on SQLite, UTC timestamps as
'YYYY-MM-DD HH:MM:SS.ffffff' text; on PostgreSQL, timestamptz.
"""

import functools
import re
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import Connection

_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
_NAMED = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")

LEAD = (
    "SELECT id, name, stage, owner_id, timezone, created_at, first_touch_at, claimed_by_id,"
    " claimed_until FROM lead WHERE id = :lead_id"
)
REP = "SELECT id, name, timezone FROM rep WHERE name = :name"
REP_NAME = "SELECT name FROM rep WHERE id = :rep_id"
OPEN_FOLLOWUP = "SELECT id, kind, due_at FROM followup WHERE lead_id = :lead_id AND status = 'open'"
INSERT_CALL = (
    "INSERT INTO call (lead_id, rep_id, started_at, ended_at, outcome, connected, note,"
    " logged_at) VALUES (:lead_id, :rep_id, :started_at, :ended_at, :outcome, :connected,"
    " :note, :logged_at) RETURNING id"
)
COMPLETE_FOLLOWUP = (
    "UPDATE followup SET status = 'done', completed_at = :at, completed_by_call_id = :call_id"
    " WHERE id = :followup_id"
)
INSERT_FOLLOWUP = (
    "INSERT INTO followup (lead_id, owner_id, due_at, kind, status, touch, created_at,"
    " created_by_call_id) VALUES (:lead_id, :owner_id, :due_at, :kind, 'open', :touch,"
    " :created_at, :created_by_call_id) RETURNING id"
)
UPDATE_LEAD = (
    "UPDATE lead SET stage = :stage, first_touch_at = :first_touch_at,"
    " claimed_by_id = :claimed_by_id, claimed_until = :claimed_until WHERE id = :lead_id"
)
INSERT_EVENT = (
    "INSERT INTO event (lead_id, at, type, rep_id, detail)"
    " VALUES (:lead_id, :at, :type, :rep_id, :detail)"
)
_TIME_COLUMNS = {
    "created_at",
    "first_touch_at",
    "claimed_until",
    "due_at",
    "started_at",
    "ended_at",
    "logged_at",
    "at",
    "completed_at",
}


class _Driver:
    """The DB-API cursor of a SQLAlchemy connection, with callq's value conventions."""

    def __init__(self, conn: Connection) -> None:
        self.sqlite = conn.dialect.name == "sqlite"
        self.cursor = conn.connection.driver_connection.cursor()

    def sql(self, text: str, *, lock: bool = False) -> str:
        return _sql(text, self.sqlite, lock)

    def value(self, key: str, value: object) -> object:
        if self.sqlite and isinstance(value, datetime):
            return value.astimezone(UTC).strftime(_SQLITE_TIME)
        return value

    def params(self, values: dict) -> dict:
        return {key: self.value(key, value) for key, value in values.items()}

    def one(self, text: str, values: dict, *, lock: bool = False) -> SimpleNamespace | None:
        self.cursor.execute(self.sql(text, lock=lock), self.params(values))
        row = self.cursor.fetchone()
        if row is None:
            return None
        names = [column[0] for column in self.cursor.description]
        return SimpleNamespace(
            **{
                n: _read_time(v) if n in _TIME_COLUMNS else v
                for n, v in zip(names, row, strict=True)
            }
        )

    def run(self, text: str, values: dict) -> None:
        self.cursor.execute(self.sql(text), self.params(values))

    def returning_id(self, text: str, values: dict) -> int:
        self.cursor.execute(self.sql(text), self.params(values))
        return self.cursor.fetchone()[0]


@functools.cache
def _sql(text: str, sqlite: bool, lock: bool) -> str:
    if sqlite:
        return text  # the transaction already holds SQLite's write lock
    text = _NAMED.sub(r"%(\1)s", text)
    return f"{text} FOR UPDATE" if lock else text


def _read_time(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def driver(conn: Connection) -> _Driver:
    return _Driver(conn)


def lead_row(db: _Driver, lead_id: int) -> SimpleNamespace | None:
    """The lead, row-locked on PostgreSQL (SQLite already holds the write lock)."""
    return db.one(LEAD, {"lead_id": lead_id}, lock=True)


def rep_row(conn: Connection, db: _Driver, name: str) -> SimpleNamespace:
    """The rep called `name`, created on first use."""
    row = db.one(REP, {"name": name})
    if row is None:
        # Rare (a rep's first outcome): the shared helper copes with a racing insert.
        from callq.store.models import Rep
        from callq.store.queries import insert_ignoring_conflicts

        insert_ignoring_conflicts(
            conn, Rep.__table__, {"name": name, "role": "rep", "active": True}
        )
        row = db.one(REP, {"name": name})
    return row


def rep_name(db: _Driver, rep_id: int) -> str | None:
    row = db.one(REP_NAME, {"rep_id": rep_id})
    return row.name if row else None


def open_followup_row(db: _Driver, lead_id: int) -> SimpleNamespace | None:
    return db.one(OPEN_FOLLOWUP, {"lead_id": lead_id}, lock=True)


def call_counts(db: _Driver, lead_id: int, cadence_outcomes: tuple[str, ...]) -> tuple[int, int]:
    """(all calls, calls with a cadence outcome) of a lead, in one indexed query."""
    row = db.one(
        _counts_sql(cadence_outcomes),
        {"lead_id": lead_id, **{f"c{i}": o for i, o in enumerate(cadence_outcomes)}},
    )
    return int(row.total), int(row.cadence or 0)


@functools.cache
def _counts_sql(cadence_outcomes: tuple[str, ...]) -> str:
    names = ", ".join(f":c{i}" for i in range(len(cadence_outcomes))) or "NULL"
    return (
        f"SELECT COUNT(*) AS total, SUM(CASE WHEN outcome IN ({names}) THEN 1 ELSE 0 END)"
        " AS cadence FROM call WHERE lead_id = :lead_id"
    )


def insert_call(db: _Driver, **values: object) -> int:
    return db.returning_id(INSERT_CALL, values)


def complete_followup(db: _Driver, followup_id: int, *, at: datetime, call_id: int) -> None:
    db.run(COMPLETE_FOLLOWUP, {"followup_id": followup_id, "at": at, "call_id": call_id})


def insert_followup(db: _Driver, **values: object) -> int:
    return db.returning_id(INSERT_FOLLOWUP, values)


def update_lead_after_call(
    db: _Driver,
    lead_id: int,
    *,
    stage: str,
    first_touch_at: datetime | None,
    claimed_by_id: int | None,
    claimed_until: datetime | None,
) -> None:
    """Every lead column a call can change, in one statement."""
    db.run(
        UPDATE_LEAD,
        {
            "lead_id": lead_id,
            "stage": stage,
            "first_touch_at": first_touch_at,
            "claimed_by_id": claimed_by_id,
            "claimed_until": claimed_until,
        },
    )


def event(lead_id: int, at: datetime, type: str, rep_id: int | None, **detail: object) -> dict:
    """One timeline row as insert parameters (the same JSON as `timeline.append_event`)."""
    from callq.store.timeline import detail_json

    return {
        "lead_id": lead_id,
        "at": at,
        "type": type,
        "rep_id": rep_id,
        "detail": detail_json(detail),
    }


def insert_events(db: _Driver, rows: list[dict]) -> None:
    db.cursor.executemany(db.sql(INSERT_EVENT), [db.params(row) for row in rows])
