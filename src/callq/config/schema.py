"""Validation of the parsed rules file: TOML data in, frozen `Rules` out, or the first problem."""

import dataclasses
import math
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from callq.config.actions import ACTIONS, key_name
from callq.rules.hours import is_zone
from callq.rules.model import (
    CHANNELS,
    CLOSED_STAGES,
    DATE_ORDERS,
    HOOK_EVENTS,
    STAGES,
    BusinessHours,
    Cadence,
    Cost,
    Goals,
    Hook,
    Intake,
    Notify,
    OpeningSpan,
    Outcome,
    Rules,
    Sla,
    Team,
)
from callq.rules.timeexpr import NoNext, TimeExprError, parse_duration, parse_rule_expr

KeyPath = tuple[str, ...]
TABLES = (
    "team",
    "hours",
    "sla",
    "cadence",
    "cost",
    "outcomes",
    "dial",
    "notify",
    "keys",
    "goals",
    "compliance",
)
# Tables the default rules file leaves out: [intake], the [[hooks]] array, message
# channels and templates, custom fields.
OPTIONAL_TABLES = ("intake", "hooks", "channels", "templates", "fields", "routing", "escalation")
_HOOK_KEYS = ("name", "on", "command", "url", "secret", "secret_file", "timeout")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TEAM_KEYS = ("timezone", "region", "reps", "late_after", "me", "date_order", "name")
_SLA_KEYS = (*CHANNELS, "default", "escalate_after")
_CADENCE_KEYS = ("touches", "min_gap", "after_last", "reopen_after")
_COST_KEYS = ("avg_deal_value", "cost_per_lead", "currency", "conversion_rate")
_OUTCOME_KEYS = ("key", "label", "connected", "stage", "next")
_SPAN = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_OUTCOME_ID = re.compile(r"[a-z][a-z0-9_-]*")
# A printable character, or a Textual key name with optional modifiers (`f1`, `ctrl+s`).
_KEY_NAME = re.compile(r"\S|(?:(?:ctrl|alt|shift|meta|super)\+)*(?:[a-z][a-z0-9_]*|\S)")
# Regions that are certainly valid, so the usual config need not import phonenumbers
# (~50 ms on every CLI call); anything else is checked against the real list.
_COMMON_REGIONS = frozenset({"IN", "US", "GB", "CA", "AU", "DE", "FR", "AE", "SG", "ZA"})
_MISSING: Any = object()


class SchemaProblem(Exception):
    """One thing wrong with the data, at `key_path` (located in the text by the caller)."""

    def __init__(self, key_path: KeyPath, problem: str) -> None:
        super().__init__(problem)
        self.key_path = key_path
        self.problem = problem


def build_rules(data: dict[str, Any]) -> Rules:
    """Validate every table; the first problem raises, so nothing is half-applied."""
    _only(data, (), (*TABLES, *OPTIONAL_TABLES), "table")
    tables = {name: _table(data, (), name) for name in TABLES}
    outcomes = _outcomes(tables["outcomes"])
    from callq.config import compliance as messages  # [compliance], channels, templates
    from callq.config import routing as rota  # [[routing]], [escalation]
    from callq.config.fields import fields as custom_fields  # [fields]

    team = _team(tables["team"])
    channels = messages.channels(_table(data, (), "channels"))
    templates = messages.templates(_table(data, (), "templates"), team)
    cadence = _cadence(tables["cadence"])
    touch_path = ("cadence", "touches")
    texts = tables["cadence"]["touches"]  # as written; `_cadence` checked their offsets
    touch_messages = tuple(messages.touch_message(text, touch_path) for text in texts)
    messages.check_touches(touch_messages, channels, templates)
    return Rules(
        team=team,
        hours=_hours(tables["hours"]),
        sla=_sla(tables["sla"]),
        cadence=dataclasses.replace(cadence, messages=touch_messages),
        cost=_cost(tables["cost"]),
        outcomes=outcomes,
        dial_command=_dial(tables["dial"]),
        notify=Notify(bell=_bool(tables["notify"], ("notify",), "bell", Notify().bell)),
        keys=_keys(tables["keys"], {o.key: o.id for o in outcomes}),
        goals=_goals(tables["goals"]),
        hooks=_hooks(data.get("hooks", [])),
        intake=_intake(_table(data, (), "intake")),
        compliance=messages.compliance(tables["compliance"]),
        channels=channels,
        templates=templates,
        fields=custom_fields(_table(data, (), "fields")),
        routing=rota.routing(data.get("routing", [])),
        escalation=rota.escalation(_table(data, (), "escalation")),
    )


