"""Rows of the demo database: people, phones, business-time stories of calls, in bulk.

Everything here is pure generation into plain tuples plus one `write_chunk` that puts a
range of leads into a bare SQLite file; `callq.demo.build` runs chunks (in parallel
for big demos) and merges them.

The history obeys the rules because it is made by them: each lead's story is told
forwards, every call asks `rules.outcomes.plan_outcome` for the stage and the next
follow-up, and the next call is made about when that follow-up falls due. Calls are
placed by business coordinate (`rules.hours.BusinessClock`, in the lead's timezone),
so they fall inside business hours. Times are integer epoch seconds, calls end on whole
minutes. Ids are derived from per-lead call counts, so chunks are independent: lead i's
calls and follow-ups have ids no other chunk uses.
"""

import json
import random
import sqlite3
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callq.demo.people import Phones, person
from callq.rules import timeexpr as te
from callq.rules.hours import (
    BusinessClock,
    escalation_at,
    has_hours,
    local_day_end,
    local_instant,
    next_opening,
    us,
)
from callq.rules.model import Outcome, Rules
from callq.rules.outcomes import (
    Plan,
    first_response_due,
    is_cadence_outcome,
    plan_outcome,
    suggested_time,
)

HISTORY_DAYS = 42
_DAY = 86400

# --- what the leads look like -------------------------------------------------------------
_INTEREST = (  # noqa: SIM905 (word lists read better as prose)
    "Annual plan|Demo request|Bulk pricing|Enterprise quote|Site visit|Home loan|Solar rooftop 5kW|"
    "MBA admission|Car insurance renewal|Premium membership|Franchise enquiry|Health cover|"
    "CRM for 20 seats|Office fit-out|Trial extension"
).split("|")
_NOTES = {
    "unconnected": (
        "Switched off",
        "Rang out",
        "Not reachable",
        "Call dropped after 2 rings",
        "Number busy, will retry",
    ),
    "open": (
        "Asked to call after 6pm",
        "In a meeting, call tomorrow",
        "Wants to discuss with partner first",
        "Send brochure on WhatsApp",
        "Wants pricing for 20 seats",
        "Comparing with two other vendors",
        "Budget approval next week",
        "Asked for a callback from a senior",
        "Interested in EMI options",
        "Prefers Hindi, call in the evening",
    ),
    "won": ("Paid advance, onboarding next", "Signed annual plan", "PO received"),
    "lost": (
        "Went with a competitor",
        "Budget not approved",
        "Not looking right now",
        "Too expensive",
        "Already bought elsewhere",
    ),
    "other": ("Wrong person, number reassigned", "Asked not to be called again"),
}
_NO_NOTE = ("", '""')
# How long after its due time (business seconds) a rep makes the call: on time mostly (within
# 30 minutes), sometimes well past `late_after`, now and then early. Reps call at round
# times, and so many calls share a minute (and an answer of the rules: see `_plan`).
_LATENESS = (
    (0,) * 8
    + (60, 120, 120, 180, 300, 300, 420, 600, 600, 900, 900, 1200, 1500, 1800)
    + (2700, 3600, 5400, 7200, 10800, 14400)
    + (-300, -900, -1800, -3600)
)
_CHANNEL_WEIGHTS = {"phone": 20, "web": 35, "social": 15, "referral": 10, "email": 10, "other": 10}
_OUTCOME_WEIGHTS = {
    "no_answer": 5.0,
    "busy": 2.0,
    "voicemail": 2.0,
    "callback": 3.0,
    "interested": 2.0,
    "won": 2.5,
    "not_interested": 5.0,
    "wrong_number": 1.5,
    "dnc": 0.5,
}


# --- time -----------------------------------------------------------------------------------
_M = 1_000_000  # the business clock counts microseconds


