"""Untrusted text callq keeps: anything a text column can hold, exactly as given.

Names, notes, companies and rep names are stored as they come (control characters and
markup included: `callq.visible` shows them, nothing obeys them). Two things no text
column can hold are refused here, the same way on SQLite and PostgreSQL and on every
way in (the CLI, the TUI, intake, an import row):

- NUL (U+0000): PostgreSQL's text type cannot store it, and SQLite's C functions
  (length, LIKE, the shell) end the text there.
- a lone surrogate (U+D800-U+DFFF): what a byte that is not UTF-8 becomes in a command
  line argument; no UTF-8 database can store it, and guessing its encoding would garble.
"""

import re

from callq.errors import UserError

__all__ = ["require_storable", "unstorable"]

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored as text ("contains ..."), or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (\\x00), which cannot be stored as text"
    return "holds bytes that are not UTF-8 text"


def require_storable(what: str, text: str | None) -> None:
    """UserError naming `what` ("the name", "the note") when `text` cannot be stored."""
    if text and (reason := unstorable(text)):
        raise UserError(f"{what} {reason}; nothing was changed")
