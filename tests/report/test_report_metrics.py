"""Every SPEC 7 metric, exactly, on the known history (see history.py): team, rep, channel."""

import pytest

from callq.metrics import METRIC_KEYS
from callq.services.report import build_report

from .history import NOW, ist

# The 7-day window [Mon 16 12:00, Mon 23 12:00) as of Mon 23 12:00.
TEAM = {
    "leads_in": 6,  # L1 L2 L3 L4 L5 L7 (L6 is older)
    "median_first_response_minutes": 20.0,  # L1 3, L2 20 (5 + 15 across the night), L3 20, L7 30
    "sla_miss_rate": 2 / 5,  # due: L1 L2 L3 L4 L7 (L5's 12:05 is after now); missed: L2, L4
    "second_touch_rate": 1 / 2,  # first calls leaving the lead open: L1 (called again), L2 (not)
    "qualified_second_touch_rate": 0.0,  # qualified in the window: L2 (Wed), not called again
    "unworked_24h": 1,  # L4
    "followup_completion_rate": 5 / 9,
    "missed_followups": 4,  # L1 touch 3, L2's callback, L4's first response, L6's 11:00
    "overdue_now": 4,
    "calls": 6,
    "connects": 3,
    "talk_time_minutes": 25.0,  # 8 + 5 + 12
    "won": 1,
    "leakage_cost": 4 * 0.10 * 4000 + 4 * 50,
}
BY_REP = {
    "asha": {
        "leads_in": 4,
        "median_first_response_minutes": 20.0,
        "sla_miss_rate": 0.0,
        "second_touch_rate": 1.0,
        "qualified_second_touch_rate": None,
        "unworked_24h": 0,
        "followup_completion_rate": 4 / 5,  # L1 x3 (15:00 = due 14:00 + 1h: on time), L3, L7
        "missed_followups": 1,
        "overdue_now": 1,
        "calls": 3,
        "connects": 2,
        "talk_time_minutes": 17.0,
        "won": 1,
        "leakage_cost": 450.0,
    },
    "ben": {
        "leads_in": 2,
        "median_first_response_minutes": 20.0,
        "sla_miss_rate": 1.0,
        "second_touch_rate": 0.0,
        "qualified_second_touch_rate": 0.0,
        "unworked_24h": 1,
        "followup_completion_rate": 1 / 4,
        "missed_followups": 3,
        "overdue_now": 3,
        "calls": 3,  # includes L1's second call, made for asha's lead
        "connects": 1,
        "talk_time_minutes": 8.0,
        "won": 0,
        "leakage_cost": 1350.0,
    },
}
BY_CHANNEL = {
    "phone": {
        "leads_in": 1,
        "median_first_response_minutes": 3.0,
        "sla_miss_rate": 0.0,
        "second_touch_rate": 1.0,
        "qualified_second_touch_rate": None,
        "unworked_24h": 0,
        "followup_completion_rate": 2 / 4,  # L1 x3 and L6's 11:00
        "missed_followups": 2,
        "overdue_now": 2,
        "calls": 3,
        "connects": 0,
        "talk_time_minutes": 0.0,
        "won": 0,
        "leakage_cost": 900.0,
    },
    "web": {
        "leads_in": 2,
        "median_first_response_minutes": 20.0,
        "sla_miss_rate": 1.0,
        "second_touch_rate": 0.0,
        "qualified_second_touch_rate": 0.0,
        "unworked_24h": 0,
        "followup_completion_rate": 1 / 2,
        "missed_followups": 1,
        "overdue_now": 1,
        "calls": 1,
        "connects": 1,
        "talk_time_minutes": 8.0,
        "won": 0,
        "leakage_cost": 450.0,
    },
    "social": {
        "leads_in": 1,
        "median_first_response_minutes": 20.0,  # arrived Sat 20:00: counted from Mon 09:30
        "sla_miss_rate": 0.0,
        "second_touch_rate": None,  # its first call closed it
        "qualified_second_touch_rate": None,
        "unworked_24h": 0,
        "followup_completion_rate": 1.0,
        "missed_followups": 0,
        "overdue_now": 0,
        "calls": 1,
        "connects": 1,
        "talk_time_minutes": 5.0,
        "won": 0,
        "leakage_cost": 0.0,
    },
    "referral": {
        "leads_in": 1,
        "median_first_response_minutes": None,
        "sla_miss_rate": 1.0,
        "second_touch_rate": None,
        "qualified_second_touch_rate": None,
        "unworked_24h": 1,
        "followup_completion_rate": 0.0,
        "missed_followups": 1,
        "overdue_now": 1,
        "calls": 0,
        "connects": 0,
        "talk_time_minutes": 0.0,
        "won": 0,
        "leakage_cost": 450.0,
    },
    "email": {
        "leads_in": 1,
        "median_first_response_minutes": 30.0,
        "sla_miss_rate": 0.0,
        "second_touch_rate": None,
        "qualified_second_touch_rate": None,
        "unworked_24h": 0,
        "followup_completion_rate": 1.0,
        "missed_followups": 0,
        "overdue_now": 0,
        "calls": 1,
        "connects": 1,
        "talk_time_minutes": 12.0,
        "won": 1,
        "leakage_cost": 0.0,
    },
}
# The previous window [Mon 9 12:00, Mon 16 12:00), evaluated as of its own end: L6's late
# follow-up was still open then, and its second call had not happened yet.
PREVIOUS_TEAM = {
    "leads_in": 1,
    "median_first_response_minutes": 10.0,
    "sla_miss_rate": 1.0,
    "second_touch_rate": 0.0,
    "qualified_second_touch_rate": None,
    "unworked_24h": 0,
    "followup_completion_rate": 0.5,
    "missed_followups": 1,
    "overdue_now": 1,
    "calls": 1,
    "connects": 0,
    "talk_time_minutes": 0.0,
    "won": 0,
    "leakage_cost": 450.0,
}


