"""Pilot: a typed time outside business hours shows a warning under the field, and is kept.

The clock is Monday 23 Nov 2026 11:00 in Asia/Kolkata; hours mon-fri 09:30-18:30,
sat 10:00-14:00 (the default rules).
"""

from callq.screens.forms import RescheduleForm
from callq.screens.lead import LeadScreen
from callq.screens.outcome import OutcomeForm
from callq.screens.queue import QueueScreen
from callq.services.leads import show_lead
from callq.widgets.queue_list import QueueList

SIZE = (120, 40)
SATURDAY_EVENING = "Sat 28 Nov 19:00 is outside business hours (opens Mon 09:30)"


def warning_under(field_parent) -> str | None:  # noqa: ANN001
    """The warning line of a TimeField (None while it is hidden)."""
    label = field_parent.query_one("#warning")
    return str(label.content) if label.display else None


def list_text(app) -> str:  # noqa: ANN001
    queue = app.screen.query_one(QueueList)
    return "\n".join(queue.render_line(y).text for y in range(queue.size.height))


async def test_reschedule_form_warns_under_the_field_and_keeps_the_time(app, day):
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        assert isinstance(app.screen, RescheduleForm)
        await pilot.press(*"tomorrow 3pm")
        await pilot.pause()
        assert warning_under(app.screen) is None
        await pilot.press("ctrl+u", *"sat 19:00")
        await pilot.pause()
        assert warning_under(app.screen) == SATURDAY_EVENING
        preview = str(app.screen.query_one("#preview").content)
        assert preview.startswith("→ Sat 28 Nov 19:00")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        detail = show_lead(db, settings.rules, "+919876543210")
        assert detail.open_followup.due_at.isoformat() == "2026-11-28T13:30:00+00:00"


async def test_reschedule_form_takes_the_reading_in_hours_and_refuses_ambiguity(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", *"3:30")
        await pilot.pause()
        assert str(app.screen.query_one("#preview").content).startswith("→ today 15:30")
        assert warning_under(app.screen) is None
        await pilot.press("ctrl+u", *"sat 7:00")
        await pilot.pause()
        preview = str(app.screen.query_one("#preview").content)
        assert "ambiguous" in preview and warning_under(app.screen) is None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RescheduleForm)  # not saved


async def test_queue_outcome_panel_shows_the_warning_under_the_time(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "tab", "ctrl+u", *"sat 19:00")
        await pilot.pause()
        lines = list_text(app).splitlines()
        at = next(i for i, line in enumerate(lines) if "> sat 19:00" in line)
        assert "→ Sat 28 Nov 19:00" in lines[at + 1]
        assert SATURDAY_EVENING in lines[at + 2]
        await pilot.press("ctrl+u", *"tomorrow 3pm")
        await pilot.pause()
        assert "outside business hours" not in list_text(app)


async def test_lead_screen_outcome_form_shows_the_warning_under_the_time(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        await pilot.press("4")
        await pilot.pause()
        form = app.screen.query_one(OutcomeForm)
        form.query_one("#when").value = "sun 10am"
        await pilot.pause()
        assert warning_under(form) == "Sun 29 Nov 10:00 is on a closed day (opens Mon 09:30)"
        form.query_one("#when").value = "tomorrow 10am"
        await pilot.pause()
        assert warning_under(form) is None
