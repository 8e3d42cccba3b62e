"""Pilot tests of the forms as a rep types into them: the time field, the add form, bursts.

Real keys throughout. `burst` delivers keys the way a terminal delivers a paste or a text
expander: all at once, the app waiting for nothing between them.
"""

from datetime import UTC, datetime, timedelta

from sqlmodel import select
from tests.tui.data import NOW, REP
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Checkbox, Input, Label, Select

from callq.screens.forms import AddLeadForm, RescheduleForm
from callq.screens.help import HelpScreen
from callq.screens.lead import LeadScreen
from callq.screens.outcome import OutcomeForm
from callq.screens.queue import QueueScreen
from callq.services.leads import NewLead, add_lead, show_lead
from callq.store.models import FollowUp, Lead
from callq.widgets.queue_list import QueueList
from callq.widgets.time_field import TimeField

SIZE = (120, 40)
# Mon 23 Nov 2026 15:00 in New York (EST, UTC-5): "3pm their time" for a +1 212 lead.
THREE_PM_NEW_YORK = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


async def burst(pilot, *keys: str) -> None:
    """Post every key at once (as a terminal does with a paste), then let the app settle.
    A key is a name (`tab`, `enter`) or a string typed character by character."""
    app = pilot.app
    for key in keys:
        for name, char in _key_events(key):
            app.post_message(events.Key(name, char))
    for _ in range(3):
        await pilot.pause()


def _key_events(key: str) -> list[tuple[str, str | None]]:
    if key in ("tab", "enter", "escape", "backspace", "down", "up", "space", "ctrl+u"):
        return [(key, {"tab": "\t", "enter": "\r", "space": " "}.get(key))]
    return [(c if c.isalnum() else _character_to_key(c), c) for c in key]


def new_york_lead(db, settings) -> int:
    """A lead in New York (from its +1 212 number), the first row of asha's queue."""
    new = NewLead(name="Nora Quinn", phone="+1 212 555 0142", source="web", owner=REP)
    return add_lead(db, settings.rules, new, now=NOW - timedelta(days=3), rep=REP).lead_id


def followup_due(db, lead_id: int) -> datetime:
    with db.read() as session:
        followup = session.exec(
            select(FollowUp).where(FollowUp.lead_id == lead_id, FollowUp.status == "open")
        ).one()
    return followup.due_at


def panel(app):
    return app.screen.query_one(QueueList).panel


def preview_text(screen) -> str:
    return str(screen.query_one(TimeField).query_one("#preview", Label).content)


# -- 1. the pre-filled time is selected on focus: typing replaces it ------------------


async def test_queue_panel_tab_into_the_prefilled_time_replaces_it(app, day):
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("4")  # asked to call back: pre-filled from the rule (1d@10:00)
        assert panel(app).when.text == "2026-11-24 10:00"
        await pilot.press("tab", *"tomorrow 3pm")
        assert panel(app).when.text == "tomorrow 3pm"
        await pilot.press("enter")
        await pilot.pause()
        detail = show_lead(db, settings.rules, "+919876543210")
        assert detail.open_followup.due_at == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


