"""The edit form (`e`): a lead's name, numbers, contact details, tags and custom fields.

One labelled line a field, pre-filled with the lead's values. Enter saves through the
`apply` callback the caller gives (the `callq edit` service): a refusal is shown in the
form, which stays open for the rep to fix it; a save dismisses what was changed.
"""

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

from callq.phones import display_phone
from callq.rules.model import CHANNELS, URGENCIES, Rules
from callq.screens.forms import FormScreen
from callq.services.edit import EditedLead, LeadEdit, edit_between, field_text
from callq.services.views import LeadView
from callq.visible import safe
from callq.widgets.text_input import TextInput

Apply = Callable[[LeadEdit], "EditedLead | str"]  # the result, or why it was refused


class EditForm(FormScreen["EditedLead | None"]):
    DEFAULT_CSS = """
    EditForm .form-row { height: 1; }
    EditForm .form-row.-choices { margin-top: 1; }
    EditForm .form-label { width: 12; color: $text-muted; }
    EditForm .form-row > Input, EditForm .form-row > Select { width: 1fr; }
    EditForm #error { height: auto; }
    """
    _PLACEHOLDERS = {"number": "a number", "date": "YYYY-MM-DD", "text": ""}

    def __init__(self, lead: LeadView, rules: Rules, apply: Apply) -> None:
        super().__init__()
        self.lead, self.rules, self.apply = lead, rules, apply

    def text_fields(self) -> list[tuple[str, str, str, str]]:
        """(id, label, value, placeholder) of each line the rep types in."""
        lead = self.lead
        phones = ", ".join(map(display_phone, (lead.phone, *lead.other_phones)))  # as shown
        rows = [
            ("name", "Name", lead.name, ""),
            ("phones", "Phones", phones, "main first, ','"),
            ("email", "Email", lead.email, ""),
            ("company", "Company", lead.company, ""),
            ("interest", "Interest", lead.interest, ""),
            ("tags", "Tags", ", ".join(lead.tags), "comma-separated"),
            ("timezone", "Timezone", "" if lead.timezone_guessed else lead.timezone, "IANA"),
        ]
        for spec in self.rules.fields.values():
            hint = " / ".join(spec.choices) or self._PLACEHOLDERS.get(spec.type, "")
            value = field_text(lead.fields.get(spec.name))
            rows.append((f"fields.{spec.name}", spec.title.capitalize(), value, hint))
        return rows

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(f"Edit · {safe(self.lead.name)}"), id="title")
            for field_id, label, value, placeholder in self.text_fields():
                with Horizontal(classes="form-row"):
                    yield Label(Text(safe(label)), classes="form-label")
                    yield TextInput(  # a paste keeps one line, no control characters
                        value=value,
                        placeholder=placeholder,
                        id=_widget_id(field_id),
                        compact=True,
                        select_on_focus=False,
                    )
            for field_id, label, options in (
                ("source", "Source", CHANNELS),
                ("urgency", "Urgency", URGENCIES),
            ):
                first = field_id == "source"
                with Horizontal(classes="form-row -choices" if first else "form-row"):
                    yield Label(label, classes="form-label")
                    yield Select(
                        [(o, o) for o in options],
                        value=getattr(self.lead, field_id),
                        allow_blank=False,
                        id=field_id,
                        compact=True,
                    )
            yield Label("", id="error", classes="error")
            yield Label("enter save · esc cancel · tab next field · ctrl+u clear", classes="hint")

    def typed(self) -> dict[str, str]:
        values = {
            field_id: self.query_one(f"#{_widget_id(field_id)}", Input).value
            for field_id, *_ in self.text_fields()
        }
        for field_id in ("source", "urgency"):
            values[field_id] = str(self.query_one(f"#{field_id}", Select).value)
        return values

    def save(self) -> None:
        edit = edit_between(self.lead, self.typed(), self.rules)
        if edit.is_empty():
            self.dismiss(None)
            return
        result = self.apply(edit)
        if isinstance(result, str):
            self.query_one("#error", Label).update(Text(safe(result)))
            return
        self.dismiss(result)


def _widget_id(field_id: str) -> str:
    return "edit-" + field_id.replace(".", "-")
