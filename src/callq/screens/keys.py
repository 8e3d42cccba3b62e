"""One table of actions drives the key bindings, the help screen, the palette and the keymap."""

from textual.binding import Binding

from callq.config.actions import ACTIONS, OUTCOME_KEYS, Action

__all__ = ["ACTIONS", "OUTCOME_KEYS", "Action", "bindings", "key_label"]


def bindings(*scopes: str, outcomes_first: bool = False) -> list[Binding]:
    """The bindings of the actions in `scopes`, plus 1-9 (outcomes) for lead scopes.

    `outcomes_first`: 1-9 as priority bindings, run as the key arrives rather than after it
    has passed the focused widget, so the keys typed right after them (enter, a note) find
    the outcome panel open. The screen's `check_action` turns them off while it is.
    """
    found = [
        Binding(a.key, a.action, a.description, show=a.show, id=a.id, tooltip=a.description)
        for a in ACTIONS
        if a.scope in scopes
    ]
    if "lead" in scopes:
        found += [
            Binding(
                key,
                f"outcome('{key}')",
                f"Outcome {key}",
                show=False,
                id=f"outcome_{key}",
                priority=outcomes_first,
            )
            for key in OUTCOME_KEYS
        ]
    return found


def key_label(key: str) -> str:
    return {"slash": "/", "question_mark": "?", "enter": "enter", "escape": "esc"}.get(key, key)
