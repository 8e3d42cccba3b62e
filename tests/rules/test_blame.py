"""rules.blame: a miss stays with whoever owned the work when its deadline passed."""

from datetime import UTC, datetime, timedelta

import pytest

from callq.rules.blame import (
    BlamePlan,
    MovingLead,
    blamed_owner,
    deadline_passed,
    owner_to_record,
    plan_blame,
)

NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
ASHA, BEN, CHEN = 1, 2, 3


@pytest.mark.parametrize(
    ("recorded", "owner", "blamed"),
    [(None, BEN, BEN), (ASHA, BEN, ASHA), (None, None, None), (ASHA, None, ASHA)],
)
def test_the_recorded_owner_else_the_current_one(recorded, owner, blamed) -> None:  # noqa: ANN001
    assert blamed_owner(recorded, owner) == blamed


def test_a_deadline_passes_strictly_after_it() -> None:
    assert not deadline_passed(NOW, NOW)
    assert deadline_passed(NOW - timedelta(microseconds=1), NOW)


@pytest.mark.parametrize(
    ("recorded", "deadline", "expected"),
    [
        (None, NOW - HOUR, BEN),  # moved after the deadline: ben owned it then
        (None, NOW, None),  # at the deadline: the new owner still has it when it passes
        (None, NOW + HOUR, None),  # before: the new owner's to meet
        (ASHA, NOW - HOUR, None),  # an earlier move already recorded asha
    ],
)
def test_owner_to_record_when_work_moves(recorded, deadline, expected) -> None:  # noqa: ANN001
    assert owner_to_record(BEN, recorded, deadline, NOW) == expected


def test_plan_records_the_lead_and_its_followup_separately() -> None:
    moving = [
        # SLA deadline passed, follow-up (due 1h ago, late after 1h) not yet missed.
        MovingLead(1, BEN, None, NOW - 2 * HOUR, 10, BEN, None, NOW - HOUR),
        # Both passed; the SLA owner was recorded by an earlier move to ben.
        MovingLead(2, BEN, ASHA, NOW - 9 * HOUR, 20, BEN, None, NOW - 3 * HOUR),
        # Nothing passed; no open follow-up on the third.
        MovingLead(3, BEN, None, NOW + HOUR, 30, BEN, None, NOW + HOUR),
        MovingLead(4, BEN, None, NOW - HOUR),
    ]
    plan = plan_blame(moving, HOUR, NOW)
    assert plan == BlamePlan(sla_owners={1: BEN, 4: BEN}, deadline_owners={20: BEN})
