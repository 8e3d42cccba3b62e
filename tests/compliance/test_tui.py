"""Pilot: `m` sends the lead's message touch (the text copied when its channel has no
command) and logs it; `d` is refused for a listed number and outside the lead's window."""

from dataclasses import replace

from callq.app import make_app
from callq.config.settings import Settings
from callq.screens.lead import LeadScreen

SIZE = (120, 40)


def _app(db, db_target: str, rules, now):  # noqa: ANN001, ANN202
    return make_app(Settings(db_target, None, "asha", rules, now), db=db, live=False)


def _toasts(app) -> list[str]:  # noqa: ANN001
    return [str(n.message) for n in app._notifications]


async def _open(app, pilot, lead_id: int) -> LeadScreen:  # noqa: ANN001
    app.open_lead(lead_id)
    await pilot.pause()
    assert isinstance(app.screen, LeadScreen)
    return app.screen


async def test_m_copies_the_rendered_message_and_logs_the_touch(db, db_target, desk, leads, now):
    from callq.services.leads import show_lead
    from callq.services.outcomes import log_outcome

    rules = replace(desk.rules, channels={})  # no whatsapp command: the text is copied
    log_outcome(db, rules, leads.ravi, "no_answer", rep="asha", now=now)
    app = _app(db, db_target, rules, now)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, leads.ravi)
        await pilot.press("m")
        await pilot.pause()
        assert copied == ["Hi Ravi, this is asha from Acme."]
        assert any("whatsapp:intro text copied" in t and "touch 3/5" in t for t in _toasts(app))
    detail = show_lead(db, rules, f"#{leads.ravi}")
    assert detail.calls == 2 and detail.open_followup.touch == 3
    sent = [e for e in detail.timeline if e.type == "call_logged" and e.detail.get("channel")]
    assert [(e.detail["channel"], e.detail["outcome"]) for e in sent] == [
        ("whatsapp", "message_sent")
    ]


async def test_d_is_refused_for_a_listed_number_and_outside_the_window(
    db, db_target, desk, leads, now
):
    app = _app(db, db_target, desk.rules, now)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, leads.meera)
        local = str(screen.query_one("#lead-local").content)
        assert "Do not call" in local and "asked on the call" in local
        assert not screen.check_action("dial", ())  # no dial offered
        await pilot.press("d")
        await pilot.press("escape")
        screen = await _open(app, pilot, leads.dana)
        await pilot.press("d")
        await pilot.pause()
        refusals = [t for t in _toasts(app) if "not dialled" in t]
        assert refusals and "it is Sun 23:30 for Dana Smith" in refusals[0]
        assert "opens Mon 23 Nov 09:00" in refusals[0]
        assert not any(t.startswith("Dialling") for t in _toasts(app))
    assert desk.ran(desk.dialled) == []
