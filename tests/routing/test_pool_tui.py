"""Pilot: a lead escalated to the pool shows in New for every rep (both backends)."""

from dataclasses import replace
from datetime import timedelta

from tests.tui.data import NOW, build_day

from callq.app import make_app
from callq.config.loading import parse_rules
from callq.services.escalation import escalate_due
from callq.services.leads import NewLead, add_lead
from callq.widgets.queue_list import QueueList


def rows_text(app) -> str:  # noqa: ANN001
    queue = app.screen.query_one(QueueList)
    return "\n".join(queue.render_line(y).text for y in range(queue.size.height))


async def test_a_pool_lead_shows_in_new_for_two_reps(db_target, tmp_path):
    settings, db = build_day(db_target)
    text = '[escalation]\naction = "reassign"\nto = "pool"\n'
    pool_rules = parse_rules(text, tmp_path / "c.toml")
    arrived = NOW - timedelta(hours=3)
    lead_id = add_lead(
        db, pool_rules, NewLead("Pooja Pool", "98450 55555", source="web", owner="chen"),
        now=arrived, rep="chen",
    ).lead_id  # fmt: skip
    moved = escalate_due(db, pool_rules, NOW).escalated
    assert [(e.lead_id, e.to_rep) for e in moved] == [(lead_id, None)]
    try:
        for rep in ("asha", "ben"):
            app = make_app(replace(settings, rep=rep, rules=pool_rules), db=db, live=False)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert "Pooja Pool" in rows_text(app), rep
    finally:
        db.dispose()
