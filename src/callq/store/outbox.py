"""The outbox: events written with the change they describe, then delivered and marked.

`emit` runs inside the caller's transaction (an ORM session or a Core connection), so a
change and its event commit together or not at all. One row per event and subscribing
hook: each hook keeps its own delivery state. A team without hooks writes nothing here.

Delivery keeps each lead's events in order per hook: a row is due only when no earlier
pending row of the same hook and lead exists (`DUE`). On PostgreSQL deliverers lock the
rows they deliver (`FOR UPDATE SKIP LOCKED`), so two `serve` processes deliver each event
once; on SQLite one deliverer at a time holds a file lock (`services.hooks`).
"""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, exists, func, insert, select, update

from callq.rules.model import Hook
from callq.store.models import Lead, Rep, outbox_table
from callq.store.timeline import detail_json

_outbox = outbox_table
INSERT = insert(_outbox)


def emit(
    executor,  # noqa: ANN001  (a Session or a Connection: both execute Core statements)
    hooks: Iterable[Hook],
    *,
    type: str,
    at: datetime,
    changes: Iterable[tuple[int, dict]],
) -> int:
    """Write one event per `(lead_id, change)` for every hook subscribed to `type`.

    Returns the number of rows written (0 when no hook wants this event: no statement).
    """
    wanted = [hook.name for hook in hooks if type in hook.on]
    if not wanted:
        return 0
    rows = []
    for lead_id, change in changes:
        event_id = uuid.uuid4().hex
        body = detail_json({"id": event_id, "type": type, "at": at, "lead_id": lead_id, **change})
        rows.extend(
            {
                "event_id": event_id,
                "hook": name,
                "lead_id": lead_id,
                "type": type,
                "at": at,
                "body": body,
                "attempts": 0,
                "next_attempt_at": at,
                "last_error": "",
            }
            for name in wanted
        )
    if rows:
        executor.execute(INSERT, rows)
    return len(rows)


LEAD_FIELDS = ("name", "phone", "email", "company", "source", "interest", "urgency", "stage")


def lead_fields(lead: object) -> dict:
    """What an event tells about its lead (the lead row's own values)."""
    return {field: getattr(lead, field) for field in LEAD_FIELDS}


def lead_change(lead: object, owner: str | None, **extra: object) -> dict:
    """The body of `lead_created`, `lead_merged` and `lead_reopened`, whoever wrote the lead
    (`callq add`, `callq serve`, `callq import`): its own values, its owner's name, and for
    an inquiry its `inquiry_source`. `lead` is anything with the lead's attributes (an ORM
    row, a Core row)."""
    return {**lead_fields(lead), "owner": owner, **extra}


def lead_change_rows(conn, lead_ids: Iterable[int]) -> dict[int, tuple[object, str | None]]:  # noqa: ANN001
    """Lead id -> (its row of `LEAD_FIELDS`, its owner's name), read for `lead_change`."""
    found: dict[int, tuple[object, str | None]] = {}
    ids = list(lead_ids)
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            select(Lead.id, *(getattr(Lead, f) for f in LEAD_FIELDS), Rep.name.label("owner"))
            .select_from(Lead)
            .outerjoin(Rep, Rep.id == Lead.owner_id)
            .where(Lead.id.in_(ids[start : start + 500]))
        )
        for row in rows:
            found[row.id] = (row, row.owner)
    return found


def emit_in_order(executor, hooks: Iterable[Hook], *, at: datetime, events: list) -> int:  # noqa: ANN001
    """`emit` for a list of `(type, lead_id, change)` of mixed types, keeping their order
    (one statement per run of one type): a lead's events are delivered as they happened."""
    hooks = list(hooks)
    written, start = 0, 0
    for end in range(1, len(events) + 1):
        if end == len(events) or events[end][0] != events[start][0]:
            run = [(lead_id, change) for _, lead_id, change in events[start:end]]
            written += emit(executor, hooks, type=events[start][0], at=at, changes=run)
            start = end
    return written


def wants_any(hooks: Iterable[Hook], types: Iterable[str]) -> bool:
    """Whether any hook subscribes to any of `types` (else a writer skips building events)."""
    wanted = set(types)
    return any(not wanted.isdisjoint(hook.on) for hook in hooks)


@dataclass(frozen=True)
class Pending:
    """One event to deliver to one hook."""

    id: int
    hook: str
    lead_id: int
    type: str
    body: str
    attempts: int
    first_failed_at: datetime | None


