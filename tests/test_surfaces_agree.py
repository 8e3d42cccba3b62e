"""Random histories: the queue, `show`, the report and the TUI's rows give one answer.

A hypothesis state machine adds leads, logs outcomes, reschedules, reassigns, hands off,
undoes and lets time pass (minutes to days, so SLA deadlines, escalations and follow-up
deadlines go by). Every few steps it reads every surface a user sees -
`callq queue --all --format json`, `callq show LEAD --format json`, `callq report
--format json`, the services' `QueueReader` and the TUI's first-paint `QuickReader` -
and checks them against each other and against answers worked out here from the
database rows and from the history the machine itself made:

- section, due_at, kind, attempt n/N and escalation of every open follow-up;
- the queue's order (sections top to bottom, earliest deadline, urgency, id);
- blame: missed follow-ups and SLA misses per rep equal a brute-force tally, by whoever
  owned the work when its deadline passed (as recorded by the machine's own history, and
  as `rules.blame` reads it off the rows), and the reps' tallies add up to the team's.
"""

import contextlib
import json
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select
from sqlmodel import SQLModel

from callq.errors import UserError
from callq.rules.blame import blamed_owner, deadline_passed, followup_deadline
from callq.rules.hours import local_day_end, sla_deadline
from callq.rules.model import OPEN_STAGES
from callq.rules.outcomes import cadence_outcome_ids
from callq.rules.queue import SECTIONS, attempt_number, lead_escalation_at, section_of
from callq.rules.timeexpr import Ask
from callq.services.leads import NewLead, add_lead, reschedule
from callq.services.outcomes import log_outcome, preview_outcome, undo_last_outcome
from callq.services.queue import QueueReader
from callq.services.reassign import handoff, reassign_lead
from callq.services.suggest import lead_facts
from callq.store.models import Call, FollowUp, Lead, Rep
from callq.store.quickread import QuickReader, sqlite_path

REPS = ("asha", "ben", "chen")
SOURCES = ("phone", "web", "social", "referral", "email", "other")
URGENCIES = ("high", "normal", "low")
PHRASES = (
    "in 2h",
    "in 45 min",
    "tomorrow 3pm",
    "fri 10:30",
    "2bd@11:00",
    "+3d",
    "next monday 11am",
)
# A small pool of phones per example: repeat inquiries merge into (and reopen) leads.
PHONES = tuple(f"98765432{n:02d}" for n in range(8))
# Time passing: short steps (undo has a 10-minute window) up to days (deadlines, SLAs).
MINUTES = st.sampled_from((1, 4, 9, 30, 61, 150, 8 * 60, 24 * 60, 3 * 24 * 60)) | st.integers(
    1, 4 * 24 * 60
)
URGENCY_RANK = {"high": 0, "normal": 1, "low": 2}
CHECK_EVERY = 6  # actions between full checks (also when time passes, and at the end)


def _wipe(db) -> None:  # noqa: ANN001
    """Every row gone: each example starts from an empty database at the same clock."""
    with db.engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


def _rows(db, model) -> list:  # noqa: ANN001
    with db.engine.connect() as connection:
        return list(connection.execute(select(model.__table__)).mappings())


class Facts:
    """The database's rows, read once per check (plain mappings)."""

    def __init__(self, db) -> None:  # noqa: ANN001
        self.leads = {row["id"]: row for row in _rows(db, Lead)}
        self.followups = _rows(db, FollowUp)
        self.calls = _rows(db, Call)
        self.rep_names = {row["id"]: row["name"] for row in _rows(db, Rep)}
        self.calls_of: dict[int, list] = defaultdict(list)
        for call in self.calls:
            self.calls_of[call["lead_id"]].append(call)


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def test_a_lead_called_after_its_flag_is_not_escalated(cli):
    """Escalated means still uncontacted past the escalation instant (SPEC [sla]): once the
    lead is called, the report's escalated list and the lead screen drop it, and so must
    the queue - whether or not a report flagged the lead before the call."""
    web = cli("add", "--name", "Meera", "--phone", "9876543210", "--source", "web")
    lead = web.stdout.strip()  # 10:00; SLA 10:15; escalated at 11:15
    noon, later = "2026-11-23T12:00:00+05:30", "2026-11-23T12:05:00+05:30"
    report = cli("report", "--format", "json", env={"CALLQ_NOW": noon})  # flags it
    assert [row["id"] for row in json.loads(report.stdout)["escalated"]] == [int(lead)]
    assert cli("log", lead, "no_answer", env={"CALLQ_NOW": noon}).exit_code == 0
    report = cli("report", "--format", "json", env={"CALLQ_NOW": later})
    assert json.loads(report.stdout)["escalated"] == []
    queue = cli("queue", "--all", "--format", "json", env={"CALLQ_NOW": later})
    shown = cli("show", lead, "--format", "json", env={"CALLQ_NOW": later})
    assert [row["escalated"] for row in json.loads(queue.stdout)] == [False]
    assert json.loads(shown.stdout)["lead"]["escalated"] is False


