"""Which SQLite files a running app has open: an OS lock on a file beside the database.

The TUI holds a shared `flock` on `<database>-open` while it runs; what would replace the
database (`callq demo`) takes it exclusively, without waiting, and refuses when a running
app holds it. The OS drops a lock when its process ends, however it ends (`kill -9`, a
closed terminal), so a dead app never blocks anything: no pid file to go stale.

Not a lock on the database file itself: SQLite takes POSIX locks on that file, and on
macOS and the BSDs `flock` and POSIX locks on one file conflict. The `-open` file stays
when the app quits: removing it would let the next app lock a new file while an older app
still held the removed one. Where `fcntl` does not exist (Windows) nothing is locked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from callq.errors import UserError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

SUFFIX = "-open"


class DatabaseInUse(UserError):
    """A running app has the database open; replacing it would leave the app on a deleted file."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is open in a running callq: quit that app (q), then try again")


def lock_file(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def _open_lock(database: Path) -> BinaryIO | None:
    if fcntl is None:
        return None
    try:
        fd = os.open(lock_file(database), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None  # e.g. a read-only directory: nothing can replace the database there
    return os.fdopen(fd, "r+b")


def hold_open(database: Path) -> BinaryIO | None:
    """Mark `database` as open by this process until the returned file is closed or the
    process ends. Waits while another process replaces the database (`callq demo`)."""
    handle = _open_lock(database)
    if handle is None:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"Waiting while {database} is being replaced…", file=sys.stderr)
        fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


@contextmanager
def replacing(database: Path) -> Iterator[None]:
    """Hold `database` exclusively while it is replaced; DatabaseInUse when a running app
    has it open (checked at once: a refusal never waits)."""
    handle = _open_lock(database)
    if handle is None:
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(database) from None
        yield
