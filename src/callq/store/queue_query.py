"""The queue's one query: which open follow-ups a section holds, in which order, and what
each row shows. Written once, as SQLAlchemy Core.

`services.queue.QueueReader` runs these statements on either backend. The TUI's first
paint cannot wait for SQLAlchemy to import, so it runs their SQLite text, compiled from
this module into `store/queue_sql.py` (`python -m callq.store.queue_query` rewrites it;
tests/tui/test_quickread.py fails while that file differs from what this module compiles).
"""

from pathlib import Path

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    case,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects import sqlite

from callq.rules.queue import FIRST_RESPONSE, SECTION_BOUNDS, SECTIONS
from callq.store.models import Call, FollowUp, Lead, Rep
from callq.store.queries import OPEN_FOLLOWUP

followup, lead, call, rep = (m.__table__ for m in (FollowUp, Lead, Call, Rep))

# The parameters a reading supplies; every other value is part of the statement.
NOW = bindparam("now", type_=followup.c.due_at.type)
DAY_END = bindparam("day_end", type_=followup.c.due_at.type)
OWNER = bindparam("owner", type_=Integer)
LIMIT = bindparam("limit", type_=Integer)
OFFSET = bindparam("offset", type_=Integer)
REP_NAME = bindparam("rep", type_=rep.c.name.type)
_INSTANTS = {"now": NOW, "day_end": DAY_END}

# Constants as SQL literals, so the compiled text needs no parameters but the reading's.
_FIRST = followup.c.kind == literal_column(f"'{FIRST_RESPONSE}'")
URGENCY_RANK = case(
    (lead.c.urgency == literal_column("'high'"), literal_column("0")),
    (lead.c.urgency == literal_column("'normal'"), literal_column("1")),
    else_=literal_column("2"),
)

# What a row shows, in this order (both readers map a row to its names with PAGE_COLUMNS).
_LAST_CALL_ID = select(func.max(call.c.id)).where(call.c.lead_id == lead.c.id).scalar_subquery()
_last = call.alias("last_call")
PAGE_COLUMNS = (
    followup.c.id.label("followup_id"),
    followup.c.due_at,
    followup.c.kind,
    select(rep.c.name).where(rep.c.id == followup.c.owner_id).scalar_subquery().label("owner"),
    lead.c.id.label("lead_id"),
    lead.c.name,
    lead.c.phone,
    lead.c.company,
    lead.c.source,
    lead.c.stage,
    lead.c.urgency,
    lead.c.timezone,
    lead.c.created_at,
    lead.c.escalated_at,
    lead.c.first_touch_at,
    # Every call's outcome, for the attempt rule (which outcomes count is the rules' call).
    select(func.aggregate_strings(call.c.outcome, literal_column("','")))
    .where(call.c.lead_id == lead.c.id)
    .scalar_subquery()
    .label("outcomes"),
    _last.c.outcome.label("last_outcome"),
    _last.c.note.label("last_note"),
)
PAGE_NAMES = tuple(column.name for column in PAGE_COLUMNS)
DATETIME_NAMES = ("due_at", "created_at", "escalated_at", "first_touch_at")


# The pool: open first responses nobody owns (an escalation to "pool"), in every rep's New.
POOL = followup.c.owner_id.is_(None)  # New's own filter keeps only first responses
_MINE = followup.c.owner_id == OWNER


def viewer_filter(section: str, *, first: ColumnElement | None = None):  # noqa: ANN201
    """The rows of `section` a rep sees: their own and, in New, the pool's.

    Not an OR of the two: SQLite then scans every open follow-up. Each half walks the
    queue's partial index (owner_id, due_at) by itself; `first` keeps only each half's
    first rows in queue order (a page needs no more than offset + limit of either).
    """
    if not SECTION_BOUNDS[section].first_response:
        return _MINE
    halves = []
    for whose in (_MINE, POOL):
        half = (
            select(followup.c.id)
            .select_from(followup.join(lead, lead.c.id == followup.c.lead_id))
            .where(OPEN_FOLLOWUP, section_filter(section), whose)
        )
        if first is not None:
            ordered = half.order_by(followup.c.due_at, URGENCY_RANK, followup.c.id)
            half = ordered.limit(first).offset(literal_column("0"))  # a literal: no parameter
        halves.append(select(half.subquery().c.id))
    return followup.c.id.in_(union_all(*halves))


