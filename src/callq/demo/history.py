"""Rows of the demo database: people, phones, business-time stories of calls, in bulk.

Everything here is pure generation into plain tuples plus one `write_chunk` that puts a
range of leads into a bare SQLite file; `callq.demo.build` runs chunks (in parallel
for big demos) and merges them. Times are integer epoch seconds; a "business coordinate"
(seconds of opening time since the calendar's start) keeps calls inside business hours
and makes SLA arithmetic a bisect. Ids are derived from per-lead call counts, so chunks
are independent: lead i's calls and follow-ups have ids no other chunk uses.
"""

import json
import random
import sqlite3
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callq.rules import timeexpr as te
from callq.rules.hours import local_instant
from callq.rules.model import CLOSED_STAGES, Rules
from callq.rules.outcomes import first_response_due, is_cadence_outcome
from callq.demo.people import Phones, person

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
class Calendar:
    """Opening intervals (epoch seconds) of the team's hours, and business coordinates."""

    def __init__(self, rules: Rules, tz: ZoneInfo, first: date, last: date) -> None:
        spans: list[list[int]] = []
        hours = rules.hours
        around_the_clock = not any(hours.weekly)
        day = first
        while day <= last:
            day_spans = [(time(0), None)] if around_the_clock else hours.spans_on(day)
            for opens_at, closes_at in day_spans:
                opens = int(local_instant(day, opens_at, tz).timestamp())
                closes = (
                    int(local_instant(day + timedelta(days=1), time(0), tz).timestamp())
                    if closes_at is None
                    else int(local_instant(day, closes_at, tz).timestamp())
                )
                if closes <= opens:
                    continue
                if spans and opens <= spans[-1][1]:
                    spans[-1][1] = max(spans[-1][1], closes)
                else:
                    spans.append([opens, closes])
            day += timedelta(days=1)
        self.opens = [s[0] for s in spans]
        self.closes = [s[1] for s in spans]
        self.cum: list[int] = []
        total = 0
        for opens, closes in spans:
            self.cum.append(total)
            total += closes - opens
        self.total = total
        business_days = len({datetime.fromtimestamp(o, tz).date() for o in self.opens}) or 1
        self.day_seconds = total / business_days  # opening seconds of a typical day

    def to_x(self, t: int) -> int:
        """Business coordinate of instant `t`; a closed instant maps to the next opening."""
        i = bisect_right(self.opens, t) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(t - self.opens[i], self.closes[i] - self.opens[i])

    def from_x(self, x: float) -> int:
        x = min(max(int(x), 0), self.total)
        i = max(0, bisect_right(self.cum, x) - 1)
        return self.opens[i] + (x - self.cum[i])


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
    id: str
    label_json: str
    connected: int
    stage: str | None
    cadence: bool
    closes: bool
    gap: float  # typical business seconds from this call to the follow-up it schedules
    notes: tuple[tuple[str, str], ...]  # (text, its JSON)
    weight: float