def _team(table: dict[str, Any]) -> Team:
    path, default = ("team",), Team()
    _only(table, path, _TEAM_KEYS)
    me = _string(table, path, "me", None)
    if me is not None and not me.strip():
        raise SchemaProblem((*path, "me"), "must be a rep name (or leave me out)")
    return Team(
        timezone=_timezone(table, path),
        region=_region(table, path),
        reps=_reps(table, path),
        late_after=_duration(table, path, "late_after", default.late_after),
        me=me,
        date_order=_choice(table, path, "date_order", DATE_ORDERS, default.date_order),
        name=_string(table, path, "name", default.name).strip(),
    )


def _timezone(table: dict[str, Any], path: KeyPath) -> str:
    name = _string(table, path, "timezone", Team().timezone)
    if not is_zone(name):
        problem = f"unknown timezone {name!r} (use an IANA name such as 'Asia/Kolkata' or 'UTC')"
        raise SchemaProblem((*path, "timezone"), problem)
    return name


def _region(table: dict[str, Any], path: KeyPath) -> str:
    region = _string(table, path, "region", Team().region).upper()
    if region not in _COMMON_REGIONS:
        import phonenumbers

        if region not in phonenumbers.SUPPORTED_REGIONS:
            problem = f"unknown phone region {region!r} (use a two-letter country code, e.g. 'IN')"
            raise SchemaProblem((*path, "region"), problem)
    return region


def _reps(table: dict[str, Any], path: KeyPath) -> tuple[str, ...]:
    reps = _string_list(table, path, "reps", [])
    if "reps" in table and not reps:
        raise SchemaProblem((*path, "reps"), "must name at least one rep (or leave reps out)")
    seen: set[str] = set()
    for name in reps:
        if not name.strip() or name != name.strip():
            raise SchemaProblem((*path, "reps"), f"{name!r} is not a usable rep name")
        if name.casefold() in seen:
            raise SchemaProblem((*path, "reps"), f"rep {name!r} is listed twice")
        seen.add(name.casefold())
    return tuple(reps)


def _hours(table: dict[str, Any]) -> BusinessHours:
    path = ("hours",)
    weekly: list[tuple[OpeningSpan, ...] | None] = [None] * 7
    set_by: dict[int, str] = {}
    for key, value in table.items():
        if key == "holidays":
            continue
        for day in _day_range(key, path):
            if weekly[day] is not None:
                problem = f"{DAYS[day]} is already set by '{set_by[day]}'"
                raise SchemaProblem((*path, key), problem)
            weekly[day] = _spans(value, (*path, key))
            set_by[day] = key
    if not any(weekly):
        problem = 'no day has hours; give at least one, e.g. mon-fri = "09:30-18:30"'
        raise SchemaProblem(path, problem)
    return BusinessHours(tuple(spans or () for spans in weekly), _holidays(table, path))


def _day_range(key: str, path: KeyPath) -> list[int]:
    first, _, last = key.lower().partition("-")
    if first not in DAYS or (last and last not in DAYS):
        problem = f"unknown day {key!r} (use {', '.join(DAYS)}, a range like mon-fri, or holidays)"
        raise SchemaProblem((*path, key), problem)
    start, end = DAYS.index(first), DAYS.index(last or first)
    if end < start:
        raise SchemaProblem((*path, key), f"day range {key!r} runs backwards (write e.g. mon-fri)")
    return list(range(start, end + 1))


