"""The rep's queue: header counts, the outcome keys and the virtual list of leads to call."""

from textual.app import ComposeResult
from textual.widgets import Footer, Static

from callq.screens.actions import LeadActions, Target
from callq.screens.forms import AddLeadForm
from callq.screens.keys import bindings
from callq.screens.search import SearchScreen
from callq.services import leads, session
from callq.services.leads import NewLead
from callq.services.queue import SECTION_TITLES, SECTIONS, QueueReader
from callq.widgets.legend import OutcomeLegend
from callq.widgets.queue_list import QueueList


class QueueScreen(LeadActions):
    BINDINGS = bindings("queue", "lead")

    def compose(self) -> ComposeResult:
        yield Static("", id="header")
        yield OutcomeLegend(self.app.settings.rules.outcomes, id="legend")
        yield QueueList(tz=self.app.viewer_tz, id="queue")
        yield Static("", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(QueueList).focus()

    @property
    def queue(self) -> QueueList:
        return self.query_one(QueueList)

    def reload(self) -> None:
        """Counts, the header and a fresh page source; the cursor keeps its line."""
        app = self.app
        now = app.settings.now()
        reader = app.guard(QueueReader, app.db, app.settings.rules, rep=app.settings.rep, now=now)
        if reader is None:
            return
        counts = app.guard(reader.counts)
        if counts is None:
            return
        stats = app.guard(
            session.header_stats, app.db, app.settings.rules, rep=app.settings.rep, now=now
        )
        self.queue.load(counts, lambda s, o, n: reader.page(s, offset=o, limit=n), now)
        self.query_one("#header", Static).update(self.header_text(counts, stats, now))
        empty = self.query_one("#empty", Static)
        empty.display = not any(counts.values())
        if empty.display:
            empty.update(
                f"Nothing to call for {app.settings.rep}. Add a lead with a, or run with "
                "--rep NAME to work another rep's queue."
            )

    def header_text(self, counts: dict[str, int], stats, now) -> str:  # noqa: ANN001
        parts = [f"{SECTION_TITLES[s]} {counts[s]}" for s in SECTIONS]
        rate = "-"
        if stats is not None and stats.on_time_rate is not None:
            rate = f"{stats.on_time_rate:.0%}"
        calls = stats.calls_today if stats is not None else 0
        clock = now.astimezone(self.app.viewer_tz).strftime("%a %d %b %H:%M")
        return (
            f"[b]callq[/b] · {self.app.settings.rep}   "
            + " · ".join(parts)
            + f"   Calls today {calls} · On time {rate} (week)   {clock}"
        )

    def target(self) -> Target | None:
        item = self.queue.current_item
        if item is None:
            return None
        return Target(item.lead_id, item.name, item.phone, item.followup_id, item.due_at)

    def outcome_logged(self) -> None:
        self.changed()  # the logged lead leaves its line: the cursor is on the next lead

    # -- queue actions ---------------------------------------------------------

    def action_open_lead(self) -> None:
        item = self.queue.current_item
        if item is not None:
            self.app.open_lead(item.lead_id)

    def action_next_lead(self) -> None:
        self.queue.action_cursor(1)

    def action_search(self) -> None:
        app = self.app

        def search(text: str) -> list[session.FoundLead]:
            return app.guard(session.search_leads, app.db, app.settings.rules, text) or []

        self.app.push_screen(SearchScreen(search), self.found)

    def found(self, lead_id: int | None) -> None:
        if lead_id is not None:
            self.app.open_lead(lead_id)

    def action_add_lead(self) -> None:
        self.app.push_screen(AddLeadForm(self.app.settings.rules), self.save_lead)

    def save_lead(self, new: NewLead | None) -> None:
        if new is None:
            return
        app = self.app
        added = app.guard(
            leads.add_lead,
            app.db,
            app.settings.rules,
            new,
            now=app.settings.now(),
            rep=app.settings.rep,
        )
        if added is None:
            return
        if added.merged:
            self.notify(f"Known number: the inquiry was added to lead #{added.lead_id}.")
        else:
            due = added.first_response_due
            when = f" · first call due {due.astimezone(app.viewer_tz):%a %H:%M}" if due else ""
            self.notify(f"Added {new.name} (#{added.lead_id}, owner {added.owner or '-'}){when}")
        self.changed()
