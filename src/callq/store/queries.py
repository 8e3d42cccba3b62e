"""Query functions shared by the services. They read and stage writes; they never commit."""

from sqlalchemy import Connection, func, literal_column, or_, text, update
from sqlmodel import Session, select

from callq.rules.text import require_storable
from callq.store.models import Call, FollowUp, Lead, Rep, meta_table

# Open follow-ups have partial indexes (WHERE status = 'open'). The planner answers from
# them alone only when a query says 'open' literally: bound as a parameter, SQLite reads
# every table row to check it (a rep's queue counts on 100k leads: 68 ms instead of 10).
OPEN_FOLLOWUP = FollowUp.__table__.c.status == literal_column("'open'")
DONE_FOLLOWUP = FollowUp.__table__.c.status == literal_column("'done'")  # ix_followup_done_at


def rep_by_name(session: Session, name: str) -> Rep | None:
    require_storable("the rep name", name)  # no rep has one; PostgreSQL cannot even look
    return session.exec(select(Rep).where(Rep.name == name)).first()


def ensure_rep(session: Session, name: str, *, role: str = "rep") -> Rep:
    """The rep called `name`, created on first use (reps come from the config or --rep).

    Two sessions naming a new rep at once both succeed: the insert yields to the other's.
    """
    rep = rep_by_name(session, name)
    if rep is None:
        insert_ignoring_conflicts(
            session, Rep.__table__, {"name": name, "role": role, "active": True}
        )
        rep = rep_by_name(session, name)
    return rep


def insert_ignoring_conflicts(session: Session | Connection, table, values: dict) -> None:  # noqa: ANN001
    """INSERT ... ON CONFLICT DO NOTHING on either backend (in a session or on a connection)."""
    dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
    if dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(table).values(**values).on_conflict_do_nothing())


def lock_intake(session: Session) -> None:
    """Serialise lead intake for this transaction (who creates the lead for a new phone).

    SQLite already holds the database's write lock; on PostgreSQL two intakes of the same
    number would otherwise both see it missing and one would fail on the unique phone.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7302)"))


def leads_with_phone(session: Session | Connection, phone: str) -> list:
    """(id, name, phone, other_phones) of every lead that has `phone` (E.164) as its phone
    or among its other phones, by id: the one definition of "the leads with this number"."""
    rows = session.execute(
        select(Lead.id, Lead.name, Lead.phone, Lead.other_phones)
        .where(or_(Lead.phone == phone, Lead.other_phones.contains(phone)))
        .order_by(Lead.id)
    ).all()
    # `contains` is a substring test: +9198765432 is inside +919876543210.
    return [row for row in rows if row.phone == phone or phone in row.other_phones.split(",")]


def lead_by_phone(session: Session, phone: str) -> Lead | None:
    """The lead a new inquiry from `phone` belongs to: the one whose phone it is, else one
    that has it among its other phones."""
    matches = leads_with_phone(session, phone)
    if not matches:
        return None
    best = next((row for row in matches if row.phone == phone), matches[0])
    return session.get(Lead, best.id)


def lock_lead(session: Session, lead_id: int) -> Lead | None:
    """The lead row, locked for this transaction on PostgreSQL (SQLite holds the write lock)."""
    return session.exec(select(Lead).where(Lead.id == lead_id).with_for_update()).first()


def open_followup(session: Session, lead_id: int, *, lock: bool = False) -> FollowUp | None:
    statement = select(FollowUp).where(FollowUp.lead_id == lead_id, OPEN_FOLLOWUP)
    if lock:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def count_calls(session: Session, lead_id: int) -> int:
    statement = select(func.count()).select_from(Call).where(Call.lead_id == lead_id)
    return session.exec(statement).one()


def call_outcomes(session: Session, lead_id: int) -> list[str]:
    """The outcome id of each of a lead's calls (undone calls are gone)."""
    return list(session.exec(select(Call.outcome).where(Call.lead_id == lead_id)).all())


def last_call(session: Session, lead_id: int) -> Call | None:
    return session.exec(
        select(Call).where(Call.lead_id == lead_id).order_by(Call.started_at.desc(), Call.id.desc())
    ).first()


def get_meta(session: Session, key: str) -> str | None:
    statement = select(meta_table.c.value).where(meta_table.c.key == key)
    return session.execute(statement).scalar_one_or_none()


def set_meta(session: Session, key: str, value: str) -> None:
    insert_ignoring_conflicts(session, meta_table, {"key": key, "value": value})
    session.execute(update(meta_table).where(meta_table.c.key == key).values(value=value))


def rep_names(session: Session, rep_ids: set[int]) -> dict[int, str]:
    if not rep_ids:
        return {}
    rows = session.exec(select(Rep.id, Rep.name).where(Rep.id.in_(rep_ids)))
    return dict(rows.all())
