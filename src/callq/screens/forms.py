"""Small modal forms: reschedule, note, add a lead. Each dismisses a value; the caller saves."""

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from callq.errors import UserError
from callq.rules.model import CHANNELS, URGENCIES, Rules
from callq.rules.phrases import CallbackError
from callq.services.leads import NewLead, validate_new_lead
from callq.visible import safe
from callq.widgets.time_field import TimeContext, TimeField
from callq.wording import when


@dataclass(frozen=True)
class NewTime:
    due_at: datetime
    note: str


T = TypeVar("T")


def steady_cursors(screen: ModalScreen) -> None:
    """No blinking cursors when the app is not live (deterministic snapshots)."""
    if not getattr(screen.app, "live", True):
        for field in screen.query(Input):
            field.cursor_blink = False


class FormScreen(ModalScreen[T], Generic[T]):
    """Escape cancels; enter in any input submits."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_form")]

    def on_mount(self) -> None:
        steady_cursors(self)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def save(self) -> None:
        raise NotImplementedError


class RescheduleForm(FormScreen[NewTime | None]):
    BINDINGS = [Binding("ctrl+t", "their_time", "Their time", id="their_time")]

    def __init__(self, lead_name: str, context: TimeContext, current: datetime | None) -> None:
        super().__init__()
        self.lead_name, self.context, self.current = lead_name, context, current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(f"Reschedule · {safe(self.lead_name)}"), id="title")
            if self.current:
                due = when(self.current, self.context.rep_tz, self.context.now)
                yield Label(f"now due {due}", classes="hint")
            yield Label("New time", classes="field-label")
            yield TimeField(self.context, prefill=None, required=True, id="time")
            yield Label("Note (optional)", classes="field-label")
            yield Input(placeholder="why", id="note")
            yield Label("enter save · esc cancel · ctrl+t their time", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#when", Input).focus()

    def action_their_time(self) -> None:
        self.query_one(TimeField).toggle_their_time()

    def save(self) -> None:
        field = self.query_one(TimeField)
        try:
            due_at = field.read()
        except CallbackError:
            field.show_preview()
            return
        self.dismiss(NewTime(due_at, self.query_one("#note", Input).value.strip()))


class NoteForm(FormScreen[str | None]):
    def __init__(self, lead_name: str) -> None:
        super().__init__()
        self.lead_name = lead_name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(f"Note · {safe(self.lead_name)}"), id="title")
            yield Input(placeholder="the note", id="note")
            yield Label("", id="error", classes="error")
            yield Label("enter save · esc cancel", classes="hint")

    def save(self) -> None:
        text = self.query_one("#note", Input).value.strip()
        if not text:
            self.query_one("#error", Label).update("The note is empty.")
            return
        self.dismiss(text)


class AddLeadForm(FormScreen[NewLead | None]):
    def __init__(self, rules: Rules) -> None:
        super().__init__()
        self.rules = rules

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Add a lead", id="title")
            yield Input(placeholder="name", id="name")
            yield Input(placeholder=f"phone (region {self.rules.team.region})", id="phone")
            yield Input(placeholder="company", id="company")
            yield Input(placeholder="interest", id="interest")
            with Horizontal(classes="selects"):
                yield Select(
                    [(c, c) for c in CHANNELS], value="phone", allow_blank=False, id="source"
                )
                yield Select(
                    [(u, u) for u in URGENCIES], value="normal", allow_blank=False, id="urgency"
                )
            yield Label("", id="error", classes="error")
            yield Label("enter save · esc cancel · tab next field", classes="hint")

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def save(self) -> None:
        new = NewLead(
            name=self.value("name"),
            phone=self.value("phone"),
            company=self.value("company"),
            interest=self.value("interest"),
            source=str(self.query_one("#source", Select).value),
            urgency=str(self.query_one("#urgency", Select).value),
        )
        try:
            validate_new_lead(new, self.rules)
        except UserError as error:
            self.query_one("#error", Label).update(Text(safe(error)))
            return
        self.dismiss(new)
