"""The engine recipe (SQLite WAL + BEGIN IMMEDIATE, or PostgreSQL), schema checks, sessions."""

import atexit
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, SQLModel

from callq.errors import UserError
from callq.store import models  # noqa: F401  (registers every table on the metadata)
from callq.store.schema import HEAD_REVISION, KNOWN_REVISIONS

# How long a writer waits for another to finish before saying the database is busy.
BUSY_TIMEOUT_MS = int(os.environ.get("CALLQ_BUSY_TIMEOUT_MS", "5000"))
SYNCHRONOUS = "FULL" if os.environ.get("CALLQ_SYNCHRONOUS", "").upper() == "FULL" else "NORMAL"


CHECKPOINT_AT = 4 * 1024 * 1024  # WAL bytes; SQLite's own default is 1000 pages (~4 MB)
CHECKPOINT_FORCE_AT = 64 * 1024 * 1024
CHECKPOINT_HELD_UP_TO = 16 * 1024 * 1024  # while held (see Database.hold_checkpoints)
JOURNAL_LIMIT = 1024 * 1024


class _Checkpointer:
    """Copies the WAL back into the database file off the writers' path.

    SQLite's documented pattern for latency-sensitive writers: auto-checkpoints off, a
    separate thread runs PASSIVE checkpoints (they never block writers), and the last
    one runs when the process ends, so a loop of short `callq` commands keeps the WAL
    small too.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.wal = Path(f"{path}-wal")
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.held = False
        atexit.register(self.close)

    def _wal_size(self) -> int:
        try:
            return self.wal.stat().st_size
        except OSError:
            return 0

    def due(self) -> bool:
        return self._wal_size() >= CHECKPOINT_AT

    def committed(self) -> None:
        # Called as a transaction commits (before it is done): never checkpoint inline,
        # a blocking checkpoint here would wait on this very transaction.
        if self._wal_size() < (CHECKPOINT_HELD_UP_TO if self.held else CHECKPOINT_AT):
            return
        self.wake()

    def wake(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="callq-checkpoint", daemon=True)
            self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            # Writing without pause (an import, a script loop) never lets a PASSIVE
            # checkpoint finish, so the WAL would grow without bound: past the limit,
            # RESTART waits for a gap between transactions and starts the WAL afresh.
            self.checkpoint("RESTART" if self._wal_size() >= CHECKPOINT_FORCE_AT else "PASSIVE")

    def checkpoint(self, mode: str = "PASSIVE") -> None:
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                connection.execute(f"PRAGMA wal_checkpoint({mode})")
            finally:
                connection.close()
        except sqlite3.Error:
            pass  # busy or gone: the next commit or exit tries again

    def close(self) -> None:
        """Stop the thread and checkpoint what is left. Waits for a checkpoint under way:
        its connection would otherwise outlive `Database.dispose`, and a caller that then
        moves or copies the file (the demo build, a backup) would leave the WAL's pages
        behind, a corrupt database."""
        self._stopping = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        if self.due():
            self.checkpoint()


class DatabaseError(UserError, RuntimeError):
    """A database problem the user can act on; the message says what and what to do."""


class SchemaTooNew(DatabaseError):
    pass


class DatabaseBusy(DatabaseError):
    pass


class DatabaseUnavailable(DatabaseError):
    """The server is down or unreachable; a later attempt reconnects by itself."""


def _is_unreachable(error: DBAPIError) -> bool:
    if error.connection_invalidated:
        return True
    text = str(error.orig).lower()
    return any(
        sign in text
        for sign in (
            "connection refused",
            "could not connect",
            "connection failed",
            "server closed the connection",
            "terminating connection",
            "no such host",
            "connection is closed",
        )
    )


def database_url(target: str | os.PathLike[str]) -> str:
    """A URL for a path or URL; `postgresql://` means psycopg 3. Only SQLite files and
    PostgreSQL are supported: any other URL is refused here, before a driver is loaded."""
    value = str(target)
    if "://" in value:
        scheme, rest = value.split("://", 1)
        if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            return "postgresql+psycopg://" + rest
        if scheme in ("sqlite", "sqlite+pysqlite"):
            return "sqlite://" + rest
        hint = f" (for a file, give its path: {rest})" if scheme == "file" else ""
        raise DatabaseError(  # the URL itself is not echoed: it may hold a password
            f"a {scheme}:// database is not supported: give a SQLite file path or a "
            f"postgresql:// URL{hint}"
        )
    return f"sqlite:///{Path(value).expanduser()}"


def _require_driver(url: str) -> None:
    """PostgreSQL needs psycopg, which only the `postgres` extra installs."""
    if url.startswith("postgresql"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise DatabaseError(
                "PostgreSQL needs the driver from callq's `postgres` extra: "
                "pip install 'callq[postgres]' (psycopg is not installed)"
            ) from None


def _create_private_file(path: Path) -> None:
    """A new database holds personal data: create it 0600 (its -wal/-shm inherit this)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _install_sqlite_recipe(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        # Stop pysqlite's implicit BEGIN: we emit BEGIN ourselves in `_on_begin`.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # NORMAL in WAL mode: a killed process never loses a commit; only a power cut can
        # drop the last few. FULL would fsync every commit (~7 ms each here), which breaks
        # the outcome service's latency budget. CALLQ_SYNCHRONOUS=FULL restores it.
        cursor.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        # Checkpoints move to a background thread (see _Checkpointer): run inside a commit
        # they add 5-40 ms to one outcome in a few hundred. After a checkpoint the WAL is
        # cut back to JOURNAL_LIMIT, so its size tells how much awaits checkpointing.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute(f"PRAGMA journal_size_limit={JOURNAL_LIMIT}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # noqa: ANN001
        # A deferred transaction that reads then writes fails at once if another writer
        # committed in between; IMMEDIATE takes the write lock up front and waits for it.
        immediate = connection.get_execution_options().get("callq_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """One database: `read()` and `write()` sessions; `write()` commits once or rolls back."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(url, **kwargs)
        self._checkpointer = None
        if self.is_sqlite:
            _install_sqlite_recipe(self.engine)
            if self.path is not None:
                self._checkpointer = _Checkpointer(self.path)
                event.listen(self.engine, "commit", lambda _conn: self._checkpointer.committed())
        else:
            models.add_postgresql_options()
        self._writer = self.engine.execution_options(callq_write=True)

    @property
    def path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        database = self.engine.url.database
        return Path(database) if database and database != ":memory:" else None

    @contextmanager
    def read(self) -> Iterator[Session]:
        with _translate_errors(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: everything inside commits together or not at all."""
        with _translate_errors(), Session(self._writer, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """One write transaction on a bare Core connection: the hot path's `write()`.

        No ORM session, so no unit-of-work or identity map to pay for; the same
        BEGIN IMMEDIATE, the same single commit, the same error messages.
        """
        with _translate_errors(), self._writer.connect() as connection:
            with connection.begin():
                yield connection

    def hold_checkpoints(self, held: bool) -> None:
        """While `held`, the WAL is copied back only past CHECKPOINT_HELD_UP_TO. A
        checkpoint's writes and fsync slowed the commit beside it 5-10 ms: the TUI holds
        them while the rep logs outcome after outcome, and releases them in the pause."""
        checkpointer = self._checkpointer
        if checkpointer is None:
            return
        checkpointer.held = held
        if not held and checkpointer.due():
            checkpointer.wake()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._checkpointer is not None:
            self._checkpointer.close()
            atexit.unregister(self._checkpointer.close)


@contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except OperationalError as error:
        message = str(error.orig)
        if "locked" in message or "busy" in message:
            raise DatabaseBusy(
                f"the database is locked by another callq process (waited "
                f"{BUSY_TIMEOUT_MS / 1000:g} s); nothing was changed - try again"
            ) from error
        if "readonly" in message or "read-only" in message:
            raise DatabaseError(
                "the database is read-only (check the file's and its directory's "
                "permissions); nothing was changed"
            ) from error
        if _is_unreachable(error):
            raise DatabaseUnavailable(
                "cannot reach the database server; nothing was changed - callq keeps "
                f"trying and carries on when it is back ({message.strip().splitlines()[0]})"
            ) from error
        raise DatabaseError(f"database error: {message}") from error
    except DBAPIError as error:
        if "read-only" in str(error.orig):  # PostgreSQL: a read-only transaction or replica
            raise DatabaseError(
                "the database is read-only (a replica, or default_transaction_read_only); "
                "nothing was changed"
            ) from error
        if _is_unreachable(error):
            raise DatabaseUnavailable(
                "lost the connection to the database server; nothing was changed - callq "
                "reconnects by itself, try again"
            ) from error
        raise


def open_database(target: str | os.PathLike[str], *, create: bool = True) -> Database:
    """Open (creating or migrating as needed) the database at a path or URL."""
    url = database_url(target)
    _require_driver(url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.is_dir():
            raise DatabaseError(f"{path} is a directory, not a database file")
        if not path.exists():
            if not create:
                raise DatabaseError(
                    f"no database at {path} (check --db / CALLQ_DB; a command that adds "
                    "or imports leads creates it)"
                )
            _create_private_file(path)
    database = Database(url)
    try:
        ensure_schema(database)
    except Exception:
        database.dispose()
        raise
    return database


def current_revision(database: Database) -> str | None:
    """The schema revision stamped in the database, read cheaply (no Alembic import)."""
    with database.engine.connect() as connection:
        try:
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        except (OperationalError, DBAPIError):
            connection.rollback()
            return None
        return row[0] if row else None


def ensure_schema(database: Database) -> None:
    try:
        revision = current_revision(database)
    except DBAPIError as error:
        raise DatabaseError(f"cannot open the database: {error.orig}") from error
    if revision == HEAD_REVISION:
        return
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise SchemaTooNew(
            f"this database was written by a newer callq (schema {revision}); this callq "
            f"knows schemas up to {HEAD_REVISION} - upgrade callq to open it"
        )
    if revision is None and _has_tables(database):
        raise DatabaseError("this file is not a callq database (it has tables but no version)")
    if revision is None:
        _create_fresh(database)
    else:
        from callq.store.migrate import upgrade  # Alembic only when a migration is due

        upgrade(database)


def _has_tables(database: Database) -> bool:
    with database.engine.connect() as connection:
        return bool(inspect(connection).get_table_names())


def _create_fresh(database: Database) -> None:
    """A new database gets the head schema directly and is stamped at head.

    `tests/store/test_migrations.py` proves that migrating an empty database to head
    produces exactly this schema, so the two paths cannot drift apart.
    """
    with database.engine.connect().execution_options(callq_write=True) as connection:
        with connection.begin():
            if not database.is_sqlite:
                # Two first starts at once: the second waits here, then finds the tables.
                connection.execute(text("SELECT pg_advisory_xact_lock(7301)"))
            # The rollups' tables join the metadata when their module is imported (only
            # here and where they are read: ~10 ms no other command needs).
            from callq.store import rollups

            SQLModel.metadata.create_all(connection)
            rollups.install(connection)
            connection.execute(
                text(
                    # The same table, constraint name included, that Alembic creates.
                    "CREATE TABLE IF NOT EXISTS alembic_version ("
                    "version_num VARCHAR(32) NOT NULL, "
                    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
                )
            )
            connection.execute(text("DELETE FROM alembic_version"))
            connection.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": HEAD_REVISION}
            )
