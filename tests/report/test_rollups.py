"""The report's rollups: whole hours read from them equal the same hours counted from the
rows, for any window, on both backends; they follow every kind of write (doctor checks a
rebuild against them); a new late_after rebuilds the follow-up rollup.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backends import BACKENDS, database_target, drop_postgres
from callq.config.loading import load_default_rules
from callq.demo.build import build_demo
from callq.services.doctor import check
from callq.services.edit import LeadEdit, edit_lead
from callq.services.report import build_report, prepare_rollups
from callq.store import report_queries as q
from callq.store import rollups
from callq.store.db import open_database

from .history import lead_columns

NOW = datetime(2026, 11, 23, 16, 37, 12, tzinfo=UTC)  # not on an hour: ragged edges


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    target = database_target(request.param, tmp_path_factory.mktemp("rollups"))
    rules = load_default_rules()
    build_demo(target, rules, now=NOW, leads=150, calls=1200)
    database = open_database(target)
    yield database, rules
    database.dispose()
    if request.param == "postgresql":
        drop_postgres(target)


def _summed(rows) -> dict:  # noqa: ANN001
    """Rows keyed by their first two columns (rep, source), values added up."""
    totals: dict = defaultdict(lambda: None)
    for key_a, key_b, *values in rows:
        key = (key_a, key_b)
        before = totals[key] or [0] * len(values)
        totals[key] = [a + float(b or 0) for a, b in zip(before, values, strict=True)]
    return {key: [round(v, 3) for v in values] for key, values in totals.items() if any(values)}


windows = st.tuples(
    st.integers(min_value=0, max_value=20 * 24 * 60),  # minutes before NOW it starts
    st.integers(min_value=1, max_value=10 * 24 * 60),  # minutes long
    st.sampled_from([None, "web", "phone"]),  # channel filter
    st.booleans(),  # one rep
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(window=windows)
# A week up to now (not on an hour, no call since): the last hour comes whole from the
# rollup.
@example(window=(7 * 24 * 60, 7 * 24 * 60, None, False))
@example(window=(7 * 24 * 60, 7 * 24 * 60, "web", True))
def test_whole_hours_from_the_rollups_equal_the_rows(demo, window) -> None:  # noqa: ANN001
    database, rules = demo
    back, length, channel, one_rep = window
    start = NOW - timedelta(minutes=back)
    end = start + timedelta(minutes=length)
    prepare_rollups(database, rules)
    late_after = rules.team.late_after
    won = [o.id for o in rules.outcomes if o.stage == "won"]
    with database.engine.connect() as connection:
        rep_id = q.rep_id_by_name(connection, rules.team.reps[0]) if one_rep else None
        scope = q.Scope(rep_id=rep_id, channel=channel)
        assert _summed(q.call_counts(connection, scope, start, end, won)) == _summed(
            q._call_counts_rows(connection, scope, start, end, won)
        )
        assert _summed(
            q.followup_completion(connection, scope, start, end, end, late_after)
        ) == _summed(
            q._followup_completion_rows(
                connection, scope, start, end, end, late_after.total_seconds()
            )
        )
        assert _summed(q.overdue_counts(connection, scope, NOW, late_after)) == _summed(
            q._overdue_rows(connection, scope, NOW, late_after, recent=True)
        )
        touches = q.touches_by_channel(connection, scope, start, end)
        rows = _summed(q._call_counts_rows(connection, scope, start, end, won))
        assert sum(touches.values()) == sum(values[0] for values in rows.values())


def test_a_demo_is_built_with_both_rollups_filled_and_doctor_agrees(demo) -> None:  # noqa: ANN001
    database, rules = demo
    with database.engine.connect() as connection:
        assert rollups.late_after_of(connection) == rules.team.late_after.total_seconds()
        calls = connection.execute(
            rollups.call_hour.select().with_only_columns(rollups.call_hour.c.calls)
        ).scalars()
        assert sum(calls) == 1200
    report = check(database)
    assert report.ok, report.problems


@contextmanager
def _small_demo(backend: str, tmp_path, leads: int, calls: int) -> Iterator:  # noqa: ANN001
    """A demo database of its own on `backend`, dropped afterwards."""
    target = database_target(backend, tmp_path)
    build_demo(target, load_default_rules(), now=NOW, leads=leads, calls=calls)
    database = open_database(target)
    try:
        yield database
    finally:
        database.dispose()
        if backend == "postgresql":
            drop_postgres(target)


def test_an_edited_source_moves_the_leads_history_between_channels(tmp_path, backend) -> None:  # noqa: ANN001
    rules = load_default_rules()
    with _small_demo(backend, tmp_path, 20, 120) as database:
        with database.engine.connect() as connection:
            lead_id, source = connection.execute(
                rollups.lead.select()
                .with_only_columns(rollups.lead.c.id, rollups.lead.c.source)
                .where(rollups.lead.c.first_touch_at.is_not(None))
                .limit(1)
            ).one()
        moved = "referral" if source != "referral" else "email"
        before = build_report(database, rules, now=NOW, days=30, flag=False)
        edit_lead(database, rules, str(lead_id), LeadEdit(source=moved), now=NOW, rep="asha")
        after = build_report(database, rules, now=NOW, days=30, flag=False)
        assert check(database).ok, check(database).problems
        # The team's calls stay; the old channel loses what the new one gains.
        assert after.current.team.calls == before.current.team.calls
        old = before.current.by_channel[source].calls - after.current.by_channel[source].calls
        new_before = before.current.by_channel.get(moved)
        gained = after.current.by_channel[moved].calls - (new_before.calls if new_before else 0)
        assert old == gained > 0


def test_a_new_late_after_rebuilds_the_followup_rollup(tmp_path, backend) -> None:  # noqa: ANN001
    rules = load_default_rules()
    with _small_demo(backend, tmp_path, 40, 300) as database:
        strict = replace(rules, team=replace(rules.team, late_after=timedelta(minutes=5)))
        lenient = build_report(database, rules, now=NOW, days=14, flag=False)
        harsh = build_report(database, strict, now=NOW, days=14, flag=False)
        with database.engine.connect() as connection:
            assert rollups.late_after_of(connection) == 300.0
            start, end = NOW - timedelta(days=14), NOW
            assert _summed(
                q.followup_completion(connection, q.Scope(), start, end, end, timedelta(minutes=5))
            ) == _summed(q._followup_completion_rows(connection, q.Scope(), start, end, end, 300.0))
        assert harsh.current.team.missed_followups > lenient.current.team.missed_followups
        assert check(database).ok


def test_a_leads_call_facts_follow_its_calls_and_their_undo(db, rules, now) -> None:  # noqa: ANN001
    from callq.services.leads import NewLead, add_lead
    from callq.services.outcomes import log_outcome, undo_last_outcome

    lead_id = add_lead(
        db, rules, NewLead(name="Pat", phone="9876543210", source="web"), now=now, rep="asha"
    ).lead_id
    first, second = now + timedelta(minutes=5), now + timedelta(hours=3)

    def facts() -> tuple:
        return lead_columns(
            db,
            lead_id,
            "first_call_at",
            "first_call_outcome",
            "second_call_at",
            "last_call_at",
            "call_count",
        )

    assert facts() == (None, None, None, None, 0)
    log_outcome(db, rules, str(lead_id), "no_answer", rep="asha", now=first)
    assert facts() == (first, "no_answer", None, first, 1)
    log_outcome(db, rules, str(lead_id), "busy", rep="ben", now=second)
    assert facts() == (first, "no_answer", second, second, 2)
    undo_last_outcome(db, rules, rep="ben", now=second + timedelta(minutes=1))
    assert facts() == (first, "no_answer", None, first, 1)
    assert check(db).ok


def test_a_leads_stage_facts_follow_its_calls_undo_and_the_rules(db, rules, now) -> None:  # noqa: ANN001
    """First qualifying call and the call after it, first converting call and its
    number: by comparison for a new call, recounted for a back-dated one and an undo,
    recomputed for new rules."""
    from callq.rules.model import Outcome
    from callq.services.leads import NewLead, add_lead
    from callq.services.outcomes import log_outcome, undo_last_outcome

    prepare_rollups(db, rules)
    lead_id = add_lead(
        db, rules, NewLead(name="Pat", phone="9876543210", source="web"), now=now, rep="asha"
    ).lead_id
    t1, t2, t3 = (now + timedelta(hours=h) for h in (1, 3, 5))

    def facts() -> tuple:
        return lead_columns(
            db,
            lead_id,
            "first_qualified_at",
            "qualified_again_at",
            "first_converted_at",
            "converted_touch",
        )

    def log(outcome: str, at: datetime) -> None:
        log_outcome(db, rules, str(lead_id), outcome, rep="asha", now=t3, at=at, callback="")

    log_outcome(db, rules, str(lead_id), "no_answer", rep="asha", now=t1)
    assert facts() == (None, None, None, None)
    log_outcome(db, rules, str(lead_id), "interested", rep="asha", now=t2)
    assert facts() == (t2, None, t2, 2)
    log_outcome(db, rules, str(lead_id), "interested", rep="asha", now=t3)
    assert facts() == (t2, t3, t2, 2)  # called again; qualified and converted still at t2
    log("busy", t1 + timedelta(minutes=30))  # back-dated before the converting call
    assert facts() == (t2, t3, t2, 3)
    assert check(db).ok
    undo_last_outcome(db, rules, rep="asha", now=t3 + timedelta(minutes=1))
    assert facts() == (t2, t3, t2, 2)
    between = t2 + timedelta(hours=1)
    log("no_answer", between)  # back-dated between the qualifying call and the next
    assert facts() == (t2, between, t2, 2)
    assert check(db).ok
    # The rules file stops calling "interested" a qualification: the next report's
    # preparation recomputes every lead's facts with the new mapping.
    demoted = tuple(replace(o, stage=None) if o.id == "interested" else o for o in rules.outcomes)
    assert isinstance(demoted[0], Outcome)
    prepare_rollups(db, replace(rules, outcomes=demoted))
    assert facts() == (None, None, None, None)
    prepare_rollups(db, rules)
    assert facts() == (t2, between, t2, 2)
    assert check(db).ok


def test_an_import_adds_its_followups_to_the_rollup_in_bulk(db, rules, now, tmp_path) -> None:  # noqa: ANN001
    from callq.importing.importer import import_file

    prepare_rollups(db, rules)  # built (empty): the import must add to it, not leave it
    path = tmp_path / "leads.csv"
    lines = ["name,phone,source"] + [f"Lead {n},98765{n:05d},web" for n in range(120)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_file(db, rules, path, now=now, rep="asha")
    with db.engine.connect() as connection:
        counted = connection.execute(
            rollups.followup_hour.select().with_only_columns(rollups.followup_hour.c.followups)
        ).scalars()
        assert sum(counted) == 120
        assert rollups.disagreements(connection) == []
    if db.is_sqlite:  # the per-row trigger is back for the next writer
        with db.engine.connect() as connection:
            names = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).scalars()
            assert "rollup_followup_insert" in set(names)
