"""Textual's Input for the forms, but a paste keeps only what a one-line field takes.

Textual's Input drops non-printable keys but inserts a paste's first line as it is, so an
`ESC ] 2 ; ... BEL` copied from a web form into a note would be drawn raw and obeyed by
the terminal. The paste goes through `visible.typed`, as the queue's outcome panel does.
"""

from textual import events
from textual.widgets import Input

from callq.visible import typed


class TextInput(Input):
    """An Input whose pasted text is `visible.typed` (first line, no control characters)."""

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
