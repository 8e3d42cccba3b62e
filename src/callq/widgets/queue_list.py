"""A virtual queue list: renders only the visible lines and fetches pages of rows on demand.

The outcome panel drawn over its rows is `widgets.queue_overlay`, the toasts over its
bottom-right rows `widgets.queue_toasts`; both are mixed into `QueueList`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from callq.phones import display_phone
from callq.rules.queue import SECTION_TITLES, SECTIONS, QueueItem
from callq.visible import safe
from callq.widgets.queue_overlay import PANEL_HEIGHT as PANEL_HEIGHT
from callq.widgets.queue_overlay import PANEL_WIDTH as PANEL_WIDTH
from callq.widgets.queue_overlay import PanelOverlay
from callq.widgets.queue_toasts import ToastLayer
from callq.wording import attempt_text, clock, late_text, until_text, when

if TYPE_CHECKING:  # the panel (and the time parsing under it) loads after the first frame
    from textual.timer import Timer

    from callq.widgets.outcome_panel import OutcomePanel
    from callq.widgets.toasts import Toast, ToastStack

PAGE = 64
PageFetcher = Callable[[str, int, int], list[QueueItem]]


@dataclass(frozen=True)
class Column:
    """One column of the queue's rows, and when a narrow terminal gives it up."""

    key: str
    title: str
    width: int  # cells; the last column takes what is left, and needs at least this
    drop: int  # narrow terminals drop columns in this order (1 first); 0: always shown


# The rows' columns, left to right. What a rep needs to pick up the phone (who, the
# number, how late) always stays; company and channel go first, then the stage, then the
# last outcome, then the attempt. 120 columns show all; 80 show name, phone, attempt,
# due and the last outcome.
COLUMNS = (
    Column("mark", "", 3, 0),  # `!` high urgency
    Column("name", "Name", 20, 0),
    Column("phone", "Phone", 17, 0),
    Column("company", "Company", 14, 1),
    Column("channel", "Channel", 9, 2),
    Column("stage", "Stage", 10, 3),
    Column("attempt", "Attempt", 8, 5),
    Column("due", "Due / late", 17, 0),
    Column("last", "Last outcome", 12, 4),
)


# What the markers in a row mean: the help screen lists these, in this order.
ROW_MARKERS = (
    ("!", "high urgency"),
    ("2h05 late", "past its deadline (first-response SLA or due time)"),
    ("ESC 5d 4h late", "escalated: uncontacted well past its SLA"),
    ("10:00 in 45m", "due today at 10:00, in 45 minutes"),
    ("Fri 4 Dec 09:30", "upcoming; a time alone: same day as the row above"),
    ("2/5", "the next call is touch 2 of the cadence's 5"),
    ("#7", "the next call is the 7th, past the cadence"),
)


@functools.cache
def columns_for(width: int) -> tuple[Column, ...]:
    """The columns shown in `width` cells: drop in `drop` order until the rest fit."""
    shown = list(COLUMNS)
    for column in sorted((c for c in COLUMNS if c.drop), key=lambda c: c.drop):
        if sum(c.width for c in shown) <= width:
            break
        shown.remove(column)
    return tuple(shown)


def column_titles(width: int) -> str:
    """The title line over the rows, `width` cells wide, aligned with `columns_for(width)`."""
    shown = columns_for(width)
    line = "".join(c.title if c is shown[-1] else c.title.ljust(c.width)[: c.width] for c in shown)
    return line.ljust(width)[:width]


class QueueColumns(Widget):
    """The queue's column titles, over the list and aligned with its rows."""

    DEFAULT_CSS = """
    QueueColumns { height: 1; background: $surface; color: $text-muted; text-style: bold; }
    """

    def __init__(self, queue: QueueList, id: str | None = None) -> None:
        super().__init__(id=id)
        self.queue = queue
        queue.titles = self  # refreshed when the list's scrollbar comes or goes

    def render(self) -> str:
        width = self.queue.view_width if self.queue.size.width else self.size.width
        return column_titles(width)


