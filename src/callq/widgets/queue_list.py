"""A virtual queue list: renders only the visible lines and fetches pages of rows on demand."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from callq.describe import attempt_text
from callq.phones import display_phone
from callq.services.views import SECTION_TITLES, SECTIONS, QueueItem

if TYPE_CHECKING:  # the panel (and the time parsing under it) loads after the first frame
    from rich.text import Text
    from textual.timer import Timer

    from callq.widgets.outcome_panel import OutcomePanel
    from callq.widgets.toasts import Toast, ToastStack

PANEL_WIDTH, PANEL_HEIGHT = 72, 9  # the outcome panel's size, borders included

PAGE = 64
# After this many rows left a page in place, it is re-read in the background: the window
# (up to ~60 rows) still has rows to show meanwhile, and no read waits inside a frame.
TOP_UP_AFTER = 4
PageFetcher = Callable[[str, int, int], list[QueueItem]]


@dataclass(frozen=True)
class Block:
    """One section's lines: a header line at `start`, then `count` rows."""

    section: str
    start: int
    count: int


def late_text(minutes: int) -> str:
    return f"{span_text(minutes)} late"


def span_text(minutes: int) -> str:
    """`15m`, `2h05`, `3d 4h`: how long, compactly."""
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours}h{rest:02d}"
    days, rest = divmod(minutes, 24 * 60)
    return f"{days}d {rest // 60}h" if rest // 60 else f"{days}d"


