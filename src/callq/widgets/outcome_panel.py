"""The queue's outcome panel: a note and the next follow-up time, drawn inside the list.

Why not widgets: showing a form of Input widgets on the overlay layer, moving focus into
it and back, costs Textual a layout, a restyle and a repaint of every layer under it.
Measured in a pty on the 2-core machine, a bare Textual app doing just that needs ~50 ms
from `1` + enter to the updated list, against ~17 ms when the list draws the panel
itself (docs/BENCHMARKS.md). So the queue's panel is state plus a few lines of text: the
list draws them over its rows and hands it the keys while it is open.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

from callq.visible import safe, typed
from callq.widgets.time_field import (
    Preview,
    TimeContext,
    chosen_time,
    placeholder_text,
    prefill_text,
    preview_time,
)

if TYPE_CHECKING:
    from callq.services.suggest import Suggestion

# TIME_HINT and tab, in the panel's 68 inner cells (⏎ as the footer writes enter).
HINT = "⏎ save · esc cancel · tab next · ctrl+u clear · ctrl+t their time"


@dataclass(frozen=True)
class OutcomeChoice:
    outcome_id: str
    note: str
    callback: datetime | None  # None: let the rule decide
    their_time: bool


@dataclass
class LineEdit:
    """One line of editable text with a cursor: the keys people expect of a text field.

    `selected`: the whole text is selected (a field entered with tab), so the first
    character typed replaces it, as in Textual's Input."""

    text: str = ""
    cursor: int = 0
    selected: bool = False

    def set(self, text: str) -> None:
        self.text, self.cursor, self.selected = text, len(text), False

    def select_all(self) -> None:
        self.cursor, self.selected = len(self.text), bool(self.text)

    def key(self, key: str, character: str | None) -> bool:
        """Apply one key; False when it is not an editing key."""
        if self.selected:
            self.selected = False
            if key in ("backspace", "delete", "ctrl+d", "ctrl+u", "ctrl+k"):
                self.set("")
                return True
            if key in ("left", "home", "ctrl+a"):
                self.cursor = 0
                return True
            if key in ("right", "end", "ctrl+e"):
                return True
            if _printable(character):
                self.set("")
        text, at = self.text, self.cursor
        if key == "left":
            self.cursor = max(at - 1, 0)
        elif key == "right":
            self.cursor = min(at + 1, len(text))
        elif key in ("home", "ctrl+a"):
            self.cursor = 0
        elif key in ("end", "ctrl+e"):
            self.cursor = len(text)
        elif key == "backspace":
            if at:
                self.text, self.cursor = text[: at - 1] + text[at:], at - 1
        elif key in ("delete", "ctrl+d"):
            self.text = text[:at] + text[at + 1 :]
        elif key == "ctrl+u":
            self.text, self.cursor = text[at:], 0
        elif key == "ctrl+k":
            self.text = text[:at]
        elif _printable(character):
            self.insert(character)
        else:
            return False
        return True

    def insert(self, value: str) -> None:
        """Typed or pasted text at the cursor (replacing the selection): what a one-line
        field takes (`visible.typed`)."""
        if self.selected:
            self.set("")
        value = typed(value)
        at = self.cursor
        self.text = self.text[:at] + value + self.text[at:]
        self.cursor = at + len(value)


def _printable(character: str | None) -> bool:
    return character is not None and len(character) == 1 and typed(character) == character


