"""Small modal forms: reschedule, note, add a lead. Each dismisses a value; the caller saves.

Every form takes its keys the same way (`widgets.form_keys`): tab and shift+tab move
between fields as each key arrives, enter saves from any field, escape cancels; the
first field has the focus from the moment the form is mounted, so keys typed right after
the one that opened it land in it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from callq.errors import UserError
from callq.rules.model import CHANNELS, URGENCIES, Rules
from callq.rules.phrases import CallbackError
from callq.services.leads import ROUND_ROBIN, NewLead, owner_choice, validate_new_lead
from callq.services.views import AddedLead
from callq.visible import safe
from callq.widgets.form_keys import FORM_BINDINGS, FormKeys
from callq.widgets.text_input import TextInput
from callq.widgets.time_field import TIME_HINT, TimeContext, TimeField
from callq.wording import weekday_clock, when


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


class FormScreen(FormKeys, ModalScreen[T], Generic[T]):
    """Escape cancels; enter saves from any field; tab and shift+tab move between fields."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_form"), *FORM_BINDINGS]

    def on_mount(self) -> None:
        steady_cursors(self)
        fields = self.form_fields()
        if fields and self.focused is None:
            self.set_focus(fields[0], scroll_visible=False)

    def action_cancel(self) -> None:
        self.dismiss(None)


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
            yield TextInput(placeholder="why", id="note")
            yield Label(TIME_HINT, classes="hint")

    def action_their_time(self) -> None:
        self.query_one(TimeField).toggle_their_time()

    def save(self) -> None:
        field = self.query_one(TimeField)
        try:
            due_at = field.read()
        except CallbackError:
            field.show_preview(insist=True)
            self.set_focus(field.query_one("#when", Input))
            return
        self.dismiss(NewTime(due_at, self.query_one("#note", Input).value.strip()))


class NoteForm(FormScreen[str | None]):
    def __init__(self, lead_name: str) -> None:
        super().__init__()
        self.lead_name = lead_name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(f"Note · {safe(self.lead_name)}"), id="title")
            yield TextInput(placeholder="the note", id="note")
            yield Label("", id="error", classes="error")
            yield Label("enter save · esc cancel · ctrl+u clear", classes="hint")

    def save(self) -> None:
        text = self.query_one("#note", Input).value.strip()
        if not text:
            self.query_one("#error", Label).update("The note is empty.")
            return
        self.dismiss(text)


class AddLeadForm(FormScreen[NewLead | None]):
    """A lead taken on a call: it is the rep's own unless they pick another owner.

    One labelled line a field (compact inputs), so the rep sees which field is which once
    the placeholders are gone, and the whole form fits a 24-line terminal."""

    DEFAULT_CSS = """
    AddLeadForm .form-row { height: 1; }
    AddLeadForm .form-row.-choices { margin-top: 1; }
    AddLeadForm .form-label { width: 10; color: $text-muted; }
    AddLeadForm .form-row > Input, AddLeadForm .form-row > Select { width: 1fr; }
    AddLeadForm #error { height: auto; }
    """
    TEXT_FIELDS = (
        ("name", "Name", "as the lead gave it"),
        ("phone", "Phone", "any format"),
        ("company", "Company", "optional"),
        ("interest", "Interest", "optional: what they asked about"),
    )

    def __init__(self, rules: Rules, rep: str) -> None:
        super().__init__()
        self.rules, self.rep = rules, rep

    def owners(self) -> list[tuple[str, str]]:
        """(label, value) for the owner choice: the rep first, the team, the round-robin."""
        others = [name for name in self.rules.team.reps if name != self.rep]
        return [
            (f"{self.rep} (me)", self.rep),
            *((name, name) for name in others),
            ("round-robin", ROUND_ROBIN),
        ]

    def compose(self) -> ComposeResult:
        region = self.rules.team.region
        with Vertical(id="dialog"):
            yield Label("Add a lead", id="title")
            for field_id, label, placeholder in self.TEXT_FIELDS:
                if field_id == "phone":
                    placeholder = f"any format (region {region})"
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield TextInput(placeholder=placeholder, id=field_id, compact=True)
            choices = (
                ("source", "Source", [(c, c) for c in CHANNELS], "phone"),
                ("urgency", "Urgency", [(u, u) for u in URGENCIES], "normal"),
                (
                    "owner",
                    "Owner",
                    [(Text(safe(label)), value) for label, value in self.owners()],
                    owner_choice(None, self.rep) or ROUND_ROBIN,
                ),
            )
            for field_id, label, options, default in choices:
                first = field_id == "source"
                with Horizontal(classes="form-row -choices" if first else "form-row"):
                    yield Label(label, classes="form-label")
                    yield Select(
                        options, value=default, allow_blank=False, id=field_id, compact=True
                    )
            yield Label("", id="error", classes="error")
            yield Label("enter save · esc cancel · tab next field · ctrl+u clear", classes="hint")

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
            owner=str(self.query_one("#owner", Select).value),
        )
        try:
            validate_new_lead(new, self.rules)
        except UserError as error:
            self.query_one("#error", Label).update(Text(safe(error)))
            return
        self.dismiss(new)


def added_message(new: NewLead, added: AddedLead, tz: ZoneInfo) -> str:
    """What the rep is told after adding a lead; a known number names the lead it is."""
    owner = f"owner {added.owner}" if added.owner else "no owner"
    due = added.first_response_due
    first = f" · first call due {weekday_clock(due, tz)}" if due else ""
    if not added.merged:
        return f"Added {new.name} (#{added.lead_id}, {owner}){first}"
    what = "reopened it" if added.reopened else "the inquiry is on its timeline"
    typed = f", typed as {new.name}" if new.name.strip() != added.name else ""
    return f"Known number: {added.name} (#{added.lead_id}, {owner}){typed} · {what}{first}"
