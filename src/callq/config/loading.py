"""The rules file `callq.toml`: discovery, loading with `file:line: key.path` errors, defaults."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callq.errors import UserError
from callq.rules.model import Rules

if TYPE_CHECKING:  # the schema loads when a rules text is validated, not from the cache
    import tomllib

    from callq.config.schema import KeyPath

DEFAULT_NAME = "<default>"
ENV_VAR = "CALLQ_CONFIG"


class ConfigError(UserError):
    """A rules file that cannot be used; `str()` is `file:LINE: key.path: what is wrong`."""

    def __init__(self, path: Path | None, line: int | None, key_path: str, problem: str) -> None:
        self.path = path  # None: the built-in default
        self.line = line
        self.key_path = key_path
        self.problem = problem
        super().__init__(str(self))

    @property
    def filename(self) -> str:
        # The path as the user gave it, so the message points where they looked.
        return DEFAULT_NAME if self.path is None else str(self.path)

    def __str__(self) -> str:
        where = self.filename if self.line is None else f"{self.filename}:{self.line}"
        return ": ".join(part for part in (where, self.key_path, self.problem) if part)


def default_config_text() -> str:
    """The commented built-in rules: what `callq init` writes and what applies with no file."""
    return _default_text()


@functools.cache
def _default_text() -> str:
    from importlib import resources  # ~9 ms of imports: only when the default is read

    return (
        resources.files("callq.config").joinpath("default_config.toml").read_text(encoding="utf-8")
    )


@functools.cache
def load_default_rules() -> Rules:
    """The built-in rules, parsed once per process (every CLI call needs them)."""
    return _parse(_default_text(), None)


def load_rules_cached(path: Path | None) -> Rules:
    """`load_rules`, through the user's cache of validated rules (see rules_cache): what
    every command and the TUI use at start-up. `rules check` validates for real."""
    from callq.config import cache as rules_cache
    from callq.config.paths import user_cache_dir

    cache_dir = user_cache_dir()
    # One read: the cache key and the validated rules come from the same text, even when
    # the file is saved again meanwhile (a running app reloads it as the admin edits).
    raw = b"" if path is None else _read(path)
    rules = rules_cache.load(path, cache_dir, text=raw)
    if rules is None:
        rules = load_default_rules() if path is None else _from_bytes(raw, path)
        rules_cache.store(path, cache_dir, rules, text=raw)
    return rules


def load_rules(path: Path | None) -> Rules:
    """The validated rules of `path` (None: the built-in default); raises ConfigError."""
    if path is None:
        return load_default_rules()
    return _from_bytes(_read(path), path)


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ConfigError(path, None, "", f"cannot read: {error.strerror or error}") from None


def _from_bytes(raw: bytes, path: Path) -> Rules:
    try:
        # TOML is UTF-8 by definition; Windows editors (Notepad) start the file with a BOM.
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ConfigError(path, line, "", "not UTF-8 text (save the file as UTF-8)") from None
    return parse_rules(text, path)


def parse_rules(text: str, path: Path) -> Rules:
    """Rules from the text of the file at `path`; tables it leaves out keep the built-in ones."""
    return _parse(text, path)


def _parse(text: str, path: Path | None) -> Rules:
    import tomllib

    from callq.config.schema import TABLES, SchemaProblem, build_rules

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(text, path, error) from None
    except RecursionError:
        raise ConfigError(path, None, "", "invalid TOML: nested too deeply") from None
    if path is not None:
        data = {**{name: _default_data()[name] for name in TABLES if name not in data}, **data}
    try:
        return build_rules(data)
    except SchemaProblem as problem:
        line = _locate(text, problem.key_path)
        raise ConfigError(path, line, ".".join(problem.key_path), problem.problem) from None


@functools.cache
def _default_data() -> dict[str, Any]:
    import tomllib

    return tomllib.loads(_default_text())


# tomllib's wording, said in terms of what the admin did.
_SYNTAX_HINTS = {
    "Cannot overwrite a value": "this key is already set above",
    "Cannot declare": "this table is already declared above",
    "Invalid value": 'invalid value (text needs quotes, e.g. "1h")',
    "Expected newline or end of document after a statement": (
        'unexpected text after the value (text needs quotes, e.g. "1h")'
    ),
}
_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")


def _syntax_error(text: str, path: Path | None, error: tomllib.TOMLDecodeError) -> ConfigError:
    message = str(error)
    match = _POSITION.search(message)
    line = int(match[1]) if match and match[1] else text.count("\n") + 1
    problem = message[: match.start()] if match else message
    for start, hint in _SYNTAX_HINTS.items():
        if problem.startswith(start):
            problem = hint
    if match and match[2]:
        problem = f"{problem} (column {match[2]})"
    return ConfigError(path, line, ".".join(_path_at(text, line)), f"invalid TOML: {problem}")


# A line-based locator: enough TOML to map a key path back to the line that set it,
# tolerant of broken files (it also names the key of a syntax error).
_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"\s*\[\[?\s*({_DOTTED})\s*\]")
_KEY_LINE = re.compile(rf"\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY)


def _scan(text: str) -> list[tuple[int, KeyPath]]:
    """(line number, full key path) for every header and `key =` line, in order."""
    found: list[tuple[int, KeyPath]] = []
    table: KeyPath = ()
    entries: dict[KeyPath, int] = {}
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            in_multiline = (line.count('"""') + line.count("'''")) % 2 == 0
            continue
        if header := _HEADER.match(line):
            table = _parts(header[1])
            if line.lstrip().startswith("[["):  # array of tables: entries numbered from 1
                entries[table] = entries.get(table, 0) + 1
                table = (*table, str(entries[table]))
            found.append((number, table))
        elif key := _KEY_LINE.match(line):
            found.append((number, table + _parts(key[1])))
            in_multiline = (line.count('"""') + line.count("'''")) % 2 == 1
    return found