def _spans(value: Any, path: KeyPath) -> tuple[OpeningSpan, ...]:
    if not isinstance(value, str):
        raise SchemaProblem(path, 'must be a string like "09:30-18:30" (or "closed")')
    if value.strip().lower() == "closed":
        return ()
    spans: list[OpeningSpan] = []
    for part in value.split(","):
        match = _SPAN.fullmatch(part.strip())
        if not match:
            raise SchemaProblem(path, f"{part.strip()!r} is not a span like 09:30-18:30")
        opens, closes = _clock(match[1], match[2], path), _clock(match[3], match[4], path)
        if closes <= opens:
            problem = f"{part.strip()!r} closes before it opens (spans cannot pass midnight)"
            raise SchemaProblem(path, problem)
        if spans and opens < spans[-1][1]:
            raise SchemaProblem(path, f"{part.strip()!r} overlaps or precedes the span before")
        spans.append((opens, closes))
    return tuple(spans)


def _clock(hour: str, minute: str, path: KeyPath) -> time:
    if int(hour) > 23 or int(minute) > 59:
        raise SchemaProblem(path, f"{hour}:{minute} is not a time of day (00:00 to 23:59)")
    return time(int(hour), int(minute))


def _holidays(table: dict[str, Any], path: KeyPath) -> frozenset[date]:
    raw = table.get("holidays", [])
    key_path = (*path, "holidays")
    if not isinstance(raw, list):
        raise SchemaProblem(key_path, 'must be a list of dates like ["2026-12-25"]')
    days: set[date] = set()
    for item in raw:
        days.add(_holiday(item, key_path))
    return frozenset(days)


def _holiday(item: Any, path: KeyPath) -> date:
    # TOML has native dates (holidays = [2026-12-25]); a datetime is a date too, so refuse it.
    if isinstance(item, date) and not isinstance(item, datetime):
        return item
    if isinstance(item, str):
        try:
            return date.fromisoformat(item.strip())
        except ValueError:
            pass
    raise SchemaProblem(path, f"{item!r} is not a date like 2026-12-25")


def _sla(table: dict[str, Any]) -> Sla:
    path, default = ("sla",), Sla(by_channel={})
    _only(table, path, _SLA_KEYS)
    by_channel = {ch: _duration(table, path, ch, None) for ch in CHANNELS if ch in table}
    return Sla(
        by_channel=by_channel,
        default=_duration(table, path, "default", default.default),
        escalate_after=_duration(table, path, "escalate_after", default.escalate_after),
    )


def _cadence(table: dict[str, Any]) -> Cadence:
    path = ("cadence",)
    _only(table, path, _CADENCE_KEYS)
    texts = _string_list(table, path, "touches", _MISSING)
    if not texts:
        raise SchemaProblem((*path, "touches"), 'must list at least one touch, e.g. ["0m", "4h"]')
    touches: list[timedelta] = []
    for text in texts:
        # "4h whatsapp:intro": the offset, then the message it is (config.compliance).
        touches.append(_parse_duration(text.strip().partition(" ")[0], (*path, "touches")))
        if len(touches) > 1 and touches[-1] <= touches[-2]:
            problem = f"touches must ascend: {text!r} is not after {texts[len(touches) - 2]!r}"
            raise SchemaProblem((*path, "touches"), problem)
    default = Cadence(touches=())
    after_last = _choice(table, path, "after_last", STAGES, default.after_last)
    if after_last not in CLOSED_STAGES:
        problem = f"must be a closed stage ({', '.join(CLOSED_STAGES)}), not {after_last!r}"
        raise SchemaProblem((*path, "after_last"), problem)
    min_gap = _duration(table, path, "min_gap", default.min_gap)
    reopen_after = _duration(table, path, "reopen_after", None)
    return Cadence(
        touches=tuple(touches), min_gap=min_gap, after_last=after_last, reopen_after=reopen_after
    )


