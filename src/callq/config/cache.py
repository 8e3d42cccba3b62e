"""Validated rules kept between runs: start-up skips reading TOML and validating it.

Importing the schema and validating the rules took ~30 ms of every start (an eighth of a
bare Textual app's first paint). The cache holds the `Rules` built from one rules text;
the key is that text's hash, the built-in defaults it falls back on, and the code that
builds rules (callq's version and the modification times of those modules, so an
edited checkout never reads rules built by older code). Only what validated is stored.

A pickle runs code when read, so the file lives in the user's own cache directory,
is written 0600, and is read only when it is owned by this user and writable by no one
else. Anything unexpected means "no cache": the rules are loaded the normal way.

The caller passes the text it validates (`text=`): the file may change between two reads
(an admin saving it under a running app), and a key from the newer text must never
name rules built from the older one.
"""

import hashlib
import os
import pickle
import stat
import sys
from pathlib import Path

import callq
from callq.rules.model import Rules

PACKAGE = Path(callq.__file__).parent
# What a cached `Rules` depends on besides the rules text itself.
SOURCES = (
    "config/default_config.toml",
    "config/loading.py",
    "config/schema.py",
    "rules/model.py",
    "rules/timeexpr.py",
)


def cache_file(
    rules_path: Path | None, cache_dir: Path, text: bytes | None = None
) -> tuple[Path, str] | None:
    """(file, key) for the rules at `rules_path` (None: the built-in ones), whose text is
    `text` (None: read it now)."""
    try:
        if text is None:
            text = rules_path.read_bytes() if rules_path is not None else b""
        stamps = [(PACKAGE / name).stat() for name in SOURCES]
    except OSError:
        return None
    digest = hashlib.sha256(text)
    digest.update(repr((callq.__version__, sys.version_info[:2], str(rules_path))).encode())
    for stamp in stamps:
        digest.update(f"{stamp.st_mtime_ns}:{stamp.st_size};".encode())
    key = digest.hexdigest()
    return cache_dir / f"rules-{key[:16]}.pickle", key


def load(rules_path: Path | None, cache_dir: Path, *, text: bytes | None = None) -> Rules | None:
    found = cache_file(rules_path, cache_dir, text)
    if found is None:
        return None
    path, key = found
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None
            stored_key, rules = pickle.load(handle)  # noqa: S301 - our own file, checked above
    except Exception:  # noqa: BLE001 - missing, partial or foreign: no cache
        return None
    return rules if stored_key == key and isinstance(rules, Rules) else None


def store(
    rules_path: Path | None, cache_dir: Path, rules: Rules, *, text: bytes | None = None
) -> None:
    """Keep `rules`, validated from `text` (None: the file as it is now)."""
    found = cache_file(rules_path, cache_dir, text)
    if found is None:
        return
    path, key = found
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((key, rules), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)  # several processes may start at once
    except OSError:
        pass  # a cache: the next start validates the rules itself
