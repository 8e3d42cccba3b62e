"""Validation of `[[routing]]` and `[escalation]` (each problem names its key, so it is
reported as file:line like every other table)."""

from typing import Any

from callq.config.schema import (
    _MISSING,
    KeyPath,
    SchemaProblem,
    _choice,
    _only,
    _string,
    _string_list,
)
from callq.rules.model import (
    CHANNELS,
    ESCALATION_ACTIONS,
    URGENCIES,
    Escalation,
    RoutingRule,
)
from callq.rules.routing import POOL, ROUTE_KEYS

_ROUTING_KEYS = ("when", "to", "weights", "max_open")
_ESCALATION_KEYS = ("action", "to", "notify", "command")
_ALLOWED = {"source": CHANNELS, "urgency": URGENCIES}


def routing(value: Any) -> tuple[RoutingRule, ...]:
    """`[[routing]]`: in file order; the first rule matching a lead decides."""
    if not isinstance(value, list):
        raise SchemaProblem(("routing",), "must be an array of tables ([[routing]])")
    rules = []
    for number, table in enumerate(value, start=1):
        path = ("routing", str(number))
        if not isinstance(table, dict):
            raise SchemaProblem(path, "must be a table ([[routing]])")
        rules.append(_rule(table, path))
    return tuple(rules)


def _rule(table: dict[str, Any], path: KeyPath) -> RoutingRule:
    _only(table, path, _ROUTING_KEYS)
    to = _string_list(table, path, "to", _MISSING)
    names = [name.strip() for name in to]
    if not names or not all(names):
        raise SchemaProblem((*path, "to"), 'must name at least one rep, e.g. ["asha", "ben"]')
    if len(set(names)) != len(names):
        raise SchemaProblem((*path, "to"), "names a rep twice (use weights for more turns)")
    return RoutingRule(
        when=_when(table, path),
        to=tuple(names),
        weights=_weights(table, path, names),
        max_open=_whole(table, path, "max_open"),
    )


def _when(table: dict[str, Any], path: KeyPath) -> dict[str, tuple[str, ...]]:
    value = table.get("when", {})
    where = (*path, "when")
    if not isinstance(value, dict):
        raise SchemaProblem(where, 'must be a table, e.g. when = {source = "web"}')
    _only(value, where, ROUTE_KEYS)
    when = {}
    for key, accepted in value.items():
        values = [accepted] if isinstance(accepted, str) else accepted
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) and v.strip() for v in values)
        ):
            raise SchemaProblem((*where, key), "must be a string or a list of strings")
        allowed = _ALLOWED.get(key)
        for item in values:
            if allowed is not None and item not in allowed:
                problem = f"{item!r} is not one of {', '.join(allowed)}"
                raise SchemaProblem((*where, key), problem)
        when[key] = tuple(v.strip() for v in values)
    return when


def _weights(table: dict[str, Any], path: KeyPath, names: list[str]) -> dict[str, int]:
    value = table.get("weights", {})
    where = (*path, "weights")
    if not isinstance(value, dict):
        raise SchemaProblem(where, "must be a table, e.g. weights = {asha = 2}")
    for name, weight in value.items():
        if name not in names:
            raise SchemaProblem((*where, name), f"{name!r} is not in this rule's `to`")
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 100:
            raise SchemaProblem((*where, name), "must be a whole number from 1 to 100")
    return dict(value)


def _whole(table: dict[str, Any], path: KeyPath, key: str) -> int | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SchemaProblem((*path, key), "must be a whole number of at least 1")
    return value


def escalation(table: dict[str, Any]) -> Escalation:
    """`[escalation]`: `action`, `to`, `notify` (apprise URLs), `command` (no shell)."""
    path, default = ("escalation",), Escalation()
    _only(table, path, _ESCALATION_KEYS)
    action = _choice(table, path, "action", ESCALATION_ACTIONS, default.action)
    to = _string(table, path, "to", default.to).strip()
    if not to:
        raise SchemaProblem((*path, "to"), f'must be "next", "{POOL}" or a rep\'s name')
    if "to" in table and action != "reassign":
        raise SchemaProblem((*path, "to"), 'only means something with action = "reassign"')
    notify = _string_list(table, path, "notify", [])
    for url in notify:
        if "://" not in url:
            problem = f'{url!r} is not a notification URL (e.g. "tgram://TOKEN/CHAT_ID")'
            raise SchemaProblem((*path, "notify"), problem)
    command = _string_list(table, path, "command", None)
    if command is not None and (not command or not command[0].strip()):
        raise SchemaProblem((*path, "command"), "the first item must be the program to run")
    return Escalation(
        action=action,
        to=to,
        notify=tuple(notify),
        command=tuple(command) if command is not None else None,
    )
