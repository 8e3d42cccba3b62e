"""The outcome keys as a legend that wraps between entries, never inside one."""

from rich.text import Text
from textual.widget import Widget

from callq.rules.model import Outcome
from callq.visible import safe


class OutcomeLegend(Widget):
    DEFAULT_CSS = """
    OutcomeLegend { height: auto; padding: 0 1; color: $text-muted; background: $boost; }
    """

    def __init__(self, outcomes: tuple[Outcome, ...], id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries = _entries(outcomes)

    def show(self, outcomes: tuple[Outcome, ...]) -> None:
        """Show these outcomes (the rules file changed under the running app)."""
        self.entries = _entries(outcomes)
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Text]:
        lines, line = [], Text()
        for key, label in self.entries:
            entry_len = len(key) + 1 + len(label)
            gap = 3 if line.cell_len else 0
            if line.cell_len and line.cell_len + gap + entry_len > width:
                lines.append(line)
                line, gap = Text(), 0
            line.append(" " * gap)
            line.append(key, style="bold")
            line.append(f" {label}")
        lines.append(line)
        return lines

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(self.lines(max(width, 1)))

    def render(self) -> Text:
        return Text("\n").join(self.lines(max(self.content_region.width, 1)))


def _entries(outcomes: tuple[Outcome, ...]) -> list[tuple[str, str]]:
    return [(safe(o.key), safe(o.label)) for o in outcomes]
