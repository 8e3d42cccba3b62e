"""The business times the report keeps per lead: the SLA deadline and the first response.

The report needs both for every lead of two windows (tens of thousands on a busy team),
and the rules' business clock computes them in Python. Computed once per lead and kept
(`Lead.sla_deadline_at`, `first_response_us`): a database trigger clears a lead's when
its arrival, timezone, source or first call changes, and `meta` records which rules
(hours, holidays, SLA targets, the team's timezone) they were computed with, so new rules
clear every lead's. `prepare_lead_times` computes what is missing; the clock stays the one
definition and the database only keeps its answers (`callq doctor` compares them).
"""

import hashlib
from datetime import timedelta

from callq.rules.hours import BusinessClock, sla_deadline, zone
from callq.rules.model import Rules
from callq.store import report_queries as q
from callq.store.db import Database
from callq.store.models import LEAD_TIME_INPUTS
from callq.store.queries import get_meta, set_meta

LEAD_TIMES_KEY = "lead_times_rules"  # meta: what the kept business times were computed with
_MICROSECOND = timedelta(microseconds=1)


def kept_times_current(connection, rules: Rules) -> bool:  # noqa: ANN001
    """Whether the kept times were computed with these rules (else none is trusted)."""
    return get_meta(connection, LEAD_TIMES_KEY) == _lead_times_key(rules)


def prepare_lead_times(db: Database, rules: Rules) -> None:
    """Compute and keep the SLA deadline and first response (business time) of every lead
    that lacks them: new leads, leads whose arrival, timezone, source or first call
    changed (a trigger cleared theirs), every lead when the rules' hours, SLA targets or
    timezone changed. The rules' business clock is the one definition; the database only
    keeps its answers."""
    rules_key = _lead_times_key(rules)
    with db.engine.connect() as connection:
        if get_meta(connection, LEAD_TIMES_KEY) == rules_key and not (
            q.any_lead_times_pending(connection)
        ):
            return
    with db.write_connection() as connection:
        if get_meta(connection, LEAD_TIMES_KEY) != rules_key:
            q.clear_lead_times(connection)
            set_meta(connection, LEAD_TIMES_KEY, rules_key)
        q.keep_lead_times(connection, _lead_times(rules, q.lead_times_pending(connection)))


def lead_time_disagreements(db: Database, rules: Rules, limit: int = 20) -> list[str]:
    """Leads whose kept SLA deadline or first response differ from the rules' business
    clock (`callq doctor`); none when they were computed with other rules (the next
    report computes them again)."""
    with db.engine.connect() as connection:
        if not kept_times_current(connection, rules):
            return []
        rows = q.kept_lead_times(connection)
    found = []
    for row, fresh in zip(rows, _lead_times(rules, [row[:5] for row in rows]), strict=True):
        kept = (row[5], row[6])
        if kept != (fresh["b_deadline"], fresh["b_response_us"]):
            found.append(
                f"lead {row[0]}: kept SLA deadline / first response {kept} "
                f"(the rules give {fresh['b_deadline']}, {fresh['b_response_us']})"
            )
            if len(found) >= limit:
                break
    return found


def _lead_times_key(rules: Rules) -> str:
    """What the kept times are computed from, besides each lead's own fields."""
    hours, sla = rules.hours, rules.sla
    inputs = (
        hours.weekly,
        sorted(hours.holidays),
        sorted(sla.by_channel.items()),
        sla.default,
        rules.team.timezone,
    )
    return hashlib.sha256(repr(inputs).encode()).hexdigest()[:16]


def _lead_times(rules: Rules, rows: list[tuple]) -> list[dict]:
    """The SLA deadline and first response of each (id, *LEAD_TIME_INPUTS), beside the
    inputs (`q.keep_lead_times` stores them if unchanged)."""
    if not rows:
        return []
    lo = min(created for _id, created, _tz, _source, _first in rows)
    hi = max(max(created, first or created) for _id, created, _tz, _source, first in rows)
    clocks: dict[str, BusinessClock] = {}
    kept = []
    for lead_id, *inputs in rows:
        created, tz_name, source, first_call = inputs
        zone_name = tz_name or rules.team.timezone
        clock = clocks.get(zone_name)
        if clock is None:
            clock = clocks[zone_name] = BusinessClock(rules.hours, zone(zone_name), lo, hi)
        deadline = sla_deadline(rules.sla, rules.hours, source, created, clock.tz, clock=clock)
        response = None if first_call is None else clock.between(created, first_call)
        kept.append(
            {
                "b_id": lead_id,
                **{
                    f"b_{name}": value for name, value in zip(LEAD_TIME_INPUTS, inputs, strict=True)
                },
                "b_deadline": deadline,
                "b_response_us": None if response is None else response // _MICROSECOND,
            }
        )
    return kept
