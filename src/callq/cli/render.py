"""Output helpers for the CLI: stable JSON, Rich consoles and display-safe text.

The wording is `callq.wording`. Data (names, notes, labels, rep names) reaches the terminal
only through `echo`, `cell` and `line`: each passes it through `callq.visible.safe` (no
control character reaches the terminal) and, for Rich, as a `Text` (never read as markup:
`console.print(str)` and a `str` table cell would interpret `[/]` or `[link=...]`).
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import asdict, is_dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from callq.visible import UNSAFE, safe

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text


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
    sys.stdout.write(json_text(value, tz))


def json_text(value: object, tz: ZoneInfo) -> str:
    """JSON keeps data exactly as stored, but as escapes: `json` writes C0 controls as
    `\\u001b`, and DEL, C1 controls, bidi and invisible characters are escaped here
    (`\\u009b`), so the output is as safe in a terminal as a table and decodes to the data."""
    text = json.dumps(to_jsonable(value, tz), indent=2, ensure_ascii=False)
    # json.dumps already wrote C0 as escapes; what UNSAFE still finds can only be data.
    return UNSAFE.sub(_json_escape, text) + "\n"


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:  # layout whitespace (json.dumps escaped every C0 inside strings)
        return match.group()
    if code > 0xFFFF:  # JSON spells astral characters as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def echo(text: object, *, err: bool = False) -> None:
    """One plain line of output (stdout or stderr) that may hold data."""
    import typer

    typer.echo(safe(text), err=err)


def cell(value: object, style: str = "") -> Text:
    """A table cell or a piece of a line: data shown as text, never as markup or control.
    A `Text` built by the caller (already from safe parts) passes through."""
    from rich.text import Text

    if isinstance(value, Text):
        return value
    return Text(safe(value), style=style)


def line(*parts: object) -> Text:
    """A line assembled from data and `(data, style)` pairs, e.g.
    `line((lead.name, "bold"), "  ", phone)`."""
    from rich.text import Text

    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append_text(cell(*part))
        else:
            text.append_text(cell(part))
    return text


def add_row(table: Table, *cells: object) -> None:
    """`table.add_row` with every cell made a safe `Text` (a `str` cell would be markup)."""
    table.add_row(*(cell(value) for value in cells))


def console():  # noqa: ANN201
    import shutil

    from rich.console import Console

    # Piped output gets a generous width so tables stay readable in files and scripts,
    # unless $COLUMNS asks for one (`COLUMNS=80 callq report > file`).
    asked = os.environ.get("COLUMNS", "").isdigit()
    width = shutil.get_terminal_size((140, 40)).columns if sys.stdout.isatty() or asked else 140
    return Console(highlight=False, soft_wrap=False, width=width)


def error_console():  # noqa: ANN201
    from rich.console import Console

    return Console(stderr=True, highlight=False)
