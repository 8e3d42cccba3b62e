"""The bulk importer: batches of rows, each one transaction of set-based statements.

Per batch: look up the batch's phones, learn which rows are already on a timeline (the
import key in a `created`/`inquiry` event), then insert new leads, their first-response
follow-ups and events with Core `executemany`, and record repeat inquiries on existing
leads (a closed one reopens through the same code as `callq add`). A killed import keeps
every committed batch whole; a re-run skips the rows already recorded.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from callq.importing.rows import Row
from callq.rules.model import CLOSED_STAGES, Rules
from callq.rules.outcomes import first_response_due
from callq.services.common import zone
from callq.services.leads import blank_fills, reopen_closed_lead, round_robin_owners
from callq.store import queries
from callq.store.models import Event, FollowUp, Lead, Rep
from callq.store.timeline import append_event

LEADS = Lead.__table__
FOLLOWUPS = FollowUp.__table__
EVENTS = Event.__table__
REPS = Rep.__table__
IN_CHUNK = 500  # bound parameters per IN (...) list: portable to SQLite and PostgreSQL


@dataclass
class BatchCounts:
    imported: int = 0
    merged: int = 0
    reopened: int = 0
    already_imported: int = 0
    unknown_owners: set[str] = field(default_factory=set)

    def add(self, other: "BatchCounts") -> None:
        self.imported += other.imported
        self.merged += other.merged
        self.reopened += other.reopened
        self.already_imported += other.already_imported
        self.unknown_owners |= other.unknown_owners


@dataclass(frozen=True)
class BatchContext:
    """What every batch of one import shares."""

    rules: Rules
    now: datetime
    actor: str
    forced_owner: str | None
    file_name: str


def chunks(values: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def write_batch(session: Session, ctx: BatchContext, rows: list[Row]) -> BatchCounts:
    """Import `rows` inside the caller's transaction."""
    counts = BatchCounts()
    conn = session.connection()
    actor = queries.ensure_rep(session, ctx.actor)
    existing = _existing_leads(conn, list({row.phone for row in rows}))
    recorded = _recorded_keys(conn, [lead["id"] for lead in existing.values()])

    new_rows: dict[str, Row] = {}  # phone -> the row that creates the lead
    new_fills: dict[str, dict[str, str]] = {}
    merges: list[Row] = []
    for row in rows:
        if row.key in recorded:
            counts.already_imported += 1
            continue
        recorded.add(row.key)
        if row.phone in existing:
            merges.append(row)
        elif row.phone in new_rows:
            fills = new_fills.setdefault(row.phone, {})
            current = {**_fields(new_rows[row.phone]), **fills}
            fills.update(blank_fills(current, row))
            merges.append(row)
        else:
            new_rows[row.phone] = row
    counts.imported = len(new_rows)
    counts.merged = len(merges)

    inquiries = _merge_existing(session, ctx, existing, merges, actor.id, counts)
    ids = _insert_leads(session, ctx, list(new_rows.values()), new_fills, actor.id, counts)
    events = inquiries + [
        _inquiry(row, ids[row.phone], ctx, actor.id) for row in merges if row.phone in ids
    ]
    if events:
        conn.execute(EVENTS.insert(), events)
    return counts


def _fields(row: Row) -> dict[str, str]:
    return {"email": row.email, "company": row.company, "interest": row.interest}


def _existing_leads(conn, phones: list[str]) -> dict[str, dict]:  # noqa: ANN001
    columns = (LEADS.c.id, LEADS.c.phone, LEADS.c.stage, LEADS.c.email, LEADS.c.company)
    found: dict[str, dict] = {}
    for part in chunks(phones):
        statement = select(*columns, LEADS.c.interest).where(LEADS.c.phone.in_(part))
        for row in conn.execute(statement).mappings():
            found[row["phone"]] = dict(row)
    return found


def _recorded_keys(conn, lead_ids: list[int]) -> set[str]:  # noqa: ANN001
    """Import keys already on these leads' timelines (what an earlier run imported)."""
    keys: set[str] = set()
    for part in chunks(lead_ids):
        statement = select(EVENTS.c.detail).where(
            EVENTS.c.lead_id.in_(part),
            EVENTS.c.type.in_(("created", "inquiry")),
            EVENTS.c.detail.like('%"import_key"%'),
        )
        for (detail,) in conn.execute(statement):
            key = json.loads(detail).get("import_key")
            if key:
                keys.add(key)
    return keys


def _detail(**values: object) -> str:
    return json.dumps(values, sort_keys=True)


def _import_detail(row: Row, ctx: BatchContext) -> dict[str, object]:
    return {"import_key": row.key, "import_file": ctx.file_name, "import_line": row.line}


def _inquiry(row: Row, lead_id: int, ctx: BatchContext, actor_id: int) -> dict:
    return {
        "lead_id": lead_id,
        "at": ctx.now,
        "type": "inquiry",
        "rep_id": actor_id,
        "detail": _detail(
            name=row.name, source=row.source, note=row.note, **_import_detail(row, ctx)
        ),
    }


