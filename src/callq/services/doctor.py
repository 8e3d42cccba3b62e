"""`callq doctor`: database integrity and the one-open-follow-up invariant."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import text

from callq.rules.model import CLOSED_STAGES, OPEN_STAGES, Rules
from callq.services.hooks import failing_warnings
from callq.store import rollups
from callq.store.db import Database

MIN_SAFE_SQLITE = (3, 51, 3)


@dataclass
class DoctorReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# Open-stage leads must have exactly one open follow-up; closed ones none.
_OPEN_WITHOUT = f"""
SELECT l.id FROM lead l WHERE l.stage IN ({_in_list(OPEN_STAGES)})
AND (SELECT COUNT(*) FROM followup f WHERE f.lead_id = l.id AND f.status = 'open') != 1
"""
_CLOSED_WITH = f"""
SELECT DISTINCT l.id FROM lead l JOIN followup f ON f.lead_id = l.id
WHERE l.stage IN ({_in_list(CLOSED_STAGES)}) AND f.status = 'open'
"""
_BAD_STAGE = f"SELECT id FROM lead WHERE stage NOT IN ({_in_list(OPEN_STAGES + CLOSED_STAGES)})"


def check(db: Database, *, now: datetime | None = None, rules: Rules | None = None) -> DoctorReport:
    """Integrity, the one-open-follow-up invariant, and (warnings) hooks failing for over an
    hour or, with `rules`, events waiting for a hook no longer configured."""
    report = DoctorReport()
    with db.engine.connect() as connection:
        if db.is_sqlite:
            version = connection.exec_driver_sql("SELECT sqlite_version()").scalar()
            report.facts["sqlite_version"] = version
            if tuple(int(p) for p in version.split(".")[:3]) < MIN_SAFE_SQLITE:
                report.warnings.append(
                    f"SQLite {version} is older than 3.51.3, which fixes a WAL-reset bug that "
                    "concurrent writers on one file can hit; prefer a newer SQLite (or PostgreSQL "
                    "for teams)"
                )
            integrity = [r[0] for r in connection.exec_driver_sql("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                report.problems += [f"integrity: {line}" for line in integrity[:20]]
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                report.problems.append(f"{len(broken)} rows reference missing rows")
        else:
            report.facts["server_version"] = connection.exec_driver_sql(
                "SHOW server_version"
            ).scalar()
        for label, query in (
            ("open lead without exactly one open follow-up", _OPEN_WITHOUT),
            ("closed lead with an open follow-up", _CLOSED_WITH),
            ("lead with an unknown stage", _BAD_STAGE),
        ):
            ids = [row[0] for row in connection.execute(text(query))]
            if ids:
                shown = ", ".join(str(i) for i in ids[:20])
                report.problems.append(f"{len(ids)} {label}: lead {shown}")
        stale = rollups.disagreements(connection)
        if stale:
            report.problems.append(
                f"{len(stale)} report rollup rows disagree with the calls and follow-ups "
                f"(first: {stale[0]})"
            )
        if rules is not None:
            from callq.services.lead_times import lead_time_disagreements

            kept = lead_time_disagreements(db, rules)
            if kept:
                report.problems.append(
                    f"{len(kept)} leads' kept business times disagree with the rules "
                    f"(first: {kept[0]})"
                )
        for table in ("lead", "followup", "call", "event"):
            report.facts[f"{table}s"] = connection.execute(
                text(f"SELECT COUNT(*) FROM {table}")
            ).scalar()
    report.warnings += failing_warnings(db, now=now or datetime.now(UTC), rules=rules)
    return report