def _approx(expected: dict) -> dict:
    return {k: (pytest.approx(v) if isinstance(v, float) else v) for k, v in expected.items()}


@pytest.fixture
def report(history_db, report_rules_fixture):  # noqa: ANN001, ANN201
    return build_report(history_db, report_rules_fixture, now=NOW)


def test_window_is_now_minus_days_to_now(report) -> None:  # noqa: ANN001
    assert report.current.start == ist(16, "12:00")
    assert report.current.end == NOW
    assert report.previous.start == ist(9, "12:00")
    assert report.previous.end == ist(16, "12:00")


def test_team(report) -> None:  # noqa: ANN001
    assert report.current.team.as_dict() == _approx(TEAM)


def test_by_rep(report) -> None:  # noqa: ANN001
    assert {name: m.as_dict() for name, m in report.current.by_rep.items()} == {
        name: _approx(values) for name, values in BY_REP.items()
    }


def test_by_channel(report) -> None:  # noqa: ANN001
    got = {name: m.as_dict() for name, m in report.current.by_channel.items()}
    assert got == {name: _approx(values) for name, values in BY_CHANNEL.items()}
    assert list(got) == ["phone", "web", "social", "referral", "email"]


def test_previous_window_is_evaluated_as_of_its_end(report) -> None:  # noqa: ANN001
    assert report.previous.team.as_dict() == _approx(PREVIOUS_TEAM)
    assert list(report.previous.by_rep) == ["ben"]


def test_lists_of_unworked_and_escalated(report, history_db) -> None:  # noqa: ANN001
    l4 = history_db.ids["L4"]
    assert [r.id for r in report.unworked] == [l4]
    assert [r.id for r in report.escalated] == [l4]
    assert report.escalated[0].escalated_at == ist(18, "13:00")  # deadline 12:00 + 1h
    assert report.escalated[0].owner == "ben"


def test_one_day_window_cutting_through_the_history(history_db, report_rules_fixture) -> None:  # noqa: ANN001
    at = ist(18, "12:30")
    report = build_report(history_db, report_rules_fixture, now=at, days=1, flag=False)
    team = report.current.team
    assert team.leads_in == 2  # L2 (Tue 18:25), L4 (Wed 11:00)
    assert team.median_first_response_minutes == 20.0
    assert team.sla_miss_rate == 1.0  # L2 late, L4's 12:00 deadline has passed
    assert team.second_touch_rate == 0.0  # L2 not called again by then
    assert team.unworked_24h == 0
    # Due in [Tue 12:30, Wed 12:30) and due + 1h before 12:30: L1 14:00 (done 15:00, on
    # time), L1 Wed 10:00 (never), L2 09:40 (done 09:53); L4's 12:00 is not late yet.
    assert team.followup_completion_rate == pytest.approx(2 / 3)
    assert team.missed_followups == 1
    assert team.overdue_now == 2  # L1's 10:00 and L6's Tue 11:00
    assert (team.calls, team.connects, team.talk_time_minutes) == (2, 1, 8.0)


def test_filters_by_rep_and_channel(history_db, report_rules_fixture) -> None:  # noqa: ANN001
    only_ben = build_report(history_db, report_rules_fixture, now=NOW, rep="ben")
    assert only_ben.current.team.as_dict() == _approx(BY_REP["ben"])
    assert list(only_ben.current.by_rep) == ["ben"]
    web = build_report(history_db, report_rules_fixture, now=NOW, channel="web")
    assert web.current.team.as_dict() == _approx(BY_CHANNEL["web"])
    assert list(web.current.by_channel) == ["web"]


def test_every_json_key_is_present(report) -> None:  # noqa: ANN001
    assert tuple(report.current.team.as_dict()) == METRIC_KEYS


def test_measured_conversion_is_won_over_closed_leads_last_90_days(history_db) -> None:  # noqa: ANN001
    from callq.config.loading import load_default_rules

    rules = load_default_rules()  # conversion_rate unset: measured
    report = build_report(history_db, rules, now=NOW)
    # Closed with a call in the last 90 days: L7 won, L3 lost.
    assert report.conversion_rate == 0.5
    assert report.conversion_measured
    assert report.current.team.leakage_cost == pytest.approx(4 * 0.5 * 4000 + 4 * 50)


def test_undone_call_counts_nowhere(history_db, report_rules_fixture) -> None:  # noqa: ANN001
    from callq.services.outcomes import log_outcome, undo_last_outcome

    rules = report_rules_fixture
    l5 = history_db.ids["L5"]
    log_outcome(history_db, rules, l5, "no_answer", rep="asha", now=ist(23, "11:55"))
    undo_last_outcome(history_db, rules, rep="asha", now=ist(23, "11:56"))
    report = build_report(history_db, rules, now=NOW)
    assert report.current.team.as_dict() == _approx(TEAM)


def test_empty_database_has_no_rates(empty_db, report_rules_fixture) -> None:  # noqa: ANN001
    team = build_report(empty_db, report_rules_fixture, now=NOW).current.team
    assert team.leads_in == 0
    assert team.sla_miss_rate is None
    assert team.second_touch_rate is None
    assert team.followup_completion_rate is None
    assert team.median_first_response_minutes is None
    assert team.leakage_cost == 0
