"""The queue list when outcomes are logged in place: the row stays, drawn as done, nothing
is read inside the frame, and later pages and the next load place every row exactly."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from textual.app import App

from callq.services.views import QueueItem
from callq.widgets.queue_list import PAGE, QueueList

NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)


def item(n: int) -> QueueItem:
    return QueueItem(
        followup_id=n,
        lead_id=n,
        name=f"Lead {n:04d}",
        phone="+919876500000",
        company="-",
        source="web",
        stage="new",
        owner="asha",
        urgency="normal",
        section="new",
        due_at=NOW - timedelta(minutes=n),
        kind="first_response",
        touch=1,
        touches_total=5,
        late_minutes=n,
        last_outcome=None,
        last_note="",
        escalated=False,
    )


class ListApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.rows = [item(n) for n in range(500)]
        self.reads: list[tuple[str, int, int]] = []
        self.stale = 0

    def compose(self):
        yield QueueList(tz=ZoneInfo("Asia/Kolkata"), id="queue")

    def fetch(self, section: str, offset: int, limit: int) -> list[QueueItem]:
        self.reads.append((section, offset, limit))
        return self.rows[offset : offset + limit]

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.query_one(QueueList).load({"new": len(self.rows)}, self.fetch, NOW)

    def on_queue_list_stale(self, message: QueueList.Stale) -> None:
        self.stale += 1

    def log_top(self, queue: QueueList, to_section: str | None = None) -> QueueItem:
        """What logging the cursor's lead does: the database loses its row, the list
        marks it in place."""
        logged = queue.current_item
        self.rows.remove(logged)
        queue.log_in_place("No answer · next Tue 10:00", to_section)
        return logged


def screen_text(app: App) -> str:
    return "\n".join(
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()
    )


async def test_a_logged_row_keeps_its_line_drawn_as_done_and_the_cursor_moves_on():
    app = ListApp()
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.query_one(QueueList)
        await pilot.pause()
        reads = len(app.reads)
        first = app.log_top(queue)
        second = app.log_top(queue)
        await pilot.pause()
        assert len(app.reads) == reads  # nothing read for it
        lines = screen_text(app).splitlines()
        assert lines[0].startswith(" New (498)")
        assert "✓" in lines[1] and first.name in lines[1] and "No answer" in lines[1]
        assert "✓" in lines[2] and second.name in lines[2]
        assert app.rows[0].name in lines[3]  # the next lead, where it was
        assert queue.current_item == app.rows[0]
        assert queue.counts["new"] == 498
        # The cursor steps over logged rows both ways.
        await pilot.press("up")
        assert queue.current_item == app.rows[0]


async def test_pages_read_while_rows_wait_in_place_skip_none_and_a_reload_compacts():
    app = ListApp()
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.query_one(QueueList)
        await pilot.pause()
        for _ in range(3):
            app.log_top(queue)
        # A page below, read now, starts where the database's rows do: no lead is skipped.
        for line in range(4, 300):
            assert queue.item_at(line) == app.rows[line - 4]
        assert app.stale == 0  # nothing went to another section
        cursor_lead = queue.current_item
        app.reload()
        await pilot.pause()
        assert queue.current_item == cursor_lead  # the cursor stays on its lead
        assert queue.cursor == 1  # which moved up to where the logged rows were
        assert queue.counts["new"] == 497
        assert "✓" not in screen_text(app)


async def test_a_next_follow_up_in_a_shown_section_asks_for_an_exact_reread():
    app = ListApp()
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.query_one(QueueList)
        await pilot.pause()
        app.log_top(queue, to_section="upcoming")
        assert (queue.counts["new"], queue.counts["upcoming"]) == (499, 1)
        queue._pages.clear()  # a page not yet read, in the section the follow-up went to
        queue.item_at(1 + PAGE * 2)
        assert app.stale == 0  # "new" received nothing
        queue.load({"new": 499, "upcoming": 1}, app.fetch, NOW)
        queue._arrived["new"] = 1
        queue._pages.clear()
        queue.item_at(1 + PAGE * 2)
        await pilot.pause()
        assert app.stale == 1


async def test_rows_fit_beside_the_scrollbar_and_a_cut_row_shows_it():
    app = ListApp()
    app.rows[0] = replace(app.rows[0], last_note="called twice, asked for the brochure " * 4)
    async with app.run_test(size=(80, 24)) as pilot:
        queue = app.query_one(QueueList)
        await pilot.pause()
        assert queue.show_vertical_scrollbar and queue.view_width < queue.size.width
        for y in range(1, 6):
            assert queue.render_line(y).cell_length == queue.view_width
        assert queue.render_line(1).text.endswith("…")
        # A logged row too long for the window is cut the same way.
        queue.log_in_place("Asked to call back · next Tue 24 Nov 10:00 · touch 2/5", None)
        assert queue.render_line(1).text.endswith("…")