class _Zone:
    """The business clock of one timezone over the demo's weeks, on whole epoch seconds.

    A business coordinate `x` is the opening time (seconds) elapsed since the span's start:
    nights, weekends and holidays collapse to points, so calls placed by coordinate fall
    inside business hours. The arithmetic is `rules.hours.BusinessClock`'s.
    """

    def __init__(self, rules: Rules, name: str, now: int) -> None:
        self.name = name
        self.tz = ZoneInfo(name)
        now_at = datetime.fromtimestamp(now, UTC)
        # A whole-minute start: openings are whole minutes, so whole minutes map to whole
        # minutes of coordinate and back.
        lo = (now_at - timedelta(days=HISTORY_DAYS + 14)).replace(second=0, microsecond=0)
        self.clock = BusinessClock(rules.hours, self.tz, lo, now_at + timedelta(days=60))
        self.lo = us(lo)
        self._x: dict[int, int] = {}
        self._t: dict[int, int] = {}
        self.now_x = self.x(now)
        self.start_x = self.x(now - HISTORY_DAYS * _DAY)
        today = now_at.astimezone(self.tz).date()
        self.day_start = int(local_instant(today, time(0), self.tz).timestamp())
        self.today_x = self.x(self.day_start)
        self.day_end = int(local_day_end(now_at, self.tz).timestamp())
        weeks = [today - timedelta(days=d) for d in range(1, 29)]
        open_days = sum(map(rules.hours.is_business_day, weeks)) if has_hours(rules.hours) else 28
        self.day_seconds = (self.now_x - self.x(now - 28 * _DAY)) / max(open_days, 1)

    def x(self, t: int) -> int:
        """The coordinate of instant `t`; a closed instant maps to the next opening's."""
        x = self._x.get(t)
        if x is None:  # calls and due times share few minutes: each is worked out once
            x = self._x[t] = self.clock.between_us(self.lo, t * _M) // _M
        return x

    def t(self, x: int) -> int:
        """The instant of coordinate `x` (a closing time, where one shares it with an opening)."""
        t = self._t.get(x)
        if t is None:
            t = self._t[x] = self.clock.add_us(self.lo, max(x, 0) * _M) // _M
        return t

    def call_end(self, x: float, length: int) -> tuple[int, int]:
        """(coordinate, instant) of a call ending at about `x`: a whole minute inside an
        opening, the call's `length` seconds inside the same opening."""
        x = max(int(x), 0)
        x -= x % 60
        # Half a minute in, then back to the minute: never a closing time (openings and
        # closings are whole minutes, and a closing shares its coordinate with the next
        # opening), so the minute is open.
        t = self.t(x + 30)
        t -= t % 60
        start_x = self.x(t - length)
        if x - start_x < length:  # it would have started before the opening
            x = start_x + length
            x += -x % 60
            t = self.t(x + 30)
            t -= t % 60
        return x, t


_hour_text: dict[int, str] = {}
_MINUTE_SECOND = [f"{i // 60:02d}:{i % 60:02d}" for i in range(3600)]


def _hour(hour: int) -> str:
    text = _hour_text[hour] = datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%d %H:")
    return text


def ts(t: int) -> str:
    """SQLite storage text of an aware UTC datetime, exactly as SQLAlchemy writes it."""
    hour, rest = divmod(t, 3600)
    return (_hour_text.get(hour) or _hour(hour)) + _MINUTE_SECOND[rest] + ".000000"


def iso(t: int) -> str:
    """`datetime.isoformat()` of an aware UTC instant, as the services put into events."""
    hour, rest = divmod(t, 3600)
    return (_hour_text.get(hour) or _hour(hour)).replace(" ", "T") + _MINUTE_SECOND[rest] + "+00:00"


# --- outcomes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoOutcome:
    """An outcome rule with what the demo needs to pick it: its pool, weight and notes."""

    rule: Outcome
    id: str
    label_json: str
    connected: int
    cadence: bool
    from_arrival: bool  # its next step (or suggestion) is a cadence touch, counted from arrival
    closes: bool  # by the rules' own plan for an open lead
    notes: tuple[tuple[str, str], ...]  # (text, its JSON)
    weight: float


