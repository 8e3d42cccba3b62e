"""The bulk importer: batches of rows, each one transaction of set-based statements.

Per batch: look up the batch's phones, learn which rows are already on a timeline (the
import key in a `created`/`inquiry` event), then insert new leads, their first-response
follow-ups and events with Core `executemany`, and record repeat inquiries on existing
leads (a closed one reopens through the same code as `callq add`). A killed import keeps
every committed batch whole; a re-run skips the rows already recorded. A row with a
number on the do-not-call list is counted as suppressed and touches nothing.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from callq.importing.events import emit_import_events, import_events_wanted
from callq.importing.restore import list_do_not_call, restore_leads
from callq.importing.rows import Row
from callq.rules.hours import zone
from callq.rules.model import CLOSED_STAGES, Rules
from callq.rules.outcomes import first_response_due
from callq.rules.routing import LeadFacts
from callq.services.leads import blank_fills, reopen_closed_lead
from callq.services.routing import route_owners
from callq.store import compliance_rows, queries, rollups
from callq.store.models import Event, FollowUp, Lead, Rep
from callq.store.timeline import append_event

LEADS = Lead.__table__
FOLLOWUPS = FollowUp.__table__
EVENTS = Event.__table__
REPS = Rep.__table__
CACHE_KIB = 65536  # page cache of the importing connection
IN_CHUNK = 500  # bound parameters per IN (...) list: portable to SQLite and PostgreSQL


@dataclass
class BatchCounts:
    imported: int = 0
    merged: int = 0
    reopened: int = 0
    already_imported: int = 0
    suppressed: int = 0  # rows with a number on the do-not-call list: neither added nor merged
    unknown_owners: set[str] = field(default_factory=set)

    def add(self, other: "BatchCounts") -> None:
        self.imported += other.imported
        self.suppressed += other.suppressed
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


class _Writer:
    """Driver-level `executemany` of tuples: SQLAlchemy's per-row parameter processing
    costs more than SQLite's insert itself at this volume. Values that need a type's
    conversion (timestamps) are converted once with that type's own bind processor, so
    the stored form is exactly what the ORM would store, on SQLite and PostgreSQL alike
    (sqlite3 takes `?` marks, psycopg `%s`)."""

    def __init__(self, conn) -> None:  # noqa: ANN001
        self.conn = conn
        self.dialect = conn.dialect
        self.mark = "?" if self.dialect.paramstyle == "qmark" else "%s"

    def value(self, column, value: object) -> object:  # noqa: ANN001
        processor = column.type.dialect_impl(self.dialect).bind_processor(self.dialect)
        return processor(value) if processor else value

    def insert(self, table, columns: tuple[str, ...], rows: list[tuple]) -> None:  # noqa: ANN001
        if not rows:
            return
        quote = self.dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join([self.mark] * len(columns))})"
        )
        self.conn.exec_driver_sql(sql, rows)

    def select_in(self, table, columns: tuple[str, ...], key: str, values: list) -> list[tuple]:  # noqa: ANN001
        """`SELECT columns FROM table WHERE key IN values`, chunked, as plain tuples.

        Built as driver SQL: SQLAlchemy renders an expanding IN of 500 values per statement
        anew, which cost more than the lookups themselves.
        """
        quote = self.dialect.identifier_preparer.quote
        head = (
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table.name)} "
            f"WHERE {quote(key)} IN "
        )
        found: list[tuple] = []
        for part in chunks(values):
            marks = ", ".join([self.mark] * len(part))
            found += self.conn.exec_driver_sql(f"{head}({marks})", tuple(part)).all()
        return found


EVENT_COLUMNS = ("lead_id", "at", "type", "rep_id", "detail")
EMPTY_JSON = '""'


def chunks(values: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def write_batch(session: Session, ctx: BatchContext, rows: list[Row]) -> BatchCounts:
    """Import `rows` inside the caller's transaction."""
    counts = BatchCounts()
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        # The indexes of a 5,000-row batch outgrow the default 2 MB page cache.
        conn.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")
    actor = queries.ensure_rep(session, ctx.actor)
    writer = _Writer(conn)
    wanted = {row.phone for row in rows}
    for row in rows:
        if row.other_phones:
            wanted.update(row.other_phones)
    existing = _existing_leads(writer, wanted)
    recorded = _recorded_keys(conn, list({lead["id"] for lead in existing.values()}))
    listed = compliance_rows.listed(conn, wanted)

    # One number, one lead: a row merges into the lead having any of its numbers (its
    # phone first), and its numbers no lead has yet join that lead's other phones.
    new_rows: dict[str, Row] = {}  # phone -> the row that creates the lead
    new_fills: dict[str, dict[str, str]] = {}
    new_lead_of: dict[str, str] = {}  # every number of a lead this batch creates -> its phone
    new_others: dict[str, list[str]] = {}  # phone -> its other phones, when merges add some
    grown: dict[int, dict] = {}  # existing leads whose other phones this batch adds to
    merges: list[Row] = []  # rows merged into leads this batch creates
    merges_existing: list[tuple[Row, dict]] = []
    for row in rows:
        if row.phone in listed or any(number in listed for number in row.other_phones):
            counts.suppressed += 1
            continue
        if row.key in recorded:
            counts.already_imported += 1
            continue
        recorded.add(row.key)
        others = row.other_phones
        lead = existing.get(row.phone)
        if lead is None and others:
            lead = _first_of(existing, others)
        if lead is not None:
            merges_existing.append((row, lead))
            if others and _adopt(lead, (row.phone, *others), existing, new_lead_of):
                grown[lead["id"]] = lead
            continue
        phone = new_lead_of.get(row.phone)
        if phone is None and others:
            phone = _first_of(new_lead_of, others)
        if phone is not None:
            fills = new_fills.setdefault(phone, {})
            current = {**_fields(new_rows[phone]), **fills}
            fills.update(blank_fills(current, row))
            merges.append(row)
            for number in (row.phone, *others):
                if number not in new_lead_of:
                    new_lead_of[number] = phone
                    new_others.setdefault(phone, list(new_rows[phone].other_phones)).append(number)
        else:
            new_rows[row.phone] = row
            new_lead_of[row.phone] = row.phone
            for number in others:
                new_lead_of[number] = row.phone
    counts.imported = len(new_rows)
    counts.merged = len(merges) + len(merges_existing)

    now = writer.value(EVENTS.c.at, ctx.now)
    hooked: list[tuple[str, int, str]] = []  # (event type, lead id, source) for the hooks
    inquiries = _merge_existing(session, ctx, merges_existing, grown, actor.id, counts, hooked)
    ids = _insert_leads(
        session, ctx, list(new_rows.values()), new_fills, new_others, actor.id, counts
    )
    events = [(e["lead_id"], now, e["type"], e["rep_id"], e["detail"]) for e in inquiries] + [
        (
            ids[new_lead_of[row.phone]],
            now,
            "inquiry",
            actor.id,
            _inquiry(row, 0, ctx, actor.id)["detail"],
        )
        for row in merges
    ]
    writer.insert(EVENTS, EVENT_COLUMNS, events)
    if import_events_wanted(ctx.rules):  # outbox rows only when a hook subscribes
        hooked += [("lead_merged", ids[new_lead_of[row.phone]], row.source) for row in merges]
        created = [ids[phone] for phone in new_rows]
        emit_import_events(conn, ctx.rules, at=ctx.now, created=created, inquiries=hooked)
    return counts


