"""Rollups: hourly sums of calls and follow-ups that the report reads instead of rows.

A week of a busy team is hundreds of thousands of calls and follow-ups; the report and
the Summary screen sum them per (rep, channel). These tables hold those sums per UTC hour,
kept by database triggers: every write of a call, a follow-up or a lead's source (outcomes,
undo, import, edits, reassignment, the demo builder, `copy`) updates them in its own
statement, so in its own transaction, and no code path can forget to. A window's full
hours come from here and its ragged edges from the rows (`store.report_queries`), whose
queries stay the one definition of each count: `rebuild` recomputes the rollups from
those rows, and the tests prove triggers and rebuild agree after every kind of write.

The same triggers keep each lead's call facts (`Lead.first_call_at`, `first_call_outcome`,
`second_call_at`, `last_call_at`, `call_count`): the report reads them instead of looking
up every lead's calls (first response, second touches, "called again").

Keys hold 0 for "no rep" (a primary key column cannot be NULL); `nobody` turns it back.
Rows whose counts fall back to zero are kept (they weigh nothing in a sum).

Whether a follow-up was done on time depends on `[team] late_after`: the value the
rollup was built with is in `meta` (`LATE_AFTER_KEY`); `ensure_late_after` rebuilds the
follow-up rollup, once, when the rules file changes it.

Likewise each lead's stage facts (`Lead.first_qualified_at`, `qualified_again_at`,
`first_converted_at`, `converted_touch`: its first call whose outcome qualified it, the
first call after that one, its first call that qualified or won it, and that call's
number) depend on which outcomes set those stages: the triggers
read them from `rollup_outcome_stage`, a copy of the rules' mapping that
`ensure_outcome_stages` refreshes, and the facts with it, when the rules file changes it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Column,
    Float,
    Integer,
    String,
    Table,
    and_,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import ColumnElement
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from callq.store.models import LEAD_TIME_INPUTS, Call, FollowUp, Lead
from callq.store.queries import get_meta, set_meta
from callq.store.sqltime import hour_of, seconds_between, sql

lead = Lead.__table__
call = Call.__table__
followup = FollowUp.__table__

HOUR = timedelta(hours=1)
LATE_AFTER_KEY = "rollup_late_after_seconds"
# Floating-point slack when comparing durations computed by the database (julianday).
EPSILON_SECONDS = 0.001

call_hour = Table(
    "rollup_call_hour",
    SQLModel.metadata,
    Column("hour", UTCDateTime(), primary_key=True),  # the calls' started_at, to the hour
    Column("rep_id", Integer, primary_key=True),  # the caller
    Column("source", String, primary_key=True),  # the lead's source (its channel)
    Column("outcome", String, primary_key=True),
    Column("channel", String, primary_key=True),  # the touch's: call, whatsapp, sms, email
    Column("calls", Integer, nullable=False),
    Column("connects", Integer, nullable=False),
    Column("talk_seconds", Float, nullable=False),
    sqlite_with_rowid=False,
)

followup_hour = Table(
    "rollup_followup_hour",
    SQLModel.metadata,
    Column("hour", UTCDateTime(), primary_key=True),  # due_at, to the hour
    Column("owner_id", Integer, primary_key=True),  # the current owner (0: nobody)
    Column("blamed_id", Integer, primary_key=True),  # blamed_followup_owner (0: nobody)
    Column("source", String, primary_key=True),  # the lead's source
    Column("status", String, primary_key=True),
    Column("on_time", Integer, primary_key=True),  # 1: done within late_after of due
    Column("born_late", Integer, primary_key=True),  # 1: created after due + late_after
    Column("followups", Integer, nullable=False),
    sqlite_with_rowid=False,
)

DERIVED_TABLES = (call_hour, followup_hour)

# The rules' outcomes that qualify a lead (stage "qualified") or win it ("won"), as the
# stage facts were computed with them (`ensure_outcome_stages`). Not derived from rows:
# `copy` carries it over like any table.
outcome_stage = Table(
    "rollup_outcome_stage",
    SQLModel.metadata,
    Column("outcome", String, primary_key=True),
    Column("stage", String, nullable=False),
)


def nobody(column: ColumnElement) -> ColumnElement:
    """A rollup's rep key with 0 read back as NULL (no rep), as the rows have it."""
    return func.nullif(column, 0)


