"""Fixtures for the service tests: adding leads and logging outcomes with less noise."""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest


@pytest.fixture
def add(db, rules, now) -> Callable[..., int]:  # noqa: ANN001
    """`add(phone="9876543210", source="web", at=now, **fields)` -> the lead id."""
    from callq.services.leads import NewLead, add_lead

    counter = iter(range(10, 100))

    def _add(phone: str | None = None, *, at: datetime | None = None, rep: str = "asha", **fields):
        fields.setdefault("name", f"Lead {phone or ''}".strip())
        phone = phone or f"98765432{next(counter):02d}"
        result = add_lead(db, rules, NewLead(phone=phone, **fields), now=at or now, rep=rep)
        return result.lead_id

    return _add


@pytest.fixture
def log(db, rules, now) -> Callable[..., object]:  # noqa: ANN001
    """`log(lead_id, "no_answer", at=now, **options)` -> LoggedOutcome."""
    from callq.services.outcomes import log_outcome

    def _log(lead_id: int, outcome: str, *, at: datetime | None = None, rep: str = "asha", **kw):
        return log_outcome(db, rules, str(lead_id), outcome, rep=rep, now=at or now, **kw)

    return _log


@pytest.fixture
def ist() -> Callable[[str], datetime]:
    """`ist("2026-11-23 14:00")`: wall time in the default team zone, as an aware datetime."""
    return lambda text: datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Kolkata"))


@pytest.fixture
def rows(db) -> Callable[..., list]:  # noqa: ANN001
    """`rows(FollowUp, lead_id=3)`: the table's rows (detached), oldest first."""
    from sqlmodel import select

    def _rows(model, **where):  # noqa: ANN001, ANN202
        with db.read() as session:
            statement = select(model)
            for name, value in where.items():
                statement = statement.where(getattr(model, name) == value)
            return list(session.exec(statement.order_by(model.id)))

    return _rows
