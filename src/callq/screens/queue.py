"""The rep's queue: header counts, the outcome keys and the virtual list of leads to call."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Static

from callq.screens.actions import LeadActions, Target
from callq.screens.keys import FIRST_ACTIONS, bindings
from callq.services.views import SECTION_TITLES, SECTIONS
from callq.visible import safe
from callq.widgets.footer import SteadyFooter
from callq.widgets.legend import OutcomeLegend
from callq.widgets.queue_list import PAGE, QueueColumns, QueueList
from callq.wording import logged_sentence, when

if TYPE_CHECKING:
    from textual.timer import Timer

    from callq.services.header import HeaderStats
    from callq.services.leads import NewLead
    from callq.services.search import FoundLead
    from callq.services.suggest import LeadFacts
    from callq.services.views import LoggedOutcome


SETTLE_SECONDS = 1.0  # after the last outcome logged here, before the exact re-read
ROOM_BELOW = 4  # rows left under the cursor when the list is re-read without the pause


@dataclass(frozen=True)
class QueueData:
    reader: Any  # services.queue.QueueReader, or store.quickread.QuickReader at start-up
    counts: dict[str, int]
    stats: HeaderStats | None  # None until the services have loaded
    now: datetime
    pages: dict | None = None  # the visible pages, read with the counts (off the UI thread)


class QueueScreen(LeadActions):
    BINDINGS = bindings("queue", "lead", outcomes_first=True)
    data: QueueData | None = None
    edits = 0  # local in-place changes; a background read begun before one is stale
    _settle_timer: Timer | None = None
    _list: QueueList | None = None  # the list, once composed (see `queue`)
    # (lead id, the data they were read with, the facts): see `facts_read_ahead`
    _read_ahead: tuple[int, QueueData | None, LeadFacts] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="header")
        yield OutcomeLegend(self.app.settings.rules.outcomes, id="legend")
        queue = self._list = QueueList(tz=self.app.viewer_tz, id="queue")
        yield QueueColumns(queue, id="columns")
        yield queue
        yield Static("", id="empty")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.reload()
        self.queue.focus()

    @property
    def queue(self) -> QueueList:
        return self._list  # composed once; a query walked the DOM at every key and outcome

    def fetch(self) -> QueueData:
        """What the screen shows, read from the database (safe in a worker thread)."""
        from callq.services.header import header_stats
        from callq.services.queue import QueueReader

        app = self.app
        settings = app.settings
        now = settings.now()
        reader = QueueReader(app.db, settings.rules, rep=settings.rep, now=now)
        counts = reader.counts()
        stats = header_stats(app.db, settings.rules, rep=settings.rep, now=now)
        return QueueData(reader, counts, stats, now)

    def reload(self) -> None:
        """Read and show now; the cursor keeps its line."""
        quick = self.app.quick
        if not self.app.services_ready and quick is not None:
            try:
                counts = quick.counts()
            except sqlite3.Error:
                return  # the services open the database next and say what is wrong
            self.apply(QueueData(quick, counts, None, quick.now))
            return
        data = self.app.guard(self.fetch)
        if data is not None:
            self.apply(data)

    def refresh_in_background(self) -> None:
        """Re-read counts and stats off the UI thread (others' changes, the clock moving),
        after any write still waiting for its frame (else the re-read would undo it)."""
        self.app.flush_writes()
        self._read_in_background()

    @work(thread=True, exclusive=True, group="queue-refresh", description="queue re-read")
    def _read_in_background(self) -> None:
        from callq.errors import UserError

        edits = self.edits
        try:
            data = self.fetch()
            pages = {
                (section, page_no): data.reader.page(section, offset=page_no * PAGE, limit=PAGE)
                for section, page_no in self.queue.visible_pages(data.counts)
            }
        except UserError:
            return  # the next refresh tries again; a foreground action shows the error
        self.app.call_from_thread(self._apply_if_current, replace(data, pages=pages), edits)

    def on_queue_list_stale(self, message: QueueList.Stale) -> None:
        self.refresh_in_background()

    def on_queue_list_moved(self, message: QueueList.Moved) -> None:
        if message.item is not None and self.app.services_ready:
            # After the frame: the read's Python would share that frame's GIL.
            self.call_after_refresh(self.read_ahead, message.item.lead_id, self.data)

    # A description: Textual's own is the repr of the arguments (all of QueueData), a
    # fraction of a millisecond per lead logged.
    @work(thread=True, exclusive=True, group="queue-read-ahead", description="read ahead")
    def read_ahead(self, lead_id: int, data: QueueData | None) -> None:
        """What an outcome key on this lead needs from the database, read while the rep
        talks: the key then draws the panel without waiting for a read."""
        from callq.errors import UserError
        from callq.services.suggest import lead_facts

        app = self.app
        try:
            facts = lead_facts(app.db, app.settings.rules, lead_id, rep=app.settings.rep)
        except UserError:
            return  # the outcome key reads them itself, and says what is wrong
        self._read_ahead = (lead_id, data, facts)

    def facts_read_ahead(self, lead_id: int) -> LeadFacts | None:
        # Read with the data on screen now: any write or re-read since makes a new one.
        ahead = self._read_ahead
        if ahead is not None and ahead[0] == lead_id and ahead[1] is self.data:
            return ahead[2]
        return None

    def _apply_if_current(self, data: QueueData, edits: int) -> None:
        if edits == self.edits:  # else the refresh the newer change scheduled will show it
            self.apply(data)

    def apply(self, data: QueueData) -> None:
        self.data = data
        reader = data.reader
        self.queue.load(
            data.counts, lambda s, o, n: reader.page(s, offset=o, limit=n), data.now, data.pages
        )
        if reader is not self.app.quick:
            self.app.release_quick_reader()
        self.show_header()
        empty = self.query_one("#empty", Static)
        empty.display = not any(data.counts.values())
        if empty.display:
            empty.update(
                Text(
                    f"Nothing to call for {safe(self.app.settings.rep)}. Add a lead with a, "
                    "or run with --rep NAME to work another rep's queue."
                )
            )

    def show_header(self) -> None:
        data = self.data
        if data is None:
            return
        stats = data.stats
        if stats is None:
            calls, rate = "…", "…"
        else:
            calls = str(stats.calls_today)
            rate = "-" if stats.on_time_rate is None else f"{stats.on_time_rate:.0%}"
        header = self.query_one("#header", Static)
        width = header.content_region.width or self.app.size.width
        text = header_line(
            safe(self.app.settings.rep),
            when(data.now, self.app.viewer_tz, data.now),
            self.queue.counts,
            calls,
            rate,
            width,
        )
        # One line of fixed height: no reflow of the screen for new counts.
        header.update(text, layout=False)

    def on_resize(self) -> None:
        self.show_header()  # a narrower terminal takes a shorter header

    def target(self) -> Target | None:
        item = self.queue.current_item
        if item is None:
            return None
        return Target(item.lead_id, item.name, item.phone, item.followup_id, item.due_at)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A digit (or `a`) typed into the open panel is text.
        panel_open = self._list is not None and self._list.panel is not None
        return not (action in FIRST_ACTIONS and panel_open)

    def action_outcome(self, key: str) -> None:
        """The queue draws the outcome panel inside its list (see widgets/outcome_panel)."""
        from callq.widgets.outcome_panel import OutcomePanel

        started = self.outcome_start(key)
        if started is None:
            return
        target, suggestion, context = started
        self.queue.open_panel(
            OutcomePanel(
                target.name,
                suggestion,
                context,
                lambda choice: self.save_outcome(target, choice),
            )
        )

    def outcome_logged(self, target: Target, result: LoggedOutcome) -> None:
        """Update rows in place: the lead's row shows what was logged and the cursor moves
        to the next lead. The exact rows, counts and stats are re-read off the UI thread
        when the rep pauses, or at once when the cursor nears the bottom of the view (the
        logged rows then leave and the rest move up, rather than the view scrolling)."""
        from callq.rules.queue import section_of

        item = self.queue.current_item
        if item is None or item.lead_id != target.lead_id or self.data is None:
            self.changed()
            return
        moved_to = section_of(
            result.next_kind,
            result.next_due_at,
            now=self.data.now,
            day_end=self.data.reader.day_end,
        )
        self.edits += 1
        logged = logged_sentence(result, self.app.viewer_tz, self.data.now)
        self.queue.log_in_place(logged, moved_to)
        stats = self.data.stats
        if stats is not None:
            stats = replace(stats, calls_today=stats.calls_today + 1)
            self.data = replace(self.data, stats=stats)
        self.show_header()
        self.settle_later()
        if self.queue.rows_below_cursor < ROOM_BELOW:  # re-read now, after this frame
            self.call_after_refresh(self.refresh_in_background)

    def settle_later(self) -> None:
        """Re-read the exact counts once the rep pauses: the rows were updated in place, and
        a re-read while they log one outcome after another would share their frames (its
        rows are processed in Python, holding the GIL)."""
        if self._settle_timer is not None:
            self._settle_timer.stop()
        self._settle_timer = self.set_timer(SETTLE_SECONDS, self._settle)
        self.app.db.hold_checkpoints(True)

    @property
    def settling(self) -> bool:
        """Outcomes were logged here and the re-read after them is still to come."""
        return self._settle_timer is not None

    def _settle(self) -> None:
        self._settle_timer = None
        self.refresh_in_background()
        # The rep paused: a full GC pass and a checkpoint cost no keystroke now.
        self.app.collect_garbage()
        self.app.db.hold_checkpoints(False)

    # -- queue actions ---------------------------------------------------------

    def action_open_lead(self) -> None:
        item = self.queue.current_item
        if item is not None:
            self.app.open_lead(item.lead_id)

    def action_next_lead(self) -> None:
        self.queue.action_cursor(1)

    def action_next_section(self) -> None:
        self.queue.action_section(1)

    def action_previous_section(self) -> None:
        self.queue.action_section(-1)

    async def action_search(self) -> None:
        from callq.screens.search import SearchScreen
        from callq.services.search import search_leads

        app = self.app

        def search(text: str) -> list[FoundLead]:
            return app.guard(search_leads, app.db, text) or []

        # Awaited (a priority key): the keys typed next go to the mounted search field.
        await self.app.push_screen(SearchScreen(search), self.found)

    def found(self, lead_id: int | None) -> None:
        if lead_id is not None:
            self.app.open_lead(lead_id)

    async def action_add_lead(self) -> None:
        from callq.screens.forms import AddLeadForm

        form = AddLeadForm(self.app.settings.rules, self.app.settings.rep)
        # Awaited (a priority key): the keys typed next go to the mounted form's first field.
        await self.app.push_screen(form, self.save_lead)

    def save_lead(self, new: NewLead | None) -> None:
        if new is None:
            return
        from callq.services import leads

        app = self.app
        added = app.guard(
            leads.add_lead,
            app.db,
            app.settings.rules,
            new,
            now=app.settings.now(),
            rep=app.settings.rep,
            adder_owns=True,  # the rep at the keyboard; the form's owner choice decides
        )
        if added is None:
            return
        from callq.screens.forms import added_message

        self.notify(added_message(new, added, app.viewer_tz))
        self.changed()


def header_line(
    rep: str, clock: str, counts: dict[str, int], calls: str, rate: str, width: int
) -> Text:
    """The header in `width` cells: the longest form that fits. The counts per section
    stay to the last; the clock's day, the words and the week's rate give way first."""
    sections = " · ".join(f"{SECTION_TITLES[s]} {counts.get(s, 0)}" for s in SECTIONS)
    short_clock = clock.rsplit(" ", 1)[-1]  # `Mon 23 Nov 11:00` -> `11:00`
    forms = [
        f" · {rep} · {clock}   {sections}   Calls today {calls} · On time {rate} (week)",
        f" · {rep} · {short_clock}  {sections}  Calls today {calls} · On time {rate}",
        f" {rep} {short_clock}  {sections}  Calls {calls}",
        f" {rep} {short_clock}  {sections}",
    ]
    for form in forms[:-1]:
        text = Text.assemble(("callq", "b"), form) if form.startswith(" · ") else Text(form[1:])
        if text.cell_len <= width:
            return text
    return Text(forms[-1][1:])