def floor_hour(at: datetime) -> datetime:
    """The start of the UTC hour `at` falls in."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def full_hours(start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """[first, last) whole UTC hours inside [start, end), or None when there are none."""
    first = floor_hour(start)
    if first < start:
        first += HOUR
    last = floor_hour(end)
    return (first, last) if first < last else None


# ---- what one row adds (the rebuild's SELECTs and the triggers' SQL, side by side) ----


def _call_rows():  # noqa: ANN202
    """Every call's contribution, grouped: the rebuild's (and the definition's) SELECT."""
    key = (
        hour_of(call.c.started_at),
        call.c.rep_id,
        lead.c.source,
        call.c.outcome,
        call.c.channel,
    )
    return (
        select(
            *key,
            func.count(),
            func.sum(case((call.c.connected.is_(True), 1), else_=0)),
            func.coalesce(func.sum(seconds_between(call.c.started_at, call.c.ended_at)), 0.0),
        )
        .select_from(call.join(lead, lead.c.id == call.c.lead_id))
        .group_by(*key)
    )


def _followup_rows(late_after_seconds: float):  # noqa: ANN202
    late = literal(late_after_seconds + EPSILON_SECONDS)
    on_time = and_(
        followup.c.status == "done",
        followup.c.completed_at.is_not(None),
        seconds_between(followup.c.due_at, followup.c.completed_at) <= late,
    )
    key = (
        hour_of(followup.c.due_at),
        func.coalesce(followup.c.owner_id, 0),
        func.coalesce(followup.c.deadline_owner_id, followup.c.owner_id, 0),
        lead.c.source,
        followup.c.status,
        case((on_time, 1), else_=0),
        case((seconds_between(followup.c.due_at, followup.c.created_at) > late, 1), else_=0),
    )
    return (
        select(*key, func.count())
        .select_from(followup.join(lead, lead.c.id == followup.c.lead_id))
        .group_by(*key)
    )


def _call_values(dialect: str, row: str, sign: str, source: str, *, grouped: bool = False) -> str:
    """The SELECT list of one call's contribution (`row`: NEW, OLD), or with `grouped`
    of a group of calls (`row` their alias) summed."""

    def at(column: str) -> str:
        return f"{row}.{column}"

    connected = f"CASE WHEN {at('connected')} THEN 1 ELSE 0 END"
    talk = sql("seconds_between", dialect, at("started_at"), at("ended_at"))
    if grouped:
        count, connected, talk = "COUNT(*)", f"SUM({connected})", f"COALESCE(SUM({talk}), 0)"
    else:
        count, connected = "1", f"({connected})"
    return (
        f"SELECT {sql('hour_of', dialect, at('started_at'))}, {at('rep_id')}, {source}, "
        f"{at('outcome')}, {at('channel')}, {sign}{count}, {sign}{connected}, {sign}{talk}"
    )


_CALL_UPSERT = (
    "INSERT INTO rollup_call_hour "
    "(hour, rep_id, source, outcome, channel, calls, connects, talk_seconds) {values} "
    "ON CONFLICT (hour, rep_id, source, outcome, channel) DO UPDATE SET "
    "calls = rollup_call_hour.calls + excluded.calls, "
    "connects = rollup_call_hour.connects + excluded.connects, "
    "talk_seconds = rollup_call_hour.talk_seconds + excluded.talk_seconds"
)

_FOLLOWUP_UPSERT = (
    "INSERT INTO rollup_followup_hour "
    "(hour, owner_id, blamed_id, source, status, on_time, born_late, followups) {values} "
    "ON CONFLICT (hour, owner_id, blamed_id, source, status, on_time, born_late) "
    "DO UPDATE SET followups = rollup_followup_hour.followups + excluded.followups"
)


def _late(dialect: str) -> str:
    number = "REAL" if dialect == "sqlite" else "DOUBLE PRECISION"
    return (
        f"((SELECT CAST(value AS {number}) FROM meta WHERE key = '{LATE_AFTER_KEY}')"
        f" + {EPSILON_SECONDS})"
    )


def _followup_values(
    dialect: str, row: str, sign: str, source: str, *, grouped: bool = False
) -> str:
    """The SELECT list of one follow-up's contribution, or with `grouped` of a group's."""

    def at(column: str) -> str:
        return f"{row}.{column}"

    late = _late(dialect)
    lateness = sql("seconds_between", dialect, at("due_at"), at("completed_at"))
    on_time = (
        f"CASE WHEN {at('status')} = 'done' AND {at('completed_at')} IS NOT NULL "
        f"AND {lateness} <= {late} THEN 1 ELSE 0 END"
    )
    born = sql("seconds_between", dialect, at("due_at"), at("created_at"))
    return (
        f"SELECT {sql('hour_of', dialect, at('due_at'))}, COALESCE({at('owner_id')}, 0), "
        f"COALESCE({at('deadline_owner_id')}, {at('owner_id')}, 0), {source}, "
        f"{at('status')}, {on_time}, CASE WHEN {born} > {late} THEN 1 ELSE 0 END, "
        f"{sign}{'COUNT(*)' if grouped else '1'}"
    )


def _row_upserts(dialect: str, row: str, sign: str) -> list[str]:
    """The statements adding (sign '') or taking away (sign '-') one call's or follow-up's
    contribution; `row` is NEW or OLD, the table the trigger's."""
    lead_of = f"FROM lead WHERE lead.id = {row}.lead_id"
    return {
        "call": _CALL_UPSERT.format(
            values=f"{_call_values(dialect, row, sign, 'lead.source')} {lead_of}"
        ),
        "followup": _FOLLOWUP_UPSERT.format(
            values=f"{_followup_values(dialect, row, sign, 'lead.source')} {lead_of}"
        ),
    }


# The columns whose change moves a row's contribution (an UPDATE of anything else, a note,
# a template, fires nothing).
_WATCHED = {
    "call": ("lead_id", "rep_id", "started_at", "ended_at", "outcome", "connected", "channel"),
    "followup": (
        "lead_id",
        "owner_id",
        "deadline_owner_id",
        "due_at",
        "status",
        "completed_at",
        "created_at",
    ),
}


def _grouped_source_move(dialect: str, table: str, row: str, sign: str) -> str:
    """One lead's every call (or follow-up), re-added under `row`.source with `sign`."""
    source = f"{row}.source"
    if table == "call":
        values = _call_values(dialect, "c", sign, source, grouped=True)
        body = f"{values} FROM call AS c WHERE c.lead_id = NEW.id GROUP BY 1, 2, 3, 4, 5"
        return _CALL_UPSERT.format(values=body)
    values = _followup_values(dialect, "f", sign, source, grouped=True)
    body = f"{values} FROM followup AS f WHERE f.lead_id = NEW.id GROUP BY 1, 2, 3, 4, 5, 6, 7"
    return _FOLLOWUP_UPSERT.format(values=body)


# A lead's call facts (models.Lead.first_call_at ... call_count) from its calls, in the
# (started_at, id) order the report's "first" and "second" call mean.
_IN_ORDER = "FROM call AS c WHERE c.lead_id = lead.id ORDER BY c.started_at, c.id LIMIT 1"
_LEAD_CALL_FACTS = {
    "first_call_at": f"(SELECT c.started_at {_IN_ORDER})",
    "first_call_outcome": f"(SELECT c.outcome {_IN_ORDER})",
    "second_call_at": f"(SELECT c.started_at {_IN_ORDER} OFFSET 1)",
    "last_call_at": "(SELECT MAX(c.started_at) FROM call AS c WHERE c.lead_id = lead.id)",
    "call_count": "(SELECT COUNT(*) FROM call AS c WHERE c.lead_id = lead.id)",
}
LEAD_CALL_FACTS = ", ".join(f"{column} = {value}" for column, value in _LEAD_CALL_FACTS.items())
_LEAD_CALL_COLUMNS = ("lead_id", "started_at", "outcome")


# A new call is the lead's newest (ids only grow): the facts move by comparison, without
# reading the lead's calls. SET expressions all see the row as it was.
_EARLIER_THAN_FIRST = "(first_call_at IS NULL OR NEW.started_at < first_call_at)"
_ADD_CALL = (
    "call_count = call_count + 1, "
    "last_call_at = CASE WHEN last_call_at IS NULL OR NEW.started_at > last_call_at "
    "THEN NEW.started_at ELSE last_call_at END, "
    f"first_call_at = CASE WHEN {_EARLIER_THAN_FIRST} THEN NEW.started_at "
    "ELSE first_call_at END, "
    f"first_call_outcome = CASE WHEN {_EARLIER_THAN_FIRST} THEN NEW.outcome "
    "ELSE first_call_outcome END, "
    "second_call_at = CASE WHEN first_call_at IS NULL THEN NULL "
    "WHEN NEW.started_at < first_call_at THEN first_call_at "
    "WHEN second_call_at IS NULL OR NEW.started_at < second_call_at THEN NEW.started_at "
    "ELSE second_call_at END"
)


def _lead_facts_trigger_ddl(dialect: str, name: str, add: str, recount: str) -> list[str]:
    """Triggers on call keeping facts on its lead: `add` (a statement on NEW) for a new
    call, `recount` (SET assignments from the lead's calls) for a removed or moved one."""

    def refresh(row: str) -> str:
        if row == "NEW+":
            return add
        return f"UPDATE lead SET {recount} WHERE lead.id = {row}.lead_id"

    watched = ", ".join(_LEAD_CALL_COLUMNS)
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER rollup_{name}_{kind} AFTER {event} ON call FOR EACH ROW "
            f"BEGIN {'; '.join(refresh(row) for row in rows)}; END"
            for kind, event, rows in (
                ("insert", "INSERT", ("NEW+",)),
                ("delete", "DELETE", ("OLD",)),
                ("update", f"UPDATE OF {watched}", ("OLD", "NEW")),
            )
        ]
    return [
        f"CREATE OR REPLACE FUNCTION rollup_{name}_row() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {refresh('NEW+')}; END IF; "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {refresh('OLD')}; END IF; "
        f"IF TG_OP = 'UPDATE' THEN {refresh('NEW')}; END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER rollup_{name} AFTER INSERT OR DELETE OR UPDATE OF {watched} "
        f"ON call FOR EACH ROW EXECUTE FUNCTION rollup_{name}_row()",
    ]


