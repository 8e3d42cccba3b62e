"""The TUI's actions and their default keys: the names a `[keys]` table may rebind.

Plain data (no Textual), so the rules file is checked against the same table the
screens bind: `callq.screens.keys` builds the bindings, the footer, the help screen and
the command palette from it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    id: str  # the binding id, and the name in the config's [keys] table
    key: str
    action: str
    description: str  # the help screen's and the palette's name of it
    scope: str  # app | queue | lead (queue and lead) | lead_only
    what: str  # what it does, in a sentence: the palette's and the help screen's gloss
    footer: int = 0  # the order the footer keeps keys in when short of room; 0: never shown
    short: str = ""  # the footer's word for it (default: `description`)
    group: str = ""  # actions shown as one footer entry (`[ ] Section`)

    @property
    def label(self) -> str:
        return self.short or self.description


# The footer keeps keys by `footer` rank, and `? Help` always (it lists the rest).
ACTIONS = (
    Action("open", "enter", "open_lead", "Open lead", "queue", "Open the lead's screen", 1, "Open"),
    Action("next", "n", "next_lead", "Next lead", "queue", "Move to the next lead", 2, "Next"),
    Action("dial", "d", "dial", "Dial", "lead", "Call the lead's number ([dial] command)", 3),
    Action("reschedule", "r", "reschedule", "Reschedule", "lead", "Move the next follow-up", 4),
    Action("note", "o", "note", "Note", "lead", "Add a note to the lead's timeline", 5),
    Action(
        "undo", "u", "undo", "Undo outcome", "app", "Undo your last outcome (10 min)", 6, "Undo"
    ),
    Action(
        "search", "slash", "search", "Search", "queue", "Find a lead by name, phone, company", 7
    ),
    Action("add", "a", "add_lead", "Add lead", "queue", "Add a lead taken on a call", 8, "Add"),
    Action("copy", "c", "copy_number", "Copy number", "lead", "Copy the lead's number", 9, "Copy"),
    Action("edit", "e", "edit_lead", "Edit lead", "lead", "Name, numbers, tags, custom fields", 0),
    Action("message", "m", "message", "Message", "lead", "Send the next message touch", 0),
    Action("summary", "s", "summary", "Summary", "app", "Team metrics, escalated leads", 10),
    Action("quit", "q", "quit", "Quit", "app", "Leave callq", 11),
    Action(
        "previous_section",
        "left_square_bracket",
        "previous_section",
        "Previous section",
        "queue",
        "Jump to the first lead of the section above",
        12,
        "Section",
        group="section",
    ),
    Action(
        "next_section",
        "right_square_bracket",
        "next_section",
        "Next section",
        "queue",
        "Jump to the first lead of the section below",
        12,
        "Section",
        group="section",
    ),
    Action("help", "question_mark", "help", "Help", "app", "Every key, outcome and row marker", 99),
    Action("back", "escape", "back", "Back to queue", "lead_only", "Close the lead", 1, "Back"),
)
OUTCOME_KEYS = tuple(str(n) for n in range(1, 10))

# Characters people type in a rules file, and the key names the terminal UI uses.
_KEY_ALIASES = {
    "/": "slash",
    "?": "question_mark",
    "[": "left_square_bracket",
    "]": "right_square_bracket",
    "esc": "escape",
    "return": "enter",
}


def key_name(key: str) -> str:
    """The terminal UI's name of a key as written in a rules file (`/` -> `slash`)."""
    return _KEY_ALIASES.get(key, key)


def key_label(key: str) -> str:
    """How a key is written for people (`slash` -> `/`): the rules file's spelling."""
    return _KEY_LABELS.get(key, key)


_KEY_LABELS = {name: typed for typed, name in _KEY_ALIASES.items() if len(typed) == 1}
_KEY_LABELS["escape"] = "esc"