def _cost(table: dict[str, Any]) -> Cost:
    path, default = ("cost",), Cost()
    _only(table, path, _COST_KEYS)
    rate = _number(table, path, "conversion_rate", None)
    if rate is not None and not 0 < rate <= 1:
        problem = f"must be a fraction above 0 and at most 1 (e.g. 0.10), not {rate}"
        raise SchemaProblem((*path, "conversion_rate"), problem)
    currency = _string(table, path, "currency", default.currency)
    if not currency.strip():
        raise SchemaProblem((*path, "currency"), "must not be empty")
    return Cost(
        avg_deal_value=_number(table, path, "avg_deal_value", default.avg_deal_value),
        cost_per_lead=_number(table, path, "cost_per_lead", default.cost_per_lead),
        currency=currency,
        conversion_rate=rate,
    )


def _outcomes(table: dict[str, Any]) -> tuple[Outcome, ...]:
    if not table:
        raise SchemaProblem(("outcomes",), "define at least one outcome, e.g. [outcomes.no_answer]")
    by_key: dict[str, str] = {}
    by_label: dict[str, str] = {}
    outcomes: list[Outcome] = []
    for outcome_id in table:
        outcome = _outcome(outcome_id, _table(table, ("outcomes",), outcome_id))
        path = ("outcomes", outcome_id)
        if outcome.key in by_key:
            problem = f'key "{outcome.key}" is already used by outcome {by_key[outcome.key]!r}'
            raise SchemaProblem((*path, "key"), problem)
        label = outcome.label.strip().casefold()
        if label in by_label:
            problem = f"label {outcome.label!r} is already used by outcome {by_label[label]!r}"
            raise SchemaProblem((*path, "label"), problem)
        by_key[outcome.key], by_label[label] = outcome_id, outcome_id
        outcomes.append(outcome)
    # Reps see outcomes by their key, so keep that order whatever the file's order.
    return tuple(sorted(outcomes, key=lambda o: o.key))


def _outcome(outcome_id: str, table: dict[str, Any]) -> Outcome:
    path = ("outcomes", outcome_id)
    if not _OUTCOME_ID.fullmatch(outcome_id):
        problem = "an outcome id is lowercase letters, digits, _ or -, starting with a letter"
        raise SchemaProblem(path, problem)
    _only(table, path, _OUTCOME_KEYS)
    key = _string(table, path, "key", _MISSING)
    if len(key) != 1 or key not in "123456789":
        raise SchemaProblem((*path, "key"), f'must be one digit "1" to "9", not {key!r}')
    label = _string(table, path, "label", _MISSING)
    if not label.strip():
        raise SchemaProblem((*path, "label"), "must not be empty")
    connected = _bool(table, path, "connected", _MISSING)
    stage = _choice(table, path, "stage", STAGES, None)
    next_text = _string(table, path, "next", _MISSING).strip()
    try:
        next_step = parse_rule_expr(next_text)
    except TimeExprError as error:
        raise SchemaProblem((*path, "next"), str(error)) from None
    closed = stage in CLOSED_STAGES
    if isinstance(next_step, NoNext) and not closed:
        problem = (
            f'"none" needs a closed stage ({", ".join(CLOSED_STAGES)}): open leads need a next'
        )
        raise SchemaProblem((*path, "next"), problem)
    if closed and not isinstance(next_step, NoNext):
        problem = f'stage {stage!r} closes the lead, so next must be "none", not {next_text!r}'
        raise SchemaProblem((*path, "next"), problem)
    return Outcome(outcome_id, key, label, connected, next_step, next_text, stage)


