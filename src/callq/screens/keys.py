"""One table of actions drives the key bindings, the help screen, the palette and the keymap."""

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Action:
    id: str  # the binding id, and the name in the config's [keys] table
    key: str
    action: str
    description: str
    scope: str  # app | queue | lead
    show: bool = True


ACTIONS = (
    Action("open", "enter", "open_lead", "Open lead", "queue"),
    Action("next", "n", "next_lead", "Next lead", "queue"),
    Action("search", "slash", "search", "Search", "queue"),
    Action("add", "a", "add_lead", "Add lead", "queue"),
    Action("reschedule", "r", "reschedule", "Reschedule", "lead"),
    Action("note", "o", "note", "Note", "lead"),
    Action("dial", "d", "dial", "Dial", "lead"),
    Action("copy", "c", "copy_number", "Copy number", "lead"),
    Action("undo", "u", "undo", "Undo outcome", "app"),
    Action("summary", "s", "summary", "Summary", "app"),
    Action("help", "question_mark", "help", "Help", "app"),
    Action("quit", "q", "quit", "Quit", "app"),
    Action("back", "escape", "back", "Back to queue", "lead_only"),
)
OUTCOME_KEYS = tuple(str(n) for n in range(1, 10))


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
