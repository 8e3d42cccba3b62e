"""A known history built through the services with a fixed clock (all times Asia/Kolkata).

Reps asha and ben; hours Mon-Fri 09:30-18:30, Sat 10:00-14:00; SLA phone 5m, web 15m,
social 30m, default 1h; late_after 1h; conversion fixed at 10%, deals 4000, leads 50.

    L1 phone    asha  Tue 17 10:00  call 10:03 no_answer (asha), 15:00 no_answer (ben)
    L2 web      ben   Tue 17 18:25  (after 5 min of today, due Wed 09:40) call Wed 09:45-09:53
                                    interested; the 2bd@11:00 follow-up (Fri 20) is never done
    L3 social   asha  Sat 21 20:00  (after hours: due Mon 23 10:00) call 09:50-09:55 not_interested
    L4 referral ben   Wed 18 11:00  never called (unworked, escalated at Wed 13:00)
    L5 web      asha  Mon 23 11:50  never called (deadline 12:05, after now)
    L6 phone    ben   Fri 13 10:00  call 10:10 busy; 30 m follow-up done late (Tue 17 10:30, busy)
    L7 email    asha  Thu 19 10:00  call 10:30-10:42 won

NOW is Mon 23 Nov 12:00: the 7-day window is [Mon 16 12:00, Mon 23 12:00).
"""

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from callq.config.loading import load_default_rules
from callq.rules.model import Rules
from callq.services.leads import NewLead, add_lead
from callq.services.outcomes import log_outcome
from callq.store.db import Database

IST = ZoneInfo("Asia/Kolkata")


def ist(day: int, hhmm: str) -> datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(2026, 11, day, hour, minute, tzinfo=IST)


NOW = ist(23, "12:00")


def report_rules() -> Rules:
    rules = load_default_rules()
    return replace(rules, cost=replace(rules.cost, conversion_rate=0.10))


def build_history(db: Database, rules: Rules) -> dict[str, int]:
    """The history above; returns lead ids by label."""
    ids: dict[str, int] = {}

    def lead(label: str, source: str, owner: str, at: datetime) -> None:
        added = add_lead(
            db,
            rules,
            NewLead(name=label, phone=f"+9198765432{len(ids):02d}", source=source, owner=owner),
            now=at,
            rep=owner,
        )
        ids[label] = added.lead_id

    def call(label: str, outcome: str, rep: str, at: datetime, started: datetime | None = None):
        callback = "1d@10:00" if outcome == "callback" else None
        log_outcome(
            db,
            rules,
            ids[label],
            outcome,
            rep=rep,
            now=at,
            at=at,
            started_at=started,
            callback=callback,
        )

    lead("L6", "phone", "ben", ist(13, "10:00"))
    call("L6", "busy", "ben", ist(13, "10:10"))
    lead("L1", "phone", "asha", ist(17, "10:00"))
    call("L1", "no_answer", "asha", ist(17, "10:03"))
    call("L6", "busy", "ben", ist(17, "10:30"))
    call("L1", "no_answer", "ben", ist(17, "15:00"))
    lead("L2", "web", "ben", ist(17, "18:25"))
    lead("L4", "referral", "ben", ist(18, "11:00"))
    call("L2", "interested", "ben", ist(18, "09:53"), started=ist(18, "09:45"))
    lead("L7", "email", "asha", ist(19, "10:00"))
    call("L7", "won", "asha", ist(19, "10:42"), started=ist(19, "10:30"))
    lead("L3", "social", "asha", ist(21, "20:00"))
    call("L3", "not_interested", "asha", ist(23, "09:55"), started=ist(23, "09:50"))
    lead("L5", "web", "asha", ist(23, "11:50"))
    return ids


def lead_columns(db: Database, lead_id: int, *names: str) -> tuple:
    """The lead's `names` columns as stored (facts and kept times the triggers and the
    report keep)."""
    from callq.store.models import Lead

    lead = Lead.__table__
    with db.engine.connect() as connection:
        row = connection.execute(
            lead.select().with_only_columns(*(lead.c[n] for n in names)).where(lead.c.id == lead_id)
        ).one()
    return tuple(row)
