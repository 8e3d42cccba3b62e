"""Untrusted text made safe to show: every character that could steer a terminal or hide
text becomes a visible placeholder.

Names, companies, notes, rep names and outcome labels come from web forms, CSV files and
other people. They are stored exactly as given; `safe` is applied where they are shown
(CLI tables and lines, TUI rows, panels, toasts, exported CSV and iCalendar), so an
`ESC ] 2 ; ... BEL` in a name is printed as `␛]2;...␇` instead of retitling the window.

- C0 controls and DEL become Unicode control pictures (`␛` U+241B for ESC, `␤` for a
  newline, `␡` for DEL): one cell wide, and the sequence after them stays readable.
- C1 controls (U+0080-U+009F, incl. U+009B, the one-byte CSI) become `\\x9b`.
- Bidi controls (U+202A-U+202E, U+2066-U+2069, LRM/RLM/ALM), zero-width and other
  invisible format characters, line/paragraph separators and lone surrogates become
  `<U+202E>`. ZWJ and ZWNJ (U+200C, U+200D) are kept: Devanagari and other Indic
  scripts and emoji sequences need them, and they steer nothing.

Pure text, no imports beyond the standard library: the CLI, the TUI and the exports share it.
"""

from __future__ import annotations

import re

__all__ = ["SHOWN_MAX", "UNSAFE", "clipped", "is_safe", "safe", "typed"]

# How much of one text a screen draws: a form can send a megabyte of name or note, and
# wrapping it takes a terminal UI seconds. The stored text stays whole (JSON, exports).
SHOWN_MAX = 2000

# Every code point of categories Cc, Cf (but ZWNJ/ZWJ), Zl, Zp and Cs in Unicode 15, as
# ranges; tests/test_hostile_input.py checks this class against `unicodedata` in full.
UNSAFE = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # C0, DEL, C1
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200e\u200f"  # zero-width space, LRM, RLM
    "\u2028-\u202e"  # line/paragraph separators, bidi embeddings and overrides
    "\u2060-\u2064\u2066-\u206f"  # word joiner, invisible operators, bidi isolates
    "\ud800-\udfff"  # lone surrogates (undecodable bytes from argv or a file)
    "\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"  # tag characters ("invisible ASCII")
    "]"
)


def _placeholder(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ .. ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def safe(text: object, *, keep: str = "") -> str:
    """`text` as something a terminal, a spreadsheet cell or a calendar shows but never
    obeys: control and invisible characters become visible placeholders (see above).
    Characters in `keep` stay as they are (a CSV cell keeps a note's line breaks: the
    writer quotes them). None gives ""; other values are shown through `str`."""
    if text is None:
        return ""
    value = text if isinstance(text, str) else str(text)
    if keep:
        return UNSAFE.sub(lambda m: m.group() if m.group() in keep else _placeholder(m), value)
    return UNSAFE.sub(_placeholder, value)


def clipped(text: object, limit: int = SHOWN_MAX) -> str:
    """`safe(text)`, cut to `limit` characters with what was left out said at the end:
    `…(+998,000 characters)`. Cut before making it safe, so a megabyte costs nothing."""
    if text is None:
        return ""
    value = text if isinstance(text, str) else str(text)
    if len(value) <= limit:
        return safe(value)
    return f"{safe(value[:limit])}…(+{len(value) - limit:,} characters)"


def typed(text: str) -> str:
    """What a one-line field takes from typed or pasted text: its first line, without the
    characters `safe` would show as placeholders (so a pasted `ESC ] 2 ;` never reaches the
    terminal; ZWJ and ZWNJ stay, as Indic scripts and emoji need them)."""
    lines = text.splitlines()
    return UNSAFE.sub("", lines[0]) if lines else ""


def is_safe(text: str) -> bool:
    """True when `safe(text)` would change nothing."""
    return UNSAFE.search(text) is None
