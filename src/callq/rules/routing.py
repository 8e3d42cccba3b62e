"""Who gets a lead: availability, the rotation, `[[routing]]` rules and escalation targets (pure).

One rotation rule serves every way a lead gets an owner: `callq add`, `callq import`,
`callq serve` intake (through `services.routing`) and an escalation to "next". A rotation
is a cycle of rep names (a rep with weight 2 appears twice, spread out); the next owner
is the first rep after the last position who is not away (and, for a routing rule, has
fewer than `max_open` open follow-ups).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from callq.rules.model import Escalation, RoutingRule, Rules

ROUTE_KEYS = ("source", "interest", "urgency")
TEAM_ROTATION = "team"  # the key of `[team] reps`' rotation (a routing rule's is "routing:N")
POOL = "pool"


def is_away(away_since: datetime | None, away_until: datetime | None, now: datetime) -> bool:
    """Whether a rep marked away (`away_since`, back at `away_until` or never) is away at `now`."""
    if away_since is None or now < away_since:
        return False
    return away_until is None or now < away_until


@dataclass(frozen=True)
class RepState:
    """What routing needs to know of a rep at `now`."""

    away: bool = False
    open_followups: int = 0


@dataclass(frozen=True)
class LeadFacts:
    """What a routing rule can match on."""

    source: str = "other"
    interest: str = ""
    urgency: str = "normal"


@dataclass(frozen=True)
class Route:
    """Where a lead goes and why: `owner` None leaves it unowned (nobody available).

    `rotation` names the rotation that turned (its pointer moves to `position`)."""

    owner: str | None
    rule: int | None  # the 1-based [[routing]] entry that matched, None: the team rotation
    rotation: str | None
    position: int | None
    reasons: tuple[str, ...]


def weighted_cycle(to: tuple[str, ...], weights: Mapping[str, int]) -> tuple[str, ...]:
    """One full turn of a weighted rotation, spread out (smooth weighted round-robin):
    `("asha", "ben")` with `asha = 2` is asha, ben, asha."""
    weight = {name: max(1, weights.get(name, 1)) for name in to}
    total = sum(weight.values())
    current = dict.fromkeys(to, 0)
    cycle = []
    for _ in range(total):
        for name in to:
            current[name] += weight[name]
        chosen = max(to, key=lambda name: current[name])  # the first of equals: file order
        current[chosen] -= total
        cycle.append(chosen)
    return tuple(cycle)


def next_in_cycle(cycle: tuple[str, ...], after: int, usable: Callable[[str], bool]) -> int | None:
    """The position of the first usable rep after position `after` (-1: from the start),
    going round once; None when nobody in the cycle is usable."""
    for step in range(1, len(cycle) + 1):
        position = (after + step) % len(cycle)
        if usable(cycle[position]):
            return position
    return None


def matches(rule: RoutingRule, facts: LeadFacts) -> bool:
    """Every key of `when` accepts the lead's value (interest compared without case)."""
    for key, accepted in rule.when.items():
        value = getattr(facts, key)
        if key == "interest":
            if value.strip().casefold() not in {a.casefold() for a in accepted}:
                return False
        elif value not in accepted:
            return False
    return True


def rotation_key(number: int) -> str:
    return f"routing:{number}"


def route(
    rules: Rules,
    facts: LeadFacts,
    reps: Mapping[str, RepState],
    positions: Mapping[str, int],
) -> Route:
    """Where a new lead without a chosen owner goes: the first matching `[[routing]]`
    rule's next usable rep, else (no rule matches, or none of its reps is usable) the
    next available rep of `[team] reps`. `positions`: each rotation's last position."""
    reasons: list[str] = []
    for number, rule in enumerate(rules.routing, start=1):
        if not matches(rule, facts):
            continue
        cycle = weighted_cycle(rule.to, rule.weights)
        skipped: list[str] = []

        def usable(name: str, rule: RoutingRule = rule, skipped: list[str] = skipped) -> bool:
            state = reps.get(name, RepState())
            if state.away:
                skipped.append(f"{name} is away")
                return False
            if rule.max_open is not None and state.open_followups >= rule.max_open:
                skipped.append(f"{name} has {state.open_followups} open (max_open {rule.max_open})")
                return False
            return True

        key = rotation_key(number)
        position = next_in_cycle(cycle, positions.get(key, -1), usable)
        reasons.append(f"[[routing]] #{number} matches ({_when_text(rule)})")
        reasons.extend(dict.fromkeys(skipped))
        if position is not None:
            owner = cycle[position]
            reasons.append(f"{owner} is next in its rotation ({', '.join(cycle)})")
            return Route(owner, number, key, position, tuple(reasons))
        reasons.append("none of its reps can take it: the team rotation decides")
        break
    if not any(matches(rule, facts) for rule in rules.routing):
        reasons.append("no [[routing]] rule matches" if rules.routing else "no [[routing]] rules")
    return _team_turn(rules, reps, positions, reasons, exclude=None)


def _team_turn(
    rules: Rules,
    reps: Mapping[str, RepState],
    positions: Mapping[str, int],
    reasons: list[str],
    *,
    exclude: str | None,
) -> Route:
    cycle = rules.team.reps
    if not cycle:
        reasons.append("[team] reps is empty: nobody owns it")
        return Route(None, None, None, None, tuple(reasons))
    skipped: list[str] = []

    def usable(name: str) -> bool:
        if name == exclude:
            return False
        if reps.get(name, RepState()).away:
            skipped.append(f"{name} is away")
            return False
        return True

    position = next_in_cycle(cycle, positions.get(TEAM_ROTATION, -1), usable)
    reasons.extend(dict.fromkeys(skipped))
    if position is None:
        reasons.append("every rep of [team] reps is away: nobody owns it")
        return Route(None, None, TEAM_ROTATION, None, tuple(reasons))
    reasons.append(f"{cycle[position]} is next in the team rotation ({', '.join(cycle)})")
    return Route(cycle[position], None, TEAM_ROTATION, position, tuple(reasons))


def escalation_target(
    rules: Rules,
    escalation: Escalation,
    owner: str | None,
    reps: Mapping[str, RepState],
    positions: Mapping[str, int],
) -> Route:
    """Where `action = "reassign"` sends an escalated lead: "pool" (no owner), a named rep
    (unless away: then the next), or "next": the next available rep of the team rotation
    other than its owner. `owner` None in the answer means the pool, or nobody available
    (then `rotation` is None and the lead stays where it is)."""
    if escalation.to == POOL:
        return Route(None, None, POOL, None, ("to the pool",))
    if escalation.to != "next":
        if not reps.get(escalation.to, RepState()).away:
            return Route(escalation.to, None, None, None, (f"to {escalation.to}",))
        reasons = [f"{escalation.to} is away"]
    else:
        reasons = []
    found = _team_turn(rules, reps, positions, reasons, exclude=owner)
    if found.owner is None:
        return Route(None, None, None, None, found.reasons)
    return found


def describe_rule(rule: RoutingRule) -> str:
    """A rule in one line: `source = web -> asha x2, ben (max_open 300)`."""
    reps = ", ".join(
        f"{name} x{rule.weights[name]}" if rule.weights.get(name, 1) > 1 else name
        for name in rule.to
    )
    limit = f" (max_open {rule.max_open})" if rule.max_open else ""
    return f"{_when_text(rule)} -> {reps}{limit}"


def _when_text(rule: RoutingRule) -> str:
    if not rule.when:
        return "every lead"
    return ", ".join(f"{key} = {' | '.join(values)}" for key, values in rule.when.items())
