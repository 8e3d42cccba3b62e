"""A callback-time input that previews the interpreted time as the rep types.

Under the preview, a warning when the time falls outside the lead's business hours or on
a closed day (the time is still accepted: the rep may know better).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Input, Label

from callq.rules.model import BusinessHours
from callq.widgets.text_input import TextInput
from callq.wording import clock, preview, typeable

# The keys of every callback-time field (forms, the lead screen's panel, the queue's panel).
TIME_HINT = "enter save · esc cancel · ctrl+u clear · ctrl+t their time"

if TYPE_CHECKING:  # dateutil loads after the first frame
    from callq.rules.phrases import Callback


@dataclass(frozen=True)
class TimeContext:
    """Everything needed to read a typed time: the clock, both zones, the business hours."""

    now: datetime
    rep_tz: ZoneInfo
    lead_tz: ZoneInfo
    hours: BusinessHours
    date_order: str = "dmy"


class TheirTime(Checkbox, can_focus=False):
    """The "their time" box: ctrl+t or a click toggles it. Out of the tab order, so tab
    from the time goes to the next field and enter there saves the form. Drawn `[x]` /
    `[ ]` as the queue's panel draws it (a toggle button's X reads as ticked either way)."""

    def render(self) -> Content:
        return Content.assemble("[x] " if self.value else "[ ] ", self.label)


class TimeField(Vertical):
    """Input + preview + "their time" checkbox; `read()` returns the instant or raises.

    The pre-filled time is selected when the field takes focus (Input's select_on_focus),
    so typing replaces it. An empty required time is called out only once the rep has
    typed in the field or tried to save (`insist`), not before they start.
    """

    DEFAULT_CSS = """
    TimeField { height: auto; }
    TimeField > #preview { color: $success; padding: 0 1; height: 1; width: 1fr; }
    TimeField > #preview.-error { color: $error; }
    TimeField > #warning { color: $warning; padding: 0 1; height: auto; width: 1fr; }
    TimeField > TheirTime {
        border: none; padding: 0 1; height: 1; width: 1fr; background: transparent;
    }
    """

    def __init__(
        self, context: TimeContext | None, *, prefill: datetime | None, required: bool, id: str
    ) -> None:
        """`context` None: an empty field that `reset` fills later (the reused outcome form)."""
        super().__init__(id=id)
        self._set(context, prefill, required)

    def _set(self, context: TimeContext | None, prefill: datetime | None, required: bool) -> None:
        self.context = context
        self.required = required
        self.insist = False  # say "required" for an empty field: after typing or a save
        self.prefill_text = prefill_text(prefill, context) if context else ""

    def _placeholder(self) -> str:
        return placeholder_text(required=self.required)

    def _their_label(self) -> str:
        lead = self.context.lead_tz.key if self.context else "-"
        return f"their time ({lead})  ctrl+t"

    def compose(self) -> ComposeResult:
        yield TextInput(self.prefill_text, placeholder=self._placeholder(), id="when")
        yield Label("", id="preview")
        warning = Label("", id="warning")
        warning.display = False  # shown only with a warning: no blank line otherwise
        yield warning
        yield TheirTime(self._their_label(), id="their")

    def on_mount(self) -> None:
        if self.context is not None:
            self.show_preview()

    def reset(self, context: TimeContext, *, prefill: datetime | None, required: bool) -> None:
        """Refill for another lead (a reused form); the preview follows the new text."""
        self._set(context, prefill, required)
        when = self.query_one("#when", Input)
        when.placeholder = self._placeholder()
        with when.prevent(Input.Changed):
            when.value = self.prefill_text
        when.cursor_position = len(self.prefill_text)
        box = self.query_one("#their", Checkbox)
        box.label = self._their_label()
        with box.prevent(Checkbox.Changed):
            box.value = False
        self.show_preview()

    @property
    def their_time(self) -> bool:
        return self.query_one("#their", Checkbox).value

    def toggle_their_time(self) -> None:
        box = self.query_one("#their", Checkbox)
        box.value = not box.value

    @property
    def text(self) -> str:
        return self.query_one("#when", Input).value.strip()

    def chosen(self) -> tuple[datetime | None, bool]:
        """What to save (see `chosen_time`); CallbackError when the text is not usable."""
        return chosen_time(
            self.text,
            self.prefill_text,
            self.context,
            their_time=self.their_time,
            required=self.required,
        )

    def read(self) -> datetime | None:
        """The typed instant (None when empty and optional); CallbackError when not usable."""
        callback = read_time(
            self.text, self.context, their_time=self.their_time, required=self.required
        )
        return callback.at if callback else None

    def show_preview(self, *, insist: bool = False) -> bool:
        """Show what the text means; `insist` (a save attempt): complain if it is empty."""
        self.insist = self.insist or insist
        label = self.query_one("#preview", Label)
        preview = preview_time(
            self.text,
            self.context,
            their_time=self.their_time,
            required=self.required,
            insist=self.insist,
        )
        label.update(preview.text, layout=False)  # one line of fixed size
        label.set_class(not preview.ok, "-error")
        warning = self.query_one("#warning", Label)
        if preview.warning != (str(warning.content) if warning.display else None):
            warning.update(preview.warning or "")
            warning.display = preview.warning is not None
        return preview.ok

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "when" and self.context is not None:
            self.show_preview(insist=True)  # typed: an empty field now means "emptied"

    def on_checkbox_changed(self, _event: Checkbox.Changed) -> None:
        if self.context is not None:
            self.show_preview()


def prefill_text(at: datetime | None, ctx: TimeContext) -> str:
    """The rule's time as the field shows it before the rep types (rep's zone)."""
    return typeable(at, ctx.rep_tz) if at else ""


def placeholder_text(*, required: bool) -> str:
    return "required: e.g. tomorrow 3pm, fri 10:30, in 2h" if required else ""


def chosen_time(
    text: str, prefill: str, ctx: TimeContext, *, their_time: bool, required: bool
) -> tuple[datetime | None, bool]:
    """(instant, their_time) to save when the rep changed the pre-filled time or must
    choose one; (None, False) to let the rule decide. CallbackError when not usable."""
    callback = read_time(text, ctx, their_time=their_time, required=required)
    if callback is None:
        return None, False
    if text.strip() != prefill or callback.their_time or required:
        return callback.at, callback.their_time
    return None, False


def read_time(text: str, ctx: TimeContext, *, their_time: bool, required: bool) -> Callback | None:
    """A typed callback time -> the instant and its business-hours warning (None: empty
    and optional); CallbackError when not usable. Read as the CLI reads it
    (`rules.phrases.read_typed_callback`: "3pm their time" included)."""
    from callq.rules.phrases import CallbackError, read_typed_callback  # after the first frame

    text = text.strip()
    if not text:
        if required:
            raise CallbackError("A callback time is required for this outcome.")
        return None
    return read_typed_callback(
        text,
        now=ctx.now,
        rep_tz=ctx.rep_tz,
        lead_tz=ctx.lead_tz,
        hours=ctx.hours,
        date_order=ctx.date_order,
        their_time=their_time,
    )


class Preview(NamedTuple):
    """The preview line, whether the time can be saved, and the warning line (or None)."""

    text: str
    ok: bool
    warning: str | None = None


def preview_time(
    text: str, ctx: TimeContext, *, their_time: bool, required: bool, insist: bool = True
) -> Preview:
    """What the rep's typed time means, as they type it, and whether it can be saved.
    An empty required time says so only when `insist` (the rep typed, or tried to save)."""
    from callq.rules.phrases import CallbackError

    try:
        callback = read_time(text, ctx, their_time=their_time, required=required)
    except CallbackError as error:
        shown = text.strip() or (required and insist)
        return Preview(str(error) if shown else "", False)
    if callback is None:
        return Preview(("no next follow-up time" if not required else ""), True)
    shown = preview(callback.at, ctx.rep_tz, ctx.now)
    if callback.their_time:
        shown += f"  (their {clock(callback.at, ctx.lead_tz)})"
    return Preview(f"→ {shown}", True, callback.warning)