def demo_outcomes(rules: Rules, now: datetime) -> list[DemoOutcome]:
    tz = ZoneInfo(rules.team.timezone)
    result = []
    for o in rules.outcomes:
        # Whether it closes a lead is the rules' answer for a lead being worked.
        asks = isinstance(o.next, te.Ask)
        step = o.next.suggestion if asks else o.next
        closes = plan_outcome(
            rules,
            o,
            stage_before="contacted",
            call_at=now,
            arrived_at=now,
            cadence_calls=int(is_cadence_outcome(o)),
            tz=tz,
            callback_at=now + timedelta(days=1) if asks else None,
        ).closes
        if o.stage in ("won", "lost"):
            notes = _NOTES[o.stage]
        elif closes:
            notes = _NOTES["other"]
        else:
            notes = _NOTES["open"] if o.connected else _NOTES["unconnected"]
        result.append(
            DemoOutcome(
                o,
                o.id,
                json.dumps(o.label),
                int(o.connected),
                is_cadence_outcome(o),
                isinstance(step, te.CadenceStep),
                closes,
                tuple((n, json.dumps(n)) for n in notes),
                _OUTCOME_WEIGHTS.get(o.id, 1.0),
            )
        )
    return result


class _Picker:
    """Weighted choice from a fixed pool with one `random()` and a bisect."""

    def __init__(self, pool: list[DemoOutcome]) -> None:
        self.pool = pool
        total = 0.0
        self.cum = []
        for o in pool:
            total += o.weight
            self.cum.append(total)
        self.total = total

    def __call__(self, r: float) -> DemoOutcome:
        return self.pool[min(bisect_right(self.cum, r * self.total), len(self.pool) - 1)]


# --- the world a chunk is generated in --------------------------------------------------------
@dataclass(frozen=True)
class World:
    """Everything a chunk needs, picklable for worker processes."""

    rules: Rules
    now: int
    seed: int
    rep_ids: tuple[int, ...]
    rep_names: tuple[str, ...]


@dataclass(frozen=True)
class Chunk:
    index: int
    first_lead: int  # id of the chunk's first lead
    calls_per_lead: tuple[int, ...]
    first_call_id: int
    first_followup_id: int


