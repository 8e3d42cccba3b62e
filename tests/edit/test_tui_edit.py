"""Pilot: `e` opens the edit form on the queue and on the lead screen; a saved edit shows
in the queue, on the lead screen and on its timeline; a refusal keeps the form open."""

from dataclasses import replace

import pytest
from tests.tui.data import build_day

from callq.app import make_app
from callq.rules.fields import FieldSpec
from callq.screens.edit_form import EditForm
from callq.screens.lead import LeadScreen
from callq.screens.queue import QueueScreen
from callq.services.leads import show_lead
from callq.widgets.queue_list import QueueList

SIZE = (120, 40)
PLAN = FieldSpec("plan", "choice", ("basic", "pro"))


@pytest.fixture
def app_and_db(db_target):  # noqa: ANN201
    settings, db = build_day(db_target)
    settings = replace(settings, rules=replace(settings.rules, fields={"plan": PLAN}))
    yield make_app(settings, db=db, live=False), db
    db.dispose()


def queue_text(app) -> str:  # noqa: ANN001
    queue = app.screen.query_one(QueueList)
    return "\n".join(queue.render_line(y).text for y in range(queue.size.height))


async def test_e_edits_from_the_queue_and_the_lead_screen(app_and_db):
    app, db = app_and_db
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one(QueueList).current_item.name == "Priya Sharma"
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditForm)
        # The name has the focus, pre-filled: clear it and type the new one.
        await pilot.press("ctrl+u", *"Priya Menon", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.query_one(QueueList).current_item.name == "Priya Menon"
        rows = [line for line in queue_text(app).splitlines() if "98765 43210" in line]
        assert len(rows) == 1 and "Priya Menon" in rows[0], rows
        # The toast says what changed (the queue draws it over its rows).
        assert "name: Priya Sharma → Priya Menon" in queue_text(app)

        # On the lead screen: the new name, the edit on the timeline; then a tag and a field.
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        assert "Priya Menon" in str(app.screen.query_one("#lead-name").content)
        timeline = str(app.screen.query_one("#timeline").content)
        assert "Edited name: Priya Sharma → Priya Menon (asha)" in timeline
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EditForm)
        form.set_focus(form.query_one("#edit-tags"))
        await pilot.press(*"vip", "tab", "tab", *"gold", "enter")  # tags, (timezone,) plan
        await pilot.pause()
        assert app.screen is form  # 'gold' is not a plan: said in the form, nothing saved
        assert "'gold' is not one of basic, pro" in str(form.query_one("#error").content)
        await pilot.press("ctrl+u", *"pro", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        timeline = str(app.screen.query_one("#timeline").content)
        assert "Edited tags: - → vip (asha)" in timeline
        assert "Edited plan: - → pro (asha)" in timeline
        facts = str(app.screen.query_one("#lead-facts").content)
        assert "Tags      vip" in facts and "Plan      pro" in facts

    lead = show_lead(db, app.settings.rules, "9876543210").lead
    assert (lead.name, lead.tags, lead.fields) == ("Priya Menon", ("vip",), {"plan": "pro"})


async def test_the_phones_line_shows_numbers_as_the_app_does_and_an_added_one_saves(
    app_and_db,
):
    app, db = app_and_db
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EditForm)
        phones = form.query_one("#edit-phones")
        assert phones.value == "+91 98765 43210"  # as the queue and the lead screen show it
        form.set_focus(phones)
        await pilot.press("end", *", 98765 43299", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
    lead = show_lead(db, app.settings.rules, "9876543210").lead
    assert (lead.phone, lead.other_phones) == ("+919876543210", ("+919876543299",))


async def test_saving_the_form_untouched_changes_no_number(app_and_db):
    app, db = app_and_db
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditForm)
        await pilot.press("enter")
        await pilot.pause()
    detail = show_lead(db, app.settings.rules, "9876543210")
    assert detail.lead.phone == "+919876543210" and detail.lead.other_phones == ()
    assert not [e for e in detail.timeline if e.type == "lead_edited"]
