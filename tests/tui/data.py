"""A small, fixed day of data built through the services (used by Pilot and snapshot tests)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from callq.config.loading import load_default_rules
from callq.config.settings import Settings
from callq.services.leads import NewLead, add_lead
from callq.services.outcomes import log_outcome
from callq.store.db import Database, open_database

# Monday 23 Nov 2026, 11:00 in Asia/Kolkata (the default team timezone).
NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)
REP = "asha"


def make_settings(db_path: Path, **rules_changes) -> Settings:
    rules = load_default_rules()
    if rules_changes:
        from dataclasses import replace

        rules = replace(rules, **rules_changes)
    return Settings(str(db_path), None, REP, rules, NOW)


def _lead(db: Database, settings: Settings, name: str, phone: str, at: datetime, **fields) -> int:
    new = NewLead(name=name, phone=phone, owner=fields.pop("owner", REP), **fields)
    return add_lead(db, settings.rules, new, now=at, rep=REP).lead_id


def _log(db: Database, settings: Settings, lead_id: int, outcome: str, at: datetime, **kw) -> None:
    log_outcome(db, settings.rules, f"#{lead_id}", outcome, rep=REP, now=at, **kw)


def build_day(db_path: Path) -> tuple[Settings, Database]:
    """New (one breached), overdue, due today and upcoming leads for `asha`, one lead of `ben`."""
    settings = make_settings(db_path)
    db = open_database(db_path)
    hour, minute = timedelta(hours=1), timedelta(minutes=1)
    _lead(
        db,
        settings,
        "Priya Sharma",
        "98765 43210",
        NOW - 30 * minute,
        source="web",
        company="Lotus Foods",
        interest="bulk order",
        urgency="high",
    )
    _lead(
        db,
        settings,
        "Rahul Verma",
        "98200 11223",
        NOW - 3 * minute,
        source="phone",
        company="Verma & Sons",
    )
    meera = _lead(db, settings, "Meera Iyer", "99000 12345", NOW - 48 * hour, source="social")
    _log(db, settings, meera, "no_answer", NOW - 48 * hour + 10 * minute)
    vikram = _lead(
        db,
        settings,
        "Vikram Singh",
        "91234 56789",
        NOW - 72 * hour,
        source="referral",
        company="Singh Motors",
    )
    _log(db, settings, vikram, "no_answer", NOW - 72 * hour + 5 * minute)
    _log(db, settings, vikram, "busy", NOW - 20 * minute, note="in a meeting, call in 30")
    anita = _lead(
        db,
        settings,
        "Anita Desai",
        "97000 33445",
        NOW - 72 * hour,
        source="email",
        company="Desai Textiles",
    )
    _log(db, settings, anita, "interested", NOW - 71 * hour, note="wants a quote for 200 units")
    karan = _lead(db, settings, "Karan Mehta", "98111 22334", NOW - 50 * hour, source="web")
    _log(db, settings, karan, "callback", NOW - 49 * hour, callback="wed 10:00")
    _lead(db, settings, "Ben's Lead", "98999 00011", NOW - hour, owner="ben")
    return settings, db