def lead_call_trigger_ddl(dialect: str) -> list[str]:
    """The triggers that keep each lead's call facts as its calls come and go: a new call
    by comparison (the outcome path's case), a removed or moved one by a recount."""
    add = f"UPDATE lead SET {_ADD_CALL} WHERE lead.id = NEW.lead_id"
    return _lead_facts_trigger_ddl(dialect, "lead_calls", add, LEAD_CALL_FACTS)


def refresh_lead_calls(connection: Connection) -> None:
    """Every lead's call facts from its calls (a migration's backfill, a bulk load)."""
    connection.exec_driver_sql(f"UPDATE lead SET {LEAD_CALL_FACTS}")


# A lead's stage facts (models.Lead.first_qualified_at, qualified_again_at,
# first_converted_at, converted_touch) from its calls and `rollup_outcome_stage`.
_CONVERTING = "SELECT s.outcome FROM rollup_outcome_stage AS s"
_QUALIFYING = f"{_CONVERTING} WHERE s.stage = 'qualified'"


def _first_with(outcomes: str, lead_id: str) -> str:
    return (
        f"(SELECT MIN(c.started_at) FROM call AS c "
        f"WHERE c.lead_id = {lead_id} AND c.outcome IN ({outcomes}))"
    )


def _first_call_after(lead_id: str, at: str) -> str:
    """The start of the lead's first call after `at`."""
    return (
        f"(SELECT MIN(c.started_at) FROM call AS c WHERE c.lead_id = {lead_id} "
        f"AND c.started_at > {at})"
    )


