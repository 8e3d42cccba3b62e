"""The queue list's toasts: the stack (`widgets.toasts`) drawn over its bottom-right rows.

Showing or expiring a toast redraws only the lines it covers (see widgets/toasts.py for
why these are not Textual's toasts).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from callq.widgets.queue_overlay import over, text_strip

if TYPE_CHECKING:
    from textual.timer import Timer

    from callq.widgets.toasts import Toast, ToastStack


class ToastLayer:
    """Toasts over the queue list's rows (mixed into QueueList, which provides
    `view_width`, `base_style` and its size)."""

    toasts: ToastStack | None
    _toast_strips: list[Strip | None] | None
    _toast_cache: dict[Toast, list[Strip]]
    _toast_timer: Timer | None
    _toast_look: tuple[int, Style] | None

    def show_toast(
        self, message: str, *, title: str = "", severity: str = "information", timeout: float
    ) -> None:
        """Show a toast for `timeout` seconds; only the lines it covers are redrawn."""
        from callq.widgets.toasts import Toast, ToastStack  # after the first frame

        if self.toasts is None:
            self.toasts = ToastStack()
        self._toasts_changed(Toast(message, title, severity, time.monotonic() + timeout))

    def _expire_toasts(self) -> None:
        self._toast_timer = None
        self._toasts_changed()

    def _toasts_changed(self, new: Toast | None = None) -> None:
        """Drop the expired toasts, add `new`, redraw where the stack was and is, and set
        the timer for the next expiry."""
        self._refresh_toast_area()  # where the stack was
        self.toasts.expire(time.monotonic())
        if new is not None:
            self.toasts.add(new)
        self._toast_strips = None
        self._refresh_toast_area()  # where it is now
        if self._toast_timer is not None:
            self._toast_timer.stop()
        expires = self.toasts.next_expiry()
        if expires is not None:
            self._toast_timer = self.set_timer(
                max(expires - time.monotonic(), 0.01), self._expire_toasts
            )

    def _refresh_toast_area(self) -> None:
        if self.toasts and self.toasts.toasts:
            area = self.toasts.area(self.view_width, self.size.height, len(self._toast_lines()))
            self.refresh(Region(area.left, area.top, area.width, area.height))

    def _toast_lines(self) -> list[Strip | None]:
        """The stack's lines (None: the gap between two toasts). Each toast's lines are
        built once, when it arrives: one expiring only drops its own."""
        width, base = self.toasts.width_for(self.view_width), self.base_style
        if self._toast_look != (width, base):  # resized, or another theme
            self._toast_cache.clear()
            self._toast_strips = None
        if self._toast_strips is None:  # a toast came or went
            from callq.widgets.toasts import ToastStyles, toast_lines

            style = self.get_component_rich_style
            styles = ToastStyles(
                body=style("queue-list--toast"),
                title=style("queue-list--toast-title"),
                bars={
                    severity: style(f"queue-list--toast-{severity}")
                    for severity in ("information", "warning", "error")
                },
            )
            cache: dict[Toast, list[Strip]] = {}

            def strips_of(toast: Toast) -> list[Strip]:
                strips = self._toast_cache.get(toast)
                if strips is None:
                    strips = [
                        text_strip(t, base, self.app.console)
                        for t in toast_lines(toast, width, styles)
                    ]
                cache[toast] = strips
                return strips

            lines = self.toasts.stacked(strips_of)
            self._toast_cache, self._toast_look, self._toast_strips = cache, (width, base), lines
        return self._toast_strips

    def _toast_line(self, y: int, under: Strip) -> Strip:
        lines = self._toast_lines()
        area = self.toasts.area(self.view_width, self.size.height, len(lines))
        index = y - area.top
        if not 0 <= index < len(lines) or lines[index] is None:
            return under
        return over(under, lines[index], area.left, area.width)
