"""A running TUI shows a lead another process added: a toast, the bell, the row in New."""

from tests.tui.data import build_day

from callq.app import POLL_SECONDS, make_app


def add_elsewhere(db_target: str, now) -> None:  # noqa: ANN001
    """Two leads added through a database of their own, as `callq serve` adds them (its own
    engine and connections; the app learns of them only by polling): ben's, then asha's.
    Another process would cost a second of interpreter start; tests/serve/test_hooks and
    test_kill cover changes made by a separate `serve` process."""
    from callq.config.loading import load_default_rules
    from callq.services.leads import NewLead, add_lead
    from callq.store.db import open_database

    db, rules = open_database(db_target), load_default_rules()
    try:
        for name, phone, owner in (
            ("Web Form Lead", "98450 77777", "ben"),
            ("Zapier Lead", "98450 66666", "asha"),
        ):
            new = NewLead(name, phone, source="web", owner=owner)
            add_lead(db, rules, new, now=now, rep="intake")
    finally:
        db.dispose()


async def poll(app, pilot) -> None:  # noqa: ANN001
    app.poll()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_lead_added_by_another_process_appears_with_a_toast(db_target):
    assert POLL_SECONDS <= 1.0  # a poll, then the refresh: on screen within 2 s
    settings, db = build_day(db_target)
    app = make_app(settings, db=db, live=False)
    bells = []
    app.bell = lambda: bells.append(1)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await poll(app, pilot)  # the first poll learns the newest lead
            assert "New 2" in str(app.screen.query_one("#header").content)
            add_elsewhere(db_target, settings.now())
            await poll(app, pilot)
            arrived = [notice for notice in app.notices if "Zapier Lead" in notice]
            assert arrived == ["Zapier Lead (web)"]
            assert not any("Web Form Lead" in notice for notice in app.notices)  # ben's
            assert bells == [1]
            assert "New 3" in str(app.screen.query_one("#header").content)
            await poll(app, pilot)
            assert len([n for n in app.notices if "Zapier Lead" in n]) == 1  # once
    finally:
        db.dispose()


async def test_a_lead_posted_to_serve_appears_in_a_running_app(server, served_db, served_rules):
    """The whole way: a web form's POST to the running `callq serve` process, and the rep's
    app on the same database shows it at its next poll, with a toast and the bell."""
    import random

    from callq.config.settings import Settings

    settings = Settings(server.db_target, server.config, "asha", served_rules)
    app = make_app(settings, db=served_db, live=False)
    bells = []
    app.bell = lambda: bells.append(1)
    name = f"Posted Lead {random.randrange(10**6):06d}"
    phone = f"98{random.randrange(10**8):08d}"
    async with app.run_test(size=(120, 40)) as pilot:
        await poll(app, pilot)  # the first poll learns the newest lead
        body = {"name": name, "phone": phone, "source": "web", "owner": "asha"}
        assert server.post(json=body).status_code == 201
        await poll(app, pilot)
        assert [n for n in app.notices if name in n] == [f"{name} (web)"]
        assert bells == [1]
