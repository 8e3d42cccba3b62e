"""The leakage report (SPEC section 7): window metrics for the team, each rep, each channel."""

from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from callq.errors import UserError
from callq.metrics import (
    CONVERSION_LOOKBACK,
    Metrics,
    SpeedTally,
    SpeedToLead,
    Tally,
    metrics_from_tally,
    rate,
    response_bucket,
    speed_to_lead,
    tally_speed_kind,
)
from callq.rules.model import CHANNELS, CLOSED_STAGES, Goals, Rules
from callq.services.lead_times import prepare_lead_times
from callq.store import report_queries as q
from callq.store import rollups
from callq.store.db import Database

NO_OWNER = "(nobody)"
# Threads running the report's queries: a query runs without the GIL.
_WORKERS = 3
_MMAP_BYTES = 1 << 31  # SQLite caps it at its compiled maximum
_CURRENT = 1  # the index of the current window (the previous one is 0)
# Reads of the leads part before it takes what it has: each retry follows a writer that
# made a lead of the window stale between the preparation and the read.
_PENDING_ATTEMPTS = 3
_US_PER_MINUTE = 6e7


@dataclass(frozen=True)
class LeadRow:
    """A lead in the Summary lists (unworked, escalated)."""

    id: int
    name: str
    phone: str
    source: str
    owner: str | None
    created_at: datetime
    escalated_at: datetime | None


@dataclass(frozen=True)
class WindowMetrics:
    start: datetime
    end: datetime
    team: Metrics
    by_rep: dict[str, Metrics]
    by_channel: dict[str, Metrics]


@dataclass(frozen=True)
class Report:
    current: WindowMetrics
    previous: WindowMetrics
    conversion_rate: float | None
    conversion_measured: bool
    currency: str
    speed_to_lead: SpeedToLead
    goals: Goals = Goals()  # the rules file's targets (`metrics.metrics_for`)
    unworked: tuple[LeadRow, ...] = ()
    escalated: tuple[LeadRow, ...] = ()
    flagged_now: int = 0  # leads this run escalated
    touches_by_channel: dict[str, int] = field(default_factory=dict)  # the current window's


@dataclass(frozen=True)
class DayPoint:
    start: datetime
    median_first_response_minutes: float | None
    missed_followups: int


@dataclass
class _Tallies:
    """Tallies keyed by (rep_id, channel); summed into team, per rep and per channel."""

    groups: dict[tuple[int | None, str], Tally] = field(default_factory=lambda: defaultdict(Tally))

    def __getitem__(self, key: tuple[int | None, str]) -> Tally:
        return self.groups[key]

    def merge(self, other: "_Tallies") -> None:
        for key, tally in other.groups.items():
            self.groups[key].add(tally)


def check_scope(db: Database, rep: str | None, channel: str | None) -> q.Scope:
    """The report's filters, validated: an unknown rep or channel is a user error."""
    if channel is not None and channel not in CHANNELS:
        raise UserError(f"unknown channel {channel!r} (use one of: {', '.join(CHANNELS)})")
    rep_id = None
    if rep is not None:
        with db.engine.connect() as connection:
            rep_id = q.rep_id_by_name(connection, rep)
        if rep_id is None:
            raise UserError(f"no rep called {rep!r}")
    return q.Scope(rep_id=rep_id, channel=channel)