def _goals(table: dict[str, Any]) -> Goals:
    """Report targets: rates as fractions 0..1, counts as whole numbers."""
    path, default = ("goals",), Goals()
    known = tuple(Goals.__dataclass_fields__)
    _only(table, path, known)
    targets: dict[str, float | int] = {}
    for key in known:
        fallback = getattr(default, key)
        value = _number(table, path, key, fallback)
        if isinstance(fallback, int):
            if value != int(value):
                raise SchemaProblem((*path, key), f"must be a whole number, not {table[key]}")
            value = int(value)
        elif value > 1:
            problem = f"must be a fraction from 0 to 1 (e.g. 0.10 for 10%), not {table[key]}"
            raise SchemaProblem((*path, key), problem)
        targets[key] = value
    return Goals(**targets)


def _dial(table: dict[str, Any]) -> tuple[str, ...] | None:
    path = ("dial",)
    _only(table, path, ("command",))
    command = _string_list(table, path, "command", [])
    if not command:
        return None
    if not command[0].strip():
        raise SchemaProblem((*path, "command"), "the first item must be the program to run")
    if not any("{phone}" in arg for arg in command):
        raise SchemaProblem((*path, "command"), 'must contain "{phone}" where the number goes')
    return tuple(command)


def _keys(table: dict[str, Any], outcome_keys: dict[str, str]) -> dict[str, str]:
    """Rebound TUI actions: known action ids only, and no key doing two things."""
    path = ("keys",)
    defaults = {action.id: action.key for action in ACTIONS}
    _only(table, path, tuple(defaults), what="action")
    bound: dict[str, str] = {}
    for action, key in table.items():
        if not isinstance(key, str) or not _KEY_NAME.fullmatch(key):
            raise SchemaProblem((*path, action), 'must be one key, e.g. "S", "f2" or "ctrl+s"')
        if key in outcome_keys:
            problem = f'"{key}" logs outcome {outcome_keys[key]!r}; choose another key'
            raise SchemaProblem((*path, action), problem)
        bound[action] = key_name(key)
    effective = {**defaults, **bound}
    for action in table:
        key = effective[action]
        other = next((o for o, k in effective.items() if k == key and o != action), None)
        if other is not None:
            raise SchemaProblem(
                (*path, action), f'"{table[action]}" is already the key of {other!r}'
            )
    return bound


def _intake(table: dict[str, Any]) -> Intake:
    path = ("intake",)
    _only(table, path, ("token_file", "google_key"))
    google_key = _string(table, path, "google_key", None)
    if google_key is not None and not google_key.strip():
        raise SchemaProblem((*path, "google_key"), "must not be empty (or leave it out)")
    return Intake(token_file=_string(table, path, "token_file", None), google_key=google_key)


def _hooks(value: Any) -> tuple[Hook, ...]:
    """`[[hooks]]`: each entry subscribes to known events and has a command or a URL."""
    if not isinstance(value, list):
        raise SchemaProblem(("hooks",), "must be an array of tables ([[hooks]])")
    hooks: list[Hook] = []
    for number, table in enumerate(value, start=1):
        path = ("hooks", str(number))
        if not isinstance(table, dict):
            raise SchemaProblem(path, "must be a table ([[hooks]])")
        hooks.append(_hook(table, path))
    names = [hook.name for hook in hooks]
    for number, name in enumerate(names, start=1):
        if names.index(name) != number - 1:
            problem = f"a hook named {name!r} exists above"
            raise SchemaProblem(("hooks", str(number), "name"), problem)
    return tuple(hooks)