def _calls_up_to(lead_id: str, at: str) -> str:
    """How many of the lead's calls started at or before `at`."""
    return f"(SELECT COUNT(*) FROM call AS c WHERE c.lead_id = {lead_id} AND c.started_at <= {at})"


def _stage_facts(lead_id: str) -> dict[str, str]:
    qualified = _first_with(_QUALIFYING, lead_id)
    converted = _first_with(_CONVERTING, lead_id)
    return {
        "first_qualified_at": qualified,
        # The first call after that one, whatever its outcome ("called again").
        "qualified_again_at": _first_call_after(lead_id, qualified),
        "first_converted_at": converted,
        # The first converting call's number among the lead's calls (NULL: none).
        "converted_touch": f"NULLIF({_calls_up_to(lead_id, converted)}, 0)",
    }


_STAGE_FACTS = _stage_facts("lead.id")
LEAD_STAGE_FACTS = ", ".join(f"{column} = {value}" for column, value in _STAGE_FACTS.items())

# A new call moves the facts by comparison. Only a lead's first qualifying or converting
# call, the first call after its first qualifying one, or one dated before either,
# changes them: the WHERE leaves the lead row (and its index entries) alone for every
# other call. SET sees the row as it was.
_NEW_CONVERTS = f"NEW.outcome IN ({_CONVERTING})"
_NEW_QUALIFIES = f"NEW.outcome IN ({_QUALIFYING})"
_BEFORE_CONVERTED = "(first_converted_at IS NULL OR NEW.started_at < first_converted_at)"
_BEFORE_QUALIFIED = "(first_qualified_at IS NULL OR NEW.started_at < first_qualified_at)"
# The new call is the first after the qualifying one (so far).
_AGAIN = (
    "(NEW.started_at > first_qualified_at "
    "AND (qualified_again_at IS NULL OR NEW.started_at < qualified_again_at))"
)
_ADD_STAGE_CALL = (
    "UPDATE lead SET "
    f"first_qualified_at = CASE WHEN {_NEW_QUALIFIES} AND {_BEFORE_QUALIFIED} "
    "THEN NEW.started_at ELSE first_qualified_at END, "
    f"qualified_again_at = CASE WHEN {_NEW_QUALIFIES} AND {_BEFORE_QUALIFIED} "
    f"THEN {_first_call_after('NEW.lead_id', 'NEW.started_at')} "
    f"WHEN {_AGAIN} THEN NEW.started_at ELSE qualified_again_at END, "
    f"converted_touch = CASE WHEN {_NEW_CONVERTS} AND {_BEFORE_CONVERTED} "
    f"THEN {_calls_up_to('NEW.lead_id', 'NEW.started_at')} "
    "WHEN NEW.started_at <= first_converted_at THEN converted_touch + 1 "
    "ELSE converted_touch END, "
    f"first_converted_at = CASE WHEN {_NEW_CONVERTS} AND {_BEFORE_CONVERTED} "
    "THEN NEW.started_at ELSE first_converted_at END "
    "WHERE lead.id = NEW.lead_id AND ("
    f"({_NEW_CONVERTS} AND first_converted_at IS NULL) "
    "OR NEW.started_at <= first_converted_at "
    f"OR ({_NEW_QUALIFIES} AND {_BEFORE_QUALIFIED}) "
    f"OR {_AGAIN})"
)