def test_a_miss_after_a_reschedule_is_blamed_on_the_owner_at_the_new_deadline(cli):
    """asha misses a follow-up, it goes to ben, ben moves it and misses his own time:
    that miss is ben's (the owner at due + late_after), not the one recorded at the old due."""

    def at(when: str, *args: str):  # noqa: ANN202
        result = cli(*args, env={"CALLQ_NOW": when})
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result.stdout

    lead = at("2026-11-23T10:00:00+05:30", "add", "--name", "M", "--phone", "9876543210",
              "--source", "web", "--owner", "asha").strip()  # fmt: skip
    at("2026-11-23T10:05:00+05:30", "log", lead, "no_answer")  # next: 14:00 (touch 2)
    at("2026-11-23T15:30:00+05:30", "reassign", lead, "--to", "ben")  # asha's deadline passed
    moved = cli("reschedule", lead, "in 2h",
                env={"CALLQ_NOW": "2026-11-23T15:30:00+05:30", "CALLQ_REP": "ben"})  # fmt: skip
    assert moved.exit_code == 0, moved.stderr  # ben's promise: 17:30, deadline 18:30
    report = json.loads(
        at("2026-11-23T18:45:00+05:30", "report", "--days", "2", "--format", "json")
    )
    missed = {name: m["missed_followups"] for name, m in report["by_rep"].items()}
    assert missed.get("ben") == 1 and missed.get("asha", 0) == 0, missed


