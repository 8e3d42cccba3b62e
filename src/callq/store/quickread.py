"""A read-only queue reader on the stdlib `sqlite3`, for the TUI's first paint.

Importing SQLAlchemy costs more than a bare Textual app's whole start-up, so the first
screen is read with this module and the services load after the first frame. It runs the
queue's one query (`store.queue_query`) as the SQLite text compiled from it
(`store.queue_sql`), and turns rows into items with the same rule as the services
(`rules.queue.queue_item`): tests/tui/test_quickread.py compares both readers row by row.
"""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from callq.rules.hours import local_day_end
from callq.rules.model import Rules
from callq.rules.queue import SECTIONS, QueueItem, queue_items
from callq.store import queue_sql
from callq.store.schema import HEAD_REVISION


def db_text(instant: datetime) -> str:
    """How SQLModel's UTCDateTime stores an instant in SQLite (compared as text)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def from_db(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def sqlite_path(target: str) -> Path | None:
    """The file a plain path or `sqlite:///` target names (None: not a SQLite file)."""
    if "://" in target:
        if not target.startswith("sqlite:///"):
            return None
        target = target.removeprefix("sqlite:///")
    path = Path(target).expanduser()
    return path if path.is_file() else None


class QuickReader:
    """One rep's queue as of `now`, read through sqlite3 (read-only, no SQLAlchemy)."""

    def __init__(self, path: Path, rules: Rules, *, rep: str, now: datetime) -> None:
        self.rules, self.now, self.rep_name = rules, now, rep
        self.connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        rep_row = self.connection.execute(queue_sql.REP, {"rep": rep}).fetchone()
        self.owner_id = rep_row[0] if rep_row else -1
        self.rep_tz = ZoneInfo((rep_row[1] if rep_row else None) or rules.team.timezone)
        self.day_end = local_day_end(now, self.rep_tz)
        self.params = {
            "now": db_text(now),
            "day_end": db_text(self.day_end),
            "owner": self.owner_id,
        }

    @staticmethod
    def usable(path: Path) -> bool:
        """The file is a callq database at the head schema (else the normal path migrates)."""
        try:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            finally:
                connection.close()
        except sqlite3.Error:
            return False
        return row is not None and row[0] == HEAD_REVISION

    def close(self) -> None:
        self.connection.close()

    def counts(self) -> dict[str, int]:
        row = self.connection.execute(queue_sql.COUNTS, self.params).fetchone()
        return dict(zip(SECTIONS, row, strict=True))

    def page(self, section: str, *, offset: int = 0, limit: int = 100) -> list[QueueItem]:
        """Rows `offset`..`offset+limit` of a section; none if the file cannot be read."""
        params = {**self.params, "limit": limit, "offset": offset}
        try:
            rows = self.connection.execute(queue_sql.PAGES[section], params).fetchall()
        except sqlite3.Error:
            return []  # the services' reader replaces this one and reports the error
        return queue_items(self.rules, map(_facts, rows), section=section, now=self.now)


def _facts(values: tuple) -> dict:
    """A row by column name, its timestamps read as SQLAlchemy would (aware UTC)."""
    row = dict(zip(queue_sql.PAGE_NAMES, values, strict=True))
    for name in queue_sql.DATETIME_NAMES:
        row[name] = from_db(row[name])
    return row
