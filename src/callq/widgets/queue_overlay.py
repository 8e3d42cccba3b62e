"""The outcome panel as the queue list draws it: over the rows under the cursor's row.

The panel itself (its fields, keys and lines) is `widgets.outcome_panel`; this mixin
places it, draws its lines over the rows and hands it the keys while it is open. Also
the two steps every overlay of the list shares: text as a strip, a strip over a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual import events
from textual.geometry import Region
from textual.strip import Strip

if TYPE_CHECKING:  # the panel (and the time parsing under it) loads after the first frame
    from rich.console import Console
    from rich.text import Text

    from callq.widgets.outcome_panel import OutcomePanel

PANEL_WIDTH, PANEL_HEIGHT = 72, 9  # the outcome panel's size, borders included


def text_strip(text: Text, base: Style, console: Console) -> Strip:
    """A line of Rich text as a strip in the list's base style."""
    return Strip(text.render(console), text.cell_len).apply_style(base)


def over(under: Strip, strip: Strip, left: int, width: int) -> Strip:
    """`strip`, `width` cells of it, drawn over the row `under` from column `left`."""
    return Strip.join(
        [under.crop(0, left), strip.crop(0, width), under.crop(left + width, under.cell_length)]
    )


class PanelOverlay:
    """The queue list's outcome panel: `panel` is None when closed (mixed into QueueList,
    which provides the cursor, the scroll offset, `view_width` and `base_style`)."""

    panel: OutcomePanel | None
    _panel_strips: list[Strip] | None
    _closed_since_key = False  # the panel closed; no key has reached the list since

    def open_panel(self, panel: OutcomePanel) -> None:
        """Draw `panel` under the cursor's row; keys go to it until it saves or cancels."""
        self.panel = panel
        self.panel_changed()

    def close_panel(self) -> None:
        self.panel_changed()  # where it was drawn
        self.panel = None
        self._closed_since_key = True

    def panel_changed(self) -> None:
        """Redraw the panel's lines only: the rows around it have not changed."""
        self._panel_strips = None
        top, _left, _width = self._panel_placement()
        self.refresh(Region(0, top, self.view_width, PANEL_HEIGHT))

    async def _on_key(self, event: events.Key) -> None:
        panel = self.panel
        if panel is None and self._closed_since_key:
            self._closed_since_key = False
            if await self._run_turned_off_binding(event):
                return
        if panel is None or event.key in ("ctrl+p", "ctrl+q", "ctrl+c"):
            await super()._on_key(event)  # the palette and quitting stay the app's
            return
        event.stop()
        event.prevent_default()
        result = panel.key(event.key, event.character)
        if result == "cancel":
            self.close_panel()
        elif result == "save":
            self.save_panel()
        else:
            self.panel_changed()

    async def _run_turned_off_binding(self, event: events.Key) -> bool:
        """An outcome key or a form opener typed while the panel was open, arriving after
        it closed: the app turned its binding off as it passed (the panel was open, so the
        key was text) and handed it on. The panel is gone now: run the binding, in typed
        order, so that `1⏎1⏎` in one burst logs two outcomes."""
        active = self.screen.active_bindings.get(event.key)
        if active is None or not active.binding.priority or not active.enabled:
            return False
        event.stop()
        event.prevent_default()
        await self.app.run_action(active.binding.action, active.node)
        return True

    def save_panel(self) -> None:
        """Hand the choice to the panel's owner, then close: one frame shows the result."""
        from callq.rules.phrases import CallbackError

        panel = self.panel
        if panel is None:
            return
        try:
            choice = panel.choice()
        except CallbackError:
            panel.editing = "when"  # the preview line already says why
            self.panel_changed()
            return
        top, _left, _width = self._panel_placement()
        self.panel = None
        self._panel_strips = None
        self._closed_since_key = True
        panel.done(choice)
        self.refresh(Region(0, top, self.view_width, PANEL_HEIGHT))  # where the panel was

    def _on_paste(self, event: events.Paste) -> None:
        if self.panel is not None:
            event.stop()
            self.panel.field().insert(event.text)
            self.panel_changed()

    def _panel_placement(self) -> tuple[int, int, int]:
        """(top line on screen, left column, width) of the panel: under the cursor's row
        when it fits, else above it, so the lead being logged stays in view."""
        width = min(PANEL_WIDTH, max(self.view_width - 2, 20))
        row = self.cursor - self.scroll_offset.y
        below = row + 1 + PANEL_HEIGHT <= self.size.height
        top = row + 1 if below else max(row - PANEL_HEIGHT, 0)
        return top, max((self.view_width - width) // 2, 0), width

    def _panel_line(self, y: int, under: Strip) -> Strip:
        top, left, width = self._panel_placement()
        if self._panel_strips is None:
            from callq.widgets.outcome_panel import PanelStyles

            style = self.get_component_rich_style
            styles = PanelStyles(
                border=style("queue-list--panel-border"),
                title=style("queue-list--panel-title"),
                label=style("queue-list--panel-dim"),
                input=Style(),
                cursor=Style(reverse=True),
                preview=style("queue-list--panel-ok"),
                error=style("queue-list--panel-error"),
                warning=style("queue-list--panel-warning"),
            )
            base = self.base_style + style("queue-list--panel")
            self._panel_strips = [
                text_strip(text, base, self.app.console) for text in self.panel.lines(width, styles)
            ]
        index = y - top
        if not 0 <= index < len(self._panel_strips):
            return under
        return over(under, self._panel_strips[index], left, width)
