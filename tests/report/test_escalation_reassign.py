"""Escalation flags and reassignment (single lead and handoff) with their timeline events."""

import json

import pytest
from sqlmodel import select

from callq.errors import UserError
from callq.services.doctor import check
from callq.services.escalation import flag_escalations
from callq.services.reassign import handoff, reassign_lead
from callq.store.models import Event, FollowUp, Lead

from .history import NOW, ist


def _events(db, lead_id: int, type_: str) -> list[dict]:  # noqa: ANN001
    with db.read() as session:
        rows = session.exec(select(Event).where(Event.lead_id == lead_id, Event.type == type_))
        return [json.loads(e.detail) for e in rows]


def test_escalation_is_flagged_once(history_db, report_rules_fixture) -> None:  # noqa: ANN001
    rules = report_rules_fixture
    l4, l5 = history_db.ids["L4"], history_db.ids["L5"]
    assert flag_escalations(history_db, rules, ist(18, "12:59")) == 0
    assert flag_escalations(history_db, rules, ist(18, "13:00")) == 1
    assert flag_escalations(history_db, rules, NOW) == 0  # idempotent; L5 not due yet
    with history_db.read() as session:
        assert session.get(Lead, l4).escalated_at == ist(18, "13:00")
        assert session.get(Lead, l5).escalated_at is None
    assert len(_events(history_db, l4, "escalated")) == 1
    # L5 (web, 11:50): deadline 12:05, escalated at 13:05.
    assert flag_escalations(history_db, rules, ist(23, "13:05")) == 1


def test_reassign_one_lead_moves_its_followup_and_logs_it(history_db, report_rules_fixture) -> None:  # noqa: ANN001
    rules = report_rules_fixture
    l2 = history_db.ids["L2"]
    moved = reassign_lead(history_db, rules, str(l2), "asha", now=NOW, actor="chen")
    assert (moved.from_rep, moved.to_rep) == ("ben", "asha")
    with history_db.read() as session:
        lead = session.get(Lead, l2)
        followup = session.exec(
            select(FollowUp).where(FollowUp.lead_id == l2, FollowUp.status == "open")
        ).one()
        assert lead.owner_id == followup.owner_id
    assert _events(history_db, l2, "reassigned") == [{"from": "ben", "to": "asha"}]
    assert check(history_db).ok


def test_handoff_moves_every_open_lead_in_one_go(history_db, report_rules_fixture) -> None:  # noqa: ANN001
    rules = report_rules_fixture
    # ben owns L2 (qualified), L4 (new), L6 (new): all open.
    assert handoff(history_db, rules, "ben", "chen", now=NOW, actor="asha") == 3
    with history_db.read() as session:
        for label in ("L2", "L4", "L6"):
            lead_id = history_db.ids[label]
            lead = session.get(Lead, lead_id)
            followup = session.exec(
                select(FollowUp).where(FollowUp.lead_id == lead_id, FollowUp.status == "open")
            ).one()
            assert lead.owner_id == followup.owner_id
            assert _events(history_db, lead_id, "reassigned") == [{"from": "ben", "to": "chen"}]
    assert handoff(history_db, rules, "ben", "chen", now=NOW, actor="asha") == 0
    assert check(history_db).ok


def test_reassign_refuses_unknown_reps(history_db, report_rules_fixture) -> None:  # noqa: ANN001
    rules = report_rules_fixture
    with pytest.raises(UserError, match="no rep called 'zed'"):
        reassign_lead(history_db, rules, str(history_db.ids["L2"]), "zed", now=NOW, actor="asha")
    with pytest.raises(UserError, match="no rep called 'zed'"):
        handoff(history_db, rules, "zed", "asha", now=NOW, actor="asha")
