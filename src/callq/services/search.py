"""Find a lead by name, company or part of its phone number."""

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import select

from callq.store.db import Database
from callq.store.models import Lead, Rep


@dataclass(frozen=True)
class FoundLead:
    lead_id: int
    name: str
    phone: str
    company: str
    stage: str
    owner: str | None  # None: nobody owns it (round-robin found no rep)


def search_leads(db: Database, text: str, *, limit: int = 50) -> list[FoundLead]:
    """Leads whose name or company contains `text`, or whose phone contains its digits."""
    text = text.strip()
    if not text:
        return []
    like = f"%{text}%"
    conditions = [Lead.name.ilike(like), Lead.company.ilike(like)]
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 3:
        conditions.append(Lead.phone.contains(digits))
    with db.read() as session:
        rows = session.exec(
            select(Lead.id, Lead.name, Lead.phone, Lead.company, Lead.stage, Rep.name)
            .outerjoin(Rep, Rep.id == Lead.owner_id)
            .where(or_(*conditions))
            .order_by(Lead.name, Lead.id)
            .limit(limit)
        ).all()
    return [FoundLead(*row) for row in rows]