async def test_queue_panel_selection_backspace_clears_and_arrows_keep(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("4", "tab", "end", "backspace")
        assert panel(app).when.text == "2026-11-24 10:0"  # end: the text stays, one deleted
        await pilot.press("tab", "tab", "backspace")  # back in: selected again, cleared
        assert panel(app).when.text == ""


async def test_lead_screen_form_tab_into_the_prefilled_time_replaces_it(app, day):
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        await pilot.press("4")
        form = app.screen.query_one(OutcomeForm)
        when = form.query_one("#when", Input)
        assert when.value == "2026-11-24 10:00"
        await pilot.press("tab", *"tomorrow 3pm")
        assert when.value == "tomorrow 3pm"
        await pilot.press("enter")
        await pilot.pause()
        detail = show_lead(db, settings.rules, "+919876543210")
        assert detail.open_followup.due_at == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


async def test_ctrl_u_is_in_the_hints_and_in_help(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        hints = " ".join(str(label.content) for label in app.screen.query(".hint"))
        assert "ctrl+u clear" in hints
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "ctrl+u" in str(app.screen.query_one("#keys").content)


# -- 2. "3pm their time" reads as in the CLI --------------------------------------------


async def test_their_time_in_the_text_on_the_queue_panel(app, day):
    settings, db = day
    lead_id = new_york_lead(db, settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one(QueueList).current_item.name == "Nora Quinn"
        await pilot.press("4", "tab", *"3pm their time")
        shown = "\n".join(line.plain for line in panel(app).lines(72, _styles()))
        assert "Did not understand" not in shown
        assert "(their 15:00)" in shown
        await pilot.press("enter")
        await pilot.pause()
    assert followup_due(db, lead_id) == THREE_PM_NEW_YORK


async def test_their_time_in_the_text_on_the_reschedule_form(app, day):
    settings, db = day
    lead_id = new_york_lead(db, settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r", *"3pm their time")
        assert "(their 15:00)" in preview_text(app.screen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
    assert followup_due(db, lead_id) == THREE_PM_NEW_YORK


def _styles():
    from rich.style import Style

    from callq.widgets.outcome_panel import PanelStyles

    return PanelStyles(*([Style()] * 8))


# -- 3. tab skips the "their time" box; enter always saves --------------------------------


async def test_tab_from_the_time_goes_to_the_note_and_enter_saves(app, day):
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", *"in 2h", "tab")
        form = app.screen
        assert isinstance(form, RescheduleForm)
        assert form.focused.id == "note"
        box = form.query_one("#their", Checkbox)
        assert not box.can_focus
        await pilot.press("ctrl+t")
        assert box.value and "their time" in str(box.label)
        await pilot.press("ctrl+t", *"asked for afternoon", "shift+tab")
        assert form.focused.id == "when" and not box.value
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
    detail = show_lead(db, settings.rules, "+919876543210")
    assert detail.open_followup.due_at == NOW + timedelta(hours=2)
    assert detail.timeline[0].detail["note"] == "asked for afternoon"


async def test_lead_screen_form_tab_cycles_between_its_two_fields(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("4")
        form = app.screen.query_one(OutcomeForm)
        assert app.screen.focused.id == "note"
        await pilot.press("tab")
        assert app.screen.focused.id == "when"
        await pilot.press("tab")
        assert app.screen.focused.id == "note"  # not the checkbox, nor the lead screen
        assert form.is_open


async def test_enter_on_a_select_saves_the_add_form(app, day):
    _, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", *"Nisha Kapoor", "tab", *"98450 67890")
        await pilot.press("tab", "tab", "tab", "tab")
        assert isinstance(app.screen.focused, Select)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
    with db.read() as session:
        assert session.exec(select(Lead).where(Lead.name == "Nisha Kapoor")).one()


# -- 4. "required" only once the rep typed or tried to save --------------------------------


async def test_reschedule_says_required_only_after_a_save_or_emptying(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        form = app.screen
        assert preview_text(form) == ""  # nothing typed: no complaint
        await pilot.press("enter")
        assert isinstance(app.screen, RescheduleForm)
        assert "required" in preview_text(form)
        await pilot.press("escape", "r")
        form = app.screen
        await pilot.press("x", "backspace")
        assert "required" in preview_text(form)


async def test_queue_panel_ask_outcome_says_required_only_after_emptying(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("4", "tab", "backspace")
        assert "required" in panel(app).preview().text
        assert panel(app).preview().ok is False


# -- 5. a burst of keys lands where it was typed ----------------------------------------------


async def test_a_burst_after_a_fills_the_add_form_field_by_field(app, day):
    _, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(pilot, "a", "Meera Pillai", "tab", "94470 12345")
        form = app.screen
        assert isinstance(form, AddLeadForm)
        assert form.query_one("#name", Input).value == "Meera Pillai"
        assert form.query_one("#phone", Input).value == "94470 12345"
        assert app.screen_stack[0].query_one(QueueList).panel is None  # no outcome opened
        await burst(pilot, "enter")
        assert isinstance(app.screen, QueueScreen)
    with db.read() as session:
        lead = session.exec(select(Lead).where(Lead.name == "Meera Pillai")).one()
    assert lead.phone == "+919447012345"


async def test_a_burst_after_r_fills_the_reschedule_form(app, day):
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(pilot, "r", "in 2h", "tab", "after lunch", "enter")
        assert isinstance(app.screen, QueueScreen)
    detail = show_lead(db, settings.rules, "+919876543210")
    assert detail.open_followup.due_at == NOW + timedelta(hours=2)
    assert detail.timeline[0].detail["note"] == "after lunch"


async def test_a_burst_after_slash_searches(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(pilot, "/", "anita", "enter")
        assert isinstance(app.screen, LeadScreen)


async def test_a_burst_on_the_lead_screen_fills_its_forms(app, day):
    """On the lead screen too: `r`, `o` and an outcome key typed in one burst with what
    follows them open their form first, and the rest lands in it."""
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        await burst(pilot, "r", "in 2h", "tab", "after lunch", "enter")
        assert isinstance(app.screen, LeadScreen)
        detail = show_lead(db, settings.rules, "+919876543210")
        assert detail.open_followup.due_at == NOW + timedelta(hours=2)
        assert detail.timeline[0].detail["note"] == "after lunch"
        await burst(pilot, "o", "asked for a quote", "enter")
        detail = show_lead(db, settings.rules, "+919876543210")
        assert detail.timeline[0].detail["text"] == "asked for a quote"
        await burst(pilot, "2", "in a 1:1", "enter")  # digits typed into the note are text
        assert isinstance(app.screen, QueueScreen)  # logged: back to the queue
        detail = show_lead(db, settings.rules, "+919876543210")
        logged = next(e for e in detail.timeline if e.type == "call_logged")
        assert (logged.detail["outcome"], logged.detail.get("note")) == ("busy", "in a 1:1")


async def test_a_burst_after_e_fills_the_edit_form(app, day):
    """`e` opens the edit form as it arrives: the keys typed behind it are the new name,
    not queue keys (`d` would dial, a second `e` open another form)."""
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(pilot, "e", "ctrl+u", "Priya Desai", "enter")
        assert isinstance(app.screen, QueueScreen)
    assert show_lead(db, settings.rules, "+919876543210").lead.name == "Priya Desai"


async def test_editing_keys_in_a_burst_keep_their_order(app):
    """ctrl+u and backspace act where they were typed, not after the characters behind
    them (Textual's Input runs them as bindings, once the key has been round the app)."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(pilot, "a", "xyz", "ctrl+u", "Meerb", "backspace", "a")
        assert app.screen.query_one("#name", Input).value == "Meera"


async def test_a_while_the_outcome_panel_is_open_is_text(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", *"a ok, e-mail sent")
        assert isinstance(app.screen, QueueScreen)
        assert panel(app).note.text == "a ok, e-mail sent"


# -- 6. a lead a rep adds is theirs unless they choose another owner ----------------------------


async def test_added_lead_is_the_reps_own_and_stays_in_their_queue(app, day):
    _, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        owner = app.screen.query_one("#owner", Select)
        assert owner.value == REP
        await pilot.press(*"Nisha Kapoor", "tab", *"98450 67890", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert any("owner asha" in notice for notice in app.notices)
        queue = app.screen.query_one(QueueList)
        rows = "\n".join(queue.render_line(y).text for y in range(queue.size.height))
        assert "Nisha Kapoor" in rows
    with db.read() as session:
        lead = session.exec(select(Lead).where(Lead.name == "Nisha Kapoor")).one()
        assert lead.owner_id == _rep_id(session, REP)


async def test_added_lead_can_go_to_another_rep_or_the_round_robin(app, day):
    settings, db = day
    # Intake without a rep uses the round-robin: asha had the last turn, ben is next.
    intake = NewLead(name="Web form", phone="98450 60000", source="web")
    assert add_lead(db, settings.rules, intake, now=NOW, rep="intake").owner == "asha"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", *"Nisha Kapoor", "tab", *"98450 67890")
        await pilot.press("tab", "tab", "tab", "tab", "tab")  # the owner
        assert app.screen.focused.id == "owner"
        await pilot.press("space", "down", "down", "enter")  # open the list, chen, choose
        assert app.screen.query_one("#owner", Select).value == "chen"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("a", *"Omar Shah", "tab", *"98450 67891")
        await pilot.press("shift+tab", "shift+tab")  # back past the name, round to the owner
        assert app.screen.focused.id == "owner"
        await pilot.press("space", "end", "enter", "enter")  # the last choice: round-robin
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
    assert show_lead(db, settings.rules, "98450 67890").lead.owner == "chen"
    omar = show_lead(db, settings.rules, "98450 67891")
    assert omar.lead.owner == "ben"
    [created] = [e for e in omar.timeline if e.type == "created"]
    assert created.detail["owner"] == "ben" and created.rep == REP


def _rep_id(session, name: str) -> int:
    from callq.store.models import Rep

    return session.exec(select(Rep.id).where(Rep.name == name)).one()


# -- 7. a known number names its lead; the typed name stays on the timeline ------------------------


async def test_known_number_names_the_lead_and_keeps_the_typed_name(app, day):
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", *"Priya S", "tab", *"98765 43210", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        [notice] = [n for n in app.notices if n.startswith("Known number")]
        assert "Priya Sharma" in notice and "owner asha" in notice and "Priya S" in notice
        await pilot.press("enter")  # Priya Sharma's lead
        await pilot.pause()
        timeline = str(app.screen.query_one("#timeline").content)
        assert "New inquiry via phone as Priya S (asha)" in timeline
    [inquiry] = [e for e in show_lead(db, settings.rules, "#1").timeline if e.type == "inquiry"]
    assert inquiry.detail["name"] == "Priya S"


def test_line_edit_selection_is_replaced_cleared_or_kept():
    from callq.widgets.outcome_panel import LineEdit

    edit = LineEdit()
    edit.set("2026-12-04 10:00")
    edit.select_all()
    assert edit.key("t", "t") and (edit.text, edit.cursor, edit.selected) == ("t", 1, False)
    edit.set("2026-12-04 10:00")
    edit.select_all()
    edit.key("ctrl+u", None)
    assert edit.text == ""
    edit.set("10:00")
    edit.select_all()
    edit.key("home", None)
    edit.key("1", "1")
    assert edit.text == "110:00"  # home keeps the text and puts the cursor first
    edit.select_all()
    edit.insert("in 2h\nsecond line")  # a paste replaces the selection with its first line
    assert edit.text == "in 2h"
    empty = LineEdit()
    empty.select_all()
    assert not empty.selected  # nothing to select