# A Core alias: an ORM `aliased` here configured every mapper at import (~20 ms of each
# `callq log`, which imports this module for `emit`).
_earlier = _outbox.alias("earlier")
_PENDING = _outbox.c.delivered_at.is_(None)
# Due now: pending, its retry time come, and no earlier pending event of the same lead for
# the same hook (per-lead order: a failing event holds back its lead's later ones).
DUE = (
    select(
        _outbox.c.id,
        _outbox.c.hook,
        _outbox.c.lead_id,
        _outbox.c.type,
        _outbox.c.body,
        _outbox.c.attempts,
        _outbox.c.first_failed_at,
    )
    .where(
        _PENDING,
        _outbox.c.hook.in_(bindparam("hooks", expanding=True)),
        _outbox.c.next_attempt_at <= bindparam("now"),
        ~exists().where(
            _earlier.c.hook == _outbox.c.hook,
            _earlier.c.lead_id == _outbox.c.lead_id,
            _earlier.c.id < _outbox.c.id,
            _earlier.c.delivered_at.is_(None),
        ),
    )
    .order_by(_outbox.c.id)
    .limit(bindparam("limit"))
)


def due(  # noqa: ANN001
    conn, hooks: list[str], *, now: datetime, limit: int, lock: bool = False
) -> list[Pending]:
    """Up to `limit` events of `hooks` due at `now`, oldest first, at most one per lead and
    hook. With `lock` (PostgreSQL) they stay locked until the transaction ends, and rows
    another deliverer has locked are skipped: two deliverers never take one event, and a
    deliverer that dies releases its rows with its connection."""
    if not hooks:
        return []
    statement = DUE.with_for_update(skip_locked=True, of=_outbox) if lock else DUE
    rows = conn.execute(statement, {"hooks": hooks, "now": now, "limit": limit})
    return [Pending(*row) for row in rows]


def mark_delivered(conn, outbox_id: int, *, now: datetime) -> None:  # noqa: ANN001
    conn.execute(
        update(_outbox).where(_outbox.c.id == outbox_id).values(delivered_at=now, last_error="")
    )


def mark_failed(  # noqa: ANN001
    conn, pending: Pending, *, now: datetime, retry_at: datetime, error: str
) -> None:
    conn.execute(
        update(_outbox)
        .where(_outbox.c.id == pending.id)
        .values(
            attempts=pending.attempts + 1,
            next_attempt_at=retry_at,
            first_failed_at=pending.first_failed_at or now,
            last_error=error[:500],
        )
    )


def drop_pending(conn, hook: str) -> int:  # noqa: ANN001
    """Discard the undelivered events of `hook` (`callq hooks drop`); how many."""
    result = conn.execute(delete(_outbox).where(_PENDING, _outbox.c.hook == hook))
    return result.rowcount or 0


def prune_delivered(conn, *, before: datetime) -> int:  # noqa: ANN001
    """Forget events delivered before `before` (their hooks have them)."""
    result = conn.execute(delete(_outbox).where(_outbox.c.delivered_at < before))
    return result.rowcount or 0


@dataclass(frozen=True)
class HookBacklog:
    """One hook's undelivered events: how many, the failing ones, the last error."""

    hook: str
    pending: int
    failing: int
    oldest_failure: datetime | None
    last_error: str
    next_attempt_at: datetime | None


def backlog(conn) -> list[HookBacklog]:  # noqa: ANN001
    """Per hook: pending and failing events, the oldest failure and the latest error."""
    failing = _outbox.c.attempts > 0
    rows = conn.execute(
        select(
            _outbox.c.hook,
            func.count(),
            func.count().filter(failing),
            func.min(_outbox.c.first_failed_at),
            func.min(_outbox.c.next_attempt_at).filter(failing),
        )
        .where(_PENDING)
        .group_by(_outbox.c.hook)
        .order_by(_outbox.c.hook)
    ).all()
    found = []
    for hook, pending, failing_count, oldest, next_at in rows:
        last_error = conn.execute(
            select(_outbox.c.last_error)
            .where(_PENDING, _outbox.c.hook == hook, failing)
            .order_by(_outbox.c.id.desc())
            .limit(1)
        ).scalar()
        found.append(HookBacklog(hook, pending, failing_count, oldest, last_error or "", next_at))
    return found


def pending_events(conn, *, limit: int = 50) -> list[tuple]:  # noqa: ANN001
    """The oldest undelivered events: (id, hook, lead_id, type, at, attempts, last_error)."""
    return conn.execute(
        select(
            _outbox.c.id,
            _outbox.c.hook,
            _outbox.c.lead_id,
            _outbox.c.type,
            _outbox.c.at,
            _outbox.c.attempts,
            _outbox.c.last_error,
        )
        .where(_PENDING)
        .order_by(_outbox.c.id)
        .limit(limit)
    ).all()


def event_bodies(conn, *, hook: str | None = None) -> list[dict]:  # noqa: ANN001
    """Every event in the outbox (for one hook), oldest first, as the JSON it delivers."""
    statement = select(_outbox.c.body).order_by(_outbox.c.id)
    if hook is not None:
        statement = statement.where(_outbox.c.hook == hook)
    return [json.loads(body) for body in conn.execute(statement).scalars()]