LEAD_SQL = (
    "INSERT INTO lead (id, name, phone, other_phones, email, company, source, interest, urgency,"
    " owner_id, stage, timezone, created_at, first_touch_at, escalated_at) "
    "VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
CALL_SQL = (
    "INSERT INTO call (id, lead_id, rep_id, started_at, ended_at, outcome, connected, note,"
    " logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
FOLLOWUP_SQL = (
    "INSERT INTO followup (id, lead_id, owner_id, due_at, kind, status, touch, created_at,"
    " completed_at, created_by_call_id, completed_by_call_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
EVENT_SQL = "INSERT INTO event (lead_id, at, type, rep_id, detail) VALUES (?, ?, ?, ?, ?)"


def write_chunk(world: World, chunk: Chunk, path: str, table_sql: list[str]) -> tuple[int, int]:
    """Generate one chunk into a new bare SQLite file; returns (open follow-ups, events)."""
    rows = _Generator(world, chunk.index).chunk(chunk)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("BEGIN")
        for sql in table_sql:
            connection.execute(sql)
        for sql, table_rows in zip(
            (LEAD_SQL, CALL_SQL, FOLLOWUP_SQL, EVENT_SQL), rows[:4], strict=True
        ):
            connection.executemany(sql, table_rows)
        connection.execute("COMMIT")
    finally:
        connection.close()
    return rows[4], len(rows[3])


def call_counts(rng: random.Random, n_leads: int, n_calls: int) -> list[int]:
    """Calls per lead: about 10% untouched, the rest skewed, summing to `n_calls`."""
    if n_leads == 0 or n_calls == 0:
        return [0] * n_leads
    mean = n_calls / n_leads
    most = max(8, round(3 * mean))  # a lead called 30 times looks like a bug, not a demo
    counts = [
        0 if rng.random() < 0.1 else min(most, max(1, round(rng.expovariate(1 / mean))))
        for _ in range(n_leads)
    ]
    diff = n_calls - sum(counts)
    if diff > 0:
        touched = [i for i, c in enumerate(counts) if c] or list(range(n_leads))
        each, extra = divmod(diff, len(touched))
        for i in touched:
            counts[i] += each
        for i in rng.sample(touched, extra):
            counts[i] += 1
    while diff < 0:
        i = rng.randrange(n_leads)
        if counts[i] > 1 or (counts[i] == 1 and rng.random() < 0.2):
            counts[i] -= 1
            diff += 1
    return counts


@dataclass
class DemoCall:
    """One call of a story: when it ended, how long, its outcome and what the rules made of it."""

    at: int
    length: int
    outcome: DemoOutcome
    plan: Plan


# Plans of this process's chunks under one set of rules, by (now, outcome, stage, call time,
# zone); see `_plan`. A worker gets its own copy of the rules with every chunk: equal rules
# keep the plans.
_PLANS: dict[tuple, Plan] = {}
_PLANS_RULES: list[Rules] = []
_PLANS_KEPT = 200_000  # about 50 MB at most

# Where an open lead's last call puts its follow-up: the queue's sections.
_OVERDUE, _TODAY, _UPCOMING = "overdue", "today", "upcoming"


class _Generator:
    def __init__(self, world: World, chunk_index: int) -> None:
        rules = world.rules
        self.rules = rules
        self.rng = random.Random(world.seed * 1_000_003 + chunk_index)
        self.now = world.now
        self._zones: dict[str, _Zone] = {}
        self.team_zone = self.zone(None)
        self.outcomes = demo_outcomes(rules, datetime.fromtimestamp(world.now, UTC))
        self.phones = Phones(self.rng)
        self.region = rules.team.region or "IN"
        self.rep_ids = world.rep_ids
        self.rep_names = dict(zip(world.rep_ids, world.rep_names, strict=True))
        self.sla = {c: rules.sla.target(c).total_seconds() for c in _CHANNEL_WEIGHTS}
        self.open_leads = self.untouched_leads = 0
        # Business seconds from one call to the next, learnt as stories are told: where a
        # story must start to end when it should.
        self.gap = 0.8 * self.team_zone.day_seconds
        self._pickers: dict[tuple, _Picker | None] = {}
        if [rules] != _PLANS_RULES:
            _PLANS.clear()
            _PLANS_RULES[:] = [rules]

    def zone(self, name: str | None) -> _Zone:
        name = name or self.rules.team.timezone
        if name not in self._zones:
            self._zones[name] = _Zone(self.rules, name, self.now)
        return self._zones[name]

    def _picker(self, want: str, cadence_ok: bool) -> _Picker | None:
        """Pools: 'close' (closing outcomes), 'reached'/'unreached' (open ones)."""
        key = (want, cadence_ok)
        if key not in self._pickers:
            if want == "close":
                pool = [o for o in self.outcomes if o.closes]
            else:
                pool = [
                    o
                    for o in self.outcomes
                    if not o.closes
                    and bool(o.connected) == (want == "reached")
                    and (cadence_ok or not o.cadence)
                ]
            self._pickers[key] = _Picker(pool) if pool else None
        return self._pickers[key]

    def _pick(self, wants: tuple[str, ...], cadence_ok: bool = True) -> DemoOutcome:
        for want in wants:
            picker = self._picker(want, cadence_ok)
            if picker is not None:
                return picker(self.rng.random())
        return self.outcomes[0]

    def _plan(
        self,
        outcome: DemoOutcome,
        stage: str,
        at: int,
        arrived: datetime,
        cadence: int,
        zone: _Zone,
    ) -> Plan:
        """What the outcome rule does to the lead: `plan_outcome`, asked for every call.

        Remembered (in this process, for every chunk it makes) for outcomes whose next
        step counts from the call alone: the many calls at 10:10 that end in "Asked to call
        back" have one answer. A cadence step counts from the lead's arrival: asked afresh.
        """
        key = None
        if not outcome.from_arrival:
            key = (self.now, outcome.id, stage, at, zone.name)
            known = _PLANS.get(key)
            if known is not None:
                return known
        rules, rule = self.rules, outcome.rule
        call_at = datetime.fromtimestamp(at, UTC)
        cadence += outcome.cadence  # the calls with a cadence outcome, this one included
        callback_at = None
        if isinstance(rule.next, te.Ask):  # the rep is asked and takes the rule's suggestion
            callback_at = suggested_time(
                rules, rule, call_at=call_at, arrived_at=arrived, cadence_calls=cadence, tz=zone.tz
            ) or next_opening(rules.hours, call_at + timedelta(days=1), zone.tz)
        plan = plan_outcome(
            rules,
            rule,
            stage_before=stage,
            call_at=call_at,
            arrived_at=arrived,
            cadence_calls=cadence,
            tz=zone.tz,
            callback_at=callback_at,
        )
        if key is not None:
            if len(_PLANS) >= _PLANS_KEPT:
                _PLANS.clear()
            _PLANS[key] = plan
        return plan

    def _ending(self, zone: _Zone, closing: bool) -> tuple[int, str | None]:
        """Where the story's last call falls, and the section its follow-up should land in."""
        random_ = self.rng.random
        latest = zone.now_x - 720  # a call ends a minute before now at the latest
        if closing:
            return int(latest - random_() * max(0, latest - zone.start_x - 4000)), None
        # A low-discrepancy sequence, not random(): even a small demo gets every section.
        self.open_leads += 1
        r = (self.open_leads * 0.6180339887) % 1
        if r < 0.18:
            return int(latest - (0.3 + 2.5 * random_()) * zone.day_seconds), _OVERDUE
        if r < 0.35 and latest - zone.today_x >= 600:  # called earlier today, due later today
            return int(latest - random_() * min(latest - zone.today_x, 4 * 3600)), _TODAY
        return int(latest - random_() * 0.8 * zone.day_seconds), _UPCOMING

    def _lands(self, plan: Plan, section: str | None, zone: _Zone) -> bool:
        if section is None or plan.next_due_at is None:
            return True
        due = plan.next_due_at.timestamp()
        if section == _OVERDUE:
            return due < self.now
        if section == _TODAY:
            return self.now <= due < zone.day_end
        return due >= self.now

    def story(self, n: int, zone: _Zone, source: str) -> tuple[int, list[DemoCall]]:
        """A lead's arrival and its `n` calls, each made about when the rules had it due.

        Reps call on time mostly, sometimes late, now and then early; every follow-up,
        stage and cadence touch is `plan_outcome`'s. The start is chosen (with the gap
        learnt so far) so that the last call falls where `_ending` wants it; a story that
        runs long has its later calls made early, packed before that end.
        """
        rng = self.rng
        random_ = rng.random
        closing = random_() < 0.3
        end_x, section = self._ending(zone, closing)
        end_x = max(end_x, min(zone.start_x + n * 900, zone.now_x - 720))
        sla = self.sla[source]
        # The first response: within the SLA mostly, else late.
        delay = 30 + random_() * sla * 0.9 if random_() < 0.7 else sla + random_() * 14400
        # A little earlier than the learnt gaps say: a story that runs short ends with one
        # late call, one that runs long has several made early.
        arrived = zone.t(
            int(max(zone.start_x, end_x - 1.2 * self.gap * (n - 1) - delay)) // 60 * 60
        )
        if random_() < 0.25:  # web forms never sleep
            arrived -= int(random_() * 12 * 3600)
        arrived -= arrived % 60
        arrived_at = datetime.fromtimestamp(arrived, UTC)
        natural = zone.x(arrived) + delay
        prev_x = zone.x(arrived)
        stage, cadence = "new", 0
        calls: list[DemoCall] = []
        for k in range(n):
            last = k == n - 1
            if last:
                x = max(end_x, prev_x + 120)
            elif natural <= end_x - (n - k) * 900:
                x = max(natural, prev_x + 120)
            else:  # running long: called before it was due, leaving room for the rest
                x = max(prev_x + (end_x - prev_x) / (n - k), prev_x + 120)
            room = max(15, min(600, int(x - prev_x) - 60))  # the call starts after the last
            first = (
                ("reached", "unreached")
                if random_() < (0.35 if stage == "new" else 0.75)
                else ("unreached", "reached")
            )
            wants = ("close", *first) if last and closing else first
            for attempt in range(6 if last and section else 1):
                outcome = self._pick(wants if attempt % 2 == 0 else wants[::-1])
                length = (
                    60 + int(random_() * 540) if outcome.connected else 15 + int(random_() * 30)
                )
                length = min(length, room)
                x, at = zone.call_end(x, length)
                plan = self._plan(outcome, stage, at, arrived_at, cadence, zone)
                if plan.closes and not last:  # the cadence ran out: someone answers instead
                    outcome = self._pick(first, cadence_ok=False)
                    plan = self._plan(outcome, stage, at, arrived_at, cadence, zone)
                if not last or self._lands(plan, section, zone):
                    break
            calls.append(DemoCall(at, length, outcome, plan))
            cadence += outcome.cadence
            stage = plan.stage
            prev_x = x
            if plan.next_due_at is None:
                natural = x + self.gap
                continue
            # The next call: on time mostly, sometimes well past late_after, now and then early.
            late = _LATENESS[int(random_() * len(_LATENESS))]
            natural = zone.x(int(plan.next_due_at.timestamp())) + late
            self.gap += 0.02 * (natural - x - self.gap)
        return arrived, calls

    def untouched(self, zone: _Zone) -> int:
        """When a lead nobody has called yet arrived."""
        random_ = self.rng.random
        self.untouched_leads += 1  # low-discrepancy again: every small demo has both kinds
        if (self.untouched_leads * 0.6180339887) % 1 >= 0.4:  # arrived today, at any hour
            since = min(5 * 3600, self.now - zone.day_start)
            arrived = self.now - 60 - int(random_() * max(0, since - 60))
        else:  # waiting for days: unworked, breached, perhaps escalated
            waited = (1 + 4 * random_()) * zone.day_seconds
            arrived = zone.t(int(max(zone.start_x, zone.now_x - waited)) // 60 * 60)
        return arrived - arrived % 60

    def chunk(self, chunk: Chunk):  # noqa: ANN201, C901
        """Rows of leads, calls, follow-ups and events of one chunk, and its open count."""
        rng = self.rng
        random_ = rng.random
        rules = self.rules
        lead_rows, call_rows, followup_rows, events = [], [], [], []
        add_call, add_followup, add_event = call_rows.append, followup_rows.append, events.append
        open_count = 0
        channels = list(_CHANNEL_WEIGHTS)
        channel_weights = list(_CHANNEL_WEIGHTS.values())
        n_reps = len(self.rep_ids)
        call_id = chunk.first_call_id - 1
        followup_id = chunk.first_followup_id - 1
        for offset, n in enumerate(chunk.calls_per_lead):
            lead_id = chunk.first_lead + offset
            owner = self.rep_ids[(lead_id - 1) % n_reps]
            source = rng.choices(channels, channel_weights)[0]
            name, phone, lead_tz, email, company = person(rng, self.phones, self.region, lead_id)
            roll = random_()
            urgency = "high" if roll < 0.2 else ("low" if roll > 0.8 else "normal")
            zone = self.zone(lead_tz)
            if n:
                created, calls = self.story(n, zone, source)
            else:
                created, calls = self.untouched(zone), []
            created_at = datetime.fromtimestamp(created, UTC)
            created_text = ts(created)
            first_due = int(
                first_response_due(
                    rules, source=source, created_at=created_at, tz=zone.tz
                ).timestamp()
            )
            add_event(
                (
                    lead_id,
                    created_text,
                    "created",
                    owner,
                    f'{{"note": "", "owner": "{self.rep_names[owner]}", "source": "{source}"}}',
                )
            )
            add_event(
                (
                    lead_id,
                    created_text,
                    "followup_scheduled",
                    owner,
                    f'{{"due_at": "{iso(first_due)}", "kind": "first_response"}}',
                )
            )
            escalated_at = None
            if not calls:
                escalate = int(
                    escalation_at(rules.sla, rules.hours, source, created_at, zone.tz).timestamp()
                )
                if escalate <= self.now and random_() < 0.5:
                    escalated_at = escalate
                    add_event(
                        (
                            lead_id,
                            ts(escalate),
                            "escalated",
                            None,
                            f'{{"deadline": "{iso(first_due)}"}}',
                        )
                    )
            # The open follow-up as [id, due, kind, touch, created_text, created_by_call].
            followup_id += 1
            open_fu = [followup_id, first_due, "first_response", 1, created_text, None]
            stage = "new"
            first_touch = None
            for k, call in enumerate(calls):
                outcome, plan, at = call.outcome, call.plan, call.at
                at_text = ts(at)
                caller = owner if random_() < 0.9 else self.rep_ids[int(random_() * n_reps)]
                call_id += 1
                if random_() < 0.6:
                    note, note_json = outcome.notes[int(random_() * len(outcome.notes))]
                else:
                    note, note_json = _NO_NOTE
                add_call(
                    (
                        call_id,
                        lead_id,
                        caller,
                        ts(at - call.length),
                        at_text,
                        outcome.id,
                        outcome.connected,
                        note,
                        ts(min(at + int(random_() * 90), self.now)),
                    )
                )
                completed = open_fu
                if completed is not None:
                    add_followup(
                        (completed[0], lead_id, owner, ts(completed[1]), completed[2], "done")
                        + (completed[3], completed[4], at_text, completed[5], call_id)
                    )
                first_touch_before = f'"{iso(first_touch)}"' if first_touch else "null"
                if first_touch is None:
                    first_touch = at
                open_fu = None
                if plan.next_due_at is not None:
                    followup_id += 1
                    due = int(plan.next_due_at.timestamp())
                    open_fu = [followup_id, due, plan.next_kind, plan.touch, at_text, call_id]
                next_due_json = f'"{iso(open_fu[1])}"' if open_fu else "null"
                add_event(
                    (
                        lead_id,
                        at_text,
                        "call_logged",
                        caller,
                        # `plan_call`'s detail with the writer's ids, as detail_json writes it.
                        f'{{"attempt": {k + 1}, "call_id": {call_id}, '
                        f'"completed_followup_id": {completed[0] if completed else "null"}, '
                        f'"connected": {"true" if outcome.connected else "false"}, '
                        f'"created_followup_id": {open_fu[0] if open_fu else "null"}, '
                        f'"first_touch_before": {first_touch_before}, '
                        f'"label": {outcome.label_json}, '
                        f'"next_due_at": {next_due_json}, '
                        f'"note": {note_json}, "outcome": "{outcome.id}", '
                        f'"stage_after": "{plan.stage}", "stage_before": "{stage}"}}',
                    )
                )
                if completed is not None:
                    add_event(
                        (
                            lead_id,
                            at_text,
                            "followup_done",
                            caller,
                            f'{{"due_at": "{iso(completed[1])}", "kind": "{completed[2]}"}}',
                        )
                    )
                if plan.stage != stage:
                    reason = "cadence exhausted" if plan.cadence_exhausted else outcome.id
                    add_event(
                        (
                            lead_id,
                            at_text,
                            "stage_changed",
                            caller,
                            f'{{"from": "{stage}", "reason": "{reason}", "to": "{plan.stage}"}}',
                        )
                    )
                    stage = plan.stage
                if open_fu is not None:
                    touch = "null" if open_fu[3] is None else open_fu[3]
                    add_event(
                        (
                            lead_id,
                            at_text,
                            "followup_scheduled",
                            caller,
                            f'{{"due_at": "{iso(open_fu[1])}", "kind": "{open_fu[2]}", '
                            f'"touch": {touch}}}',
                        )
                    )
                if k == 0 and random_() < 0.08:
                    text = _NOTES["open"][int(random_() * len(_NOTES["open"]))]
                    add_event((lead_id, ts(at + 120), "note", caller, json.dumps({"text": text})))
            if open_fu is not None:
                add_followup(
                    (open_fu[0], lead_id, owner, ts(open_fu[1]), open_fu[2], "open", open_fu[3])
                    + (open_fu[4], None, open_fu[5], None)
                )
                open_count += 1
            lead_rows.append(
                (
                    lead_id,
                    name,
                    phone,
                    email,
                    company,
                    source,
                    _INTEREST[int(random_() * len(_INTEREST))],
                    urgency,
                    owner,
                    stage,
                    lead_tz,
                    created_text,
                    ts(first_touch) if first_touch else None,
                    ts(escalated_at) if escalated_at else None,
                )
            )
        return lead_rows, call_rows, followup_rows, events, open_count