def lead_stage_trigger_ddl(dialect: str) -> list[str]:
    """The triggers that keep each lead's stage facts as its calls come and go (schema
    0012): a new call by comparison, a removed or moved one by a recount."""
    return _lead_facts_trigger_ddl(dialect, "lead_stages", _ADD_STAGE_CALL, LEAD_STAGE_FACTS)


def lead_times_trigger_ddl(dialect: str) -> list[str]:
    """The trigger that clears a lead's kept business times (Lead.sla_deadline_at,
    first_response_us) when what they are computed from (`LEAD_TIME_INPUTS`) changes, for
    the report to compute them again (services.lead_times; schema 0012)."""
    watched = ", ".join(LEAD_TIME_INPUTS)
    if dialect == "sqlite":
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in LEAD_TIME_INPUTS)
        return [
            f"CREATE TRIGGER rollup_lead_times_stale AFTER UPDATE OF {watched} ON lead "
            f"FOR EACH ROW WHEN {changed} BEGIN "
            "UPDATE lead SET sla_deadline_at = NULL, first_response_us = NULL "
            "WHERE id = NEW.id; END"
        ]
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in LEAD_TIME_INPUTS)
    return [
        "CREATE OR REPLACE FUNCTION rollup_lead_times_stale() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN IF {changed} THEN "
        "NEW.sla_deadline_at := NULL; NEW.first_response_us := NULL; END IF; "
        "RETURN NEW; END $$",
        f"CREATE TRIGGER rollup_lead_times_stale BEFORE UPDATE OF {watched} ON lead "
        "FOR EACH ROW EXECUTE FUNCTION rollup_lead_times_stale()",
    ]


