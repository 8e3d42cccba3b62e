"""Toasts the queue list draws over its own bottom-right rows.

Why not Textual's toasts: each one is a new widget, so it costs a layout of the screen
when it arrives and again when it expires (20-40 ms on the 2-core bench machine), and
at one outcome every few seconds those layouts land on the rep's next keypress. These
are a few lines of text: showing or expiring one redraws only the lines it covers.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from rich.style import Style
from rich.text import Text

from callq.visible import safe

MAX_SHOWN = 3  # older toasts give way: a rep logging fast reads the latest
MAX_WIDTH = 60  # Textual's toast width
BAR = "▌"
T = TypeVar("T")


@dataclass(frozen=True)
class Toast:
    message: str
    title: str
    severity: str  # information | warning | error
    expires: float  # time.monotonic()


@dataclass(frozen=True)
class ToastStyles:
    body: Style
    title: Style
    bars: dict[str, Style]  # severity -> the left bar's style


@dataclass(frozen=True)
class Area:
    top: int
    left: int
    width: int
    height: int


class ToastStack:
    """The toasts on show, newest at the bottom, each with its own expiry."""

    def __init__(self) -> None:
        self.toasts: list[Toast] = []

    def add(self, toast: Toast) -> None:
        self.toasts = [*self.toasts, toast][-MAX_SHOWN:]

    def expire(self, now: float) -> bool:
        """Drop the toasts whose time is up; True when any went."""
        kept = [toast for toast in self.toasts if toast.expires > now]
        changed = len(kept) != len(self.toasts)
        self.toasts = kept
        return changed

    def next_expiry(self) -> float | None:
        return min((toast.expires for toast in self.toasts), default=None)

    @staticmethod
    def width_for(list_width: int) -> int:
        return max(min(MAX_WIDTH, list_width // 2), min(list_width, 30))

    def lines(self, width: int, styles: ToastStyles) -> list[Text | None]:
        """The stack's lines, top to bottom; None is the gap between two toasts (the rows
        under it show through)."""
        return self.stacked(lambda toast: toast_lines(toast, width, styles))

    def stacked(self, lines_of: Callable[[Toast], list[T]]) -> list[T | None]:
        """Each toast's lines from `lines_of`, top to bottom, a gap (None) between two."""
        lines: list[T | None] = []
        for toast in self.toasts:
            if lines:
                lines.append(None)
            lines += lines_of(toast)
        return lines

    def area(self, list_width: int, list_height: int, line_count: int) -> Area:
        """Where the stack sits: the bottom-right corner of the list's window."""
        width = min(self.width_for(list_width), list_width)
        height = min(line_count, list_height)
        return Area(list_height - height, list_width - width, width, height)


def toast_lines(toast: Toast, width: int, styles: ToastStyles) -> list[Text]:
    """One toast's lines, `width` cells each: a bar in its severity's colour, the title,
    the message wrapped (at most four lines in all)."""
    text_width = max(width - 3, 1)  # the bar, a space, and a space at the right
    bar = styles.bars.get(toast.severity, styles.bars["information"])
    body: list[tuple[str, Style]] = []
    if toast.title:
        body.append((toast.title, styles.title))
    for paragraph in toast.message.splitlines() or [""]:
        for line in textwrap.wrap(paragraph, text_width) or [""]:
            body.append((line, Style()))
    lines = []
    for text, style in body[:4]:
        cell = Text(safe(text), style=style, no_wrap=True, end="")
        cell.truncate(text_width, overflow="crop", pad=True)  # wide characters too
        line = Text(no_wrap=True, end="", style=styles.body)
        line.append(BAR, bar)
        line.append(" ")
        line.append_text(cell)
        line.append(" ")
        lines.append(line)
    return lines