def build_report(
    db: Database,
    rules: Rules,
    *,
    now: datetime,
    days: int = 7,
    rep: str | None = None,
    channel: str | None = None,
    list_limit: int = 50,
    flag: bool = True,
) -> Report:
    """The report for [now - days, now) beside the previous window [now - 2 days, now - days)."""
    if days < 1:
        raise UserError("--days must be at least 1")
    scope = check_scope(db, rep, channel)
    prepare_rollups(db, rules)
    span = timedelta(days=days)
    windows = ((now - 2 * span, now - span), (now - span, now))
    # Every query on its own connection, spread over a few threads: SQLite and PostgreSQL
    # run a query without the GIL, so the two windows' scans and the escalation flags
    # overlap. The flags write only `escalated_at`, which no tally reads; the lead lists,
    # which show it, wait for them.
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:

        def run(fn, *args):  # noqa: ANN001, ANN002, ANN202
            return pool.submit(_reading, db, fn, *args)

        if flag:  # first: the lead lists wait for it
            from callq.services.escalation import flag_escalations

            flagged_later = pool.submit(flag_escalations, db, rules, now)
        # Then the longest first, so the short ones fill in behind them: the leads' part
        # (grouping two windows of leads) and speed to lead (parsing a window's).
        start, ends = windows[0][0], [end for _start, end in windows]
        leads = pool.submit(_complete_lead_counts, db, rules, scope, start, ends, ends)
        speed_later = run(_speeds, scope, *windows[_CURRENT])

        def window_part(part: str, index: int):  # noqa: ANN202
            return run(_window_part, rules, scope, index, *windows[index], part)

        parts = [window_part("calls", _CURRENT), window_part("followups", _CURRENT)]
        seconds = run(_second_touch_parts, rules, scope, windows)
        qualified = run(_qualified_parts, scope, windows)
        parts += [window_part("followups", 0), window_part("calls", 0)]
        conversion_later = pool.submit(conversion_rate, db, rules, now)
        parts += [
            window_part(part, index) for part in ("overdue", "unworked") for index in (_CURRENT, 0)
        ]
        names_later = run(q.rep_names)
        touches_later = run(q.touches_by_channel, scope, *windows[_CURRENT])
        flagged = flagged_later.result() if flag else 0
        # Both lists show escalated_at: after the flags.
        unworked_later = run(q.unworked_leads, scope, now, list_limit)
        escalated_later = run(q.escalated_leads, scope, list_limit)
        tallies = [_Tallies(), _Tallies()]
        for future in parts:
            index, partial = future.result()
            tallies[index].merge(partial)
        lead_counts, computed = leads.result()
        lead_tallies = _lead_tallies(lead_counts, len(windows))
        speed = speed_later.result()
        if computed:  # leads made stale meanwhile are in now: read speed to lead again
            speed = _reading(db, _speeds, scope, *windows[_CURRENT])
        for both in (lead_tallies, seconds.result(), qualified.result()):
            for mine, partial in zip(tallies, both, strict=True):
                mine.merge(partial)
        conversion, measured = conversion_later.result()
        names = names_later.result()
        previous, current = (
            _window(rules, names, start, end, conversion, tally)
            for (start, end), tally in zip(windows, tallies, strict=True)
        )
        unworked, escalated = unworked_later.result(), escalated_later.result()
    return Report(
        current=current,
        previous=previous,
        conversion_rate=conversion,
        conversion_measured=measured,
        currency=rules.cost.currency,
        speed_to_lead=speed_to_lead(speed),
        goals=rules.goals,
        unworked=tuple(LeadRow(*row) for row in unworked),
        escalated=tuple(LeadRow(*row) for row in escalated),
        flagged_now=flagged,
        touches_by_channel=touches_later.result(),
    )


def prepare_rollups(db: Database, rules: Rules) -> None:
    """What the report reads besides the rows, made current: the follow-up rollup built
    with the rules' late_after, the leads' stage facts with the rules' converting outcomes
    (both rebuilt only when the rules file changes them), and every lead's kept business
    times (`prepare_lead_times`)."""
    late_after = rules.team.late_after
    stages = rules.converting_outcomes()
    with db.engine.connect() as connection:
        current = rollups.late_after_of(connection) == late_after.total_seconds() and (
            rollups.outcome_stages_of(connection) == stages
        )
    if not current:
        with db.write_connection() as connection:
            rollups.ensure_late_after(connection, late_after)
            rollups.ensure_outcome_stages(connection, stages)
    prepare_lead_times(db, rules)


def _reading(db: Database, fn, *args):  # noqa: ANN001, ANN002, ANN202
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Read the file through the OS page cache: a window's scans touch a large part
            # of it, and a fresh connection's own cache (2 MB) would read page by page.
            connection.exec_driver_sql(f"PRAGMA mmap_size={_MMAP_BYTES}")
        return fn(connection, *args)


