"""`callq backup`: a consistent online copy, as one SQLite file.

SQLite: the backup API. PostgreSQL: every table read in one REPEATABLE READ snapshot
and written into a new callq SQLite file (which `--db` can open, or `callq` can copy
back to a server). For a server's own disaster recovery, pg_dump remains the tool.
"""

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from callq.errors import UserError
from callq.store.db import BUSY_TIMEOUT_MS, Database


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    leads: int


def backup(db: Database, target: Path, *, force: bool = False) -> BackupResult:
    """Copy the database to `target` (mode 0600) while others keep working.

    The whole copy is one step of the SQLite backup API: it reads one snapshot under a
    read transaction, so concurrent writers (WAL) are not blocked and cannot make it
    inconsistent. The copy is written beside the target and renamed into place, so a
    failed or killed backup never leaves a half-written file under the target's name.
    """
    if not db.is_sqlite:
        return _backup_server(db, target, force=force)
    source = db.path
    if source is None:
        raise UserError("an in-memory database cannot be backed up")
    target = target.expanduser()
    if target.is_dir():
        raise UserError(f"{target} is a directory; name the backup file")
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise UserError("the backup target is the database itself")
    if target.exists() and not force:
        raise UserError(f"{target} exists; use --force to overwrite it")
    if not target.parent.is_dir():
        raise UserError(f"no such directory: {target.parent}")

    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as error:
        raise _not_written(target, error) from None
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        dst = sqlite3.connect(partial)
        try:
            src.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            src.backup(dst, pages=-1)  # one step: one consistent snapshot
            # A single file is easier to move around than a WAL database with its -wal.
            dst.execute("PRAGMA journal_mode=DELETE")
            check = dst.execute("PRAGMA quick_check").fetchone()[0]
            leads = dst.execute("SELECT COUNT(*) FROM lead").fetchone()[0]
        finally:
            dst.close()
            src.close()
        if check != "ok":
            raise UserError(f"the copy failed its integrity check ({check}); nothing was replaced")
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:  # a full disk, a read-only or vanished directory
        partial.unlink(missing_ok=True)
        raise _not_written(target, error) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(target, target.stat().st_size, leads)


def _not_written(target: Path, error: BaseException) -> UserError:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return UserError(f"could not write the backup to {target}: {reason}; nothing was replaced")


def _check_target(target: Path, force: bool) -> Path:
    target = target.expanduser()
    if target.is_dir():
        raise UserError(f"{target} is a directory; name the backup file")
    if target.exists() and not force:
        raise UserError(f"{target} exists; use --force to overwrite it")
    if not target.parent.is_dir():
        raise UserError(f"no such directory: {target.parent}")
    return target


def _backup_server(db: Database, target: Path, *, force: bool) -> BackupResult:
    from callq.store.copy import copy_rows
    from callq.store.db import open_database

    target = _check_target(target, force)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        copy = open_database(partial)  # a new file at head, 0600
        try:
            counts = copy_rows(db, copy, snapshot=True)
        finally:
            copy.dispose()
        connection = sqlite3.connect(partial)
        try:
            connection.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            check = connection.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            connection.close()
        if check != "ok":
            raise UserError(f"the copy failed its integrity check ({check}); nothing was replaced")
        os.replace(partial, target)
    except BaseException as error:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        if isinstance(error, OSError | sqlite3.Error | DBAPIError):
            # DBAPIError: the new file's schema, written through SQLAlchemy, did not fit.
            raise _not_written(target, getattr(error, "orig", None) or error) from None
        raise
    return BackupResult(target, target.stat().st_size, counts.get("lead", 0))
