"""The business times the report keeps per lead (SLA deadline, first response): computed
by the rules' clock for new leads, computed again after every change they depend on (a
first call, an earlier one, its undo, a new source or timezone, new hours or SLA targets),
and never stored over a change that came between the read and the write; `callq doctor`
compares them with the clock. On both backends (the `db` fixture)."""

from dataclasses import replace
from datetime import datetime, timedelta

from callq.rules.hours import business_time_between, sla_deadline, zone
from callq.services.doctor import check
from callq.services.edit import LeadEdit, edit_lead
from callq.services.leads import NewLead, add_lead
from callq.services.outcomes import log_outcome, undo_last_outcome
from callq.services.report import build_report, prepare_rollups
from callq.store import report_queries as q
from callq.store.models import Lead
from callq.store.queries import set_meta

from .history import lead_columns

lead_table = Lead.__table__


def _kept(db, lead_id: int) -> tuple:  # noqa: ANN001
    return lead_columns(db, lead_id, "sla_deadline_at", "first_response_us")


def _expected(rules, *, created: datetime, source: str, tz: str, first: datetime | None):  # noqa: ANN001, ANN202
    """What the rules' own (slow) functions give: the definition the kept values follow."""
    deadline = sla_deadline(rules.sla, rules.hours, source, created, zone(tz))
    if first is None:
        return deadline, None
    response = business_time_between(rules.hours, created, first, zone(tz))
    return deadline, response // timedelta(microseconds=1)


def test_kept_times_follow_calls_undo_edits_and_rules(db, rules, now) -> None:  # noqa: ANN001
    tz = rules.team.timezone
    lead_id = add_lead(
        db, rules, NewLead(name="Pat", phone="9876543210", source="web"), now=now, rep="asha"
    ).lead_id
    assert _kept(db, lead_id) == (None, None)  # new: to compute
    prepare_rollups(db, rules)
    assert _kept(db, lead_id) == _expected(rules, created=now, source="web", tz=tz, first=None)

    first = now + timedelta(hours=2, minutes=7)
    log_outcome(db, rules, str(lead_id), "no_answer", rep="asha", now=first)
    assert _kept(db, lead_id) == (None, None)  # its first call changed: stale
    prepare_rollups(db, rules)
    assert _kept(db, lead_id) == _expected(rules, created=now, source="web", tz=tz, first=first)

    earlier = now + timedelta(minutes=40)  # a call logged afterwards, dated before
    later = first + timedelta(minutes=3)
    log_outcome(db, rules, str(lead_id), "busy", rep="asha", now=later, at=earlier, callback="")
    prepare_rollups(db, rules)
    assert _kept(db, lead_id) == _expected(rules, created=now, source="web", tz=tz, first=earlier)
    undo_last_outcome(db, rules, rep="asha", now=later + timedelta(minutes=1))
    prepare_rollups(db, rules)
    assert _kept(db, lead_id) == _expected(rules, created=now, source="web", tz=tz, first=first)

    edit_lead(db, rules, str(lead_id), LeadEdit(source="referral"), now=later, rep="asha")
    edit_lead(db, rules, str(lead_id), LeadEdit(timezone="Europe/London"), now=later, rep="asha")
    assert _kept(db, lead_id) == (None, None)
    prepare_rollups(db, rules)
    assert _kept(db, lead_id) == _expected(
        rules, created=now, source="referral", tz="Europe/London", first=first
    )
    assert check(db, rules=rules).ok

    # The rules file gives referrals another SLA: every lead is computed again.
    by_channel = {**rules.sla.by_channel, "referral": timedelta(hours=3)}
    slower = replace(rules, sla=replace(rules.sla, by_channel=by_channel))
    prepare_rollups(db, slower)
    assert _kept(db, lead_id) == _expected(
        slower, created=now, source="referral", tz="Europe/London", first=first
    )
    assert check(db, rules=slower).ok


def test_doctor_finds_a_kept_time_that_disagrees_with_the_clock(db, rules, now) -> None:  # noqa: ANN001
    lead_id = add_lead(
        db, rules, NewLead(name="Pat", phone="9876543210", source="web"), now=now, rep="asha"
    ).lead_id
    prepare_rollups(db, rules)
    assert check(db, rules=rules).ok
    with db.engine.begin() as connection:
        connection.execute(
            lead_table.update()
            .where(lead_table.c.id == lead_id)
            .values(sla_deadline_at=now + timedelta(days=9))
        )
    report = check(db, rules=rules)
    assert not report.ok
    assert any("kept business times disagree" in problem for problem in report.problems)


