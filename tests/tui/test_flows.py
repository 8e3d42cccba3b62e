"""Pilot tests: real key presses for every flow; assert what the rep sees and what the db holds."""

import asyncio
import sys
from dataclasses import replace

from sqlmodel import select

from callq.app import make_app
from callq.screens.forms import AddLeadForm, NoteForm, RescheduleForm
from callq.screens.help import HelpScreen
from callq.screens.lead import LeadScreen
from callq.screens.outcome import OutcomeForm
from callq.screens.queue import QueueScreen
from callq.screens.search import SearchScreen
from callq.services.leads import show_lead
from callq.store.models import Call, Event, FollowUp, Lead
from callq.widgets.queue_list import QueueList

SIZE = (120, 40)


def toasts(app) -> list[str]:
    return list(app.notices)


def calls(db) -> list[Call]:
    with db.read() as session:
        return list(session.exec(select(Call).order_by(Call.id)))


def lead_named(db, name: str) -> Lead:
    with db.read() as session:
        return session.exec(select(Lead).where(Lead.name == name)).one()


def open_form(app):
    """The outcome being entered: the queue's panel, or the lead screen's form (None: none)."""
    if isinstance(app.screen, QueueScreen):
        return app.screen.query_one(QueueList).panel
    forms = app.screen.query(OutcomeForm)
    return forms.first() if forms and forms.first().is_open else None


def list_text(app) -> str:
    """What the queue list shows, the outcome panel drawn over its rows included."""
    queue = app.screen.query_one(QueueList)
    return "\n".join(queue.render_line(y).text for y in range(queue.size.height))


def current(app):
    return app.screen.query_one(QueueList).current_item


