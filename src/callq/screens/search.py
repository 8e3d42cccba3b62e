"""Search leads by name, phone digits or company; dismisses the chosen lead's id."""

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from callq.phones import display_phone
from callq.services.search import FoundLead
from callq.visible import safe


class SearchScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel_form"),
        Binding("down", "focus_results", "Results", show=False),
    ]

    def __init__(self, search) -> None:  # noqa: ANN001  (text -> list[FoundLead])
        super().__init__()
        self.search = search

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Search leads: name, phone digits or company", id="title")
            yield Input(placeholder="type to search", id="query")
            yield OptionList(id="results")
            yield Label("enter open · ↓ results · esc cancel", classes="hint")

    def on_input_changed(self, event: Input.Changed) -> None:
        found: list[FoundLead] = self.search(event.value)
        results = self.query_one("#results", OptionList)
        results.clear_options()
        results.add_options(
            Option(
                Text(
                    safe(
                        f"{lead.name}  {display_phone(lead.phone)}  {lead.company or ''}  "
                        f"[{lead.stage}]"
                    )
                ),
                id=str(lead.lead_id),
            )
            for lead in found
        )
        if found:
            results.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one("#results", OptionList)
        if results.option_count and results.highlighted is not None:
            self.dismiss(int(results.get_option_at_index(results.highlighted).id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_focus_results(self) -> None:
        self.query_one("#results", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