def test_a_time_computed_before_a_change_is_not_stored_over_it(db, rules, now) -> None:  # noqa: ANN001
    """Read, compute, then a call lands before the write: the lead stays pending."""
    lead_id = add_lead(
        db, rules, NewLead(name="Pat", phone="9876543210", source="web"), now=now, rep="asha"
    ).lead_id
    prepare_rollups(db, rules)
    log_outcome(db, rules, str(lead_id), "no_answer", rep="asha", now=now + timedelta(hours=1))
    with db.engine.connect() as connection:
        (pending,) = [row for row in q.lead_times_pending(connection) if row[0] == lead_id]
    stale_first = pending[4] - timedelta(minutes=5)  # as if read before the call moved
    with db.engine.begin() as connection:
        q.keep_lead_times(
            connection,
            [
                {
                    "b_id": lead_id,
                    "b_created_at": pending[1],
                    "b_timezone": pending[2],
                    "b_source": pending[3],
                    "b_first_call_at": stale_first,
                    "b_deadline": now,
                    "b_response_us": 1,
                }
            ],
        )
    assert _kept(db, lead_id) == (None, None)


def test_the_report_reads_the_kept_times(db, rules, now, monkeypatch) -> None:  # noqa: ANN001
    """Median first response and SLA misses come from the kept values, as the clock gives
    them; a lead made stale after the preparation is computed before the report reads."""
    tz = rules.team.timezone
    ids = []
    for minutes, phone in ((3, "9876543210"), (95, "9876543211")):
        lead_id = add_lead(
            db, rules, NewLead(name="L", phone=phone, source="web"), now=now, rep="asha"
        ).lead_id
        ids.append(lead_id)
        at = now + timedelta(minutes=minutes)
        log_outcome(db, rules, str(lead_id), "no_answer", rep="asha", now=at)
    end = now + timedelta(hours=6)
    report = build_report(db, rules, now=end, days=1, flag=False)
    responses = sorted(
        _expected(rules, created=now, source="web", tz=tz, first=now + timedelta(minutes=m))[1]
        for m in (3, 95)
    )
    median_minutes = sum(responses) / 2 / 6e7
    assert report.current.team.median_first_response_minutes == median_minutes
    # A writer makes the leads stale between the report's preparation and its read: it
    # computes them again rather than read leads without them.
    import callq.services.report as service

    prepare = service.prepare_rollups

    def prepare_then_a_writer(db, rules) -> None:  # noqa: ANN001
        prepare(db, rules)
        with db.engine.begin() as connection:
            connection.execute(lead_table.update().values(sla_deadline_at=None))

    monkeypatch.setattr(service, "prepare_rollups", prepare_then_a_writer)
    again = build_report(db, rules, now=end, days=1, flag=False)
    assert again.current.team.as_dict() == report.current.team.as_dict()
    assert all(_kept(db, lead_id)[0] is not None for lead_id in ids)
    # Other rules recorded for them: every lead is computed again.
    with db.engine.begin() as connection:
        set_meta(connection, "lead_times_rules", "other rules")
    monkeypatch.setattr(service, "prepare_rollups", prepare)
    assert build_report(db, rules, now=end, days=1, flag=False).current.team.as_dict() == (
        report.current.team.as_dict()
    )


def test_escalation_skips_by_kept_deadline_only_under_the_same_rules(db, rules, now) -> None:  # noqa: ANN001
    """Escalation leaves leads whose kept deadline rules them out in the database; a
    deadline kept under other rules (a longer SLA) never hides a lead now due."""
    from callq.services.escalation import escalate_due

    lead_id = add_lead(
        db, rules, NewLead(name="Pat", phone="9876543210", source="web"), now=now, rep="asha"
    ).lead_id
    longer = replace(rules, sla=replace(rules.sla, by_channel={}, default=timedelta(days=20)))
    prepare_rollups(db, longer)  # kept under rules whose deadline is weeks away
    later = now + timedelta(days=3)
    assert not escalate_due(db, longer, later, notify=False).escalated
    escalated = escalate_due(db, rules, later, notify=False).escalated
    assert [e.lead_id for e in escalated] == [lead_id]
    # Kept under these rules: the due lead is found, the one not yet due is left.
    second = add_lead(
        db, rules, NewLead(name="Sam", phone="9876543211", source="web"), now=later, rep="asha"
    ).lead_id
    third = add_lead(
        db,
        rules,
        NewLead(name="Kim", phone="9876543212", source="web"),
        now=later + timedelta(days=3),
        rep="asha",
    ).lead_id
    prepare_rollups(db, rules)
    at = later + timedelta(days=3, minutes=1)
    escalated = escalate_due(db, rules, at, notify=False).escalated
    assert [e.lead_id for e in escalated] == [second]
    assert third != second