@dataclass(frozen=True)
class Block:
    """One section's lines: a header line at `start`, then `count` rows."""

    section: str
    start: int
    count: int


@dataclass(frozen=True)
class Logged:
    """A row whose outcome was just logged: it keeps its line, drawn as done, until the
    list is re-read. Rows below do not move, so an outcome redraws a few lines, not the
    whole list (every row below shifting up one line was most of an outcome's frame)."""

    section: str
    offset: int  # the row's offset in its section when it was logged
    item: QueueItem
    text: str


class QueueList(PanelOverlay, ToastLayer, ScrollView, can_focus=True):
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

    class Stale(Message):
        """Rows were read while outcomes waited in place: only a re-read places them exactly
        (a logged lead's next follow-up is in the database, not yet in the pages)."""

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
        self._logged: dict[int, Logged] = {}  # by line, until the next `load`
        self._arrived: dict[str, int] = {}  # logged leads' next follow-ups, by section
        self._strips: dict[tuple, tuple[QueueItem, Strip]] = {}  # rendered rows
        self.panel: OutcomePanel | None = None  # the outcome being entered, drawn over rows
        self._panel_strips: list[Strip] | None = None
        self.toasts: ToastStack | None = None  # over the bottom-right rows (widgets/toasts)
        self._toast_strips: list[Strip | None] | None = None  # the stack's lines
        self._toast_cache: dict[Toast, list[Strip]] = {}  # each shown toast's lines
        self._toast_timer: Timer | None = None
        self._toast_look: tuple[int, Style] | None = None  # what the toast strips were built for
        self._pass_style: Style | None = None  # the base style during one rendering pass
        self.titles: QueueColumns | None = None  # the column titles over the rows

    def watch_show_vertical_scrollbar(self) -> None:
        # The rows lose (or gain) the scrollbar's columns: so do the titles over them.
        if self.titles is not None:
            self.titles.refresh()

    # -- data -------------------------------------------------------------

    def load(
        self,
        counts: dict[str, int],
        fetch: PageFetcher,
        now: datetime,
        pages: dict[tuple[str, int], list[QueueItem]] | None = None,
    ) -> None:
        """New counts and a page source. The cursor stays on its lead when that lead is
        still near; else on its line (the next lead moves up). Rows logged in place leave.

        `pages`: pages already read for these counts (off the UI thread), so drawing
        does not wait for the database.
        """
        if now != self.now:
            self._strips.clear()  # "in 5m" and "late" texts follow the clock
        was = self.current_item if self._fetch is not None else None
        # Logged rows above the cursor and above the view leave: what follows moves up.
        above_cursor = sum(1 for line in self._logged if line < self.cursor)
        above_view = sum(1 for line in self._logged if line < self.scroll_offset.y)
        self._logged.clear()
        self._arrived.clear()
        self._fetch, self.now = fetch, now
        self._pages = dict(pages or {})
        self._set_blocks(counts)
        if above_view:
            self.scroll_to(y=self.scroll_offset.y - above_view, animate=False, immediate=True)
        self._settle(self.cursor - above_cursor, 1)
        if was is not None:
            self.follow(was.lead_id)
        self.refresh()
        self.post_message(self.Moved(self.current_item))

    def follow(self, lead_id: int, spread: int = 3) -> bool:
        """Put the cursor on `lead_id`'s row if it is within `spread` rows of the cursor
        (rows above it came or went: the rep's next key must not land on another lead)."""
        for step in sorted(range(-spread, spread + 1), key=abs):
            line = self.cursor + step
            if 0 <= line < self.line_count and self._is_row(line):
                item = self.item_at(line)
                if item is not None and item.lead_id == lead_id:
                    if line != self.cursor:
                        self.move_to(line)
                    return True
        return False

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

    def log_in_place(self, text: str, to_section: str | None) -> None:
        """The cursor's lead was logged (`text` says how); its next follow-up, if any, is
        in `to_section`. The row stays on its line, drawn as done, and the cursor moves to
        the next lead: only those lines and the sections' titles are redrawn. The rows
        take their exact places at the next `load` (the screen re-reads when the rep
        pauses, or when the cursor nears the bottom of the view)."""
        block, offset = self.locate(self.cursor)
        item = self.current_item
        if offset is None or item is None:
            return
        line = self.cursor
        self._logged[line] = Logged(block.section, offset, item, text)
        if to_section is not None:
            self._arrived[to_section] = self._arrived.get(to_section, 0) + 1
        self._settle(line + 1, 1)
        titles = {b.start for b in self.blocks if b.section in (block.section, to_section)}
        for changed in {line, self.cursor, *titles}:
            if 0 <= changed - self.scroll_offset.y < self.size.height:
                self.refresh_line(changed)
        self.scroll_to_region_visible()
        self.post_message(self.Moved(self.current_item))

    @property
    def view_width(self) -> int:
        """The columns rows are drawn in: the vertical scrollbar takes the last ones."""
        return self.scrollable_content_region.width

    @property
    def logged_in_place(self) -> int:
        """Rows logged since the list was last loaded (they still hold their lines)."""
        return len(self._logged)

    @property
    def rows_below_cursor(self) -> int:
        """Lines of the view below the cursor's row."""
        return self.size.height - 1 - (self.cursor - self.scroll_offset.y)

    @property
    def counts(self) -> dict[str, int]:
        """Leads per section, as the rep should read them (logged rows counted where
        their next follow-up went)."""
        counts = {block.section: block.count for block in self.blocks}
        for logged in self._logged.values():
            counts[logged.section] -= 1
        for section, arrived in self._arrived.items():
            counts[section] = counts.get(section, 0) + arrived
        return counts

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
        if offset is None or offset >= block.count or line in self._logged:
            return None
        page_no, index = divmod(offset, PAGE)
        key = (block.section, page_no)
        page = self._pages.get(key)
        if page is None:
            page = self._pages[key] = self._read_page(block.section, page_no)
        return page[index] if index < len(page) else None

    def _read_page(self, section: str, page_no: int) -> list[QueueItem]:
        if self._fetch is None:
            return []
        start = page_no * PAGE
        # Logged rows above still hold lines here but are no longer in the database.
        gone = sum(1 for g in self._logged.values() if g.section == section and g.offset < start)
        if self._arrived.get(section):  # where a next follow-up went is the database's to say
            self.post_message(self.Stale())
        return self._fetch(section, start - gone, PAGE)

    @property
    def current_item(self) -> QueueItem | None:
        return self.item_at(self.cursor)

    # -- cursor -----------------------------------------------------------

    def _is_row(self, line: int) -> bool:
        """A lead the cursor can be on: not a section's title, nor a row logged in place."""
        block, offset = self.locate(line)
        return offset is not None and line not in self._logged

    def _settle(self, line: int, direction: int) -> None:
        """Put the cursor on the nearest row line from `line` in `direction`, else the other way."""
        total = self.line_count
        if total == 0 or all(b.count == 0 for b in self.blocks):
            self.cursor = 0
            return  # with only logged rows left, the cursor stays (on no lead)
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

    def action_section(self, step: int) -> None:
        """To the first lead of the next (`step` 1) or previous (-1) section with leads,
        its title at the top of the view: Overdue is one key away below a long New."""
        if not self.blocks:
            return
        here, _ = self.locate(self.cursor)
        index = self.blocks.index(here)
        ahead = self.blocks[index + 1 :] if step > 0 else tuple(reversed(self.blocks[:index]))
        for block in ahead:
            first = next(
                (
                    line
                    for line in range(block.start + 1, block.start + 1 + block.count)
                    if self._is_row(line)
                ),
                None,
            )
            if first is not None:
                self.scroll_to(y=block.start, animate=False, immediate=True)
                self.move_to(first)
                return

    def on_click(self, event) -> None:  # noqa: ANN001
        self.move_to(self.scroll_offset.y + event.y, 1)

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
        width = self.view_width
        base = self.base_style
        if not self.blocks or line >= self.line_count:
            return Strip.blank(width, base)
        block, offset = self.locate(line)
        if offset is None:
            style = self.get_component_rich_style("queue-list--header")
            count = self.counts[block.section] if self._logged else block.count
            title = f" {SECTION_TITLES[block.section]} ({count})"
            if block.section == "upcoming" and count:
                title += "  · by day"
            return Strip([Segment(title.ljust(width)[:width], style)], width)
        logged = self._logged.get(line)
        if logged is not None:
            return self._logged_strip(logged, width)
        item = self.item_at(line)
        if item is None:
            return Strip.blank(width, base)
        # Only an upcoming row's time column depends on the row above (same day: no date).
        previous = self.item_at(line - 1) if offset > 0 and item.section == "upcoming" else None
        same_day = (
            previous is not None
            and previous.due_at.astimezone(self.tz).date() == item.due_at.astimezone(self.tz).date()
        )
        # Rows keep their strips when they move (a re-read after outcomes moves the rows
        # below them up).
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
            for text, style in self.row_cells(item, previous, columns_for(width))
        ]
        return _fit(segments, width, over).apply_style(base)

    def _logged_strip(self, logged: Logged, width: int) -> Strip:
        """`✓  Name  phone  No answer · next Tue 10:00`: what was logged, where the row was."""
        dim = self.get_component_rich_style("queue-list--dim")
        ok = self.get_component_rich_style("queue-list--panel-ok")
        item = logged.item
        segments = [
            Segment(" ✓ ", ok),
            Segment(_cell(item.name, 20), dim),
            Segment(_cell(display_phone(item.phone), 17), dim),
            Segment(safe(logged.text), ok),
        ]
        return _fit(segments, width, None).apply_style(self.base_style)

    def row_cells(
        self, item: QueueItem, previous: QueueItem | None, columns: tuple[Column, ...] = COLUMNS
    ) -> list[tuple[str, Style]]:
        """One row's cells, in `columns` (narrow terminals drop some: see `COLUMNS`)."""
        late = self.get_component_rich_style("queue-list--late")
        dim = self.get_component_rich_style("queue-list--dim")
        high = self.get_component_rich_style("queue-list--high")
        plain = Style()
        cells = []
        for column in columns:
            key, width = column.key, column.width
            if key == "mark":
                urgent = item.urgency == "high"
                cells.append((" ! " if urgent else "   ", high if urgent else dim))
            elif key == "name":
                cells.append((_cell(item.name, width), plain))
            elif key == "phone":
                cells.append((_cell(display_phone(item.phone), width), plain))
            elif key == "company":
                cells.append((_cell(item.company or "-", width), dim))
            elif key == "channel":  # a message touch shows its channel, a call the source
                channel = f"✉{item.channel}" if item.channel else item.source
                cells.append((_cell(channel, width), plain if item.channel else dim))
            elif key == "stage":
                cells.append((_cell(item.stage, width), plain))
            elif key == "attempt":
                cells.append((_cell(attempt_text(item.touch, item.touches_total), width), dim))
            elif key == "due":
                due, breached = self.due_text(item, previous)
                cells.append((_cell(due, width), late if breached else plain))
            elif key == "last":
                last = item.last_text()
                # One line, whatever the note holds; the row's end cuts it with `…`.
                cells.append((safe(" ".join(last.split())) or "-", dim))
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
                return f"     {clock(local)}", False
            return when(item.due_at, self.tz, self.now), False
        if self.now is not None:
            return f"{clock(local)} {until_text(item.due_at, self.now)}", False
        return clock(local), False


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


def _fit(segments: list[Segment], width: int, style: Style | None) -> Strip:
    """A row of exactly `width` cells: padded in `style`, or cut with a visible `…`."""
    strip = Strip(segments)
    if strip.cell_length > width:
        return Strip.join([strip.crop(0, width - 1), Strip([Segment("…", style)])])
    return strip.extend_cell_length(width, style or Style())


def _cell(value: str, width: int) -> str:
    value = safe(value)  # a row is segments straight to the terminal: no control gets there
    if len(value) >= width:
        value = value[: width - 2] + "…"
    return value.ljust(width)