def conversion_rate(db: Database, rules: Rules, now: datetime) -> tuple[float | None, bool]:
    """The configured conversion rate, else won / closed leads over the last 90 days."""
    if rules.cost.conversion_rate is not None:
        return rules.cost.conversion_rate, False
    counts = _reading(db, q.closed_stage_counts, now - CONVERSION_LOOKBACK, now)
    return rate(counts.get("won", 0), sum(counts.values())), True


def _outcome_ids(rules: Rules, stages: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(o.id for o in rules.outcomes if o.stage in stages)


def _complete_lead_counts(
    db: Database,
    rules: Rules,
    scope: q.Scope,
    start: datetime,
    ends: list[datetime],
    as_of: list[datetime],
) -> tuple[list[tuple], bool]:
    """`q.lead_counts` once no lead of the windows is waiting for its business times (a
    writer can make one stale between the report's preparation and this read); and
    whether it had to compute some (then what was read beside it may have missed them)."""
    computed = False
    for _attempt in range(_PENDING_ATTEMPTS):
        rows = _reading(db, q.lead_counts, scope, start, ends, as_of)
        if not any(int(row[6]) for row in rows):
            break
        prepare_lead_times(db, rules)
        computed = True
    return rows, computed


def _lead_tallies(rows: list[tuple], windows: int) -> list[_Tallies]:
    """Leads in, SLA misses and first responses of each window from `q.lead_counts`."""
    tallies = [_Tallies() for _ in range(windows)]
    for index, owner_id, source, leads_in, due, missed, _pending, firsts in rows:
        tally = tallies[int(index)][owner_id, source]
        tally.leads_in += int(leads_in)
        tally.sla_due += int(due)
        tally.sla_missed += int(missed)
        tally.first_response_minutes += _minutes(firsts)
    return tallies


def _speeds(connection, scope: q.Scope, start: datetime, now: datetime) -> SpeedTally:  # noqa: ANN001
    """Speed to lead of the leads created in [start, now), as of now."""
    joined = q.lead_speeds(connection, scope, start, now)
    alike: Counter = Counter()  # tens of thousands of leads, a few hundred kinds
    for item in joined.split(",") if joined else ():
        response, touches, converted = item.split(":")
        bucket = response_bucket(int(response) / _US_PER_MINUTE)
        alike[bucket, int(touches), int(converted) if converted else None] += 1
    speed = SpeedTally()
    for (bucket, touches, converted), leads in alike.items():
        tally_speed_kind(speed, bucket, touches, converted, leads=leads)
    return speed


def _minutes(joined: str | None) -> list[float]:
    """Business microseconds joined with commas, as minutes."""
    return [int(value) / _US_PER_MINUTE for value in joined.split(",")] if joined else []


def _second_touch_parts(
    connection,  # noqa: ANN001
    rules: Rules,
    scope: q.Scope,
    windows: tuple[tuple[datetime, datetime], ...],
) -> list[_Tallies]:
    """Second touches of each window, from one query over them all."""
    tallies = [_Tallies() for _ in windows]
    closing = _outcome_ids(rules, CLOSED_STAGES)
    ends = [end for _start, end in windows]
    for index, owner_id, source, opened, seconded in q.second_touches(
        connection, scope, ends, windows[0][0], closing
    ):
        tally = tallies[int(index)][owner_id, source]
        tally.first_calls_open += int(opened)
        tally.second_touched += int(seconded)
    return tallies


def _qualified_parts(
    connection,  # noqa: ANN001
    scope: q.Scope,
    windows: tuple[tuple[datetime, datetime], ...],
) -> list[_Tallies]:
    """The qualified second touches of each window, from one query over them all."""
    tallies = [_Tallies() for _ in windows]
    ends = [end for _start, end in windows]
    for index, owner_id, source, qualified, touched in q.qualified_second_touches(
        connection, scope, ends, windows[0][0]
    ):
        tally = tallies[int(index)][owner_id, source]
        tally.qualified += int(qualified)
        tally.qualified_touched += int(touched)
    return tallies


def _window_part(
    connection,  # noqa: ANN001
    rules: Rules,
    scope: q.Scope,
    index: int,
    start: datetime,
    end: datetime,
    part: str,
) -> tuple[int, _Tallies]:
    """One family of counts of the window [start, end), evaluated as of `end` (its "now");
    returned beside the window's index."""
    now = end
    tallies = _Tallies()
    late_after = rules.team.late_after
    if part == "calls":
        won = _outcome_ids(rules, ("won",))
        for rep_id, source, calls, connects, seconds, won_calls in q.call_counts(
            connection, scope, start, end, won
        ):
            tally = tallies[rep_id, source]
            tally.calls += int(calls)
            tally.connects += int(connects)
            tally.talk_seconds += float(seconds or 0)  # PostgreSQL: numeric (Decimal)
            tally.won += int(won_calls)
    elif part == "followups":
        for owner_id, source, due, on_time in q.followup_completion(
            connection, scope, start, end, now, late_after
        ):
            tally = tallies[owner_id, source]
            tally.followups_due += int(due)
            tally.followups_on_time += int(on_time)
    elif part == "overdue":
        latest = index == _CURRENT
        for owner_id, source, count in q.overdue_counts(
            connection, scope, now, late_after, recent=latest
        ):
            tallies[owner_id, source].overdue += int(count)
    elif part == "unworked":
        for owner_id, source, count in q.unworked_counts(connection, scope, now):
            tallies[owner_id, source].unworked += int(count)
    else:
        raise ValueError(part)
    return index, tallies


def _window(
    rules: Rules,
    names: dict[int, str],
    start: datetime,
    end: datetime,
    conversion: float | None,
    tallies: _Tallies,
) -> WindowMetrics:
    team = Tally()
    by_rep: dict[str, Tally] = defaultdict(Tally)
    by_channel: dict[str, Tally] = defaultdict(Tally)
    for (rep_id, source), tally in tallies.groups.items():
        team.add(tally)
        by_rep[names.get(rep_id, NO_OWNER) if rep_id else NO_OWNER].add(tally)
        by_channel[source].add(tally)

    def done(tally: Tally) -> Metrics:
        return metrics_from_tally(
            tally,
            conversion_rate=conversion,
            avg_deal_value=rules.cost.avg_deal_value,
            cost_per_lead=rules.cost.cost_per_lead,
        )

    return WindowMetrics(
        start=start,
        end=end,
        team=done(team),
        by_rep={name: done(t) for name, t in sorted(by_rep.items())},
        by_channel={ch: done(by_channel[ch]) for ch in sorted(by_channel, key=_channel_order)},
    )


def _channel_order(channel: str) -> tuple[int, str]:
    return (CHANNELS.index(channel) if channel in CHANNELS else len(CHANNELS), channel)


def daily_trend(
    db: Database,
    rules: Rules,
    *,
    now: datetime,
    days: int = 7,
    rep: str | None = None,
    channel: str | None = None,
) -> list[DayPoint]:
    """Per day of the window (oldest first), as of now: the median first response of the
    day's leads and the follow-ups due that day that were missed."""
    scope = check_scope(db, rep, channel)
    prepare_rollups(db, rules)
    late_after = rules.team.late_after
    starts = [now - timedelta(days=back) for back in range(days, 0, -1)]
    ends = [*starts[1:], now]
    counts, _computed = _complete_lead_counts(db, rules, scope, starts[0], ends, [now] * days)
    points = []
    with db.engine.connect() as connection:
        for start, end, day in zip(starts, ends, _lead_tallies(counts, days), strict=True):
            missed = sum(
                int(due) - int(on_time)
                for _o, _s, due, on_time in q.followup_completion(
                    connection, scope, start, end, now, late_after
                )
            )
            tally = Tally()
            for group in day.groups.values():
                tally.add(group)
            median = metrics_from_tally(
                tally, conversion_rate=None, avg_deal_value=0, cost_per_lead=0
            ).median_first_response_minutes
            points.append(DayPoint(start, median, missed))
    return points
