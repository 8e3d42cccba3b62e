"""Validation of `[compliance]`, `[channels.NAME]`, `[templates.NAME]` and the message
touches of `[cadence] touches` (each problem names its key, so it is reported as file:line)."""

from typing import Any

from callq.config.schema import (
    _MISSING,
    DAYS,
    KeyPath,
    SchemaProblem,
    _day_range,
    _only,
    _spans,
    _string,
    _string_list,
    _table,
)
from callq.rules.model import (
    COMMAND_PLACEHOLDERS,
    MESSAGE_CHANNELS,
    TEMPLATE_PLACEHOLDERS,
    BusinessHours,
    Channel,
    Compliance,
    OpeningSpan,
    Team,
    Template,
    TouchMessage,
)
from callq.rules.templates import TemplateError, placeholders

_WINDOW_KEYS = ("call_window", *DAYS)


def compliance(table: dict[str, Any]) -> Compliance:
    """`call_window = "09:00-21:00"` for every day, and any day (or range) on its own."""
    path = ("compliance",)
    for key in table:
        if key != "call_window":
            _day_range(key, path)  # an unknown key is reported as an unknown day
    if not table:
        return Compliance()
    everyday = table.get("call_window")
    weekly: list[tuple[OpeningSpan, ...] | None] = [None] * 7
    for key, value in table.items():
        if key == "call_window":
            continue
        for day in _day_range(key, path):
            weekly[day] = _spans(value, (*path, key))
    base = _spans(everyday, (*path, "call_window")) if everyday is not None else None
    if base is None and any(spans is None for spans in weekly):
        problem = 'give call_window = "09:00-21:00" for the days you do not name'
        raise SchemaProblem((*path, "call_window"), problem)
    window = BusinessHours(tuple(base if s is None else s for s in weekly))
    if not any(window.weekly):  # spans nowhere would read as "no limit" (rules.hours)
        raise SchemaProblem(path, "the calling window is closed every day; no lead could be called")
    return Compliance(window)


def channels(table: dict[str, Any]) -> dict[str, Channel]:
    """`[channels.NAME] command = [...]`, its placeholders among COMMAND_PLACEHOLDERS."""
    found: dict[str, Channel] = {}
    for name in table:
        path = ("channels", name)
        entry = _table(table, ("channels",), name)
        _only(entry, path, ("command",))
        command = _string_list(entry, path, "command", [])
        if command and not command[0].strip():
            raise SchemaProblem((*path, "command"), "the first item must be the program to run")
        for arg in command:
            _check_placeholders(arg, COMMAND_PLACEHOLDERS, (*path, "command"))
        found[name] = Channel(name, tuple(command) or None)
    return found


def templates(table: dict[str, Any], team: Team) -> dict[str, Template]:
    """`[templates.NAME] text = "..."` (and `subject`), placeholders checked."""
    found: dict[str, Template] = {}
    for name in table:
        path = ("templates", name)
        entry = _table(table, ("templates",), name)
        _only(entry, path, ("text", "subject"))
        text = _string(entry, path, "text", _MISSING)
        if not text.strip():
            raise SchemaProblem((*path, "text"), "must not be empty")
        subject = _string(entry, path, "subject", "")
        for key, value in (("text", text), ("subject", subject)):
            used = _check_placeholders(value, TEMPLATE_PLACEHOLDERS, (*path, key))
            if "team" in used and not team.name:
                problem = "{team} needs the team's name: set [team] name"
                raise SchemaProblem((*path, key), problem)
        found[name] = Template(name, text, subject)
    return found


def touch_message(text: str, path: KeyPath) -> TouchMessage | None:
    """The `channel:template` after a touch's offset (`"4h whatsapp:intro"`), if any."""
    message = text.strip().partition(" ")[2].strip()
    if not message:
        return None
    channel, colon, template = message.partition(":")
    if not colon or not channel.strip() or not template.strip() or " " in message:
        problem = f'{text!r}: a message touch is written like "4h whatsapp:intro"'
        raise SchemaProblem(path, problem)
    return TouchMessage(channel.strip(), template.strip())


def check_touches(
    messages: tuple[TouchMessage | None, ...],
    known_channels: dict[str, Channel],
    known_templates: dict[str, Template],
) -> None:
    """Each message touch names a known channel and a defined template."""
    path = ("cadence", "touches")
    channel_names = (*MESSAGE_CHANNELS, *(c for c in known_channels if c not in MESSAGE_CHANNELS))
    for touch, message in enumerate(messages, start=1):
        if message is None:
            continue
        if touch == 1:
            raise SchemaProblem(path, "touch 1 is the first response, a call: give it no channel")
        if message.channel not in channel_names:
            problem = f"unknown channel {message.channel!r} (known: {', '.join(channel_names)})"
            raise SchemaProblem(path, problem)
        if message.template not in known_templates:
            defined = ", ".join(known_templates) or "none; add [templates.NAME]"
            problem = f"unknown template {message.template!r} (defined: {defined})"
            raise SchemaProblem(path, problem)


def _check_placeholders(text: str, allowed: tuple[str, ...], path: KeyPath) -> tuple[str, ...]:
    try:
        used = placeholders(text)
    except TemplateError as error:
        raise SchemaProblem(path, str(error)) from None
    for name in used:
        if name not in allowed:
            problem = f"unknown placeholder {{{name}}} (known: {', '.join(allowed)})"
            raise SchemaProblem(path, problem)
    return used
