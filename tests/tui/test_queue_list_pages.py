"""The queue list's pages when outcomes remove rows in place: re-read off the UI thread
before the view reaches their end, never inside a frame."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from textual.app import App

from callq.services.views import QueueItem
from callq.widgets.queue_list import PAGE, TOP_UP_AFTER, QueueList

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
        self.short: list[list[tuple[str, int]]] = []

    def compose(self):
        yield QueueList(tz=ZoneInfo("Asia/Kolkata"), id="queue")

    def fetch(self, section: str, offset: int, limit: int) -> list[QueueItem]:
        self.reads.append((section, offset, limit))
        return self.rows[offset : offset + limit]

    def on_mount(self) -> None:
        self.query_one(QueueList).load({"new": len(self.rows)}, self.fetch, NOW)

    def on_queue_list_pages_short(self, message: QueueList.PagesShort) -> None:
        self.short.append(message.keys)


async def test_a_page_short_of_rows_asks_to_be_reread_and_a_top_up_refills_it():
    app = ListApp()
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.query_one(QueueList)
        await pilot.pause()
        reads = len(app.reads)
        for _ in range(TOP_UP_AFTER):
            del app.rows[0]  # the database's view of the same change
            queue.shift("new", "overdue")
        await pilot.pause()
        assert app.short == [[("new", 0)]]
        assert len(app.reads) == reads  # nothing read inside those frames
        queue.top_up({("new", 0): app.fetch("new", 0, PAGE)})
        assert len(queue._pages[("new", 0)]) == PAGE
        # the rows on screen are the database's, and none is read when they scroll in
        reads = len(app.reads)
        for line in range(1, 60):
            assert queue.item_at(line) == app.rows[line - 1]
        assert len(app.reads) == reads
