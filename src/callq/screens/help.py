"""Every key callq answers to, from the same table that builds the bindings."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from callq.rules.model import Rules
from callq.screens.keys import ACTIONS, key_label

SCOPES = {"queue": "queue", "lead": "queue and lead", "app": "everywhere", "lead_only": "lead"}


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
        for action in ACTIONS:
            key = key_label(self.keymap.get(action.id, action.key))
            lines.append(f"  {key:>7}  {action.description:<16} {SCOPES[action.scope]}")
        lines.append("")
        lines.append("  Outcomes (queue and lead):")
        for outcome in self.rules.outcomes:
            lines.append(f"  {outcome.key:>7}  {outcome.label:<24} next: {outcome.next_text}")
        lines.append("")
        lines.append("  In forms: enter save · esc cancel · ctrl+t their time · tab next field")
        lines.append("  Times: in 2h, 3pm, tomorrow 3pm, fri 10:30, next monday 11am, 2bd@11:00")
        return "\n".join(lines)

    def action_close(self) -> None:
        self.dismiss(None)
