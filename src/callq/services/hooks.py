"""Events out: deliver the outbox to the `[[hooks]]`, in order per lead, at least once.

A round takes the due events (`store.outbox.due`: at most one per lead and hook, so a
lead's events go in order, and a failing one holds back the lead's later events),
delivers them, then marks them delivered, or failed with the next attempt from
`rules.delivery.retry_at`. An event is marked only after its delivery, so a deliverer
killed in between delivers it again after a restart (at least once). A command hook
gets the event as JSON on stdin (no shell, a timeout); a URL hook gets it POSTed with an
HMAC-SHA256 signature.
"""

import hashlib
import hmac
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, select, text

from callq.errors import UserError
from callq.rules.delivery import failing_too_long, retry_at
from callq.rules.model import Hook, Rules
from callq.store import outbox, queries
from callq.store.db import Database
from callq.store.models import FollowUp
from callq.store.outbox import HookBacklog, Pending

BATCH = 50
KEEP_DELIVERED = timedelta(days=7)
MISSED_SWEPT_KEY = "hooks_missed_swept_until"
SIGNATURE_HEADER = "X-Callq-Signature"


@dataclass(frozen=True)
class Round:
    """One delivery round: how many events went out and how many failed."""

    delivered: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.failed


def signature(secret: str, body: bytes) -> str:
    """The `X-Callq-Signature` value: `sha256=` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def hook_secret(hook: Hook) -> str:
    if hook.secret_file:
        return Path(hook.secret_file).expanduser().read_text(encoding="utf-8").strip()
    return hook.secret


class Sender:
    """Delivers one event body to one hook; returns None, or what went wrong (one line)."""

    def __init__(self) -> None:
        self._client = None  # httpx.Client, made on the first URL hook

    def send(self, hook: Hook, body: str) -> str | None:
        try:
            if hook.command is not None:
                return self._run(hook, body)
            return self._post(hook, body)
        except Exception as error:  # any failure is the hook's: record it, retry later
            return f"{type(error).__name__}: {error}".splitlines()[0][:300]

    def _run(self, hook: Hook, body: str) -> str | None:
        try:
            done = subprocess.run(
                list(hook.command),
                input=body.encode(),
                capture_output=True,
                timeout=hook.timeout.total_seconds(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"timed out after {hook.timeout.total_seconds():g} s"
        if done.returncode != 0:
            said = done.stderr.decode(errors="replace").strip().splitlines()
            return f"exit {done.returncode}" + (f": {said[-1][:200]}" if said else "")
        return None

    def _post(self, hook: Hook, body: str) -> str | None:
        import httpx

        if self._client is None:
            self._client = httpx.Client(follow_redirects=False)
        data = body.encode()
        headers = {"Content-Type": "application/json", "User-Agent": "callq-hooks"}
        secret = hook_secret(hook)
        if secret:
            headers[SIGNATURE_HEADER] = signature(secret, data)
        response = self._client.post(
            hook.url, content=data, headers=headers, timeout=hook.timeout.total_seconds()
        )
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def deliver_round(
    db: Database, rules: Rules, sender: Sender, *, now: Callable[[], datetime]
) -> Round:
    """Deliver the due events (at most one per lead and hook), record each result."""
    names = [hook.name for hook in rules.hooks]
    if not names:
        return Round()
    with db.engine.connect() as conn:  # a read first: an idle poll takes no lock
        if not outbox.due(conn, names, now=now(), limit=1):
            return Round()
    if db.is_sqlite:  # one deliverer (DeliveryLock): read, deliver, then record
        with db.engine.connect() as conn:
            batch = outbox.due(conn, names, now=now(), limit=BATCH)
        results = _deliver(rules, sender, batch)
        with db.write_connection() as conn:
            _record(conn, results, now())
    else:  # the rows stay locked while they are delivered; others skip them
        with db.write_connection() as conn:
            batch = outbox.due(conn, names, now=now(), limit=BATCH, lock=True)
            results = _deliver(rules, sender, batch)
            _record(conn, results, now())
    failed = sum(1 for _, error in results if error is not None)
    return Round(delivered=len(results) - failed, failed=failed)


def _deliver(
    rules: Rules, sender: Sender, batch: list[Pending]
) -> list[tuple[Pending, str | None]]:
    hooks = {hook.name: hook for hook in rules.hooks}
    return [(pending, sender.send(hooks[pending.hook], pending.body)) for pending in batch]


def _record(conn, results: list[tuple[Pending, str | None]], finished: datetime) -> None:  # noqa: ANN001
    for pending, error in results:
        if error is None:
            outbox.mark_delivered(conn, pending.id, now=finished)
        else:
            next_at = retry_at(pending.attempts + 1, finished)
            outbox.mark_failed(conn, pending, now=finished, retry_at=next_at, error=error)


class DeliveryLock:
    """On SQLite, one deliverer at a time: an OS file lock beside the database, released
    by the OS when its holder's process ends (kill -9 included), so what a dead deliverer
    left undelivered goes with the next one. PostgreSQL needs none (row locks)."""

    def __init__(self, db: Database) -> None:
        self.path = Path(f"{db.path}.hooks-lock") if db.path is not None else None
        self._file = None

    def acquire(self) -> bool:
        """True when this process may deliver (now holding the lock)."""
        if self.path is None or self._file is not None:
            return True
        try:
            import fcntl
        except ImportError:  # no flock (Windows): one deliverer is up to the admin
            return True
        handle = os.fdopen(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600), "r+b")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing releases the flock
            self._file = None


def deliver_all(
    db: Database, rules: Rules, sender: Sender, *, now: Callable[[], datetime]
) -> Round:
    """Rounds until nothing is due now (`callq hooks run`, or catching up after a start)."""
    delivered = failed = 0
    while True:
        done = deliver_round(db, rules, sender, now=now)
        delivered, failed = delivered + done.delivered, failed + done.failed
        if done.attempted == 0 or done.delivered == 0:
            return Round(delivered, failed)


def chores(db: Database, rules: Rules, *, now: datetime) -> None:
    """The once-a-minute work of a deliverer: due escalations are applied, missed
    follow-ups become events, cold leads come back after `reopen_after`, old delivered
    events and idempotency keys are forgotten."""
    from callq.services.escalation import escalate_due
    from callq.services.intake import forget_old_keys
    from callq.services.reentry import reopen_cold_leads

    escalate_due(db, rules, now)  # [escalation]: flag, or move to a rep or the pool
    reopen_cold_leads(db, rules, now=now)  # [cadence] reopen_after
    sweep_missed(db, rules, now=now)
    forget_old_keys(db, now=now)
    with db.write_connection() as conn:
        outbox.prune_delivered(conn, before=now - KEEP_DELIVERED)


def sweep_missed(db: Database, rules: Rules, *, now: datetime) -> int:
    """A `followup_missed` event for each open follow-up whose deadline (due + the team's
    late_after) passed since the last sweep; the first sweep only starts the clock."""
    if not any("followup_missed" in hook.on for hook in rules.hooks):
        return 0
    late = rules.team.late_after
    with db.write() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(7303)"))  # one sweeper at once
        last = queries.get_meta(session, MISSED_SWEPT_KEY)
        queries.set_meta(session, MISSED_SWEPT_KEY, now.isoformat())
        if last is None:
            return 0
        since = datetime.fromisoformat(last)
        rows = session.execute(
            select(FollowUp.lead_id, FollowUp.id, FollowUp.due_at, FollowUp.kind).where(
                queries.OPEN_FOLLOWUP,
                and_(FollowUp.due_at > since - late, FollowUp.due_at <= now - late),
            )
        ).all()
        changes = [
            (lead_id, {"followup_id": fid, "due_at": due_at, "kind": kind, "late_after": str(late)})
            for lead_id, fid, due_at, kind in rows
        ]
        outbox.emit(session, rules.hooks, type="followup_missed", at=now, changes=changes)
        return len(changes)


@dataclass(frozen=True)
class HooksStatus:
    """`callq hooks status`: per hook, its backlog; and the oldest undelivered events."""

    hooks: list[HookBacklog]
    pending: list[tuple]
    configured: list[str]

    @property
    def unconfigured(self) -> list[str]:
        """Hooks with events waiting that the rules file no longer has: nothing delivers
        them (`callq hooks drop --hook NAME` discards them; putting the hook back delivers)."""
        return [item.hook for item in self.hooks if item.hook not in self.configured]


def hooks_status(db: Database, rules: Rules, *, limit: int = 20) -> HooksStatus:
    with db.engine.connect() as conn:
        return HooksStatus(
            hooks=outbox.backlog(conn),
            pending=outbox.pending_events(conn, limit=limit),
            configured=[hook.name for hook in rules.hooks],
        )


def drop_events(db: Database, rules: Rules, hook: str, *, force: bool = False) -> int:
    """Discard `hook`'s undelivered events (`callq hooks drop`); how many. Refused for a
    hook the rules file still has (its events would be delivered) unless `force`, and for
    a hook with nothing pending (a mistyped name)."""
    configured = {item.name for item in rules.hooks}
    if hook in configured and not force:
        raise UserError(
            f"hook {hook!r} is still in the rules file and its events will be delivered; "
            "remove it from [[hooks]] first, or add --force to discard them anyway"
        )
    with db.write_connection() as conn:
        dropped = outbox.drop_pending(conn, hook)
        if dropped == 0:
            waiting = sorted(item.hook for item in outbox.backlog(conn))
            raise UserError(
                f"no events are waiting for a hook named {hook!r}"
                + (f" (waiting: {', '.join(waiting)})" if waiting else "")
            )
    return dropped


def failing_warnings(db: Database, *, now: datetime, rules: Rules | None = None) -> list[str]:
    """`callq doctor`'s warnings: hooks whose events have failed for over an hour, and (with
    `rules`) events waiting for a hook the rules file no longer has."""
    with db.engine.connect() as conn:
        backlog = outbox.backlog(conn)
    configured = None if rules is None else {hook.name for hook in rules.hooks}
    warnings = []
    for item in backlog:
        if configured is not None and item.hook not in configured:
            warnings.append(
                f"hook {item.hook!r} is no longer configured: {item.pending} event(s) will not "
                f"be delivered; `callq hooks drop --hook {item.hook}` discards them"
            )
        elif failing_too_long(item.oldest_failure, now):
            warnings.append(
                f"hook {item.hook!r}: {item.failing} event(s) failing for over an hour "
                f"(last error: {item.last_error}); see `callq hooks status`"
            )
    return warnings