def in_text(due_at: datetime, now: datetime) -> str:
    minutes = int((due_at - now).total_seconds() // 60)
    if minutes < 60:
        return f"in {max(minutes, 0)}m"
    return f"in {minutes // 60}h{minutes % 60:02d}"


class QueueList(ScrollView, can_focus=True):
    """The rep's queue, section by section; the cursor is always on a lead row."""

    COMPONENT_CLASSES = {
        "queue-list--header",
        "queue-list--cursor",
        "queue-list--late",
        "queue-list--dim",
        "queue-list--high",
        "queue-list--panel",
        "queue-list--panel-border",
        "queue-list--panel-title",
        "queue-list--panel-dim",
        "queue-list--panel-ok",
        "queue-list--panel-error",
        "queue-list--panel-warning",
        "queue-list--toast",
        "queue-list--toast-title",
        "queue-list--toast-information",
        "queue-list--toast-warning",
        "queue-list--toast-error",
    }
    DEFAULT_CSS = """
    QueueList { height: 1fr; background: $surface; overflow-x: hidden; }
    QueueList > .queue-list--header { background: $primary-muted; color: $text; text-style: bold; }
    QueueList > .queue-list--cursor { background: $accent 50%; text-style: bold; }
    QueueList:focus > .queue-list--cursor { background: $accent; color: $text; }
    QueueList > .queue-list--late { color: $error; text-style: bold; }
    QueueList > .queue-list--dim { color: $text-muted; }
    QueueList > .queue-list--high { color: $warning; text-style: bold; }
    QueueList > .queue-list--panel { background: $surface-lighten-1; color: $text; }
    QueueList > .queue-list--panel-border { color: $accent; text-style: bold; }
    QueueList > .queue-list--panel-title { color: $accent; text-style: bold; }
    QueueList > .queue-list--panel-dim { color: $text-muted; }
    QueueList > .queue-list--panel-ok { color: $success; }
    QueueList > .queue-list--panel-error { color: $error; }
    QueueList > .queue-list--panel-warning { color: $warning; }
    QueueList > .queue-list--toast { background: $panel-lighten-1; color: $foreground; }
    QueueList > .queue-list--toast-title {
        background: $panel-lighten-1; color: $foreground; text-style: bold;
    }
    QueueList > .queue-list--toast-information { background: $panel-lighten-1; color: $success; }
    QueueList > .queue-list--toast-warning { background: $panel-lighten-1; color: $warning; }
    QueueList > .queue-list--toast-error { background: $panel-lighten-1; color: $error; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(0)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
    ]

    class PagesShort(Message):
        """Rows left these pages in place: re-read them before the view reaches their end."""

        def __init__(self, keys: list[tuple[str, int]]) -> None:
            super().__init__()
            self.keys = keys

    class Moved(Message):
        """The cursor moved to another lead (or to none)."""

        def __init__(self, item: QueueItem | None) -> None:
            super().__init__()
            self.item = item

    def __init__(self, *, tz: ZoneInfo, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tz = tz
        self.now: datetime | None = None
        self.blocks: tuple[Block, ...] = ()
        self.cursor = 0  # a line number; always a row line when there are rows
        self._fetch: PageFetcher | None = None
        self._pages: dict[tuple[str, int], list[QueueItem]] = {}
        self._short: set[tuple[str, int]] = set()  # pages a row left (re-read past their end)
        self._strips: dict[tuple, tuple[QueueItem, Strip]] = {}  # rendered rows
        self.panel: OutcomePanel | None = None  # the outcome being entered, drawn over rows
        self._panel_strips: list[Strip] | None = None
        self.toasts: ToastStack | None = None  # over the bottom-right rows (widgets/toasts)
        self._toast_strips: list[Strip | None] | None = None
        self._toast_timer: Timer | None = None
        self._toast_width = 0  # the width the toast strips were built for
        self._pass_style: Style | None = None  # the base style during one rendering pass

    # -- data -------------------------------------------------------------

    def load(
        self,
        counts: dict[str, int],
        fetch: PageFetcher,
        now: datetime,
        pages: dict[tuple[str, int], list[QueueItem]] | None = None,
    ) -> None:
        """New counts and a page source; keeps the cursor's line (the next lead moves up).

        `pages`: pages already read for these counts (off the UI thread), so drawing
        does not wait for the database.
        """
        if now != self.now:
            self._strips.clear()  # "in 5m" and "late" texts follow the clock
        self._fetch, self.now = fetch, now
        self._pages = dict(pages or {})
        self._short.clear()
        self._set_blocks(counts)
        self._settle(self.cursor, 1)
        self.refresh()
        self.post_message(self.Moved(self.current_item))

    def _set_blocks(self, counts: dict[str, int]) -> None:
        self.blocks = blocks_for(counts)
        self._set_virtual_height(self.line_count)

    def _set_virtual_height(self, lines: int) -> None:
        """The scrollable height. `virtual_size` is a layout reactive: each outcome (one line
        fewer) would reflow and repaint the whole screen. While the list stays taller than
        its window, and the scroll position stays valid, only the scrollbar's thumb changes."""
        size = Size(self.size.width, lines)
        old = self.virtual_size
        window = self.scrollable_content_region.height
        if (
            size.width == old.width
            and old.height > window
            and lines > window
            and self.scroll_offset.y <= lines - window
            and self.show_vertical_scrollbar
        ):
            self.set_reactive(QueueList.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = lines
            return
        self.virtual_size = size

    def redraw_rows(self) -> None:
        """Render every row anew (what a row shows changed, not the rows themselves)."""
        self._strips.clear()
        self.refresh()

    def visible_pages(self, counts: dict[str, int]) -> list[tuple[str, int]]:
        """The (section, page) keys the visible lines would show with `counts`."""
        blocks = blocks_for(counts)
        top = self.scroll_offset.y
        keys: list[tuple[str, int]] = []
        for line in range(max(top - 1, 0), top + max(self.size.height, 1) + 1):
            block, offset = _locate(blocks, line)
            if block is not None and offset is not None and offset < block.count:
                key = (block.section, offset // PAGE)
                if key not in keys:
                    keys.append(key)
        return keys

    def shift(self, from_section: str, to_section: str | None) -> None:
        """The cursor's row left `from_section` (for `to_section`, or the queue).

        Updated in place from the pages already read: the rows below move up one line and
        nothing is read from the database before the next frame.
        """
        counts = self.counts
        block, offset = self.locate(self.cursor)
        counts[from_section] = max(0, counts.get(from_section, 0) - 1)
        if to_section is not None:
            counts[to_section] = counts.get(to_section, 0) + 1
        if block.section == from_section and offset is not None:
            page_no, index = divmod(offset, PAGE)
            page = self._pages.get((from_section, page_no))
            if page is not None and index < len(page):
                page = self._pages[(from_section, page_no)] = page[:index] + page[index + 1 :]
                if len(page) <= PAGE - TOP_UP_AFTER:
                    self.post_message(self.PagesShort([(from_section, page_no)]))
            self._short.add((from_section, page_no))
        for key in list(self._pages):
            if key[0] == to_section or (key[0] == from_section and key[1] > offset // PAGE):
                del self._pages[key]
        self._set_blocks(counts)
        self._settle(self.cursor, 1)
        self.refresh()
        self.post_message(self.Moved(self.current_item))

    def top_up(self, pages: dict[tuple[str, int], list[QueueItem]]) -> None:
        """Pages re-read off the UI thread (nothing changed here since): rows that scroll
        into view need no read in the middle of a frame. Redraws only if a row differs."""
        changed = False
        for key, page in pages.items():
            old = self._pages.get(key)
            self._pages[key] = page
            self._short.discard(key)
            changed = changed or old is None or page[: len(old)] != old
        if changed:
            self.refresh()

    @property
    def counts(self) -> dict[str, int]:
        return {block.section: block.count for block in self.blocks}

    @property
    def line_count(self) -> int:
        return self.blocks[-1].start + 1 + self.blocks[-1].count if self.blocks else 0

    def locate(self, line: int) -> tuple[Block, int | None]:
        """The block of `line` and the row offset in its section (None: the header)."""
        block, offset = _locate(self.blocks, line)
        if block is None:
            raise IndexError(line)
        return block, offset

    def item_at(self, line: int) -> QueueItem | None:
        if not self.blocks or not 0 <= line < self.line_count:
            return None
        block, offset = self.locate(line)
        if offset is None or offset >= block.count:
            return None
        page_no, index = divmod(offset, PAGE)
        key = (block.section, page_no)
        page = self._pages.get(key)
        if page is None or (index >= len(page) and key in self._short):
            page = self._fetch(block.section, page_no * PAGE, PAGE) if self._fetch else []
            self._pages[key] = page
            self._short.discard(key)
        return page[index] if index < len(page) else None

    @property
    def current_item(self) -> QueueItem | None:
        return self.item_at(self.cursor)

    # -- cursor -----------------------------------------------------------

    def _is_row(self, line: int) -> bool:
        block, offset = self.locate(line)
        return offset is not None

    def _settle(self, line: int, direction: int) -> None:
        """Put the cursor on the nearest row line from `line` in `direction`, else the other way."""
        total = self.line_count
        if total == 0 or all(b.count == 0 for b in self.blocks):
            self.cursor = 0
            return
        line = min(max(line, 0), total - 1)
        for step in (direction, -direction):
            probe = line
            while 0 <= probe < total:
                if self._is_row(probe):
                    self.cursor = probe
                    return
                probe += step

    def move_to(self, line: int, direction: int = 1) -> None:
        before = self.cursor
        self._settle(line, direction)
        if self.cursor != before:
            self.refresh()
        self.scroll_to_region_visible()
        self.post_message(self.Moved(self.current_item))

    def scroll_to_region_visible(self) -> None:
        top, height = self.scroll_offset.y, max(self.size.height, 1)
        if self.cursor < top + 1:
            self.scroll_to(y=max(self.cursor - 1, 0), animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step, 1 if step > 0 else -1)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(self.size.height - 1, 1), direction)

    def action_edge(self, end: int) -> None:
        self.move_to(self.line_count - 1 if end else 0, -1 if end else 1)

    def select_first(self) -> None:
        self.move_to(0, 1)

    def on_click(self, event) -> None:  # noqa: ANN001
        self.move_to(self.scroll_offset.y + event.y, 1)

    # -- the outcome panel ------------------------------------------------

    def open_panel(self, panel: OutcomePanel) -> None:
        """Draw `panel` under the cursor's row; keys go to it until it saves or cancels."""
        self.panel = panel
        self.panel_changed()

    def close_panel(self) -> None:
        self.panel_changed()  # where it was drawn
        self.panel = None

    def panel_changed(self) -> None:
        """Redraw the panel's lines only: the rows around it have not changed."""
        self._panel_strips = None
        top, _left, _width = self._panel_placement()
        self.refresh(Region(0, top, self.size.width, PANEL_HEIGHT))

    async def _on_key(self, event: events.Key) -> None:
        panel = self.panel
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

    def save_panel(self) -> None:
        """Hand the choice to the panel's owner, then close: one frame shows the result."""
        from callq.phrases import CallbackError

        panel = self.panel
        if panel is None:
            return
        try:
            choice = panel.choice()
        except CallbackError:
            panel.editing = "when"  # the preview line already says why
            self.panel_changed()
            return
        self.panel = None
        self._panel_strips = None
        panel.done(choice)
        self.refresh()

    def _on_paste(self, event: events.Paste) -> None:
        if self.panel is not None:
            event.stop()
            self.panel.field().insert(event.text)
            self.panel_changed()

    def _panel_placement(self) -> tuple[int, int, int]:
        """(top line on screen, left column, width) of the panel: under the cursor's row
        when it fits, else above it, so the lead being logged stays in view."""
        width = min(PANEL_WIDTH, max(self.size.width - 2, 20))
        row = self.cursor - self.scroll_offset.y
        below = row + 1 + PANEL_HEIGHT <= self.size.height
        top = row + 1 if below else max(row - PANEL_HEIGHT, 0)
        return top, max((self.size.width - width) // 2, 0), width

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
                self._text_strip(text, base) for text in self.panel.lines(width, styles)
            ]
        index = y - top
        if not 0 <= index < len(self._panel_strips):
            return under
        return self._over(under, self._panel_strips[index], left, width)

    def _text_strip(self, text: Text, base: Style) -> Strip:
        return Strip(text.render(self.app.console), text.cell_len).apply_style(base)

    @staticmethod
    def _over(under: Strip, strip: Strip, left: int, width: int) -> Strip:
        """`strip`, `width` cells of it, drawn over the row `under` from column `left`."""
        return Strip.join(
            [under.crop(0, left), strip.crop(0, width), under.crop(left + width, under.cell_length)]
        )

    # -- toasts -----------------------------------------------------------

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
            area = self.toasts.area(self.size.width, self.size.height, len(self._toast_lines()))
            self.refresh(Region(area.left, area.top, area.width, area.height))

    def _toast_lines(self) -> list[Strip | None]:
        width = self.toasts.width_for(self.size.width)
        if self._toast_strips is None or self._toast_width != width:  # new toasts, or resized
            from callq.widgets.toasts import ToastStyles

            style = self.get_component_rich_style
            styles = ToastStyles(
                body=style("queue-list--toast"),
                title=style("queue-list--toast-title"),
                bars={
                    severity: style(f"queue-list--toast-{severity}")
                    for severity in ("information", "warning", "error")
                },
            )
            self._toast_width = width
            self._toast_strips = [
                None if text is None else self._text_strip(text, self.base_style)
                for text in self.toasts.lines(width, styles)
            ]
        return self._toast_strips

    def _toast_line(self, y: int, under: Strip) -> Strip:
        lines = self._toast_lines()
        area = self.toasts.area(self.size.width, self.size.height, len(lines))
        index = y - area.top
        if not 0 <= index < len(lines) or lines[index] is None:
            return under
        return self._over(under, lines[index], area.left, area.width)

    # -- rendering ----------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # `rich_style` walks every ancestor's styles; per line it was most of the cost of
        # redrawing the rows an outcome shifts. It cannot change within one pass.
        self._pass_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._pass_style = None

    @property
    def base_style(self) -> Style:
        return self.rich_style if self._pass_style is None else self._pass_style

    def render_line(self, y: int) -> Strip:
        strip = self._row_line(y)
        if self.toasts and self.toasts.toasts:
            strip = self._toast_line(y, strip)
        return strip if self.panel is None else self._panel_line(y, strip)

    def _row_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        width = self.size.width
        base = self.base_style
        if not self.blocks or line >= self.line_count:
            return Strip.blank(width, base)
        block, offset = self.locate(line)
        if offset is None:
            style = self.get_component_rich_style("queue-list--header")
            title = f" {SECTION_TITLES[block.section]} ({block.count})"
            if block.section == "upcoming" and block.count:
                title += "  · by day"
            return Strip([Segment(title.ljust(width)[:width], style)], width)
        item = self.item_at(line)
        if item is None:
            return Strip.blank(width, base)
        # Only an upcoming row's time column depends on the row above (same day: no date).
        previous = self.item_at(line - 1) if offset > 0 and item.section == "upcoming" else None
        same_day = (
            previous is not None
            and previous.due_at.astimezone(self.tz).date() == item.due_at.astimezone(self.tz).date()
        )
        # Rows keep their strips when they move (an outcome shifts every row below it by one).
        # Only the cursor's row looks different with focus: the others keep their strips
        # when the outcome form takes the focus and gives it back. Keyed by the item's
        # identity (hashing its eighteen fields was a third of a cached row's cost); the
        # entry holds the item, so that identity cannot pass to another item meanwhile.
        cursor = line == self.cursor
        styles = (base, self.get_component_rich_style("queue-list--cursor")) if cursor else base
        key = (id(item), same_day, cursor, width, styles)
        cached = self._strips.get(key)
        if cached is not None and cached[0] is item:
            return cached[1]
        if len(self._strips) > 4 * PAGE:
            self._strips.clear()
        strip = self._row_strip(item, previous, cursor, width)
        self._strips[key] = (item, strip)
        return strip

    def _row_strip(
        self, item: QueueItem, previous: QueueItem | None, cursor: bool, width: int
    ) -> Strip:
        """One row as segments, built directly: a Rich Text per row (spans, render,
        truncate) cost ~0.4 ms a row, a sixth of the first frame."""
        base = self.base_style
        over = self.get_component_rich_style("queue-list--cursor") if cursor else None
        segments = [
            Segment(text, style + over if over else style)
            for text, style in self.row_cells(item, previous, wide=width >= 110)
        ]
        strip = Strip(segments)
        if strip.cell_length > width:  # the note is cut, visibly
            strip = Strip.join([strip.crop(0, width - 1), Strip([Segment("…", over)])])
        else:
            strip = strip.extend_cell_length(width, over or Style())
        return strip.apply_style(base)

    def row_cells(
        self, item: QueueItem, previous: QueueItem | None, wide: bool = True
    ) -> list[tuple[str, Style]]:
        """One row's cells; narrow terminals drop company and channel so the due column stays."""
        late = self.get_component_rich_style("queue-list--late")
        dim = self.get_component_rich_style("queue-list--dim")
        high = self.get_component_rich_style("queue-list--high")
        plain = Style()
        mark = "!" if item.urgency == "high" else " "
        cells = [
            (f" {mark} ", high if item.urgency == "high" else dim),
            (_cell(item.name, 20), plain),
            (_cell(display_phone(item.phone), 17), plain),
        ]
        if wide:
            cells += [(_cell(item.company or "-", 14), dim), (_cell(item.source, 9), dim)]
        due, breached = self.due_text(item, previous)
        last = item.last_outcome.replace("_", " ") if item.last_outcome else ""
        if item.last_note:
            last = f"{last}: {item.last_note}" if last else item.last_note
        cells += [
            (_cell(item.stage, 10), plain),
            (_cell(attempt_text(item.touch, item.touches_total), 6), dim),
            (_cell(due, 17), late if breached else plain),
            (" ".join(last.split()) or "-", dim),  # one line, whatever the note holds
        ]
        return cells

    def due_text(self, item: QueueItem, previous: QueueItem | None) -> tuple[str, bool]:
        """The due column and whether it is a breach (late / SLA missed / escalated)."""
        local = item.due_at.astimezone(self.tz)
        if item.section in ("new", "overdue") and item.late_minutes > 0:
            flag = "ESC " if item.escalated else ""
            return flag + late_text(item.late_minutes), True
        if item.section == "upcoming":
            prev_day = previous.due_at.astimezone(self.tz).date() if previous else None
            if prev_day == local.date():
                return f"     {local:%H:%M}", False
            return f"{local:%a %d %b} {local:%H:%M}", False
        if self.now is not None:
            return f"{local:%H:%M} {in_text(item.due_at, self.now)}", False
        return f"{local:%H:%M}", False


def blocks_for(counts: dict[str, int]) -> tuple[Block, ...]:
    """Each section's header line and rows, in SPEC order."""
    blocks, start = [], 0
    for section in SECTIONS:
        blocks.append(Block(section, start, counts.get(section, 0)))
        start += 1 + counts.get(section, 0)
    return tuple(blocks)


def _locate(blocks: tuple[Block, ...], line: int) -> tuple[Block | None, int | None]:
    for block in reversed(blocks):
        if line >= block.start:
            return block, (line - block.start - 1) if line > block.start else None
    return None, None


def _cell(value: str, width: int) -> str:
    value = value or ""
    if len(value) >= width:
        value = value[: width - 2] + "…"
    return value.ljust(width)