def _first_of(owners: dict, numbers: tuple[str, ...]):  # noqa: ANN202
    """What the first of `numbers` that `owners` knows maps to (None when none is known)."""
    for number in numbers:
        found = owners.get(number)
        if found is not None:
            return found
    return None


def _adopt(lead: dict, numbers: tuple[str, ...], existing: dict, new_lead_of: dict) -> bool:
    """Add to `lead` the numbers no lead has yet; whether it gained any."""
    added = [n for n in numbers if n not in existing and n not in new_lead_of]
    for number in added:
        existing[number] = lead
    if added:
        lead["other_phones"] = ",".join(filter(None, (lead["other_phones"], *added)))
    return bool(added)


def _fields(row: Row) -> dict[str, str]:
    return {"email": row.email, "company": row.company, "interest": row.interest}


EXISTING_COLUMNS = ("id", "phone", "other_phones", "stage", "email", "company", "interest")


def _existing_leads(writer: "_Writer", numbers: set[str]) -> dict[str, dict]:
    """Every number of the leads having any of `numbers`, as phone or other phone -> lead.

    Other phones are a comma-separated column: the leads having any are scanned (one
    indexed-free pass a batch; most leads have none) and their lists compared exactly.
    Where old data shares a number between leads, a lead's own phone wins, then the
    oldest lead.
    """
    found = writer.select_in(LEADS, EXISTING_COLUMNS, "phone", list(numbers))
    ids = {row[0] for row in found}
    statement = select(LEADS.c.id, LEADS.c.other_phones).where(LEADS.c.other_phones != "")
    more = [
        lead_id
        for lead_id, others in writer.conn.execute(statement)
        if lead_id not in ids and not numbers.isdisjoint(others.split(","))
    ]
    if more:
        found += writer.select_in(LEADS, EXISTING_COLUMNS, "id", more)
    leads = [dict(zip(EXISTING_COLUMNS, row, strict=True)) for row in sorted(found)]
    by_number = {lead["phone"]: lead for lead in leads}
    for lead in leads:
        for number in lead["other_phones"].split(",") if lead["other_phones"] else ():
            by_number.setdefault(number, lead)
    return by_number


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
    merges: list[tuple[Row, dict]],
    grown: dict[int, dict],
    actor_id: int,
    counts: BatchCounts,
    hooked: list[tuple[str, int, str]],
) -> list[dict]:
    """Inquiries on leads already in the database; closed ones reopen (ORM, they are few).
    `grown` leads get their longer list of other phones. `hooked` gets each row's event."""
    events: list[dict] = []
    fills: dict[int, dict[str, str]] = {
        lead_id: {"other_phones": lead["other_phones"]} for lead_id, lead in grown.items()
    }
    for row, lead in merges:
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
            hooked.append(("lead_reopened", lead["id"], row.source))
            continue
        filled = blank_fills({**lead, **fills.get(lead["id"], {})}, row)
        if filled:
            fills.setdefault(lead["id"], {}).update(filled)
        events.append(_inquiry(row, lead["id"], ctx, actor_id))
        hooked.append(("lead_merged", lead["id"], row.source))
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
    # A file names a handful of owners over and over: match each name once.
    matches = {name: _match_rep(name, known) for name in {row.owner for row in rows} if name}
    owners: list = [None] * len(rows)
    unassigned: list[int] = []
    for index, row in enumerate(rows):
        match = matches.get(row.owner)
        if row.restore is not None and row.owner and (not match or match[1] != row.owner):
            rep = queries.ensure_rep(session, row.owner)  # a callq export names callq reps
            match = matches[row.owner] = (rep.id, rep.name)
        if match:
            owners[index] = match
        else:
            if row.owner:
                counts.unknown_owners.add(row.owner)
            unassigned.append(index)
    facts = [
        LeadFacts(source=rows[i].source, interest=rows[i].interest, urgency=rows[i].urgency)
        for i in unassigned
    ]
    routed = route_owners(session, ctx.rules, facts, now=ctx.now) if unassigned else []
    for index, rep in zip(unassigned, routed, strict=True):
        owners[index] = (rep.id, rep.name) if rep else (None, None)
    return owners


