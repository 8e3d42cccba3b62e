"""The outcome form: an optional note and the next follow-up time; hands back an OutcomeChoice.

It is a panel on the screen's overlay layer, composed once with the screen and refilled on
each outcome key, not a pushed ModalScreen: pushing a screen composes and styles it, tints
every cell of the screen below, and popping it repaints the whole terminal, which together
cost several frames per outcome. Shown and hidden, the panel repaints only where it lies
(and the rows that changed under it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label

from callq.visible import safe
from callq.widgets.form_keys import FORM_BINDINGS, FormKeys
from callq.widgets.outcome_panel import OutcomeChoice
from callq.widgets.text_input import TextInput
from callq.widgets.time_field import TIME_HINT, TimeField

if TYPE_CHECKING:  # composed before the first frame, which must not import the services
    from callq.services.suggest import Suggestion
    from callq.widgets.time_field import TimeContext

WIDTH = 72
HEIGHT, HEIGHT_CLOSES = 19, 14  # outer lines with and without the time field


class OutcomeForm(FormKeys, Vertical):
    """Enter saves, escape cancels, tab moves between the note and the time (which is
    pre-filled from the rule, and selected when tab reaches it: typing replaces it)."""

    DEFAULT_CSS = f"""
    OutcomeForm {{
        layer: overlay;
        position: absolute;
        display: none;
        width: {WIDTH};
        max-width: 100%;
        height: auto;
        padding: 1 2;
        border: thick $accent;
        background: $surface;
    }}
    OutcomeForm > Label {{ width: 1fr; }}
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel_form"),
        Binding("ctrl+t", "their_time", "Their time", id="their_time"),
        *FORM_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__(id="outcome-form")
        self.lead_name = ""
        self.suggestion: Suggestion | None = None
        self.done: Callable[[OutcomeChoice | None], None] | None = None
        self._return_focus: Widget | None = None

    def compose(self) -> ComposeResult:
        yield Label("", id="title")
        yield Label("Note (optional)", classes="field-label")
        yield TextInput(placeholder="what was said", id="note")
        yield Label("No next follow-up: this outcome closes the lead.", id="closes")
        yield Label("", classes="field-label", id="time-label")
        yield TimeField(None, prefill=None, required=False, id="time")
        yield Label(TIME_HINT, classes="hint")

    def on_mount(self) -> None:
        if not getattr(self.app, "live", True):  # deterministic snapshots
            for field in self.query(Input):
                field.cursor_blink = False

    @property
    def is_open(self) -> bool:
        return self.display

    def open(
        self,
        lead_name: str,
        suggestion: Suggestion,
        context: TimeContext,
        done: Callable[[OutcomeChoice | None], None],
    ) -> None:
        """Fill the form for `suggestion` and show it; `done` gets the choice (None: cancel)."""
        self.lead_name, self.suggestion, self.done = lead_name, suggestion, done
        outcome = suggestion.outcome
        # Fixed-width labels: new text needs no reflow of the screen (layout=False).
        title = Text(safe(f"{outcome.key}  {outcome.label} · {lead_name}"))
        self.query_one("#title", Label).update(title, layout=False)
        required = suggestion.required
        label = "Next follow-up (required)" if required else "Next follow-up"
        self.query_one("#time-label", Label).update(label, layout=False)
        self.query_one(TimeField).reset(context, prefill=suggestion.at, required=required)
        closes = suggestion.closes
        self.query_one("#closes", Label).display = closes
        self.query_one("#time-label", Label).display = not closes
        self.query_one(TimeField).display = not closes
        note = self.query_one("#note", Input)
        note.value = ""
        screen = self.screen.size
        height = HEIGHT_CLOSES if closes else HEIGHT  # centred without waiting for a layout
        self.styles.offset = (
            max((screen.width - WIDTH) // 2, 0),
            max((screen.height - height) // 2, 0),
        )
        if not self.is_open:
            self._return_focus = self.screen.focused
        # The display style, not a class: a class change re-applies the stylesheet to
        # every widget of the form (~10 ms a frame).
        self.display = True
        # Focus now, not on the next message (Widget.focus): `1` and enter typed in one
        # burst must reach the note, not the queue's "open lead".
        self.screen.set_focus(note, scroll_visible=False)

    def close(self, choice: OutcomeChoice | None) -> None:
        done, self.done = self.done, None
        if done is not None:
            done(choice)  # saved (and the rows updated) before the form disappears: one frame
        self.display = False
        if self._return_focus is not None and self._return_focus.is_attached:
            self.screen.set_focus(self._return_focus, scroll_visible=False)
        self._return_focus = None

    def action_cancel(self) -> None:
        self.close(None)

    def action_their_time(self) -> None:
        if self.suggestion is not None and not self.suggestion.closes:
            self.query_one(TimeField).toggle_their_time()

    def save(self) -> None:
        from callq.rules.phrases import CallbackError

        suggestion = self.suggestion
        if suggestion is None:
            return
        note = self.query_one("#note", Input).value.strip()
        callback, their_time = None, False
        if not suggestion.closes:
            field = self.query_one(TimeField)
            try:
                callback, their_time = field.chosen()
            except CallbackError:
                field.show_preview(insist=True)
                self.screen.set_focus(field.query_one("#when", Input))
                return
        self.close(OutcomeChoice(suggestion.outcome.id, note, callback, their_time))
