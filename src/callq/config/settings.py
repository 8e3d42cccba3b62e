"""Who, where and when a command runs: database, rules file, rep, clock (CLI and TUI alike)."""

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from callq.errors import UserError
from callq.rules.model import Rules
from callq.rules.text import require_storable


@dataclass(frozen=True)
class Settings:
    db_target: str
    config_path: Path | None
    rep: str
    rules: Rules
    fixed_now: datetime | None = None
    # Named by --db or CALLQ_DB: a file that is missing there is a typo until a command
    # that brings leads in creates it; the default location is created on first use.
    db_given: bool = False
    # Named by --rep, CALLQ_REP or [team] me (not the OS user): a lead this rep adds is theirs.
    rep_given: bool = False

    def now(self) -> datetime:
        """The clock: `--now`/CALLQ_NOW when given (reproducible runs), else the real time."""
        return self.fixed_now or datetime.now(UTC)

    @property
    def viewer_zone(self) -> ZoneInfo:
        return ZoneInfo(self.rules.team.timezone)


EARLIEST_YEAR, LATEST_YEAR = 1970, 9000  # the instants callq reads


def parse_instant(text: str, tz: ZoneInfo, *, what: str = "--now") -> datetime:
    """An ISO 8601 instant; without an offset it means wall time in `tz`."""
    try:
        # The standard library reads what callq prints and what people type; dateutil (a
        # start-up cost every scripted call would pay) only for the rarer ISO forms.
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        value = None
    try:
        if value is None:
            from dateutil.parser import isoparse

            value = isoparse(text.strip())
    except (ValueError, OverflowError):
        raise UserError(
            f"{what}: {text!r} is not an ISO 8601 time (e.g. 2026-11-23T10:00 or "
            "2026-11-23T10:00+05:30)"
        ) from None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        # Date arithmetic near year 1 or 9999 overflows (next opening, day ends).
        raise UserError(
            f"{what}: {text.strip()!r} is out of range (years {EARLIEST_YEAR}-{LATEST_YEAR})"
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def resolve_settings(
    *,
    db: str | None,
    config: Path | None,
    rep: str | None,
    now: str | None,
    env: Mapping[str, str] | None = None,
    default_db: Path | None = None,
) -> Settings:
    """Flags win over environment variables, which win over the config and the OS."""
    from callq.config.loading import find_config, load_rules_cached
    from callq.config.paths import default_db_path

    env = os.environ if env is None else env
    config_path = find_config(config, env)
    rules = load_rules_cached(config_path)
    db_target = db or env.get("CALLQ_DB") or str(default_db or default_db_path())
    rep_name = rep or env.get("CALLQ_REP") or rules.team.me or _os_user()
    now_text = now or env.get("CALLQ_NOW")
    fixed_now = parse_instant(now_text, ZoneInfo(rules.team.timezone)) if now_text else None
    db_given = bool(db or env.get("CALLQ_DB"))
    require_storable("the rep name", rep_name)
    rep_given = bool(rep or env.get("CALLQ_REP") or rules.team.me)
    return Settings(db_target, config_path, rep_name.strip(), rules, fixed_now, db_given, rep_given)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "me"