def refresh_lead_stages(connection: Connection) -> None:
    """Every lead's stage facts from its calls and the kept outcome stages."""
    connection.exec_driver_sql(f"UPDATE lead SET {LEAD_STAGE_FACTS}")


def outcome_stages_of(connection: Connection) -> dict[str, str]:
    """The outcome -> stage mapping the stage facts were computed with."""
    return dict(connection.execute(select(outcome_stage.c.outcome, outcome_stage.c.stage)).all())


def ensure_outcome_stages(connection: Connection, stages: dict[str, str]) -> bool:
    """Recompute every lead's stage facts when `stages` (the rules' qualifying and winning
    outcomes: outcome -> "qualified" or "won") is not the mapping they were computed with;
    True when it did. Call inside a write transaction."""
    if outcome_stages_of(connection) == stages:
        return False
    if connection.dialect.name != "sqlite":
        # Writers of calls wait: none moves a lead's facts under the old mapping meanwhile.
        connection.exec_driver_sql("LOCK TABLE call IN SHARE MODE")
        if outcome_stages_of(connection) == stages:
            return False
    connection.execute(outcome_stage.delete())
    if stages:
        connection.execute(
            outcome_stage.insert(), [{"outcome": o, "stage": s} for o, s in stages.items()]
        )
    refresh_lead_stages(connection)
    return True


