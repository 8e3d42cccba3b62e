"""Textual's Input for the forms, with its editing keys in the order they were typed, and
a paste that keeps only what a one-line field takes.

Textual's Input inserts a printable key as it arrives but runs its editing keys (backspace,
ctrl+u, the arrows, enter) as bindings, after the key has bubbled up to the app and come
back: in a burst (a paste, a text expander, a fast typist over SSH: `xyz<ctrl+u>Meera`) the
characters behind the key were already in the field, and ctrl+u cleared them too. Here
the field runs its own bindings as the key arrives.

Textual's Input drops non-printable keys but inserts a paste's first line as it is, so an
`ESC ] 2 ; ... BEL` copied from a web form into a note would be drawn raw and obeyed by
the terminal. The paste goes through `visible.typed`, as the queue's outcome panel does.
"""

from textual import events
from textual.widgets import Input

from callq.visible import typed

# key -> action of Input's own bindings ("backspace" -> "delete_left", ...)
_EDITING_KEYS = {
    key.strip(): binding.action
    for binding in Input.BINDINGS
    if not isinstance(binding, tuple)
    for key in binding.key.split(",")
}


class TextInput(Input):
    """An Input whose editing keys keep their order, and whose pasted text is
    `visible.typed` (first line, no control characters)."""

    async def _on_key(self, event: events.Key) -> None:
        action = _EDITING_KEYS.get(event.key)
        if action is None:
            return  # Input's own handler runs next (Textual calls each class's in turn)
        event.stop()
        event.prevent_default()
        self._restart_blink()
        await self.run_action(action)

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # not Input's own paste handler after this one
        event.stop()
        line = typed(event.text)
        if line:
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(line)
            else:
                self.replace(line, *selection)
