"""Runs `callq serve`: uvicorn with the intake app, and the hook deliverer in a thread."""

import logging
import os
import stat
import sys
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from callq.errors import UserError
from callq.rules.model import Rules
from callq.serve.app import Intake, build_app
from callq.services.hooks import DeliveryLock, Sender, chores, deliver_round
from callq.store.db import Database, DatabaseError

TOKEN_VARIABLE = "CALLQ_INTAKE_TOKEN"
POLL_SECONDS = 0.5  # changes made by other processes reach the hooks within this
CHORES_SECONDS = 60.0
log = logging.getLogger("callq.serve")


def intake_token(rules: Rules, env: Mapping[str, str]) -> str:
    """The bearer token: $CALLQ_INTAKE_TOKEN, else the private file `[intake] token_file`."""
    token = env.get(TOKEN_VARIABLE, "").strip()
    if token:
        return token
    if rules.intake.token_file:
        path = Path(rules.intake.token_file).expanduser()
        try:
            mode = path.stat().st_mode
            token = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise UserError(f"cannot read [intake] token_file {path}: {error.strerror}") from None
        if stat.S_IMODE(mode) & 0o077:
            raise UserError(f"[intake] token_file {path} is readable by others: chmod 600 it")
        if token:
            return token
        raise UserError(f"[intake] token_file {path} is empty")
    raise UserError(
        f"serve needs a token: set {TOKEN_VARIABLE} or [intake] token_file (a file with mode 0600)"
    )


class Deliverer:
    """Delivers the outbox while the server runs: at once after an intake, every
    POLL_SECONDS for changes other processes made, and the minute's chores."""

    def __init__(self, db: Database, rules: Rules, now: Callable[[], datetime]) -> None:
        self.db, self.rules, self.now = db, rules, now
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="callq-hooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=15)

    def _run(self) -> None:
        sender, lock = Sender(), DeliveryLock(self.db)
        last_chores = -CHORES_SECONDS
        try:
            while not self._stopping:
                busy = False
                if not lock.acquire():  # another process delivers (SQLite): wait for its end
                    self._wake.wait(POLL_SECONDS)
                    self._wake.clear()
                    continue
                try:
                    if time.monotonic() - last_chores >= CHORES_SECONDS:
                        last_chores = time.monotonic()
                        chores(self.db, self.rules, now=self.now())
                    busy = deliver_round(self.db, self.rules, sender, now=self.now).delivered > 0
                except DatabaseError as error:  # busy or unreachable: the next poll retries
                    log.warning("hooks: %s", error)
                if not busy:
                    self._wake.wait(POLL_SECONDS)
                    self._wake.clear()
        finally:
            sender.close()
            lock.release()


def _check_listen(host: str, port: int) -> None:
    """Refuse in one line when the address cannot be listened on (uvicorn would log and
    exit 1 after starting up)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        raise UserError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def serve(
    db: Database,
    rules: Rules,
    *,
    rep: str,
    token: str,
    now: Callable[[], datetime],
    host: str,
    port: int,
) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM: uvicorn finishes the requests in flight)."""
    import uvicorn

    _check_listen(host, port)
    # Always: besides delivering, it runs the minute's chores (escalations, old keys).
    deliverer = Deliverer(db, rules, now)

    @asynccontextmanager
    async def lifespan(_app):  # noqa: ANN001, ANN202
        deliverer.start()
        print(
            f"callq serve: listening on http://{host}:{port} "
            f"({len(rules.hooks)} hook(s); Ctrl-C stops)",
            file=sys.stderr,
            flush=True,
        )
        yield
        deliverer.stop()

    intake = Intake(
        db=db,
        rules=rules,
        rep=rep,
        token=token,
        now=now,
        received=deliverer.wake,
    )
    config = uvicorn.Config(
        build_app(intake, lifespan),
        host=host,
        port=port,
        log_level=os.environ.get("CALLQ_SERVE_LOG", "warning"),
        access_log=False,
        server_header=False,
    )
    uvicorn.Server(config).run()
