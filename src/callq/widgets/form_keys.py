"""The keys every form shares: tab and shift+tab move between fields, enter saves.

Tab and shift+tab are priority bindings, run as each key arrives rather than after the
focused field has passed it up: in a burst of keys (a paste, a text expander, a fast
typist over SSH: `Meera Pillai<tab>94470 12345`), a non-priority tab moves the focus only
after the keys behind it have already gone to the first field. Enter saves from any
field: in a text field, as the field submits (after the characters typed before it); on
a select, as the key arrives; only an open select's list keeps its enter (choosing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input, Select

if TYPE_CHECKING:
    from textual.screen import Screen

FORM_BINDINGS = [
    Binding("tab", "next_field", "Next field", show=False, priority=True),
    Binding("shift+tab", "previous_field", "Previous field", show=False, priority=True),
    Binding("enter", "save", "Save", show=False, priority=True),
]


class FormKeys:
    """Mixed into a form (a screen or a widget, which lists FORM_BINDINGS in its own
    BINDINGS): its fields, in focus order, cycle."""

    screen: Screen

    def form_fields(self) -> list[Widget]:
        """The focusable widgets inside this form, in the screen's focus order."""
        return [w for w in self.screen.focus_chain if self in w.ancestors_with_self]

    def move_focus(self, step: int) -> None:
        fields = self.form_fields()
        if not fields:
            return
        focused = self.screen.focused
        at = fields.index(focused) if focused in fields else -1 if step > 0 else 0
        # Set now, not on the next message (Widget.focus): the next key goes to it.
        self.screen.set_focus(fields[(at + step) % len(fields)], scroll_visible=False)

    def action_next_field(self) -> None:
        self.move_focus(1)

    def action_previous_field(self) -> None:
        self.move_focus(-1)

    def action_save(self) -> None:
        self.save()

    def save(self) -> None:
        raise NotImplementedError

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "save":
            return True
        focused = self.screen.focused
        # A text field submits enter itself, after the keys queued before it; in an open
        # select's list, enter chooses the highlighted option.
        return not (isinstance(focused, Input) or _open_select(focused))


def _open_select(focused: Widget | None) -> bool:
    """Whether the focus is in a select whose list of options is open."""
    for node in focused.ancestors_with_self if focused is not None else ():
        if isinstance(node, Select):
            return node.expanded
    return False