def _match_rep(value: str, known: dict[str, tuple[int, str]]) -> tuple[int, str] | None:
    """A CRM owner ("Asha Rao", "asha@acme.in") -> the callq rep `asha`, if unambiguous."""
    text = value.strip().casefold()
    if text in known:
        return known[text]
    first = text.split("@")[0].replace(".", " ").split()
    return known.get(first[0]) if first else None


LEAD_COLUMNS = (
    "name", "phone", "other_phones", "email", "company", "source", "interest", "urgency",
    "owner_id", "stage", "timezone", "created_at",
)  # fmt: skip
FOLLOWUP_COLUMNS = ("lead_id", "owner_id", "due_at", "kind", "status", "touch", "created_at")


def _inserted_ids(conn, writer: _Writer, lead_rows: list[tuple], phones: list[str]) -> dict:  # noqa: ANN001
    """Insert the leads; phone -> new id.

    On SQLite, under the write lock, an `executemany` is numbered consecutively after the
    table's AUTOINCREMENT sequence, normally its current maximum; the count and the top
    are checked and the ids are looked up by phone whenever that does not hold (and
    always on PostgreSQL).
    """
    before = None
    if conn.dialect.name == "sqlite":
        before = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM lead").scalar()
    writer.insert(LEADS, LEAD_COLUMNS, lead_rows)
    if before is not None:
        after = conn.exec_driver_sql("SELECT MAX(id), COUNT(*) FROM lead WHERE id > ?", (before,))
        top, count = after.one()
        if count == len(phones) and top == before + count:
            return dict(zip(phones, range(before + 1, top + 1), strict=True))
    ids: dict[str, int] = {}
    for part in chunks(phones):
        for lead_id, phone in conn.execute(
            select(LEADS.c.id, LEADS.c.phone).where(LEADS.c.phone.in_(part))
        ):
            ids[phone] = lead_id
    return ids