def _parts(dotted: str) -> KeyPath:
    return tuple(
        part.group()[1:-1] if part.group()[0] in "\"'" else part.group()
        for part in _PART.finditer(dotted)
    )


def _locate(text: str, key_path: KeyPath) -> int | None:
    """The first line that sets `key_path`, else its nearest enclosing table or key."""
    first: dict[KeyPath, int] = {}
    for number, path in _scan(text):
        for size in range(1, len(path) + 1):
            first.setdefault(path[:size], number)
    for size in range(len(key_path), 0, -1):
        if key_path[:size] in first:
            return first[key_path[:size]]
    return None


def _path_at(text: str, line: int) -> KeyPath:
    """The key set on `line`, else the table it sits in."""
    current: KeyPath = ()
    for number, path in _scan(text):
        if number > line:
            break
        current = path
    return current


def find_config(explicit: Path | None, env: Mapping[str, str]) -> Path | None:
    """The rules file to use: `--config`, then $CALLQ_CONFIG, then the user config file.

    None means the built-in default applies. A file named explicitly must exist: silently
    falling back to the default would run the team on rules nobody chose.
    """
    if explicit is not None:
        return _must_exist(Path(explicit), "--config")
    if env.get(ENV_VAR):
        return _must_exist(Path(env[ENV_VAR]), ENV_VAR)
    from callq.config.paths import user_config_file

    candidate = user_config_file()
    return candidate if candidate.is_file() else None


def _must_exist(path: Path, named_by: str) -> Path:
    if not path.exists():
        raise ConfigError(path, None, "", f"no such file (named by {named_by})")
    if not path.is_file():
        raise ConfigError(path, None, "", f"not a file (named by {named_by})")
    return path


def write_default_config(path: Path, force: bool = False) -> Path:
    """Write the commented default rules for `callq init`; never clobbers without `force`."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(path, None, "", "is a directory; name the file, e.g. callq.toml")
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists (use --force to overwrite it)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(default_config_text(), encoding="utf-8")
    except OSError as error:
        raise ConfigError(path, None, "", f"cannot write: {error.strerror or error}") from None
    return path
