"""Random add / log / reschedule / undo / note / edit / reassign sequences keep the invariant
and doctor green (doctor includes: the report rollups equal a rebuild from the rows)."""

import contextlib
from datetime import timedelta

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

from callq.errors import UserError
from callq.rules.phrases import CallbackError
from callq.rules.timeexpr import Ask
from callq.services.doctor import check
from callq.services.edit import LeadEdit, edit_lead
from callq.services.leads import NewLead, add_lead, add_note, reschedule
from callq.services.outcomes import log_outcome, undo_last_outcome
from callq.services.reassign import reassign_lead
from callq.services.report import build_report

REPS = ("asha", "ben", "chen")
# A small pool, so repeat inquiries (merges, reopening closed leads) happen often.
PHONES = tuple(f"98765432{n:02d}" for n in range(12))
PHRASES = ("in 2h", "in 45 min", "tomorrow 3pm", "fri 10:30", "2bd@11:00", "+3d", "3pm")
SOURCES = ("phone", "web", "social", "referral", "email", "other")


def test_random_workflows_keep_the_invariant(db, rules, now):
    outcome_ids = tuple(o.id for o in rules.outcomes)
    asks = {o.id for o in rules.outcomes if isinstance(o.next, Ask)}
    clock = [now]  # shared by every example: the clock never runs backwards on one db

    class Workflow(RuleBasedStateMachine):
        leads = Bundle("leads")

        @initialize(target=leads, phone=st.sampled_from(PHONES))
        def first_lead(self, phone):  # noqa: ANN001, ANN201
            return self._add(phone, "web", None)

        @rule(
            target=leads,
            phone=st.sampled_from(PHONES),
            source=st.sampled_from(SOURCES),
            owner=st.none() | st.sampled_from(REPS),
        )
        def add(self, phone, source, owner):  # noqa: ANN001, ANN201
            return self._add(phone, source, owner)

        def _add(self, phone, source, owner):  # noqa: ANN001, ANN202
            new = NewLead(name=f"Lead {phone}", phone=phone, source=source, owner=owner)
            # A refusal (the number went on the do-not-call list) is fine; the bundle gets the
            # number either way, so what is drawn next never depends on the database.
            self._attempt(add_lead, db, rules, new, now=clock[0], rep="asha")
            return phone

        @rule(
            lead=leads,
            outcome=st.sampled_from(outcome_ids),
            rep=st.sampled_from(REPS),
            callback=st.none() | st.sampled_from(PHRASES),
            their_time=st.booleans(),
        )
        def log(self, lead, outcome, rep, callback, their_time):  # noqa: ANN001, ANN201
            if outcome in asks and callback is None:
                callback = "tomorrow 3pm"
            self._attempt(
                log_outcome,
                db,
                rules,
                str(lead),
                outcome,
                rep=rep,
                now=clock[0],
                callback=callback,
                their_time=their_time,
                override_claim=True,
            )

        @rule(lead=leads, when=st.sampled_from(PHRASES), rep=st.sampled_from(REPS))
        def reschedule(self, lead, when, rep):  # noqa: ANN001, ANN201
            self._attempt(reschedule, db, rules, str(lead), when, now=clock[0], rep=rep)

        @rule(lead=leads, source=st.sampled_from(SOURCES), rep=st.sampled_from(REPS))
        def edit_source(self, lead, source, rep):  # noqa: ANN001, ANN201
            # Moves the lead's calls and follow-ups between the report's channels.
            self._attempt(
                edit_lead, db, rules, str(lead), LeadEdit(source=source), now=clock[0], rep=rep
            )

        @rule(lead=leads, to=st.sampled_from(REPS), rep=st.sampled_from(REPS))
        def reassign(self, lead, to, rep):  # noqa: ANN001, ANN201
            self._attempt(reassign_lead, db, rules, str(lead), to, now=clock[0], actor=rep)

        @rule(days=st.integers(min_value=1, max_value=3))
        def report(self, days):  # noqa: ANN001, ANN201
            # Builds the follow-up rollup (late_after) that doctor then checks; escalates.
            build_report(db, rules, now=clock[0], days=days)

        @rule(rep=st.sampled_from(REPS))
        def undo(self, rep):  # noqa: ANN001, ANN201
            self._attempt(undo_last_outcome, db, rules, rep=rep, now=clock[0])

        @rule(lead=leads, text=st.text(min_size=0, max_size=20))
        def note(self, lead, text):  # noqa: ANN001, ANN201
            self._attempt(add_note, db, rules, str(lead), text, now=clock[0], rep="ben")

        @rule(minutes=st.integers(min_value=1, max_value=24 * 60))
        def advance_clock(self, minutes):  # noqa: ANN001, ANN201
            clock[0] += timedelta(minutes=minutes)

        @staticmethod
        def _attempt(action, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN205
            # Refusals are fine (a closed lead, a past time, nothing to undo); anything
            # else - an IntegrityError, a crash - fails the test.
            with contextlib.suppress(UserError, CallbackError):
                action(*args, **kwargs)

        @invariant()
        def doctor_is_green(self):  # noqa: ANN201
            report = check(db)
            assert report.ok, report.problems

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