async def test_queue_shows_sections_in_spec_order(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        queue = app.screen.query_one(QueueList)
        lines = [queue.render_line(y).text for y in range(10)]
        titles = [line.split("(")[0].strip() for line in lines if "(" in line and line[1] != " "]
        assert titles[:4] == ["New", "Overdue", "Due today", "Upcoming"]
        assert "15m late" in lines[1]  # the breached web lead, flagged
        assert "Ben's Lead" not in "\n".join(lines)
        header = str(app.screen.query_one("#header").content)
        assert "New 2" in header and "Overdue 1" in header and "Calls today 1" in header
        # The clock comes first: a narrow terminal cuts the line from the right.
        assert header.startswith("callq · asha · Mon 23 Nov 11:00   New 2")
        assert current(app).name == "Priya Sharma"


async def test_open_lead_shows_detail_and_back(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        facts = str(app.screen.query_one("#lead-facts").content)
        assert "bulk order" in facts and "breached" in facts
        assert "inside business hours" in str(app.screen.query_one("#lead-local").content)
        timeline = str(app.screen.query_one("#timeline").content)
        assert timeline.index("Follow-up scheduled") < timeline.index("Lead created")
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen) and open_form(app) is None


async def test_a_logged_row_shows_as_done_until_the_rep_pauses(app, monkeypatch):
    import callq.screens.queue as queue_screen

    monkeypatch.setattr(queue_screen, "SETTLE_SECONDS", 0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "enter")
        await pilot.pause()
        rows = list_text(app).splitlines()
        assert rows[0].startswith(" New (1)")  # the count drops at once
        # Priya's row stays where it was, saying what was logged; the cursor moved on.
        assert rows[1].startswith(" ✓ Priya Sharma")
        assert "No answer · next Mon 23 Nov 14:30 · touch 2/5" in rows[1]
        assert current(app).name == "Rahul Verma"
        assert "New 1 ·" in str(app.screen.query_one("#header").content)
        # The rep pauses: the exact re-read places every row, the cursor stays on Rahul.
        await pilot.pause(0.2)
        for _ in range(20):
            await pilot.pause(0.05)
            if "✓" not in list_text(app):
                break
        rows = list_text(app).splitlines()
        assert "✓" not in "\n".join(rows)
        assert "Priya Sharma" not in rows[1] and current(app).name == "Rahul Verma"
        due_today = next(i for i, row in enumerate(rows) if row.startswith(" Due today"))
        assert any("Priya Sharma" in row for row in rows[due_today:])  # her callback at 14:30


async def test_logged_rows_leave_at_once_when_the_cursor_nears_the_bottom(app, monkeypatch):
    """Rather than scroll (every row redrawn) while logged rows wait for the pause."""
    import callq.screens.queue as queue_screen

    monkeypatch.setattr(queue_screen, "SETTLE_SECONDS", 30)  # no pause in this test
    async with app.run_test(size=(120, 9)) as pilot:
        queue = app.screen.query_one(QueueList)
        await pilot.press("1", "enter")
        await pilot.pause()
        assert queue.rows_below_cursor < queue_screen.ROOM_BELOW
        for _ in range(40):
            await pilot.pause(0.05)
            if queue.logged_in_place == 0:
                break
        rows = list_text(app).splitlines()
        assert "✓" not in "\n".join(rows) and "Priya Sharma" not in rows[1]
        assert current(app).name == "Rahul Verma" and queue.scroll_offset.y == 0


async def test_the_outcome_key_uses_what_was_read_ahead_while_the_cursor_rested(app, monkeypatch):
    from callq.services import suggest

    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        for _ in range(40):  # the read-ahead runs in a thread after the first frame
            await pilot.pause(0.05)
            if screen.facts_read_ahead(current(app).lead_id) is not None:
                break
        reads = []
        real = suggest.lead_facts
        monkeypatch.setattr(suggest, "lead_facts", lambda *a, **k: reads.append(a) or real(*a, **k))
        await pilot.press("1")
        assert "> 2026-11-23 14:30" in list_text(app) and reads == []
        await pilot.press("escape")
        screen.data = replace(screen.data)  # as a re-read does: what was read is not current
        await pilot.press("1")
        assert "> 2026-11-23 14:30" in list_text(app) and len(reads) == 1


async def test_log_no_answer_from_queue_then_undo(app, day):
    _, db = day
    before = len(calls(db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        assert open_form(app) is not None
        assert "> 2026-11-23 14:30" in list_text(app)
        assert "1  No answer · Priya Sharma" in list_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen) and open_form(app) is None
        logged = calls(db)
        assert len(logged) == before + 1 and logged[-1].outcome == "no_answer"
        assert "No answer · next Mon 23 Nov 14:30 · touch 2/5" in toasts(app)
        await pilot.pause()  # the toast follows the queue's frame
        toast_lines = [line for line in list_text(app).splitlines() if "▌" in line]
        assert "Priya Sharma" in toast_lines[0]  # its title, over the bottom-right rows
        assert "No answer · next Mon 23 Nov 14:30" in toast_lines[1]
        # the cursor is on the next lead
        assert current(app).name == "Rahul Verma"
        await pilot.press("u")
        await pilot.pause()
        assert len(calls(db)) == before
        assert any(t.startswith("Undone: No answer on Priya Sharma") for t in toasts(app))
        assert current(app).name == "Priya Sharma"  # back where it was
        with db.read() as session:
            priya = session.exec(select(Lead).where(Lead.name == "Priya Sharma")).one()
            assert priya.stage == "new" and priya.first_touch_at is None
            types = [e.type for e in session.exec(select(Event).where(Event.lead_id == priya.id))]
            assert "outcome_undone" in types


async def test_outcome_key_and_enter_typed_in_one_burst_log_it(app, day):
    """A rep who takes the pre-filled time types `1` and enter at once: both keys reach the
    app before a frame is drawn, and enter must save the form, not open the lead."""
    from textual import events

    _, db = day
    before = len(calls(db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.post_message(events.Key("1", "1"))
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen) and open_form(app) is None
        logged = calls(db)
        assert len(logged) == before + 1 and logged[-1].outcome == "no_answer"
        assert current(app).name == "Rahul Verma"


async def test_two_outcomes_typed_in_one_burst_are_both_logged_in_order(app, day):
    """`1⏎1⏎` at once: the second `1` reaches the app while the first panel is still open
    (there it is text, so its binding is off) and the list after that panel closed: it
    opens the next lead's panel then, and the second enter saves it."""
    from textual import events

    _, db = day
    before = len(calls(db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key, character in (("1", "1"), ("enter", "\r"), ("1", "1"), ("enter", "\r")):
            app.post_message(events.Key(key, character))
        for _ in range(20):
            await pilot.pause(0.05)
            if len(calls(db)) == before + 2:
                break
        logged = calls(db)[before:]
        with db.read() as session:
            names = [session.get(Lead, call.lead_id).name for call in logged]
        assert names == ["Priya Sharma", "Rahul Verma"]
        assert isinstance(app.screen, QueueScreen) and open_form(app) is None


async def test_pasting_into_the_outcome_panel_types_the_first_line(app, day):
    from textual import events

    _, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one(QueueList).post_message(events.Paste("rang twice\nthen busy"))
        await pilot.pause()
        assert "> rang twice" in list_text(app) and "then busy" not in list_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert calls(db)[-1].note == "rang twice"


async def test_log_from_lead_screen_with_note_returns_to_queue(app, day):
    _, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "5")
        await pilot.pause()
        await pilot.press(*"wants a demo")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen) and open_form(app) is None
        call = calls(db)[-1]
        assert call.outcome == "interested" and call.note == "wants a demo"
        assert lead_named(db, "Priya Sharma").stage == "qualified"


async def test_ask_outcome_requires_a_time(app, day):
    _, db = day
    before = len(calls(db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        panel = open_form(app)
        assert panel is not None
        assert "> 2026-11-24 10:00" in list_text(app)  # ask:1d@10:00
        assert "Next follow-up (required)" in list_text(app)
        await pilot.press("tab", "ctrl+u", "enter")  # the time field, cleared
        await pilot.pause()
        assert open_form(app) is panel
        assert "A callback time is required" in list_text(app)
        assert len(calls(db)) == before
        await pilot.press(*"tomorrow 3pm")
        await pilot.pause()
        assert "→ tomorrow 15:00" in list_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen) and open_form(app) is None
        with db.read() as session:
            lead = session.exec(select(Lead).where(Lead.name == "Priya Sharma")).one()
            followup = session.exec(
                select(FollowUp).where(FollowUp.lead_id == lead.id, FollowUp.status == "open")
            ).one()
        assert followup.due_at.isoformat() == "2026-11-24T09:30:00+00:00"  # 15:00 IST


async def test_bad_typed_time_shows_error_and_saves_nothing(app, day):
    _, db = day
    before = len(calls(db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        panel = open_form(app)
        await pilot.press("tab", "ctrl+u", *"next week")
        await pilot.pause()
        assert not panel.preview()[1]
        shown = list_text(app)  # the whole sentence, on two lines
        assert "'next week' is ambiguous: name the day and time" in shown
        assert "10am." in shown
        await pilot.press("enter")
        await pilot.pause()
        assert open_form(app) is panel and len(calls(db)) == before
        await pilot.press("escape")
        await pilot.pause()
        assert open_form(app) is None and len(calls(db)) == before


async def test_their_time_toggle_uses_the_leads_zone(tmp_path):
    from tests.tui.data import NOW, build_day

    settings, db = build_day(tmp_path / "x.db")
    from callq.services.leads import NewLead, add_lead

    add_lead(
        db,
        settings.rules,
        NewLead(
            "Tom London", "+44 7911 123456", source="phone", timezone="Europe/London", owner="asha"
        ),
        now=NOW,
        rep="asha",
    )
    app = make_app(settings, db=db, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"Tom", "enter")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        form = open_form(app)
        form.query_one("#when").value = "tomorrow 3pm"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert "their 15:00" in str(form.query_one("#preview").content)
        await pilot.press("enter")
        await pilot.pause()
        detail = show_lead(db, settings.rules, "+447911123456")
        assert detail.open_followup.due_at.isoformat() == "2026-11-24T15:00:00+00:00"


async def test_next_lead_moves_the_cursor(app):
    async with app.run_test(size=SIZE) as pilot:
        names = [current(app).name]
        for _ in range(3):
            await pilot.press("n")
            names.append(current(app).name)
        assert names == ["Priya Sharma", "Rahul Verma", "Meera Iyer", "Anita Desai"]


async def test_search_by_phone_digits_opens_the_lead(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"33445")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        assert "Anita Desai" in str(app.screen.query_one("#lead-name").content)


async def test_add_lead_valid_and_invalid_phone(app, day):
    _, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, AddLeadForm)
        await pilot.press(*"Nisha Kapoor", "tab", *"12345", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AddLeadForm)
        assert "not a valid phone number" in str(app.screen.query_one("#error").content)
        with db.read() as session:
            assert session.exec(select(Lead).where(Lead.name == "Nisha Kapoor")).first() is None
        app.screen.query_one("#phone").value = "98450 67890"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen) and open_form(app) is None
        lead = lead_named(db, "Nisha Kapoor")
        assert lead.phone == "+919845067890" and lead.stage == "new"
        assert any(t.startswith("Added Nisha Kapoor") for t in toasts(app))
        header = str(app.screen.query_one("#header").content)
        assert "New 3" in header


async def test_reschedule_moves_the_followup(app, day):
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        assert isinstance(app.screen, RescheduleForm)
        await pilot.press(*"in 2h", "tab", *"asked for afternoon", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen) and open_form(app) is None
        detail = show_lead(db, settings.rules, "+919876543210")
        assert detail.open_followup.due_at.isoformat() == "2026-11-23T07:30:00+00:00"
        assert detail.timeline[0].type == "followup_rescheduled"


async def test_note_is_saved_on_the_timeline(app, day):
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        assert isinstance(app.screen, NoteForm)
        await pilot.press("enter")  # empty: refused on screen
        assert isinstance(app.screen, NoteForm)
        await pilot.press(*"prefers whatsapp", "enter")
        await pilot.pause()
        detail = show_lead(db, settings.rules, "+919876543210")
        assert detail.timeline[0].type == "note"
        assert detail.timeline[0].detail["text"] == "prefers whatsapp"


async def test_dial_runs_the_command_without_a_shell(day, tmp_path):
    settings, db = day
    out = tmp_path / "argv.txt"
    script = tmp_path / "dial.py"
    script.write_text(
        f"import sys, pathlib\npathlib.Path({str(out)!r}).write_text('\\n'.join(sys.argv[1:]))\n"
    )
    rules = replace(settings.rules, dial_command=(sys.executable, str(script), "--to", "{phone}"))
    app = make_app(replace(settings, rules=rules), db=db, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        for _ in range(100):
            if out.exists() and out.read_text():
                break
            await pilot.pause(0.05)
        assert out.read_text().splitlines() == ["--to", "+919876543210"]
        assert any(t.startswith("Dialling +91 98765 43210") for t in toasts(app))


async def test_dial_without_a_command_copies_the_number(app):
    copied = []
    app.copy_to_clipboard = copied.append
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.press("n", "c")
        assert copied == ["+919876543210", "+919820011223"]
        assert "Copied +919876543210" in toasts(app)


async def test_help_lists_every_key(app):
    from callq.screens.keys import ACTIONS, key_label

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#keys").content)
        for action in ACTIONS:
            assert f"{key_label(action.key):>7}  {action.description}" in text
        for outcome in app.settings.rules.outcomes:
            assert outcome.label in text
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen) and open_form(app) is None


async def test_keys_table_rebinds_an_action(day):
    settings, db = day
    rules = replace(settings.rules, keys={"next": "J"})
    app = make_app(replace(settings, rules=rules), db=db, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("J")
        assert current(app).name == "Rahul Verma"
        await pilot.press("n")  # no longer bound
        assert current(app).name == "Rahul Verma"


async def test_locked_database_shows_a_message_and_changes_nothing(app, day, monkeypatch):
    from callq.services import outcomes
    from callq.store.db import DatabaseBusy

    _, db = day

    def busy(*_args, **_kwargs):
        raise DatabaseBusy("the database is locked by another callq process; nothing was changed")

    monkeypatch.setattr(outcomes, "log_outcome", busy)
    before = len(calls(db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "enter")
        await pilot.pause()
        assert any("locked" in t for t in toasts(app))
        assert len(calls(db)) == before and app.is_running


async def test_changes_by_others_appear_on_poll(app, day):
    settings, db = day
    from callq.services.leads import NewLead, add_lead

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        add_lead(
            db,
            settings.rules,
            NewLead("Other Rep Added", "98450 11111", owner="asha"),
            now=settings.now(),
            rep="ben",
        )
        app.poll()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "New 3" in str(app.screen.query_one("#header").content)


async def test_followup_falling_due_notifies(day):
    settings, db = day
    from datetime import timedelta

    app = make_app(settings, db=db, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # 15 minutes pass: Vikram's 11:10 callback falls due (Settings is frozen; tests only).
        object.__setattr__(app.settings, "fixed_now", settings.now() + timedelta(minutes=15))
        app.poll()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("Vikram Singh" in t for t in toasts(app))
        assert "Overdue 3 · Due today 0" in str(app.screen.query_one("#header").content)


async def test_quit(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


def test_make_app_is_importable_without_running(day):
    settings, db = day
    app = make_app(settings, db=db, live=False)
    assert app.settings.rep == "asha"
    assert app.db is db


async def test_each_outcome_key_starts_a_fresh_panel(app, day):
    _, db = day
    before = len(calls(db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        assert open_form(app) is not None
        await pilot.press(*"half a 1 note", "escape")  # digits typed in the panel are text
        await pilot.pause()
        assert open_form(app) is None and len(calls(db)) == before
        await pilot.press("7")  # won: closes the lead, no time field
        await pilot.pause()
        shown = list_text(app)
        assert open_form(app).note.text == "" and "half a" not in shown
        assert "No next follow-up: this outcome closes the lead." in shown
        assert "Next follow-up" not in shown and "7  Won" in shown
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        shown = list_text(app)
        assert "> 2026-11-23 14:30" in shown and "→ today 14:30" in shown
        assert current(app).name == "Priya Sharma"  # no key typed above moved the cursor


async def test_opening_a_lead_held_by_another_rep_says_who_and_refuses_an_outcome(app, day):
    from callq.services.claims import claim_lead
    from callq.store.models import Call

    settings, db = day
    top = None
    async with app.run_test(size=SIZE) as pilot:
        top = current(app)
        claim_lead(db, settings.rules, f"#{top.lead_id}", rep="ben", now=settings.now())
        await pilot.press("enter")  # asha opens it: ben holds it
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        assert any("is being worked by ben" in t for t in toasts(app))
        assert "Held by" in str(app.screen.query_one("#lead-facts").content)
        await pilot.press("2", "enter")  # Busy
        await pilot.pause()
        assert any("nothing was saved" in t for t in toasts(app))
    with db.read() as session:
        from sqlmodel import select

        assert session.exec(select(Call).where(Call.lead_id == top.lead_id)).all() == []


async def test_a_lead_is_held_while_open_and_given_back_on_leaving(app, day):
    from callq.services.leads import show_lead

    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        top = current(app)
        await pilot.press("enter")
        await pilot.pause()
        assert show_lead(db, settings.rules, f"#{top.lead_id}").lead.claimed_by == "asha"
        await pilot.press("escape")
        await pilot.pause()
        assert show_lead(db, settings.rules, f"#{top.lead_id}").lead.claimed_by is None


async def test_queue_toasts_expire_and_the_rows_show_again(app):
    app.NOTIFICATION_TIMEOUT = 0.2
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = list_text(app)
        app.notify("First", title="One")
        app.notify("Second", severity="warning")
        await pilot.pause()
        shown = list_text(app)
        assert "▌ One" in shown and "▌ First" in shown and "▌ Second" in shown
        assert shown.index("First") < shown.index("Second")  # the newest at the bottom
        await pilot.wait_for_scheduled_animations()
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert list_text(app) == before


async def test_toasts_on_other_screens_stay_textual_toasts(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # the lead screen
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        app.notify("On the lead screen")
        await pilot.pause()
        assert [str(n.message) for n in app._notifications] == ["On the lead screen"]


async def test_a_poll_while_the_rep_logs_leaves_the_reread_to_the_pause(app, monkeypatch):
    """The poll sees the rep's own writes as a change; re-reading then would share the
    frames of their next outcome. The re-read when they pause shows others' changes too."""
    rereads = []
    monkeypatch.setattr(QueueScreen, "refresh_in_background", lambda self: rereads.append(1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "enter")
        await pilot.pause()
        queue = app.screen
        assert queue.settling
        app._polled(app.settings.now(), ("someone else's write", 0), [])
        assert rereads == []
        queue._settle_timer.stop()
        queue._settle()  # the rep paused
        assert rereads == [1] and not queue.settling
        app._polled(app.settings.now(), ("another write", 0), [])
        assert rereads == [1, 1]


async def test_a_queue_toast_follows_a_resize(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        message = "Rescheduled to Tue 24 Nov 10:00, their time 08:30"  # one line at 120 wide
        app.notify(message, title="Priya Sharma", timeout=30)
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        queue = app.screen.query_one(QueueList)
        lines = [line for line in list_text(app).splitlines() if "▌" in line]
        assert "Priya Sharma" in lines[0] and "Rescheduled to Tue 24 Nov 10:00," in lines[1]
        assert "their time 08:30" in lines[2]  # wrapped to the narrower toast, not cut
        for line in lines:  # the toast's right edge is the list's, at the new width
            assert len(line) == queue.size.width
            assert line.index("▌") == queue.size.width - 40