def _hook(table: dict[str, Any], path: KeyPath) -> Hook:
    _only(table, path, _HOOK_KEYS)
    on = _string_list(table, path, "on", _MISSING)
    for event in on:
        if event not in HOOK_EVENTS:
            problem = f"unknown event {event!r} (known: {', '.join(HOOK_EVENTS)})"
            raise SchemaProblem((*path, "on"), problem)
    if not on:
        raise SchemaProblem((*path, "on"), 'must name at least one event, e.g. ["lead_created"]')
    command = _string_list(table, path, "command", None)
    url = _string(table, path, "url", None)
    if (command is None) == (url is None):
        raise SchemaProblem(path, 'a hook needs either command = [...] or url = "https://..."')
    if command is not None and (not command or not command[0].strip()):
        raise SchemaProblem((*path, "command"), "the first item must be the program to run")
    if url is not None and not re.fullmatch(r"https?://[^\s/?#]+\S*", url):
        raise SchemaProblem((*path, "url"), 'must be an http(s) URL, e.g. "https://x.example/hook"')
    seconds = _number(table, path, "timeout", Hook.timeout.total_seconds())
    if not 1 <= seconds <= 300:
        raise SchemaProblem((*path, "timeout"), "must be 1 to 300 (seconds)")
    default_name = " ".join(command) if command is not None else url
    return Hook(
        name=_string(table, path, "name", default_name).strip() or default_name,
        on=frozenset(on),
        command=tuple(command) if command is not None else None,
        url=url,
        secret=_string(table, path, "secret", ""),
        secret_file=_string(table, path, "secret_file", None),
        timeout=timedelta(seconds=seconds),
    )


# Typed getters: each reads table[key] (or the default) and names the key when wrong.


def _only(table: dict[str, Any], path: KeyPath, known: tuple[str, ...], what: str = "key") -> None:
    for key in table:
        if key not in known:
            problem = f"unknown {what} {key!r} (known: {', '.join(known)})"
            raise SchemaProblem((*path, key), problem)


def _absent(table: dict[str, Any], path: KeyPath, key: str, default: Any) -> bool:
    """True when the key is left out and has a default; a left-out required key is a problem."""
    if key in table:
        return False
    if default is _MISSING:
        raise SchemaProblem(path, f"missing key {key!r}")
    return True


def _table(data: dict[str, Any], path: KeyPath, key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise SchemaProblem((*path, key), f"must be a table ([{'.'.join((*path, key))}])")
    return value


def _string(table: dict[str, Any], path: KeyPath, key: str, default: Any) -> Any:
    if _absent(table, path, key, default):
        return default
    if not isinstance(table[key], str):
        raise SchemaProblem((*path, key), f'must be a string in quotes, e.g. {key} = "..."')
    return table[key]


def _string_list(table: dict[str, Any], path: KeyPath, key: str, default: Any) -> Any:
    if _absent(table, path, key, default):
        return default
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SchemaProblem((*path, key), 'must be a list of strings, e.g. ["a", "b"]')
    return value


def _bool(table: dict[str, Any], path: KeyPath, key: str, default: Any) -> Any:
    if _absent(table, path, key, default):
        return default
    if not isinstance(table[key], bool):
        raise SchemaProblem((*path, key), "must be true or false")
    return table[key]


def _number(table: dict[str, Any], path: KeyPath, key: str, default: Any) -> Any:
    if _absent(table, path, key, default):
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemaProblem((*path, key), "must be a number")
    # TOML integers are unbounded, and nan/inf are valid TOML floats: neither is an amount.
    if isinstance(value, int) and abs(value) > 10**15 or not math.isfinite(value):
        raise SchemaProblem((*path, key), "must be a finite number below 10^15")
    if value < 0:
        raise SchemaProblem((*path, key), f"must not be negative, not {value}")
    return float(value)


def _choice(
    table: dict[str, Any], path: KeyPath, key: str, allowed: tuple[str, ...], default: Any
) -> Any:
    if _absent(table, path, key, default):
        return default
    value = _string(table, path, key, _MISSING)
    if value not in allowed:
        raise SchemaProblem((*path, key), f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _duration(table: dict[str, Any], path: KeyPath, key: str, default: Any) -> Any:
    if _absent(table, path, key, default):
        return default
    if not isinstance(table[key], str):
        raise SchemaProblem((*path, key), 'must be a duration in quotes, e.g. "30m", "2h", "1d"')
    return _parse_duration(table[key], (*path, key))


def _parse_duration(text: str, path: KeyPath) -> timedelta:
    try:
        return parse_duration(text)
    except TimeExprError as error:
        raise SchemaProblem(path, str(error)) from None
