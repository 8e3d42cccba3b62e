"""The TUI's actions and their default keys: the names a `[keys]` table may rebind.

Plain data (no Textual), so the rules file is checked against the same table the
screens bind: `callq.screens.keys` builds the bindings from it.
"""

from dataclasses import dataclass


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

# Characters people type in a rules file, and the key names the terminal UI uses.
_KEY_ALIASES = {"/": "slash", "?": "question_mark", "esc": "escape", "return": "enter"}


def key_name(key: str) -> str:
    """The terminal UI's name of a key as written in a rules file (`/` -> `slash`)."""
    return _KEY_ALIASES.get(key, key)
