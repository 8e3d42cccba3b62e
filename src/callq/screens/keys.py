"""One table of actions drives the key bindings, the help screen, the palette and the keymap."""

from textual.binding import Binding

from callq.config.actions import ACTIONS, OUTCOME_KEYS, Action, key_label

__all__ = [
    "ACTIONS",
    "ACTIONS_BY_ID",
    "OUTCOME_KEYS",
    "Action",
    "bindings",
    "key_label",
    "palette_help",
]

ACTIONS_BY_ID = {action.id: action for action in ACTIONS}
# Actions that open a form: with `outcomes_first` they run as their key arrives too, so a
# burst of keys after them (`a` then `Meera Pillai<tab>94470 12345`) fills the form
# instead of reaching the queue. With the outcomes, what the queue's `check_action`
# turns off while its outcome panel is open (there, the keys are text).
FORM_OPENERS = ("add", "search", "reschedule", "note", "edit")
FIRST_ACTIONS = frozenset({"outcome", *(ACTIONS_BY_ID[i].action for i in FORM_OPENERS)})


def bindings(*scopes: str, outcomes_first: bool = False) -> list[Binding]:
    """The bindings of the actions in `scopes`, plus 1-9 (outcomes) for lead scopes.

    `outcomes_first`: 1-9 as priority bindings, run as the key arrives rather than after it
    has passed the focused widget, so the keys typed right after them (enter, a note) find
    the outcome panel open. The screen's `check_action` turns them off while it is.
    """
    found = [
        Binding(
            a.key,
            a.action,
            a.label,
            show=a.footer > 0,
            id=a.id,
            tooltip=a.what,
            priority=outcomes_first and a.id in FORM_OPENERS,
        )
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


def palette_help(action: Action, keymap: dict[str, str]) -> str:
    """The command palette's line under an action's name: what it does, and its key."""
    return f"{action.what} · key {key_label(keymap.get(action.id, action.key))}"
