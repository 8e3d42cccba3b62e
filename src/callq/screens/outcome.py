"""The outcome form: an optional note and the next follow-up time; dismisses an OutcomeChoice.

One instance serves every outcome (`prepare` refills it): composing and styling a new
screen on each key cost more than the two-frame budget of an outcome on a busy machine.
"""

from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from callq.phrases import CallbackError
from callq.screens.forms import steady_cursors
from callq.services.session import Suggestion
from callq.widgets.time_field import TimeContext, TimeField


@dataclass(frozen=True)
class OutcomeChoice:
    outcome_id: str
    note: str
    callback: datetime | None  # None: let the rule decide
    their_time: bool


class OutcomeForm(ModalScreen[OutcomeChoice | None]):
    """Enter saves, escape cancels; the time is pre-filled from the rule."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel_form"),
        Binding("ctrl+t", "their_time", "Their time", id="their_time"),
    ]

    def __init__(self, lead_name: str, suggestion: Suggestion, context: TimeContext) -> None:
        super().__init__()
        self.lead_name = lead_name
        self.suggestion = suggestion
        self.context = context

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title(), id="title")
            yield Label("Note (optional)", classes="field-label")
            yield Input(placeholder="what was said", id="note")
            yield Label("No next follow-up: this outcome closes the lead.", id="closes")
            yield Label(self._time_title(), classes="field-label", id="time-label")
            yield TimeField(
                self.context,
                prefill=self.suggestion.at,
                required=self.suggestion.required,
                id="time",
            )
            yield Label("enter save · esc cancel · ctrl+t their time", classes="hint")

    def _title(self) -> str:
        outcome = self.suggestion.outcome
        return f"{outcome.key}  {outcome.label} · {self.lead_name}"

    def _time_title(self) -> str:
        return "Next follow-up (required)" if self.suggestion.required else "Next follow-up"

    def _show_fields(self) -> None:
        closes = self.suggestion.closes
        self.query_one("#closes", Label).display = closes
        self.query_one("#time-label", Label).display = not closes
        self.query_one(TimeField).display = not closes

    def on_mount(self) -> None:
        steady_cursors(self)
        self._show_fields()
        self.query_one("#note", Input).focus()

    def prepare(self, lead_name: str, suggestion: Suggestion, context: TimeContext) -> None:
        """Refill the form for another lead or outcome (before it is pushed again)."""
        self.lead_name, self.suggestion, self.context = lead_name, suggestion, context
        if not self.is_mounted:
            return
        self.query_one("#title", Label).update(self._title())
        self.query_one("#time-label", Label).update(self._time_title())
        note = self.query_one("#note", Input)
        note.value = ""
        self.query_one(TimeField).reset(context, prefill=suggestion.at, required=suggestion.required)
        self._show_fields()
        note.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_their_time(self) -> None:
        if not self.suggestion.closes:
            self.query_one(TimeField).toggle_their_time()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def save(self) -> None:
        note = self.query_one("#note", Input).value.strip()
        callback, their_time = None, False
        if not self.suggestion.closes:
            field = self.query_one(TimeField)
            try:
                instant = field.read()
            except CallbackError:
                field.show_preview()
                field.query_one("#when", Input).focus()
                return
            if field.changed or self.suggestion.required:
                callback, their_time = instant, field.their_time
        self.dismiss(OutcomeChoice(self.suggestion.outcome.id, note, callback, their_time))