def demo_outcomes(rules: Rules, day_seconds: float) -> list[DemoOutcome]:
    result = []
    for o in rules.outcomes:
        step = o.next.suggestion if isinstance(o.next, te.Ask) else o.next
        closes = (o.stage in CLOSED_STAGES) or isinstance(o.next, te.NoNext)
        if isinstance(step, te.After):
            seconds = step.delta.total_seconds()
            gap = seconds if seconds < _DAY else seconds / _DAY * day_seconds
        elif isinstance(step, te.BusinessDaysLater | te.DayAt):
            gap = max(step.days, 1) * day_seconds
        else:  # cadence, a bare ask: about a business day
            gap = day_seconds
        if o.stage in ("won", "lost"):
            notes = _NOTES[o.stage]
        elif closes:
            notes = _NOTES["other"]
        else:
            notes = _NOTES["open"] if o.connected else _NOTES["unconnected"]
        result.append(
            DemoOutcome(
                o.id,
                json.dumps(o.label),
                int(o.connected),
                o.stage,
                is_cadence_outcome(o),
                closes,
                gap,
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


class _Generator:
    def __init__(self, world: World, chunk_index: int) -> None:
        rules = world.rules
        self.rules = rules
        self.rng = random.Random(world.seed * 1_000_003 + chunk_index)
        self.tz = ZoneInfo(rules.team.timezone)
        self.now = world.now
        now = datetime.fromtimestamp(world.now, UTC)
        local_today = now.astimezone(self.tz).date()
        self.cal = Calendar(
            rules,
            self.tz,
            local_today - timedelta(days=HISTORY_DAYS + 30),
            local_today + timedelta(days=30),
        )
        self.now_x = self.cal.to_x(self.now)
        self.start_x = self.cal.to_x(self.now - HISTORY_DAYS * _DAY)
        tomorrow = local_today + timedelta(days=1)
        self.day_end = int(local_instant(tomorrow, time(0), self.tz).timestamp())
        self.day_start = int(local_instant(local_today, time(0), self.tz).timestamp())
        self.open_leads = 0
        self.outcomes = demo_outcomes(rules, self.cal.day_seconds)
        self.phones = Phones(self.rng)
        self.touches = len(rules.cadence.touches)
        self.escalate_x = rules.sla.escalate_after.total_seconds()
        self.region = rules.team.region or "IN"
        self.rep_ids = world.rep_ids
        self.rep_names = dict(zip(world.rep_ids, world.rep_names, strict=True))
        self._pickers: dict[tuple, _Picker | None] = {}

    def _picker(self, want: str, exhausting_ok: bool) -> _Picker:
        """Pools: 'close' (closing outcomes), 'reached'/'unreached' (open ones)."""
        key = (want, exhausting_ok)
        if key not in self._pickers:
            if want == "close":
                pool = [o for o in self.outcomes if o.closes]
            else:
                pool = [
                    o
                    for o in self.outcomes
                    if not o.closes
                    and bool(o.connected) == (want == "reached")
                    and (exhausting_ok or not o.cadence)
                ]
            self._pickers[key] = _Picker(pool) if pool else None
        return self._pickers[key]

    def _pick(self, pools: tuple[tuple[str, bool], ...]) -> DemoOutcome:
        for want, exhausting_ok in pools:
            picker = self._picker(want, exhausting_ok)
            if picker is not None:
                return picker(self.rng.random())
        return self.outcomes[0]

    def outcome_sequence(self, n: int) -> list[tuple[DemoOutcome, str]]:
        """n outcomes: attempts until someone answers, then callbacks; only the last may close."""
        random_ = self.rng.random
        after_last = self.rules.cadence.after_last
        result = []
        stage = "new"
        cadence_calls = 0
        for k in range(n):
            last = k == n - 1
            ok = last or cadence_calls + 1 < self.touches  # may a cadence outcome come next?
            if last and random_() < 0.3:
                pools = (("close", True), ("reached", ok), ("unreached", ok))
            elif random_() < (0.75 if stage != "new" else 0.35):
                pools = (("reached", ok), ("unreached", ok), ("reached", True))
            else:
                pools = (("unreached", ok), ("reached", ok), ("unreached", True))
            outcome = self._pick(pools)
            # As `rules.outcomes.stage_after`, plus cadence exhaustion.
            if outcome.stage:
                stage = outcome.stage
            elif stage in CLOSED_STAGES or (stage == "new" and outcome.connected):
                stage = "contacted"
            if outcome.cadence:
                cadence_calls += 1
                if cadence_calls >= self.touches and not outcome.stage:
                    stage = after_last
            result.append((outcome, stage))
        return result

    def times(self, outcomes: list, sla: float, is_open: bool):  # noqa: ANN201
        """Business coordinates of the calls, the arrival instant, the open follow-up's due."""
        random_ = self.rng.random
        cal = self.cal
        now_x, start_x = self.now_x, self.start_x
        n = len(outcomes)
        if n == 0:
            if random_() < 0.7:  # arrived today, in office hours or not (web forms never sleep)
                since = min(5 * 3600, self.now - self.day_start)
                return [], self.now - 60 - int(random_() * max(0, since - 60)), None
            # Waiting for days: unworked, breached, perhaps escalated.
            created_x = now_x - (1 + 4 * random_()) * cal.day_seconds
            return [], cal.from_x(max(start_x, created_x)), None
        due_t = None
        if is_open:
            # A low-discrepancy sequence, not random(): even a small demo gets every bucket.
            self.open_leads += 1
            r = (self.open_leads * 0.6180339887) % 1
            if r < 0.18:  # overdue
                late = min(self.rng.expovariate(1 / 14400), 3 * cal.day_seconds)
                due_t = min(cal.from_x(now_x - late), self.now - 60)
            elif r < 0.35 and self.day_end - self.now > 120:  # due later today
                due_t = self.now + 60 + int(random_() * (self.day_end - self.now - 120))
            else:  # upcoming
                due_t = cal.from_x(cal.to_x(self.day_end) + random_() * 5 * cal.day_seconds)
                due_t = max(due_t, self.day_end)
            gap = outcomes[-1][0].gap * (0.5 + 0.7 * random_())
            last_x = min(cal.to_x(due_t) - gap, now_x - 60 - random_() * 3600)
        else:
            last_x = now_x - 600 - random_() * max(1, now_x - start_x - 4000)
        times = [last_x]
        for k in range(n - 2, -1, -1):
            gap = outcomes[k][0].gap * (0.6 + 0.8 * random_()) + random_() * 1800
            times.append(times[-1] - gap)
        times.reverse()
        # The first response: within the SLA mostly, else late.
        delay = 30 + random_() * sla * 0.9 if random_() < 0.7 else sla + random_() * 14400
        created_x = times[0] - delay
        if created_x < start_x:  # squeeze the story into the history window
            room = max(last_x - start_x, 60 * n + 60)
            scale = room / (last_x - created_x)
            times = [last_x - (last_x - t) * scale for t in times]
            created_x = last_x - (last_x - created_x) * scale
        times = [int(t) for t in times]
        for k in range(1, n):  # strictly increasing, a minute apart at least
            if times[k] <= times[k - 1] + 60:
                times[k] = times[k - 1] + 60
        return times, cal.from_x(int(created_x) - 1), due_t

    def chunk(self, chunk: Chunk):  # noqa: ANN201, C901
        """Rows of leads, calls, follow-ups and events of one chunk, and its open count."""
        rng = self.rng
        random_ = rng.random
        cal = self.cal
        to_x, from_x = cal.to_x, cal.from_x
        rules = self.rules
        lead_rows, call_rows, followup_rows, events = [], [], [], []
        add_call, add_followup, add_event = call_rows.append, followup_rows.append, events.append
        open_count = 0
        channels = list(_CHANNEL_WEIGHTS)
        channel_weights = list(_CHANNEL_WEIGHTS.values())
        sla_by_channel = {c: rules.sla.target(c).total_seconds() for c in channels}
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
            sla = sla_by_channel[source]
            outcomes = self.outcome_sequence(n)
            is_open = not outcomes or outcomes[-1][1] not in CLOSED_STAGES
            times, created, final_due = self.times(outcomes, sla, is_open)
            created_text = ts(created)
            if lead_tz is None:
                first_due = from_x(to_x(created) + sla)
            else:
                first_due = int(
                    first_response_due(
                        rules,
                        source=source,
                        created_at=datetime.fromtimestamp(created, UTC),
                        tz=ZoneInfo(lead_tz),
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
            if n == 0:
                escalate = from_x(to_x(first_due) + self.escalate_x)
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
            cadence_calls = 0
            for k, (outcome, stage_after) in enumerate(outcomes):
                at_x = times[k]
                at = from_x(at_x)
                at_text = ts(at)
                caller = owner if random_() < 0.9 else self.rep_ids[int(random_() * n_reps)]
                call_id += 1
                if random_() < 0.6:
                    note, note_json = outcome.notes[int(random_() * len(outcome.notes))]
                else:
                    note, note_json = "", '""'
                length = (
                    (60 + int(random_() * 540)) if outcome.connected else 15 + int(random_() * 30)
                )
                add_call(
                    (
                        call_id,
                        lead_id,
                        caller,
                        ts(at - length),
                        at_text,
                        outcome.id,
                        outcome.connected,
                        note,
                        ts(at + int(random_() * 90)),
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
                if outcome.cadence:
                    cadence_calls += 1
                open_fu = None
                if stage_after not in CLOSED_STAGES:
                    if k == n - 1:
                        due = final_due
                    else:  # mostly on time, sometimes early, sometimes well past late_after
                        r = random_()
                        late = (
                            1800 * r / 0.7
                            if r < 0.7
                            else (1800 + 12600 * random_() if r < 0.9 else -3600 * random_())
                        )
                        due = from_x(max(at_x + 60, times[k + 1] - late))
                    followup_id += 1
                    if outcome.cadence:
                        open_fu = [followup_id, due, "cadence", cadence_calls + 1, at_text, call_id]
                    else:
                        open_fu = [followup_id, due, "callback", None, at_text, call_id]
                add_event(
                    (
                        lead_id,
                        at_text,
                        "call_logged",
                        caller,
                        f'{{"attempt": {k + 1}, "call_id": {call_id}, "claimed_before": null, '
                        f'"completed_followup_id": {completed[0] if completed else "null"}, '
                        f'"connected": {"true" if outcome.connected else "false"}, '
                        f'"created_followup_id": {open_fu[0] if open_fu else "null"}, '
                        f'"first_touch_before": {first_touch_before}, '
                        f'"label": {outcome.label_json}, "note": {note_json}, '
                        f'"outcome": "{outcome.id}", "stage_before": "{stage}"}}',
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
                if stage_after != stage:
                    exhausted = (
                        outcome.cadence and not outcome.stage and stage_after in CLOSED_STAGES
                    )
                    reason = "cadence exhausted" if exhausted else outcome.id
                    add_event(
                        (
                            lead_id,
                            at_text,
                            "stage_changed",
                            caller,
                            f'{{"from": "{stage}", "reason": "{reason}", "to": "{stage_after}"}}',
                        )
                    )
                    stage = stage_after
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
