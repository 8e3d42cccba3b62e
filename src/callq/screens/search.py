"""Search leads by name, phone digits or company; dismisses the chosen lead's id.

Each result shows whose lead it is and its stage, so a rep can tell a colleague's lead
from their own before opening it; a search that finds nothing says so.
"""

from collections.abc import Callable

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
from callq.widgets.text_input import TextInput

# Fixed columns (cells); name and company share what is left of the width.
PHONE, OWNER, STAGE, GAP = 16, 9, 9, 2
HEADINGS = ("name", "phone", "company", "owner", "stage")


def columns(width: int) -> tuple[int, int, int, int, int]:
    """The widths of name, phone, company, owner and stage in `width` cells."""
    rest = max(width - PHONE - OWNER - STAGE - 4 * GAP, 16)
    name = max(rest * 3 // 5, 10)
    return name, PHONE, max(rest - name, 6), OWNER, STAGE


def result_line(cells: tuple[str, ...], width: int, style: str = "") -> Text:
    """One row of the results (or the headings), each cell cut to its column."""
    line = Text(style=style, no_wrap=True, overflow="ellipsis")  # one screen line a lead
    for index, (cell, size) in enumerate(zip(cells, columns(width), strict=True)):
        piece = Text(safe(cell))
        piece.truncate(size, overflow="ellipsis", pad=index < len(cells) - 1)
        line.append_text(piece)
        if index < len(cells) - 1:
            line.append(" " * GAP)
    return line


def lead_cells(lead: FoundLead) -> tuple[str, ...]:
    return (
        lead.name,
        display_phone(lead.phone),
        lead.company or "-",
        lead.owner or "no owner",
        lead.stage,
    )


class SearchScreen(ModalScreen[int | None]):
    DEFAULT_CSS = """
    SearchScreen #headings { color: $text-muted; padding: 0 2; margin-top: 1; }
    SearchScreen #none { color: $warning; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel_form"),
        Binding("down", "focus_results", "Results", show=False),
    ]

    def __init__(self, search: Callable[[str], list[FoundLead]]) -> None:
        super().__init__()
        self.search = search
        self.found: list[FoundLead] = []
        self.text = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Search leads: name, phone digits or company", id="title")
            yield TextInput(placeholder="type to search", id="query")
            yield Label("", id="headings")
            yield OptionList(id="results")
            yield Label("", id="none")
            yield Label("enter open · ↓ results · esc cancel · ctrl+u clear", classes="hint")

    def on_mount(self) -> None:
        if not getattr(self.app, "live", True):
            self.query_one("#query", Input).cursor_blink = False  # steady snapshots
        self.show([], "")

    def on_resize(self) -> None:
        self.show(self.found, self.text)  # the columns follow the dialog's width

    def _width(self) -> int:
        """Cells a result line has: the dialog's content, less the list's border and
        padding (4) and a scrollbar's room (2), so the lines of the list and the
        headings above it are cut alike, before and after the first layout."""
        dialog = self.query_one("#dialog").content_region.width
        return (dialog or min(self.app.size.width, 100) - 6) - 6

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show(self.search(event.value), event.value)

    def show(self, found: list[FoundLead], text: str) -> None:
        self.found, self.text = found, text
        width = self._width()
        results = self.query_one("#results", OptionList)
        results.clear_options()
        results.add_options(
            Option(result_line(lead_cells(lead), width), id=str(lead.lead_id)) for lead in found
        )
        results.display = bool(found)
        self.query_one("#headings", Label).update(result_line(HEADINGS, width))
        self.query_one("#headings", Label).display = bool(found)
        none = self.query_one("#none", Label)
        none.update(Text(f"no matches for {safe(text.strip())}") if text.strip() else "")
        none.display = bool(text.strip()) and not found
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