def section_filter(section: str, rows=followup.c):  # noqa: ANN001, ANN201
    """The WHERE clause of a section, read off `rules.queue.SECTION_BOUNDS` (over the
    follow-up table, or `rows` with its `kind` and `due_at`)."""
    bounds = SECTION_BOUNDS[section]
    first = rows.kind == literal_column(f"'{FIRST_RESPONSE}'")
    clauses = [first if bounds.first_response else ~first]
    if bounds.since is not None:
        clauses.append(rows.due_at >= _INSTANTS[bounds.since])
    if bounds.before is not None:
        clauses.append(rows.due_at < _INSTANTS[bounds.before])
    return clauses[0] if len(clauses) == 1 else clauses[0] & _and(clauses[1:])


def _and(clauses: list):  # noqa: ANN202
    result = clauses[0]
    for clause in clauses[1:]:
        result = result & clause
    return result


def page_statement(section: str, *, by_owner: bool) -> Select:
    """Rows `:offset`.. `:offset + :limit` of a section: earliest due first, then urgency."""
    statement = (
        select(*PAGE_COLUMNS)
        .select_from(
            followup.join(lead, lead.c.id == followup.c.lead_id).outerjoin(
                _last, _last.c.id == _LAST_CALL_ID
            )
        )
        .where(OPEN_FOLLOWUP, section_filter(section))
        .order_by(followup.c.due_at, URGENCY_RANK, followup.c.id)
        .limit(LIMIT)
        .offset(OFFSET)
    )
    return statement.where(viewer_filter(section, first=LIMIT + OFFSET)) if by_owner else statement


def counts_statement(*, by_owner: bool) -> Select:
    """Open follow-ups per section (in SECTIONS order), in one pass over the partial index;
    a rep's New adds the pool's, counted from its own range of that index (an OR of the
    two would scan all of it)."""
    columns = []
    for section in SECTIONS:
        count = func.coalesce(
            func.sum(
                case((section_filter(section), literal_column("1")), else_=literal_column("0"))
            ),
            literal_column("0"),
        )
        if by_owner and SECTION_BOUNDS[section].first_response:
            pool = followup.alias("pool")
            in_pool = (
                select(func.count())
                .select_from(pool)
                .where(
                    pool.c.status == literal_column("'open'"),
                    pool.c.owner_id.is_(None),
                    section_filter(section, pool.c),
                )
                .scalar_subquery()
            )
            count = count + in_pool
        columns.append(count)
    statement = select(*columns).select_from(followup).where(OPEN_FOLLOWUP)
    return statement.where(_MINE) if by_owner else statement


def rep_statement() -> Select:
    """The viewing rep's id and timezone."""
    return select(rep.c.id, rep.c.timezone).where(rep.c.name == REP_NAME)


# The SQLite text of the first paint's statements (one rep's queue), for store/queue_sql.py.


def sqlite_text(statement: Select) -> str:
    compiled = statement.compile(dialect=sqlite.dialect(paramstyle="named"))
    extra = set(compiled.params) - {"now", "day_end", "owner", "limit", "offset", "rep"}
    if extra:  # a constant crept in as a parameter: the sqlite3 reader would not bind it
        raise ValueError(f"unexpected parameters {sorted(extra)} in {compiled}")
    return str(compiled)


def generated() -> dict:
    """What store/queue_sql.py holds (tests compare it with its import)."""
    return {
        "REP": sqlite_text(rep_statement()),
        "COUNTS": sqlite_text(counts_statement(by_owner=True)),
        "PAGE_NAMES": PAGE_NAMES,
        "DATETIME_NAMES": DATETIME_NAMES,
        "PAGES": {s: sqlite_text(page_statement(s, by_owner=True)) for s in SECTIONS},
    }


def generated_source() -> str:
    """The text of store/queue_sql.py."""
    values = generated()
    pages = values.pop("PAGES")
    lines = [
        "# ruff: noqa: E501",
        '"""The queue\'s SQLite text for the TUI\'s first paint (stdlib sqlite3, no SQLAlchemy).',
        "",
        "Generated from store/queue_query.py by `python -m callq.store.queue_query`: do not edit.",
        '"""',
        "",
        *(f"{name} = {value!r}" for name, value in values.items()),
        "PAGES = {",
        *(f"    {section!r}: {text!r}," for section, text in pages.items()),
        "}",
        "",
    ]
    return "\n".join(lines)


GENERATED = Path(__file__).with_name("queue_sql.py")

if __name__ == "__main__":
    GENERATED.write_text(generated_source())
    print(f"wrote {GENERATED}")
