"""The report's SQL: aggregates grouped by (rep, channel), portable across SQLite and PostgreSQL.

Every function returns plain tuples keyed by `(rep_id, channel)`; the tallies of those
groups add up to the team's, so one query serves the team, each rep and each channel.
Rep means the caller for calls; for a deadline, whoever owned the work when it passed
(`blamed_lead_owner`: leads in, first response, SLA; `blamed_followup_owner`: follow-up
completion); the current owner for what is about now (overdue, unworked, second touch).

Calls, touches, follow-up completion and overdue follow-ups read a window's whole hours
from the rollups (`store.rollups`, kept by triggers) and its ragged edges from the rows;
the row queries here (`_call_rows_counts`, ...) are the definition the rollups sum.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import ColumnElement

from callq.rules.model import OPEN_STAGES, UNWORKED_AFTER
from callq.store import rollups
from callq.store.models import (
    LEAD_CLOSED,
    LEAD_TIME_INPUTS,
    LEAD_TIMES_PENDING,
    Call,
    FollowUp,
    Lead,
    Rep,
)
from callq.store.queries import DONE_FOLLOWUP, OPEN_FOLLOWUP
from callq.store.sqltime import joined, seconds_between

lead = Lead.__table__
call = Call.__table__
followup = FollowUp.__table__
rep = Rep.__table__

# Who is to blame (rules.blame.blamed_owner): the owner recorded when the work moved after
# its deadline, else the current owner. Every report query that attributes a past deadline
# groups and filters by these two expressions.
blamed_lead_owner = func.coalesce(lead.c.sla_owner_id, lead.c.owner_id)
blamed_followup_owner = func.coalesce(followup.c.deadline_owner_id, followup.c.owner_id)

# Longer than any call: a call's start and end (first_touch_at) are less than this apart.
_CALL_SLACK = timedelta(days=1)
_EPSILON_SECONDS = rollups.EPSILON_SECONDS


@dataclass(frozen=True)
class Scope:
    """What the report looks at: an optional rep and channel filter."""

    rep_id: int | None = None
    channel: str | None = None


def _hours_and_edges(start: datetime, end: datetime, from_rollup, from_rows) -> list[tuple]:  # noqa: ANN001
    """Rows for [start, end): its whole hours from a rollup, the rest from the rows."""
    hours = rollups.full_hours(start, end) if start < end else None
    if hours is None:
        return list(from_rows(start, end)) if start < end else []
    first, last = hours
    rows = list(from_rollup(first, last))
    for edge_start, edge_end in ((start, first), (last, end)):
        if edge_start < edge_end:
            rows += from_rows(edge_start, edge_end)
    return rows


def _calls_through(connection: Connection, end: datetime) -> datetime:
    """Where a count of calls started before `end` may stop: `end`, or the end of its hour
    when no call started at or after `end` (a report about now), so that hour comes whole
    from the call rollup instead of from the rows (a morning rush's hour of calls)."""
    hour_end = rollups.floor_hour(end)
    if hour_end == end:
        return end
    later = select(call.c.id).where(call.c.started_at >= end).limit(1)
    return end if connection.execute(later).first() else hour_end + rollups.HOUR


def _scoped(  # noqa: ANN202
    statement,  # noqa: ANN001
    scope: Scope,
    rep_column: ColumnElement,
    source_column: ColumnElement = lead.c.source,
):
    """`statement` for the scope's rep (in `rep_column`) and channel (a lead's source, or a
    rollup's copy of it)."""
    if scope.rep_id is not None:
        statement = statement.where(rep_column == scope.rep_id)
    if scope.channel is not None:
        statement = statement.where(source_column == scope.channel)
    return statement


def _count_if(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# Leads whose kept business times are still to compute (services.lead_times computes them
# before the report reads, and again if a writer made some stale meanwhile).
_PENDING = text(f"({LEAD_TIMES_PENDING})")
_KEPT = text(f"NOT ({LEAD_TIMES_PENDING})")


_TIME_INPUTS = [lead.c[name] for name in LEAD_TIME_INPUTS]


def lead_times_pending(connection: Connection) -> list[tuple]:
    """(id, *LEAD_TIME_INPUTS) of every lead whose SLA deadline and first response are
    not kept (new, or made stale), through their partial index."""
    statement = select(lead.c.id, *_TIME_INPUTS).where(_PENDING)
    return connection.execute(statement).all()


def kept_lead_times(connection: Connection) -> list[tuple]:
    """(id, *LEAD_TIME_INPUTS, sla_deadline_at, first_response_us) of every lead whose
    business times are kept (`callq doctor`)."""
    statement = select(
        lead.c.id, *_TIME_INPUTS, lead.c.sla_deadline_at, lead.c.first_response_us
    ).where(_KEPT)
    return connection.execute(statement).all()


def any_lead_times_pending(connection: Connection) -> bool:
    return connection.execute(select(lead.c.id).where(_PENDING).limit(1)).first() is not None


def keep_lead_times(connection: Connection, rows: list[dict]) -> None:
    """Store computed times: dicts of b_id, the inputs they were computed from (b_ and
    each of LEAD_TIME_INPUTS) and the results (b_deadline, b_response_us). A lead whose
    inputs changed since they were read keeps its NULLs: it stays pending."""
    statement = (
        update(lead)
        .where(
            lead.c.id == bindparam("b_id"),
            *(
                column.is_not_distinct_from(bindparam(f"b_{column.name}"))
                for column in _TIME_INPUTS
            ),
        )
        .values(
            sla_deadline_at=bindparam("b_deadline"), first_response_us=bindparam("b_response_us")
        )
    )
    for start in range(0, len(rows), 5000):
        connection.execute(statement, rows[start : start + 5000])


def clear_lead_times(connection: Connection) -> None:
    """Every lead's kept times to compute again (the rules' hours or SLA changed)."""
    connection.execute(update(lead).values(sla_deadline_at=None, first_response_us=None))


def _per_window(at: ColumnElement, ends: list[datetime], values: list) -> ColumnElement:
    """The value of the window `at` falls in, of consecutive windows ending at `ends`
    (instants bound as `at`'s type: stored as UTC, as the column is)."""
    bound = [literal(v, at.type) if isinstance(v, datetime) else v for v in values]
    return case(
        *((at < end, b) for end, b in zip(ends[:-1], bound[:-1], strict=True)), else_=bound[-1]
    )


def _window_index(at: ColumnElement, ends: list[datetime]) -> ColumnElement:
    """The index of the window `at` falls in, of consecutive windows ending at `ends`."""
    return _per_window(at, ends, list(range(len(ends))))


def _window_of(at: ColumnElement, ends: list[datetime]) -> tuple[ColumnElement, ColumnElement]:
    """(index, end) of the window `at` falls in, of consecutive windows ending at `ends`."""
    return _window_index(at, ends), _per_window(at, ends, ends)


def lead_counts(
    connection: Connection,
    scope: Scope,
    start: datetime,
    ends: list[datetime],
    as_of: list[datetime],
) -> list[tuple]:
    """(window, blamed owner, source, leads created, SLA deadlines passed, of those missed,
    leads still pending, first responses) for consecutive windows [start, ends[0]),
    [ends[0], ends[1]), ... by arrival, each evaluated as of its `as_of` (a first call at
    or after it has not happened yet).

    An SLA is missed when its deadline passed with no first call by then. First responses:
    the business microseconds of the leads first called by then, joined with commas (tens
    of thousands of leads cost a few rows, not one each). Leads pending (their kept times
    not computed yet) count as created only: the caller computes their times and asks
    again."""
    created = lead.c.created_at
    window = _window_index(created, ends)
    now = _per_window(created, ends, as_of)
    deadline, first = lead.c.sla_deadline_at, lead.c.first_call_at
    due = and_(_KEPT, deadline < now)
    missed = and_(due, or_(first.is_(None), first >= now, first > deadline))
    statement = (
        select(
            window,
            blamed_lead_owner,
            lead.c.source,
            func.count(),
            _count_if(due),
            _count_if(missed),
            _count_if(_PENDING),
            joined(case((and_(_KEPT, first < now), lead.c.first_response_us))),
        )
        .where(created >= start, created < ends[-1])
        .group_by(window, blamed_lead_owner, lead.c.source)
    )
    return connection.execute(_scoped(statement, scope, blamed_lead_owner)).all()


def lead_speeds(connection: Connection, scope: Scope, start: datetime, now: datetime) -> str:
    """Speed to lead's input: for each lead created in [start, now) and first called
    before `now`, "response:calls:n" (its first response in business microseconds, its
    calls before `now`, the number of its first converting call if that came before `now`,
    else empty), joined with commas. Leads whose kept times are pending are left out (the
    caller asks again once they are computed)."""
    counted = (
        select(func.count())
        .where(call.c.lead_id == lead.c.id, call.c.started_at < now)
        .scalar_subquery()
    )
    # All of the lead's calls came before now (the usual case): the kept count is it.
    touches = case(
        (lead.c.last_call_at.is_(None), 0),
        (lead.c.last_call_at < now, lead.c.call_count),
        else_=counted,
    )
    converted = case((lead.c.first_converted_at < now, lead.c.converted_touch))
    speed = (
        cast(lead.c.first_response_us, String)
        + ":"
        + cast(touches, String)
        + ":"
        + func.coalesce(cast(converted, String), "")
    )
    statement = select(joined(speed)).where(
        lead.c.created_at >= start,
        lead.c.created_at < now,
        lead.c.first_call_at < now,
        _KEPT,
    )
    return connection.execute(_scoped(statement, scope, blamed_lead_owner)).scalar() or ""


def second_touches(
    connection: Connection,
    scope: Scope,
    ends: list[datetime],
    start: datetime,
    closing_outcomes: Iterable[str],
) -> list[tuple]:
    """(window, owner_id, source, first calls in the window that left the lead open, of
    those followed by a second call before the window's end) for consecutive windows
    [start, ends[0]), [ends[0], ends[1]), ...; window is the index into `ends`.

    From each lead's call facts (first call's start and outcome, second call's start),
    through the index that holds them by first call."""
    first_at = lead.c.first_call_at
    window, window_end = _window_of(first_at, ends)
    had_second = lead.c.second_call_at < window_end
    statement = (
        select(window, lead.c.owner_id, lead.c.source, func.count(), _count_if(had_second))
        .where(
            first_at >= start,
            first_at < ends[-1],
            lead.c.first_call_outcome.not_in(list(closing_outcomes)),
        )
        .group_by(window, lead.c.owner_id, lead.c.source)
    )
    return list(connection.execute(_scoped(statement, scope, lead.c.owner_id)))


def qualified_second_touches(
    connection: Connection, scope: Scope, ends: list[datetime], start: datetime
) -> list[tuple]:
    """(window, owner_id, source, leads first qualified in the window, of those called
    again before the window's end) for consecutive windows [start, ends[0]), [ends[0],
    ends[1]), ... A lead counts once, in the window of its first qualifying call (the
    lead's stage facts, kept by triggers: store.rollups); "again" is a call that started
    after that one, whatever its outcome (`qualified_again_at`: the first such call).
    Read from the index that holds the leads by their first qualifying call."""
    qualified_at = lead.c.first_qualified_at
    window, window_end = _window_of(qualified_at, ends)
    called_again = lead.c.qualified_again_at < window_end
    statement = (
        select(window, lead.c.owner_id, lead.c.source, func.count(), _count_if(called_again))
        .where(qualified_at >= start, qualified_at < ends[-1])
        .group_by(window, lead.c.owner_id, lead.c.source)
    )
    return list(connection.execute(_scoped(statement, scope, lead.c.owner_id)))


def _unworked_from(as_of: datetime):  # noqa: ANN202
    """(the lead table, the condition) of leads unworked at `as_of`: open then with no call
    before it, created more than 24 h earlier.

    first_touch_at (the first call's end) rules out most called leads through its index:
    candidates are the uncontacted leads and those first touched about as_of or later,
    looked up by id (a join here lets SQLite scan every lead in created_at order instead).
    """
    candidates = union_all(
        select(lead.c.id).where(lead.c.first_touch_at.is_(None)),
        select(lead.c.id).where(lead.c.first_touch_at >= as_of - _CALL_SLACK),
    ).subquery()
    called_before = exists().where(call.c.lead_id == lead.c.id, call.c.started_at < as_of)
    called_since = exists().where(call.c.lead_id == lead.c.id, call.c.started_at >= as_of)
    condition = and_(
        lead.c.created_at < as_of - UNWORKED_AFTER,
        not_(called_before),
        # A lead closes only through a call; a closed lead called after as_of was open then.
        or_(lead.c.stage.in_(OPEN_STAGES), called_since),
    )
    return lead, and_(lead.c.id.in_(select(candidates.c.id)), condition)


def unworked_counts(connection: Connection, scope: Scope, as_of: datetime) -> list[tuple]:
    """(owner_id, source, leads unworked for more than 24 h at `as_of`)."""
    source, condition = _unworked_from(as_of)
    statement = (
        select(lead.c.owner_id, lead.c.source, func.count())
        .select_from(source)
        .where(condition)
        .group_by(lead.c.owner_id, lead.c.source)
    )
    return list(connection.execute(_scoped(statement, scope, lead.c.owner_id)))


# The columns of the unworked and escalated lists (one row shape for both lists).
_LEAD_LIST_COLUMNS = (
    lead.c.id,
    lead.c.name,
    lead.c.phone,
    lead.c.source,
    rep.c.name,
    lead.c.created_at,
    lead.c.escalated_at,
)


def unworked_leads(connection: Connection, scope: Scope, as_of: datetime, limit: int) -> list:
    """The oldest unworked leads: id, name, phone, source, owner name, created_at, escalated_at."""
    source, condition = _unworked_from(as_of)
    statement = (
        select(*_LEAD_LIST_COLUMNS)
        .select_from(source.outerjoin(rep, rep.c.id == lead.c.owner_id))
        .where(condition)
        .order_by(lead.c.created_at, lead.c.id)
        .limit(limit)
    )
    return list(connection.execute(_scoped(statement, scope, lead.c.owner_id)))


def escalated_leads(connection: Connection, scope: Scope, limit: int) -> list:
    """Flagged leads still open and uncontacted, oldest first (same columns as unworked)."""
    no_call = ~exists().where(call.c.lead_id == lead.c.id)
    statement = (
        select(*_LEAD_LIST_COLUMNS)
        .select_from(lead.outerjoin(rep, rep.c.id == lead.c.owner_id))
        .where(lead.c.escalated_at.is_not(None), lead.c.stage.in_(OPEN_STAGES), no_call)
        .order_by(lead.c.escalated_at, lead.c.id)
        .limit(limit)
    )
    return list(connection.execute(_scoped(statement, scope, lead.c.owner_id)))


def escalation_candidates(
    connection: Connection, created_before: datetime, deadline_by: datetime | None = None
) -> list[tuple]:
    """(id, source, timezone, created_at) of open, uncontacted, unflagged leads old enough;
    with `deadline_by`, only those whose kept SLA deadline is missing or not after it."""
    statement = select(lead.c.id, lead.c.source, lead.c.timezone, lead.c.created_at).where(
        lead.c.escalated_at.is_(None),
        lead.c.first_touch_at.is_(None),
        lead.c.stage.in_(OPEN_STAGES),
        lead.c.created_at < created_before,
        ~exists().where(call.c.lead_id == lead.c.id),
    )
    if deadline_by is not None:
        deadline = lead.c.sla_deadline_at
        statement = statement.where(or_(deadline.is_(None), deadline <= deadline_by))
    return list(connection.execute(statement))


def _by_lead_source(inner, rep_column: str, sums: list[str]):  # noqa: ANN001, ANN202
    """Aggregates grouped by (rep, lead) re-grouped by (rep, lead source).

    Grouping by lead first and joining the lead table once per lead, not once per row,
    is what keeps a week of a busy team's calls and follow-ups quick to count.
    """
    return (
        select(
            inner.c[rep_column],
            lead.c.source,
            *(func.sum(inner.c[name]) for name in sums),
        )
        .select_from(inner.join(lead, lead.c.id == inner.c.lead_id))
        .group_by(inner.c[rep_column], lead.c.source)
    )


def _channel_filter(statement, scope: Scope, lead_column: ColumnElement):  # noqa: ANN001, ANN202
    if scope.channel is not None:
        statement = statement.where(
            lead_column.in_(select(lead.c.id).where(lead.c.source == scope.channel))
        )
    return statement


def _per_row(connection: Connection, rows):  # noqa: ANN001, ANN202
    """`rows` (a SELECT of per-row values) as a subquery that SQLite runs as a co-routine.

    Merged into the grouping query, SQLite would sort every row with the raw columns its
    aggregates read (two timestamps, an outcome); computed first, the sorter carries a few
    integers (~8% of a window's scan). LIMIT -1 (no limit) is what keeps it separate.
    """
    if connection.dialect.name == "sqlite":
        rows = rows.limit(-1)
    return rows.subquery()


def followup_completion(
    connection: Connection,
    scope: Scope,
    start: datetime,
    end: datetime,
    now: datetime,
    late_after: timedelta,
) -> list[tuple]:
    """(blamed owner, source, follow-ups due in the window with due + late_after before
    now, of those done by due + late_after). A follow-up created after its own deadline
    (due + late_after) is nobody's miss and is not counted.

    Whole hours come from the follow-up rollup, which `rollups.ensure_late_after` must have
    built with this `late_after` (the report does, first)."""
    seconds = late_after.total_seconds()

    def from_rollup(first: datetime, last: datetime) -> list[tuple]:
        r = rollups.followup_hour
        statement = (
            select(
                rollups.nobody(r.c.blamed_id),
                r.c.source,
                func.sum(r.c.followups),
                func.sum(case((r.c.on_time == 1, r.c.followups), else_=0)),
            )
            .where(
                r.c.hour >= first,
                r.c.hour < last,
                r.c.status != "cancelled",
                r.c.born_late == 0,
            )
            .group_by(r.c.blamed_id, r.c.source)
        )
        return list(connection.execute(_scoped(statement, scope, r.c.blamed_id, r.c.source)))

    def from_rows(first: datetime, last: datetime) -> list[tuple]:
        return _followup_completion_rows(connection, scope, first, last, now, seconds)

    return _hours_and_edges(start, min(end, now - late_after), from_rollup, from_rows)


def _followup_completion_rows(
    connection: Connection,
    scope: Scope,
    start: datetime,
    end: datetime,
    now: datetime,
    late_after_seconds: float,
) -> list[tuple]:
    """`followup_completion` from the rows: the definition the follow-up rollup sums."""
    late = late_after_seconds + _EPSILON_SECONDS
    on_time = and_(
        followup.c.status == "done",
        followup.c.completed_at.is_not(None),
        followup.c.completed_at < now,
        seconds_between(followup.c.due_at, followup.c.completed_at) <= late,
    )
    rows = select(
        blamed_followup_owner.label("owner_id"),
        followup.c.lead_id,
        case((on_time, 1), else_=0).label("on_time"),
    ).where(
        followup.c.due_at >= start,
        followup.c.due_at < end,
        followup.c.due_at < now - timedelta(seconds=late_after_seconds),
        seconds_between(followup.c.due_at, followup.c.created_at) <= late,
        followup.c.status != "cancelled",
    )
    if scope.rep_id is not None:
        rows = rows.where(blamed_followup_owner == scope.rep_id)
    rows = _per_row(connection, _channel_filter(rows, scope, followup.c.lead_id))
    inner = (
        select(
            rows.c.owner_id,
            rows.c.lead_id,
            func.count().label("due"),
            func.sum(rows.c.on_time).label("on_time"),
        )
        .group_by(rows.c.lead_id, rows.c.owner_id)
        .subquery()
    )
    return list(connection.execute(_by_lead_source(inner, "owner_id", ["due", "on_time"])))


def settled(connection: Connection, now: datetime) -> bool:
    """No call started and no lead arrived at or after `now`: the database is as it was
    then, so what is open now was open then (a report about the present, not `--now` in
    the past of a database that has moved on)."""
    later_call = select(call.c.id).where(call.c.started_at >= now).limit(1)
    later_lead = select(lead.c.id).where(lead.c.created_at >= now).limit(1)
    return connection.execute(later_call).first() is None and (
        connection.execute(later_lead).first() is None
    )


def overdue_counts(
    connection: Connection,
    scope: Scope,
    as_of: datetime,
    late_after: timedelta,
    *,
    recent: bool = True,
) -> list[tuple]:
    """(owner_id, source, follow-ups open at `as_of` with due + late_after before it).

    `recent`: `as_of` is about the latest activity (few calls since), as for a report's
    own window; otherwise (the previous window) the follow-ups done since `as_of` are
    found from the due index rather than from the many leads called since. When nothing
    happened since `as_of` (`settled`), the open follow-ups of whole hours come from the
    follow-up rollup.
    """
    if not (recent and settled(connection, as_of)):
        return _overdue_rows(connection, scope, as_of, late_after, recent=recent)
    last = rollups.floor_hour(as_of - late_after)
    r = rollups.followup_hour
    statement = (
        select(rollups.nobody(r.c.owner_id), r.c.source, func.sum(r.c.followups))
        .where(r.c.status == "open", r.c.hour < last)
        .group_by(r.c.owner_id, r.c.source)
    )
    rows = list(connection.execute(_scoped(statement, scope, r.c.owner_id, r.c.source)))
    edge = _overdue_rows(connection, scope, as_of, late_after, due_from=last, done_since=False)
    return rows + edge


def _overdue_rows(
    connection: Connection,
    scope: Scope,
    as_of: datetime,
    late_after: timedelta,
    *,
    recent: bool = True,
    due_from: datetime | None = None,
    done_since: bool = True,
) -> list[tuple]:
    """`overdue_counts` from the rows (of follow-ups due from `due_from`, if given; without
    those done since `as_of` when nothing has happened since: `settled`)."""
    rows: list[tuple] = []
    overdue = and_(followup.c.due_at < as_of - late_after, followup.c.created_at < as_of)
    if due_from is not None:
        overdue = and_(overdue, followup.c.due_at >= due_from)
    done_since_as_of = and_(DONE_FOLLOWUP, followup.c.completed_at >= as_of)
    if recent:
        # Follow-ups are completed by calls: look only at leads called since.
        called_since = select(call.c.lead_id).where(call.c.started_at >= as_of - _CALL_SLACK)
        done_since_as_of = and_(done_since_as_of, followup.c.lead_id.in_(called_since))
    # Open now, or done since as_of (so open then; only for an as_of in the past).
    for still_open in (OPEN_FOLLOWUP, done_since_as_of) if done_since else (OPEN_FOLLOWUP,):
        matching = (
            select(followup.c.owner_id, followup.c.lead_id).where(still_open, overdue).subquery()
        )
        statement = (
            select(matching.c.owner_id, lead.c.source, func.count())
            .select_from(matching.join(lead, lead.c.id == matching.c.lead_id))
            .group_by(matching.c.owner_id, lead.c.source)
        )
        rows += connection.execute(_scoped(statement, scope, matching.c.owner_id))
    return rows


def call_counts(
    connection: Connection,
    scope: Scope,
    start: datetime,
    end: datetime,
    won_outcomes: Iterable[str],
) -> list[tuple]:
    """(rep_id, source, calls, connects, talk seconds, won) of calls started in the window:
    whole hours from the call rollup, the edges from the calls."""
    won = list(won_outcomes)

    def from_rollup(first: datetime, last: datetime) -> list[tuple]:
        r = rollups.call_hour
        statement = (
            select(
                r.c.rep_id,
                r.c.source,
                func.sum(r.c.calls),
                func.sum(r.c.connects),
                func.coalesce(func.sum(r.c.talk_seconds), 0.0),
                func.sum(case((r.c.outcome.in_(won), r.c.calls), else_=0)),
            )
            .where(r.c.hour >= first, r.c.hour < last)
            .group_by(r.c.rep_id, r.c.source)
        )
        return list(connection.execute(_scoped(statement, scope, r.c.rep_id, r.c.source)))

    def from_rows(first: datetime, last: datetime) -> list[tuple]:
        return _call_counts_rows(connection, scope, first, last, won)

    return _hours_and_edges(start, _calls_through(connection, end), from_rollup, from_rows)


def _call_counts_rows(
    connection: Connection,
    scope: Scope,
    start: datetime,
    end: datetime,
    won_outcomes: list[str],
) -> list[tuple]:
    """`call_counts` from the calls: the definition the call rollup sums."""
    rows = select(
        call.c.rep_id,
        call.c.lead_id,
        case((call.c.connected.is_(True), 1), else_=0).label("connected"),
        seconds_between(call.c.started_at, call.c.ended_at).label("talk"),
        case((call.c.outcome.in_(won_outcomes), 1), else_=0).label("won"),
    ).where(call.c.started_at >= start, call.c.started_at < end)
    if scope.rep_id is not None:
        rows = rows.where(call.c.rep_id == scope.rep_id)
    rows = _per_row(connection, _channel_filter(rows, scope, call.c.lead_id))
    inner = (
        select(
            rows.c.rep_id,
            rows.c.lead_id,
            func.count().label("calls"),
            func.sum(rows.c.connected).label("connects"),
            func.coalesce(func.sum(rows.c.talk), 0.0).label("talk"),
            func.sum(rows.c.won).label("won"),
        )
        .group_by(rows.c.lead_id, rows.c.rep_id)
        .subquery()
    )
    statement = _by_lead_source(inner, "rep_id", ["calls", "connects", "talk", "won"])
    return list(connection.execute(statement))


def closed_stage_counts(connection: Connection, since: datetime, until: datetime) -> dict[str, int]:
    """Leads in a closed stage whose last call fell in [since, until): count per stage,
    from the closed leads' partial index."""
    last_call = lead.c.last_call_at
    statement = (
        select(lead.c.stage, func.count())
        .where(text(LEAD_CLOSED), last_call >= since, last_call < until)
        .group_by(lead.c.stage)
    )
    return {stage: count for stage, count in connection.execute(statement)}


def rep_names(connection: Connection) -> dict[int, str]:
    return {rep_id: name for rep_id, name in connection.execute(select(rep.c.id, rep.c.name))}


def rep_id_by_name(connection: Connection, name: str) -> int | None:
    return connection.execute(select(rep.c.id).where(rep.c.name == name)).scalar()


def touches_by_channel(
    connection: Connection, scope: Scope, start: datetime, end: datetime
) -> dict[str, int]:
    """Touches started in [start, end) per channel ("call", "whatsapp", ...); a sent
    message is a touch too. Whole hours from the call rollup, the edges from the calls'
    covering index (it carries the channel)."""

    def from_rollup(first: datetime, last: datetime) -> list[tuple]:
        r = rollups.call_hour
        statement = (
            select(r.c.channel, func.sum(r.c.calls))
            .where(r.c.hour >= first, r.c.hour < last)
            .group_by(r.c.channel)
        )
        return list(connection.execute(_scoped(statement, scope, r.c.rep_id, r.c.source)))

    def from_rows(first: datetime, last: datetime) -> list[tuple]:
        statement = (
            select(call.c.channel, func.count())
            .where(call.c.started_at >= first, call.c.started_at < last)
            .group_by(call.c.channel)
        )
        if scope.channel is not None:
            statement = statement.join_from(call, lead, lead.c.id == call.c.lead_id)
        return list(connection.execute(_scoped(statement, scope, call.c.rep_id)))

    counts: dict[str, int] = {}
    edges = _hours_and_edges(start, _calls_through(connection, end), from_rollup, from_rows)
    for channel, count in edges:
        counts[channel] = counts.get(channel, 0) + int(count)
    return {channel: count for channel, count in counts.items() if count}
