"""The TUI's queue rows, its lead screen and `callq show --format json` agree on the
attempt n/N and on escalation (one rule each: rules/queue.py)."""

import re

from callq.screens.lead import LeadScreen
from callq.services.leads import show_lead
from callq.widgets.queue_list import QueueList

SIZE = (120, 40)


async def test_every_row_and_its_lead_screen_say_the_same_attempt(app, day):
    settings, db = day
    seen = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        queue = app.screen.query_one(QueueList)
        for _ in range(20):  # at most the day's rows
            item = queue.current_item
            if item is None or item.name in seen:
                break
            detail = show_lead(db, settings.rules, f"#{item.lead_id}")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, LeadScreen)
            facts = str(app.screen.query_one("#lead-facts").content)
            shown = re.search(r"Attempt\s+(\S+)", facts).group(1)
            seen[item.name] = (item.touch, detail.attempt, shown)
            assert (item.touch, item.touches_total) == (detail.attempt, detail.attempts_total)
            assert shown == f"{item.touch}/{item.touches_total}"
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("down")
            await pilot.pause()
    # Vikram: no answer, then busy: the busy retry is still cadence touch 2 (of 5).
    assert seen["Vikram Singh"][0] == 2
    assert seen["Meera Iyer"][0] == 2
    assert len(seen) == 6