def _merge_existing(
    session: Session,
    ctx: BatchContext,
    existing: dict[str, dict],
    merges: list[Row],
    actor_id: int,
    counts: BatchCounts,
) -> list[dict]:
    """Inquiries on leads already in the database; closed ones reopen (ORM, they are few)."""
    events: list[dict] = []
    fills: dict[int, dict[str, str]] = {}
    for row in merges:
        lead = existing.get(row.phone)
        if lead is None:
            continue  # merges into a lead this batch creates
        if lead["stage"] in CLOSED_STAGES:
            orm_lead = session.get(Lead, lead["id"])
            for attr, value in blank_fills(lead, row).items():
                setattr(orm_lead, attr, value)
            append_event(
                session,
                lead_id=orm_lead.id,
                at=ctx.now,
                type="inquiry",
                rep_id=actor_id,
                name=row.name,
                source=row.source,
                note=row.note,
                **_import_detail(row, ctx),
            )
            reopen_closed_lead(
                session, ctx.rules, orm_lead, source=row.source, now=ctx.now, actor_id=actor_id
            )
            lead["stage"] = orm_lead.stage
            lead.update(_fields_of(orm_lead))
            counts.reopened += 1
            continue
        filled = blank_fills({**lead, **fills.get(lead["id"], {})}, row)
        if filled:
            fills.setdefault(lead["id"], {}).update(filled)
        events.append(_inquiry(row, lead["id"], ctx, actor_id))
    session.flush()
    conn = session.connection()
    for lead_id, values in fills.items():
        conn.execute(update(LEADS).where(LEADS.c.id == lead_id).values(**values))
    return events


def _fields_of(lead: Lead) -> dict[str, str]:
    return {"email": lead.email, "company": lead.company, "interest": lead.interest}


def _owners(session: Session, ctx: BatchContext, rows: list[Row], counts: BatchCounts) -> list:
    """Each new lead's owner (id, name): --owner, else the row's known rep, else round-robin."""
    if ctx.forced_owner:
        rep = queries.ensure_rep(session, ctx.forced_owner)
        return [(rep.id, rep.name)] * len(rows)
    for name in ctx.rules.team.reps:  # configured reps count as known before their first lead
        queries.ensure_rep(session, name)
    known: dict[str, tuple[int, str]] = {}
    for rep_id, name in session.connection().execute(select(REPS.c.id, REPS.c.name)):
        known.setdefault(name.casefold(), (rep_id, name))
    owners: list = [None] * len(rows)
    unassigned: list[int] = []
    for index, row in enumerate(rows):
        match = _match_rep(row.owner, known) if row.owner else None
        if match:
            owners[index] = match
        else:
            if row.owner:
                counts.unknown_owners.add(row.owner)
            unassigned.append(index)
    for index, rep in zip(
        unassigned, round_robin_owners(session, ctx.rules, len(unassigned)), strict=True
    ):
        owners[index] = (rep.id, rep.name) if rep else (None, None)
    return owners


def _match_rep(value: str, known: dict[str, tuple[int, str]]) -> tuple[int, str] | None:
    """A CRM owner ("Asha Rao", "asha@acme.in") -> the callq rep `asha`, if unambiguous."""
    text = value.strip().casefold()
    if text in known:
        return known[text]
    first = text.split("@")[0].replace(".", " ").split()
    return known.get(first[0]) if first else None


def _insert_leads(
    session: Session,
    ctx: BatchContext,
    rows: list[Row],
    fills: dict[str, dict[str, str]],
    actor_id: int,
    counts: BatchCounts,
) -> dict[str, int]:
    """Insert new leads with their follow-ups and events; phone -> new lead id."""
    if not rows:
        return {}
    owners = _owners(session, ctx, rows, counts)
    conn = session.connection()
    now = ctx.now
    lead_rows = []
    for row, (owner_id, _name) in zip(rows, owners, strict=True):
        values = {
            "name": row.name,
            "phone": row.phone,
            "other_phones": ",".join(row.other_phones),
            "email": row.email,
            "company": row.company,
            "source": row.source,
            "interest": row.interest,
            "urgency": row.urgency,
            "owner_id": owner_id,
            "stage": "new",
            "timezone": row.timezone,
            "created_at": now,
        }
        values.update(fills.get(row.phone, {}))
        lead_rows.append(values)
    conn.execute(LEADS.insert(), lead_rows)
    ids: dict[str, int] = {}
    phones = [row.phone for row in rows]
    for part in chunks(phones):
        for lead_id, phone in conn.execute(
            select(LEADS.c.id, LEADS.c.phone).where(LEADS.c.phone.in_(part))
        ):
            ids[phone] = lead_id

    dues: dict[tuple[str, str | None], datetime] = {}
    followups, events = [], []
    for row, (owner_id, owner_name) in zip(rows, owners, strict=True):
        lead_id = ids[row.phone]
        slot = (row.source, row.timezone)
        due = dues.get(slot)
        if due is None:
            tz = zone(row.timezone or ctx.rules.team.timezone)
            due = dues[slot] = first_response_due(
                ctx.rules, source=row.source, created_at=now, tz=tz
            )
        followups.append(
            {
                "lead_id": lead_id,
                "owner_id": owner_id,
                "due_at": due,
                "kind": "first_response",
                "status": "open",
                "touch": 1,
                "created_at": now,
            }
        )
        events.append(
            {
                "lead_id": lead_id,
                "at": now,
                "type": "created",
                "rep_id": actor_id,
                "detail": _detail(
                    source=row.source, owner=owner_name, note=row.note, **_import_detail(row, ctx)
                ),
            }
        )
        events.append(
            {
                "lead_id": lead_id,
                "at": now,
                "type": "followup_scheduled",
                "rep_id": actor_id,
                "detail": _detail(due_at=due.isoformat(), kind="first_response"),
            }
        )
    conn.execute(FOLLOWUPS.insert(), followups)
    conn.execute(EVENTS.insert(), events)
    return ids


def batched(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


ProgressFn = Callable[[int, int], None]
