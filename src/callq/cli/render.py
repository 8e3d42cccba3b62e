"""Output helpers for the CLI: stable JSON and Rich consoles (the wording is `callq.wording`)."""

import json
import sys
from dataclasses import asdict, is_dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def to_jsonable(value: object, tz: ZoneInfo) -> object:
    """snake_case dicts, ISO 8601 timestamps with offset, durations in minutes."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v, tz) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat()
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 60, 2)
    return value


def print_json(value: object, tz: ZoneInfo) -> None:
    json.dump(to_jsonable(value, tz), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def console():  # noqa: ANN201
    import shutil

    from rich.console import Console

    # Piped output gets a generous width so tables stay readable in files and scripts.
    width = shutil.get_terminal_size((140, 40)).columns if sys.stdout.isatty() else 140
    return Console(highlight=False, soft_wrap=False, width=width)


def error_console():  # noqa: ANN201
    from rich.console import Console

    return Console(stderr=True, highlight=False)
