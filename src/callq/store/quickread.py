"""A read-only queue reader on the stdlib `sqlite3`, for the TUI's first paint.

Importing SQLAlchemy costs more than a bare Textual app's whole start-up, so the first
screen is read with this module and the services load after the first frame. It must
return exactly what `services.queue.QueueReader` returns: same sections, filters and
order (tests/tui/test_quickread.py compares both readers row by row on every section).
"""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from callq.rules.hours import add_business_time, local_day_end
from callq.rules.model import Rules
from callq.services.views import SECTIONS, QueueItem
from callq.store.schema import HEAD_REVISION

# The section filters and the order, as services.queue.QueueReader defines them.
_FIRST = "f.kind = 'first_response'"
SECTION_SQL = {
    "new": _FIRST,
    "overdue": f"NOT ({_FIRST}) AND f.due_at < :now",
    "today": f"NOT ({_FIRST}) AND f.due_at >= :now AND f.due_at < :day_end",
    "upcoming": f"NOT ({_FIRST}) AND f.due_at >= :day_end",
}
ORDER_SQL = (
    "f.due_at, CASE WHEN l.urgency = 'high' THEN 0 WHEN l.urgency = 'normal' THEN 1 "
    "ELSE 2 END, f.id"
)
_PAGE_SQL = (
    "SELECT f.id, f.due_at, f.kind, f.owner_id, l.id, l.name, l.phone, l.company, l.source,"
    " l.stage, l.urgency, l.timezone, l.escalated_at, l.first_touch_at"
    " FROM followup AS f JOIN lead AS l ON l.id = f.lead_id"
    " WHERE f.status = 'open' AND f.owner_id = :owner AND ({filter})"
    " ORDER BY {order} LIMIT :limit OFFSET :offset"
)


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
        row = self.connection.execute("SELECT id, timezone FROM rep WHERE name = ?", (rep,))
        rep_row = row.fetchone()
        self.owner_id = rep_row[0] if rep_row else -1
        self.rep_tz = ZoneInfo((rep_row[1] if rep_row else None) or rules.team.timezone)
        self.day_end = local_day_end(now, self.rep_tz)
        self.params = {"now": db_text(now), "day_end": db_text(self.day_end)}

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
        columns = ", ".join(
            f"COALESCE(SUM(CASE WHEN {SECTION_SQL[s]} THEN 1 ELSE 0 END), 0)" for s in SECTIONS
        )
        sql = f"SELECT {columns} FROM followup AS f WHERE f.status = 'open' AND f.owner_id = :owner"
        row = self.connection.execute(sql, {**self.params, "owner": self.owner_id}).fetchone()
        return dict(zip(SECTIONS, row, strict=True))

    def page(self, section: str, *, offset: int = 0, limit: int = 100) -> list[QueueItem]:
        """Rows `offset`..`offset+limit` of a section; none if the file cannot be read."""
        sql = _PAGE_SQL.format(filter=SECTION_SQL[section], order=ORDER_SQL)
        params = {**self.params, "owner": self.owner_id, "limit": limit, "offset": offset}
        try:
            rows = self.connection.execute(sql, params).fetchall()
        except sqlite3.Error:
            return []  # the services' reader replaces this one and reports the error
        calls = self._call_summaries([row[4] for row in rows])
        owners = self._rep_names({row[3] for row in rows if row[3]})
        total = len(self.rules.cadence.touches)
        items = []
        for (fid, due, kind, owner_id, lead_id, name, phone, company, source, stage, urgency,
             timezone, escalated_at, first_touch_at) in rows:  # fmt: skip
            due_at = from_db(due)
            count, last_outcome, last_note = calls.get(lead_id, (0, None, ""))
            late = int((self.now - due_at).total_seconds() // 60)
            escalated = escalated_at is not None or self._escalated(
                kind, due_at, first_touch_at, timezone
            )
            items.append(
                QueueItem(
                    followup_id=fid,
                    lead_id=lead_id,
                    name=name,
                    phone=phone,
                    company=company,
                    source=source,
                    stage=stage,
                    owner=owners.get(owner_id),
                    urgency=urgency,
                    section=section,
                    due_at=due_at,
                    kind=kind,
                    touch=count + 1,
                    touches_total=total,
                    late_minutes=max(0, late),
                    last_outcome=last_outcome,
                    last_note=last_note,
                    escalated=escalated,
                )
            )
        return items

    def _escalated(self, kind: str, due_at: datetime, first_touch_at, timezone) -> bool:  # noqa: ANN001
        if kind != "first_response" or first_touch_at is not None or due_at > self.now:
            return False
        tz = ZoneInfo(timezone or self.rules.team.timezone)
        escalate_at = add_business_time(self.rules.hours, due_at, self.rules.sla.escalate_after, tz)
        return escalate_at <= self.now

    def _call_summaries(self, lead_ids: list[int]) -> dict[int, tuple[int, str | None, str]]:
        if not lead_ids:
            return {}
        marks = ",".join("?" * len(lead_ids))
        counts = dict(
            self.connection.execute(
                f"SELECT lead_id, count(*) FROM call WHERE lead_id IN ({marks}) GROUP BY lead_id",
                lead_ids,
            ).fetchall()
        )
        last = {
            lead_id: (outcome, note)
            for lead_id, outcome, note in self.connection.execute(
                "SELECT c.lead_id, c.outcome, c.note FROM call AS c JOIN (SELECT max(id) AS"
                f" last_id FROM call WHERE lead_id IN ({marks}) GROUP BY lead_id) AS latest"
                " ON c.id = latest.last_id",
                lead_ids,
            ).fetchall()
        }
        return {
            lead_id: (counts.get(lead_id, 0), *last.get(lead_id, (None, "")))
            for lead_id in lead_ids
        }

    def _rep_names(self, rep_ids: set[int]) -> dict[int, str]:
        if not rep_ids:
            return {}
        marks = ",".join("?" * len(rep_ids))
        rows = self.connection.execute(
            f"SELECT id, name FROM rep WHERE id IN ({marks})", list(rep_ids)
        )
        return dict(rows.fetchall())