def trigger_ddl(dialect: str) -> list[str]:
    """The statements that create the rollups' triggers (and PostgreSQL's functions)."""
    statements: list[str] = []
    lead_moves = [
        _grouped_source_move(dialect, table, row, sign)
        for table in ("call", "followup")
        for row, sign in (("OLD", "-"), ("NEW", ""))
    ]
    if dialect == "sqlite":
        for table, watched in _WATCHED.items():
            for event, rows in (
                ("INSERT", (("NEW", ""),)),
                ("DELETE", (("OLD", "-"),)),
                (f"UPDATE OF {', '.join(watched)}", (("OLD", "-"), ("NEW", ""))),
            ):
                body = "; ".join(_row_upserts(dialect, row, sign)[table] for row, sign in rows)
                name = f"rollup_{table}_{event.split()[0].lower()}"
                statements.append(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body}; END"
                )
        statements.append(
            "CREATE TRIGGER rollup_lead_source AFTER UPDATE OF source ON lead FOR EACH ROW "
            f"WHEN OLD.source IS NOT NEW.source BEGIN {'; '.join(lead_moves)}; END"
        )
        return statements
    for table, watched in _WATCHED.items():
        old = _row_upserts(dialect, "OLD", "-")[table]
        new = _row_upserts(dialect, "NEW", "")[table]
        statements.append(
            f"CREATE OR REPLACE FUNCTION rollup_{table}_row() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {old}; END IF; "
            f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {new}; END IF; "
            "RETURN NULL; END $$"
        )
        statements.append(
            f"CREATE TRIGGER rollup_{table} AFTER INSERT OR DELETE OR UPDATE OF "
            f"{', '.join(watched)} ON {table} FOR EACH ROW EXECUTE FUNCTION rollup_{table}_row()"
        )
    statements.append(
        "CREATE OR REPLACE FUNCTION rollup_lead_source() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {'; '.join(lead_moves)}; RETURN NULL; END $$"
    )
    statements.append(
        "CREATE TRIGGER rollup_lead_source AFTER UPDATE OF source ON lead FOR EACH ROW "
        "WHEN (OLD.source IS DISTINCT FROM NEW.source) EXECUTE FUNCTION rollup_lead_source()"
    )
    return statements


def _create_triggers(connection: Connection) -> None:
    """Every trigger: the rollups' (schema 0009), the lead call facts' (0010), the lead
    stage facts' and the kept business times' (0012)."""
    dialect = connection.dialect.name
    triggers = trigger_ddl(dialect) + lead_call_trigger_ddl(dialect)
    triggers += lead_stage_trigger_ddl(dialect) + lead_times_trigger_ddl(dialect)
    for statement in triggers:
        connection.exec_driver_sql(statement)


def install(connection: Connection) -> None:
    """Create every trigger and fill what they keep from the rows: a new database (the
    tables and columns themselves are on the metadata)."""
    _create_triggers(connection)
    rebuild(connection)


def rebuild(connection: Connection) -> None:
    """Recompute everything the triggers keep from the rows."""
    rebuild_sums(connection)
    refresh_lead_calls(connection)
    refresh_lead_stages(connection)


def rebuild_sums(connection: Connection) -> None:
    """Recompute the rollups from the rows. The follow-up rollup needs a late_after: until
    a report has set one (`ensure_late_after`), it stays empty and unread."""
    connection.execute(call_hour.delete())
    connection.execute(call_hour.insert().from_select(list(call_hour.c), _call_rows()))
    _rebuild_followups(connection, late_after_of(connection))


def _rebuild_followups(connection: Connection, seconds: float | None) -> None:
    connection.execute(followup_hour.delete())
    if seconds is not None:
        rows = _followup_rows(seconds)
        connection.execute(followup_hour.insert().from_select(list(followup_hour.c), rows))


def late_after_of(connection: Connection) -> float | None:
    """The late_after (seconds) the follow-up rollup was built with; None: not built."""
    value = get_meta(connection, LATE_AFTER_KEY)
    return None if value is None else float(value)


def ensure_late_after(connection: Connection, late_after: timedelta) -> bool:
    """Rebuild the follow-up rollup when the rules' late_after is not the one it was built
    with (first use, or the rules file changed it); True when it did. Call inside a write
    transaction."""
    seconds = late_after.total_seconds()
    if late_after_of(connection) == seconds:
        return False
    if connection.dialect.name != "sqlite":
        # Writers of follow-ups wait: none adds a row under the old value meanwhile.
        connection.exec_driver_sql("LOCK TABLE followup IN SHARE MODE")
        if late_after_of(connection) == seconds:
            return False
    set_meta(connection, LATE_AFTER_KEY, repr(seconds))
    _rebuild_followups(connection, seconds)
    return True