def _insert_leads(
    session: Session,
    ctx: BatchContext,
    rows: list[Row],
    fills: dict[str, dict[str, str]],
    others: dict[str, list[str]],
    actor_id: int,
    counts: BatchCounts,
) -> dict[str, int]:
    """Insert new leads with their follow-ups and events; phone -> new lead id. `others`:
    the other phones of the leads that later rows of the batch added numbers to."""
    if not rows:
        return {}
    owners = _owners(session, ctx, rows, counts)
    conn = session.connection()
    writer = _Writer(conn)
    now = writer.value(LEADS.c.created_at, ctx.now)
    lead_rows = []
    for row, (owner_id, _name) in zip(rows, owners, strict=True):
        fill = fills.get(row.phone)
        email, company, interest = row.email, row.company, row.interest
        if fill:
            email = fill.get("email", email)
            company = fill.get("company", company)
            interest = fill.get("interest", interest)
        lead_rows.append(
            (
                row.name, row.phone, ",".join(others.get(row.phone, row.other_phones)), email,
                company, row.source,
                interest, row.urgency, owner_id, "new", row.timezone, now,
            )
        )  # fmt: skip
    ids = _inserted_ids(conn, writer, lead_rows, [row.phone for row in rows])

    # Every lead of a batch arrives at the same `now`: one deadline per (source, zone).
    slots: dict[tuple[str, str | None], tuple[object, str]] = {}
    file_json = json.dumps(ctx.file_name)
    owner_json: dict[str | None, str] = {}
    followups, events = [], []
    restored: list = []  # (lead id, owner id, Restore) of a callq export's leads
    for row, (owner_id, owner_name) in zip(rows, owners, strict=True):
        lead_id = ids[row.phone]
        slot = slots.get((row.source, row.timezone))
        if slot is None:
            tz = zone(row.timezone or ctx.rules.team.timezone)
            due = first_response_due(ctx.rules, source=row.source, created_at=ctx.now, tz=tz)
            scheduled = _detail(due_at=due.isoformat(), kind="first_response")
            slot = slots[(row.source, row.timezone)] = (
                writer.value(FOLLOWUPS.c.due_at, due),
                scheduled,
            )
        due_value, scheduled = slot
        if row.restore is not None:  # a callq export's lead: its follow-up as exported
            restored.append((lead_id, owner_id, row.restore))
        else:
            followups.append((lead_id, owner_id, due_value, "first_response", "open", 1, now))
        owner = owner_json.get(owner_name)
        if owner is None:
            owner = owner_json[owner_name] = json.dumps(owner_name)
        # json.dumps(sort_keys=True) of the created event's detail, built without a dict.
        note = json.dumps(row.note) if row.note else EMPTY_JSON
        created = (
            f'{{"import_file": {file_json}, "import_key": "{row.key}", '
            f'"import_line": {row.line}, "note": {note}, '
            f'"owner": {owner}, "source": "{row.source}"}}'
        )
        events.append((lead_id, now, "created", actor_id, created))
        if row.restore is None:
            events.append((lead_id, now, "followup_scheduled", actor_id, scheduled))
    if restored:
        restored_followups, restored_events = restore_leads(
            conn, restored, now=ctx.now, actor_id=actor_id
        )
        if restored_followups:
            conn.execute(FOLLOWUPS.insert(), restored_followups)
        events += [(i, now, kind, actor_id, _detail(**d)) for kind, i, d in restored_events]
    with rollups.followups_in_bulk(conn):  # the report's sums, in one statement a batch
        writer.insert(FOLLOWUPS, FOLLOWUP_COLUMNS, followups)
    writer.insert(EVENTS, EVENT_COLUMNS, events)
    list_do_not_call(conn, restored, now=ctx.now, actor_id=actor_id)
    return ids
