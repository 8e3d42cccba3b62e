"""Every key callq answers to, from the same table that builds the bindings, and what the
markers in a queue row mean."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from callq.rules.model import Rules
from callq.screens.keys import ACTIONS, key_label
from callq.visible import safe
from callq.widgets.queue_list import ROW_MARKERS

# The scopes in the order the help lists them, with their headings.
SCOPES = {
    "queue": "On the queue",
    "lead": "On the queue and on a lead",
    "lead_only": "On a lead",
    "app": "Everywhere",
}


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="close_help")]

    def __init__(self, rules: Rules, keymap: dict[str, str]) -> None:
        super().__init__()
        self.rules, self.keymap = rules, keymap

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Label("callq keys", id="title")
            yield Static(Text(self.table()), id="keys")
            yield Label("esc close · ctrl+p command palette (every action)", classes="hint")

    def table(self) -> str:
        lines = []
        for scope, heading in SCOPES.items():
            lines.append(f"  {heading}:")
            for action in ACTIONS:
                if action.scope == scope:
                    key = key_label(self.keymap.get(action.id, action.key))
                    lines.append(f"  {key:>7}  {action.description:<17} {action.what}")
            lines.append("")
        lines.append("  Outcomes (queue and lead):")
        for outcome in self.rules.outcomes:
            label = safe(outcome.label)
            lines.append(f"  {outcome.key:>7}  {label:<24} next: {outcome.next_text}")
        lines.append("")
        lines.append("  In a queue row:")
        for marker, meaning in ROW_MARKERS:
            lines.append(f"  {marker:>15}  {meaning}")
        lines.append("")
        lines.append("  In forms: enter save · esc cancel · ctrl+t their time · tab next field")
        lines.append("  In a field: typing replaces the selected text · ctrl+u clear to the left")
        lines.append(
            "  Times: in 2h, 3pm, tomorrow 3pm, fri 10:30, next monday 11am, 2bd@11:00,"
            " 3pm their time"
        )
        return "\n".join(lines)

    def action_close(self) -> None:
        self.dismiss(None)
