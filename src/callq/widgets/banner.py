"""A banner across the top of a screen: the rules file is broken, the app keeps working."""

from rich.text import Text
from textual.widgets import Static

from callq.visible import safe


class RulesBanner(Static):
    """Names the broken rules file (`callq.toml:LINE: problem`) until it is fixed."""

    DEFAULT_CSS = """
    RulesBanner {
        dock: top;
        height: auto;
        padding: 0 1;
        background: $error;
        color: $text;
    }
    """

    def __init__(self, problem: str) -> None:
        super().__init__(self.text(problem))

    @staticmethod
    def text(problem: str) -> Text:
        # The problem quotes the admin's file (keys, values): never markup.
        return Text.assemble(
            ("Rules not applied: ", "bold"),
            safe(problem),
            " · running on the last good rules until it is fixed",
        )

    def show(self, problem: str) -> None:
        self.update(self.text(problem))