def test_every_surface_gives_one_answer(db, db_target, cli, rules, now, backend):
    team_zone = ZoneInfo(rules.team.timezone)
    late_after = rules.team.late_after
    cadence = frozenset(cadence_outcome_ids(rules))
    outcome_ids = tuple(o.id for o in rules.outcomes)
    asks = {o.id for o in rules.outcomes if isinstance(o.next, Ask)}
    sqlite_file = sqlite_path(db_target) if backend == "sqlite" else None
    start = now

    def zone_of(name: str | None) -> ZoneInfo:
        return ZoneInfo(name or rules.team.timezone)

    def run(*args: str, at: datetime) -> str:
        result = cli(*args, env={"CALLQ_NOW": at.isoformat()})
        assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result.stdout

    class Histories(RuleBasedStateMachine):
        leads = Bundle("leads")

        def __init__(self) -> None:
            super().__init__()
            _wipe(db)
            self.clock = start
            self.actions_since_check = 0
            # The machine's own record of who owned what when: lead id -> [(since, owner
            # id)], and (follow-up id, due_at) -> its owner when due + late_after passed.
            self.owners: dict[int, list[tuple[datetime, int | None]]] = defaultdict(list)
            self.deadline_owners: dict[tuple[int, datetime], int | None] = {}
            # What `callq show` last confirmed per lead (its row and the lead's own row):
            # a lead nothing changed for is not asked again before the final check.
            self.confirmed: dict[int, tuple] = {}
            self.lead_by_phone: dict[str, int] = {}

        # --- the history ---------------------------------------------------------------

        def _act(self, action, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            """Run one user intent at the clock; refusals (a closed lead, a past time,
            nothing to undo, a conflict) are part of random histories."""
            self._note_passed_deadlines()
            result = None
            with contextlib.suppress(UserError):
                result = action(*args, **kwargs)
            self._note_owners()
            self.actions_since_check += 1
            return result

        def _note_passed_deadlines(self) -> None:
            # Nothing changes between two actions: whoever owns a follow-up now owned it
            # when its deadline passed, if that was since the last action.
            for row in _rows(db, FollowUp):
                deadline = followup_deadline(row["due_at"], late_after)
                key = (row["id"], row["due_at"])
                if row["status"] != "cancelled" and deadline_passed(deadline, self.clock):
                    self.deadline_owners.setdefault(key, row["owner_id"])

        def _note_owners(self) -> None:
            for row in _rows(db, Lead):
                history = self.owners[row["id"]]
                if not history or history[-1][1] != row["owner_id"]:
                    history.append((self.clock, row["owner_id"]))

        def owner_at(self, lead_id: int, instant: datetime) -> int | None:
            """The lead's owner at `instant` by the machine's history (a change at exactly
            a deadline is the new owner's: a deadline passes only after its instant)."""
            owner = None
            for since, owner_id in self.owners[lead_id]:
                if since <= instant:
                    owner = owner_id
            return owner

        @initialize(target=leads, phone=st.sampled_from(PHONES), source=st.sampled_from(SOURCES))
        def first_lead(self, phone, source):  # noqa: ANN001, ANN201
            return self.add(phone, source, None, "normal")

        @rule(
            target=leads,
            phone=st.sampled_from(PHONES),
            source=st.sampled_from(SOURCES),
            owner=st.none() | st.sampled_from(REPS),
            urgency=st.sampled_from(URGENCIES),
        )
        def add(self, phone, source, owner, urgency):  # noqa: ANN001, ANN201
            new = NewLead(
                name=f"Lead {phone[-2:]}", phone=phone, source=source, owner=owner, urgency=urgency
            )
            added = self._act(add_lead, db, rules, new, now=self.clock, rep="asha")
            if added is None:  # refused: the number went on the do-not-call list
                return self.lead_by_phone[phone]  # its lead (the list came from a call on it)
            self.lead_by_phone[phone] = added.lead_id
            return added.lead_id

        @rule(
            lead=leads,
            outcome=st.sampled_from(outcome_ids),
            rep=st.sampled_from(REPS),
            callback=st.sampled_from(PHRASES),
        )
        def log(self, lead, outcome, rep, callback):  # noqa: ANN001, ANN201
            what = {"now": self.clock, "callback": callback if outcome in asks else None}
            # What the queue shows before the write (its facts read ahead): the result
            # itself, whenever it can tell at all.
            try:
                facts = lead_facts(db, rules, lead, rep=rep).facts
            except UserError:
                facts = None
            shown = facts and preview_outcome(rules, facts, outcome, **what)
            result = self._act(
                log_outcome, db, rules, str(lead), outcome, rep=rep, override_claim=True, **what
            )
            if shown is not None:
                assert result is not None and replace(result, call_id=None) == shown

        @rule(lead=leads, when=st.sampled_from(PHRASES), rep=st.sampled_from(REPS))
        def move(self, lead, when, rep):  # noqa: ANN001, ANN201
            self._act(reschedule, db, rules, str(lead), when, now=self.clock, rep=rep)

        @rule(lead=leads, to=st.sampled_from(REPS))
        def reassign(self, lead, to):  # noqa: ANN001, ANN201
            self._act(reassign_lead, db, rules, str(lead), to, now=self.clock, actor="asha")

        @rule(from_rep=st.sampled_from(REPS), to=st.sampled_from(REPS))
        def hand_off(self, from_rep, to):  # noqa: ANN001, ANN201
            self._act(handoff, db, rules, from_rep, to, now=self.clock, actor="asha")

        @rule(rep=st.sampled_from(REPS))
        def undo(self, rep):  # noqa: ANN001, ANN201
            self._act(undo_last_outcome, db, rules, rep=rep, now=self.clock)

        @rule(minutes=MINUTES)
        def time_passes(self, minutes):  # noqa: ANN001, ANN201
            self.clock += timedelta(minutes=minutes)
            self.actions_since_check = 0  # deadlines may have passed: check now

        @invariant()
        def surfaces_agree(self) -> None:
            if self.actions_since_check % CHECK_EVERY == 0:
                self.check()

        def teardown(self) -> None:
            self.confirmed.clear()  # the final check asks `show` about every lead
            self.check(after_report=True)

        # --- the checks ----------------------------------------------------------------

        def check(self, *, after_report: bool = False) -> None:
            now = self.clock
            facts = Facts(db)
            expected = self.expected_queue(facts, now)
            self.check_queue(now, expected, flagged=False)
            self.check_report(facts, now, expected)
            # The report flags escalations (`escalated_at`): the flags change no answer
            # (the next check reads them; the last one reads them at once).
            if after_report:
                self.check_queue(now, expected, flagged=True)

        def expected_queue(self, facts: Facts, now: datetime) -> list[dict]:
            """The queue worked out from the rows: one entry per open follow-up, in order."""
            day_end = local_day_end(now, team_zone)
            rows = []
            for followup in facts.followups:
                if followup["status"] != "open":
                    continue
                lead = facts.leads[followup["lead_id"]]
                uncontacted = lead["first_touch_at"] is None and lead["stage"] in OPEN_STAGES
                escalates_at = lead_escalation_at(
                    rules,
                    source=lead["source"],
                    created_at=lead["created_at"],
                    tz=zone_of(lead["timezone"]),
                )
                touches = sum(c["outcome"] in cadence for c in facts.calls_of[lead["id"]])
                rows.append(
                    {
                        "lead_id": lead["id"],
                        "owner": facts.rep_names.get(followup["owner_id"]),
                        "section": section_of(
                            followup["kind"], followup["due_at"], now=now, day_end=day_end
                        ),
                        "due_at": followup["due_at"],
                        "kind": followup["kind"],
                        # Escalated: still uncontacted at `escalate_after` past its SLA.
                        "escalated": uncontacted and escalates_at <= now,
                        "_uncontacted": uncontacted,
                        "touch": attempt_number(touches),
                        "touches_total": len(rules.cadence.touches),
                        "_order": (URGENCY_RANK[lead["urgency"]], followup["id"]),
                    }
                )
            rows.sort(key=lambda r: (SECTIONS.index(r["section"]), r["due_at"], r["_order"]))
            for row in rows:
                del row["_order"]
            return rows

        @staticmethod
        def shown(expected: list[dict]) -> list[dict]:
            return [{k: v for k, v in row.items() if not k.startswith("_")} for row in expected]

        def check_queue(self, now: datetime, expected: list[dict], *, flagged: bool) -> None:
            expected = self.shown(expected)
            keys = tuple(expected[0]) if expected else ()
            shown = json.loads(run("queue", "--all", "--limit", "0", "--format", "json", at=now))
            for row in shown:
                row["due_at"] = _instant(row["due_at"])
            got = [{key: row[key] for key in keys} for row in shown]
            assert got == expected, ("queue --format json", "flagged" if flagged else "")
            by_lead = {row["lead_id"]: row for row in expected}
            assert len(by_lead) == len(expected)  # one open follow-up per lead

            # `callq show` of every lead with an open follow-up (unless it said the same
            # about the same lead already).
            lead_rows = {lead["id"]: tuple(lead.values()) for lead in _rows(db, Lead)}
            for lead_id, row in by_lead.items():
                said = (tuple(row.items()), lead_rows[lead_id])
                if self.confirmed.get(lead_id) == said:
                    continue
                self.confirmed[lead_id] = said
                detail = json.loads(run("show", str(lead_id), "--format", "json", at=now))
                lead, followup = detail["lead"], detail["open_followup"]
                assert {
                    "lead_id": lead["id"],
                    "owner": followup["owner"],
                    "section": followup["section"],
                    "due_at": _instant(followup["due_at"]),
                    "kind": followup["kind"],
                    "escalated": lead["escalated"],
                    "touch": lead["attempt"],
                    "touches_total": lead["attempts_total"],
                } == row, ("show --format json", lead_id)

            # The TUI's rows: the services' reader and the first paint's, rep by rep.
            items = QueueReader(db, rules, rep=None, now=now).all()
            assert [{key: getattr(i, key) for key in keys} for i in items] == expected
            for rep in REPS:
                mine = QueueReader(db, rules, rep=rep, now=now).all()
                assert [i.lead_id for i in mine] == [
                    r["lead_id"] for r in expected if r["owner"] == rep
                ]
                if sqlite_file is not None:
                    quick = QuickReader(sqlite_file, rules, rep=rep, now=now)
                    try:
                        first_paint = [
                            item for s in SECTIONS for item in quick.page(s, limit=10**6)
                        ]
                    finally:
                        quick.close()
                    assert first_paint == mine, ("QuickReader", rep)

        def check_report(self, facts: Facts, now: datetime, expected: list[dict]) -> None:
            days = (now - start).days + 2  # the window covers the whole history
            report = json.loads(run("report", "--days", str(days), "--format", "json", at=now))
            window_start = now - timedelta(days=days)
            by_history, by_rows = self.blame_tallies(facts, now, window_start)
            assert by_history == by_rows, "the blame columns disagree with the history"
            for name in REPS:
                metrics = report["by_rep"].get(name)
                missed, (sla_missed, sla_due) = by_history.get(name, (0, (0, 0)))
                assert (metrics["missed_followups"] if metrics else 0) == missed, name
                assert (metrics["sla_miss_rate"] if metrics else None) == (
                    sla_missed / sla_due if sla_due else None
                ), name
            assert set(report["by_rep"]) <= set(REPS)
            team = report["team"]
            assert team["missed_followups"] == sum(
                m["missed_followups"] for m in report["by_rep"].values()
            )
            sla_missed = sum(t[1][0] for t in by_history.values())
            sla_due = sum(t[1][1] for t in by_history.values())
            assert team["sla_miss_rate"] == (sla_missed / sla_due if sla_due else None)
            # The Summary's escalated list: the uncontacted escalated leads, flagged now.
            assert {lead["id"] for lead in report["escalated"]} == {
                row["lead_id"] for row in expected if row["escalated"] and row["_uncontacted"]
            }

        def blame_tallies(self, facts: Facts, now: datetime, window_start: datetime):  # noqa: ANN201
            """rep -> (missed follow-ups, (SLA misses, SLA deadlines passed)), blamed by the
            machine's history and by `rules.blame` over the rows' recorded owners."""
            tallies = ({}, {})  # by history, by rows

            def count(which: int, owner_id: int | None, missed: int, sla: tuple[int, int]):  # noqa: ANN202
                name = facts.rep_names.get(owner_id)
                before_missed, (before_sla, before_due) = tallies[which].get(name, (0, (0, 0)))
                tallies[which][name] = (
                    before_missed + missed,
                    (before_sla + sla[0], before_due + sla[1]),
                )

            for followup in facts.followups:
                due = followup["due_at"]
                deadline = followup_deadline(due, late_after)
                if followup["status"] == "cancelled" or not deadline_passed(deadline, now):
                    continue
                if not window_start <= due < now or followup["created_at"] >= now:
                    continue
                completed = followup["completed_at"]
                on_time = (
                    followup["status"] == "done"
                    and completed is not None
                    and completed < now
                    and completed <= deadline
                )
                if on_time:
                    continue
                key = (followup["id"], due)
                count(0, self.deadline_owners.get(key, followup["owner_id"]), 1, (0, 0))
                count(
                    1, blamed_owner(followup["deadline_owner_id"], followup["owner_id"]), 1, (0, 0)
                )
            for lead in facts.leads.values():
                if not window_start <= lead["created_at"] < now:
                    continue
                deadline = sla_deadline(
                    rules.sla,
                    rules.hours,
                    lead["source"],
                    lead["created_at"],
                    zone_of(lead["timezone"]),
                )
                if not deadline_passed(deadline, now):
                    continue
                calls = [
                    c["started_at"] for c in facts.calls_of[lead["id"]] if c["started_at"] < now
                ]
                missed = int(not calls or min(calls) > deadline)
                count(0, self.owner_at(lead["id"], deadline), 0, (missed, 1))
                count(1, blamed_owner(lead["sla_owner_id"], lead["owner_id"]), 0, (missed, 1))
            return tallies

    run_state_machine_as_test(
        Histories,
        settings=settings(
            max_examples=10,
            stateful_step_count=24,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