def disagreements(connection: Connection) -> list[str]:
    """Where the rollups or the leads' call facts differ from a rebuild from the rows
    (`callq doctor`): empty when the triggers kept them exact. Rollup rows whose counts
    are all zero count as absent."""
    found: list[str] = []
    differs = " IS NOT " if connection.dialect.name == "sqlite" else " IS DISTINCT FROM "
    facts = {**_LEAD_CALL_FACTS, **_STAGE_FACTS}
    stale = " OR ".join(f"{column}{differs}{value}" for column, value in facts.items())
    for (lead_id,) in connection.exec_driver_sql(f"SELECT id FROM lead WHERE {stale} LIMIT 20"):
        found.append(
            f"lead {lead_id}: its call facts (first call, first qualified, ...) disagree "
            "with its calls"
        )
    checked = [(call_hour, _call_rows(), 5)]
    seconds = late_after_of(connection)
    if seconds is not None:  # not built yet: unread, so nothing to disagree with
        checked.append((followup_hour, _followup_rows(seconds), 7))
    for table, rows, width in checked:
        kept = {
            tuple(row[:width]): tuple(row[width:])
            for row in connection.execute(select(table))
            if any(row[width:])
        }
        fresh = {tuple(row[:width]): tuple(row[width:]) for row in connection.execute(rows)}
        for key in sorted(kept.keys() | fresh.keys(), key=repr):
            have, want = kept.get(key), fresh.get(key)
            if have is None or want is None or not _close(have, want):
                found.append(f"{table.name} {key}: kept {have}, rows give {want}")
    return found


def _close(have: tuple, want: tuple) -> bool:
    """Counts equal; sums of seconds equal to a millisecond a row (float addition order)."""
    return all(
        a == b if isinstance(b, int) else abs(float(a) - float(b)) <= 0.001 * max(1, abs(b))
        for a, b in zip(have, want, strict=True)
    )


@contextmanager
def suspended(connection: Connection) -> Iterator[None]:
    """Bulk loading (`copy`): triggers off for the load, then on again and the rollups
    rebuilt from the rows in one pass, inside the caller's transaction."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        names = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rollup_%'"
            )
        ]
        for name in names:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
    else:
        for table in ("call", "followup", "lead"):
            connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    yield
    if dialect == "sqlite":
        _create_triggers(connection)
    else:
        for table in ("call", "followup", "lead"):
            connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    rebuild(connection)


@contextmanager
def followups_in_bulk(connection: Connection) -> Iterator[None]:
    """Many follow-ups inserted at once (an import batch): on SQLite the per-row trigger
    is set aside and the rows inserted inside the block are added to the rollup in one
    grouped statement afterwards, inside the caller's transaction (the writer holds the
    database's one write lock, so the ids after the block's first are all its own). On
    PostgreSQL, where other writers insert at the same time, the trigger stays."""
    present = (
        connection.dialect.name == "sqlite"
        and connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'rollup_followup_insert'"
        ).first()
    )
    if not present:
        yield
        return
    before = connection.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM followup").scalar()
    connection.exec_driver_sql("DROP TRIGGER rollup_followup_insert")
    yield
    (recreate,) = [
        statement
        for statement in trigger_ddl("sqlite")
        if statement.startswith("CREATE TRIGGER rollup_followup_insert ")
    ]
    connection.exec_driver_sql(recreate)
    seconds = late_after_of(connection)
    if seconds is None:
        return  # the follow-up rollup is not built yet: its first build counts them
    rows = _followup_rows(seconds).where(followup.c.id > before)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    upsert = sqlite_insert(followup_hour).from_select(list(followup_hour.c), rows)
    keys = [column for column in followup_hour.primary_key.columns]
    connection.execute(
        upsert.on_conflict_do_update(
            index_elements=keys,
            set_={"followups": followup_hour.c.followups + upsert.excluded.followups},
        )
    )