@dataclass
class OutcomePanel:
    """What the rep is entering for one outcome on one lead; `done` receives the choice."""

    lead_name: str
    suggestion: Suggestion
    context: TimeContext
    done: Callable[[OutcomeChoice], None]
    note: LineEdit = field(default_factory=LineEdit)
    when: LineEdit = field(default_factory=LineEdit)
    their_time: bool = False
    editing: str = "note"  # or "when"
    prefill: str = ""
    insist: bool = False  # an empty required time is called out: the rep typed or saved

    def __post_init__(self) -> None:
        self.prefill = prefill_text(self.suggestion.at, self.context)
        self.when.set(self.prefill)

    @property
    def closes(self) -> bool:
        return self.suggestion.closes

    @property
    def required(self) -> bool:
        return self.suggestion.required

    def field(self) -> LineEdit:
        return self.when if self.editing == "when" else self.note

    def key(self, key: str, character: str | None) -> str | None:
        """One key while the panel is open: "save", "cancel", or None (handled here)."""
        if key == "enter":
            return "save"
        if key == "escape":
            return "cancel"
        if key in ("tab", "shift+tab", "up", "down"):
            if not self.closes:
                self.field().selected = False
                self.editing = "note" if self.editing == "when" else "when"
                self.field().select_all()  # typing replaces what is there
            return None
        if key == "ctrl+t":
            if not self.closes:
                self.their_time = not self.their_time
            return None
        if self.field().key(key, character) and self.editing == "when":
            self.insist = True
        return None

    def preview(self) -> Preview:
        return preview_time(
            self.when.text,
            self.context,
            their_time=self.their_time,
            required=self.required,
            insist=self.insist,
        )

    def choice(self) -> OutcomeChoice:
        """The rep's choice; CallbackError (shown in the panel) when the time is not usable."""
        self.insist = True  # a save attempt: an empty required time is called out
        callback, their_time = None, False
        if not self.closes:
            callback, their_time = chosen_time(
                self.when.text,
                self.prefill,
                self.context,
                their_time=self.their_time,
                required=self.required,
            )
        return OutcomeChoice(
            self.suggestion.outcome.id, self.note.text.strip(), callback, their_time
        )

    # -- drawing ----------------------------------------------------------

    def lines(self, width: int, styles: PanelStyles) -> list[Text]:
        """The panel as lines of exactly `width` cells, borders included; always as many
        lines (queue_list.PANEL_HEIGHT) for every outcome, so nothing jumps."""
        inner = width - 4
        outcome = self.suggestion.outcome
        title = f" {safe(outcome.key)}  {safe(outcome.label)} · {safe(self.lead_name)} "
        top = Text("╭─", styles.border)
        top.append(title[: width - 4], styles.title)
        top.append("─" * max(width - top.cell_len - 1, 0) + "╮", styles.border)
        rows: list[Text] = [Text("Note (optional)", styles.label)]
        rows.append(self._input(self.note, "what was said", self.editing == "note", styles))
        if self.closes:
            rows.append(Text("No next follow-up: this outcome closes the lead.", styles.warning))
            rows += [Text(""), Text(""), Text("")]
        else:
            label = "Next follow-up (required)" if self.required else "Next follow-up"
            box = "[x]" if self.their_time else "[ ]"
            row = Text(label, styles.label)
            their = f"{box} their time ({self.context.lead_tz.key})"
            row.append(" " * max(inner - len(label) - len(their), 1) + their, styles.label)
            rows.append(row)
            placeholder = placeholder_text(required=self.required)
            rows.append(self._input(self.when, placeholder, self.editing == "when", styles))
            text, ok, warning = self.preview()
            # An error can be a sentence: two lines, so the rep reads all of it.
            wrapped = (textwrap.wrap(text, inner) or [""]) + [""]
            if len(wrapped) > 3:
                wrapped[1] = " ".join(wrapped[1:])
            rows += [Text(line, styles.preview if ok else styles.error) for line in wrapped[:2]]
            if warning:  # a saveable time's preview is one line: the warning goes under it
                rows[-1] = Text(warning, styles.warning)
        rows.append(Text(HINT, styles.label))
        out = [top]
        for row in rows:
            row.truncate(inner, overflow="ellipsis", pad=True)
            line = Text("│ ", styles.border)
            line.append_text(row)
            line.append(" │", styles.border)
            out.append(line)
        out.append(Text("╰" + "─" * (width - 2) + "╯", styles.border))
        return out

    @staticmethod
    def _input(edit: LineEdit, placeholder: str, active: bool, styles: PanelStyles) -> Text:
        line = Text("> ", styles.label)
        if not edit.text and placeholder:
            line.append(placeholder, styles.label)
            if active:
                line.stylize(styles.cursor, 2, 3)
            return line
        line.append(edit.text, styles.cursor if active and edit.selected else styles.input)
        if active and not edit.selected:
            at = 2 + edit.cursor
            if edit.cursor >= len(edit.text):
                line.append(" ")
            line.stylize(styles.cursor, at, at + 1)
        return line


@dataclass(frozen=True)
class PanelStyles:
    border: Style
    title: Style
    label: Style
    input: Style
    cursor: Style
    preview: Style
    error: Style
    warning: Style
