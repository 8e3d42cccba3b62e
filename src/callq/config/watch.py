"""The rules file under a running app: a stat per tick; a reload when the file changed.

An mtime poll rather than inotify (`watchfiles`) or Textual's file monitor: one `os.stat`
a second costs microseconds on the UI thread and needs no extra thread or dependency,
and the stamp (mtime in ns, size, inode) also sees an editor's save-by-rename within the
same tick, which Textual's float mtime can miss. Reading and validating the file happens
only after a change, and the app does it off the UI thread.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from callq.config.loading import ConfigError, load_default_rules, load_rules_cached
from callq.rules.model import Rules

# (mtime in ns, size, inode) of the file; None: there is no file.
Stamp = tuple[int, int, int] | None


def stamp(path: Path) -> Stamp:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


@dataclass(frozen=True)
class Reloaded:
    """What a changed file means for the app: new rules, or why the file cannot be used."""

    rules: Rules | None  # None: the file is broken, the last good rules stay
    error: ConfigError | None = None


class RulesWatcher:
    """Watches one rules file. `changed()` is the cheap check; `reload()` reads it.

    `missing_is_default`: the file was found by looking in the user's config directory,
    so no file there means the built-in rules (as at the next start). A file named by
    `--config` or $CALLQ_CONFIG that goes missing is an error instead.
    """

    def __init__(self, path: Path, *, missing_is_default: bool) -> None:
        self.path = path
        self.missing_is_default = missing_is_default
        self._stamp = stamp(path)

    def changed(self) -> bool:
        """Whether the file changed since the last call (or since the watcher was made)."""
        now = stamp(self.path)
        if now == self._stamp:
            return False
        self._stamp = now
        return True

    def reload(self) -> Reloaded:
        """The rules the file holds now (validated, through the rules cache), or the error."""
        try:
            if stamp(self.path) is None and self.missing_is_default:
                return Reloaded(load_default_rules())
            return Reloaded(load_rules_cached(self.path))
        except ConfigError as error:
            return Reloaded(None, error)
