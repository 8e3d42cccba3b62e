"""Enter on the queue's outcome panel: the frame that closes the panel shows the outcome
(the rules' plan on the facts read ahead), the write runs right after that frame, and
nothing else reads or writes before it. A refused write says so and restores the rows."""

from tests.tui.test_flows import SIZE, calls, current, lead_named, list_text, toasts
from textual import events

from callq.screens.queue import QueueScreen
from callq.services import outcomes


async def read_ahead(app, pilot) -> None:
    """Until the facts of the lead under the cursor are read ahead (a thread)."""
    for _ in range(60):
        await pilot.pause(0.05)
        item = current(app)
        if item is not None and app.screen.facts_read_ahead(item.lead_id) is not None:
            return
    raise AssertionError("the facts were never read ahead")


def row_of(app, name: str) -> str:
    return next(line for line in list_text(app).splitlines() if name in line)


async def test_the_row_shows_the_outcome_before_the_write_and_the_write_confirms_it(
    app, day, monkeypatch
):
    _, db = day
    before = len(calls(db))
    seen = []  # what the queue showed as the write began
    real = outcomes.log_outcome

    def log_outcome(*args, **kwargs):
        seen.append((row_of(app, "Priya Sharma"), current(app).name, app.notices.copy()))
        return real(*args, **kwargs)

    monkeypatch.setattr(outcomes, "log_outcome", log_outcome)
    async with app.run_test(size=SIZE) as pilot:
        await read_ahead(app, pilot)
        await pilot.press("1")
        await pilot.press("enter")
        await pilot.pause()
        assert len(seen) == 1
        row, cursor_on, notices = seen[0]
        # Drawn before the commit: the logged row, the cursor on the next lead, no toast yet.
        assert "✓" in row and "No answer · next Mon 23 Nov 14:30 · touch 2/5" in row
        assert cursor_on == "Rahul Verma" and not any("No answer" in n for n in notices)
        logged = calls(db)
        assert len(logged) == before + 1 and logged[-1].outcome == "no_answer"
        # The write confirmed it: the toast, and the same row.
        assert "No answer · next Mon 23 Nov 14:30 · touch 2/5" in toasts(app)
        assert row_of(app, "Priya Sharma") == row


async def test_a_write_refused_after_the_row_was_shown_says_so_and_restores_the_rows(
    app, day, monkeypatch
):
    """Someone else logged a call on the lead after its facts were read ahead: the write
    refuses (nothing saved), the toast says so, and the queue shows the lead as stored."""
    settings, db = day
    async with app.run_test(size=SIZE) as pilot:
        await read_ahead(app, pilot)
        before = len(calls(db)) + 1  # ben's
        priya = lead_named(db, "Priya Sharma")
        outcomes.log_outcome(db, settings.rules, f"#{priya.id}", "1", rep="ben", now=settings.now())
        await pilot.press("1")
        await pilot.press("enter")
        for _ in range(20):
            await pilot.pause(0.05)
            if any("nothing was saved" in n for n in toasts(app)):
                break
        assert any("nothing was saved" in n for n in toasts(app))
        assert len(calls(db)) == before
        assert "✓" not in list_text(app)  # no row claims an outcome that was not saved
        assert not any("No answer · next" in n for n in toasts(app))


async def test_quitting_at_once_after_enter_still_saves_the_outcome(app, day):
    _, db = day
    before = len(calls(db))
    async with app.run_test(size=SIZE) as pilot:
        await read_ahead(app, pilot)
        await pilot.press("1")
        # What enter does, then quitting before any frame is drawn.
        app.screen.queue.save_panel()
        assert len(calls(db)) == before  # shown, waiting for its frame
        app.exit()
    logged = calls(db)
    assert len(logged) == before + 1 and logged[-1].outcome == "no_answer"


async def test_undo_typed_in_the_same_burst_undoes_that_outcome(app, day):
    """`1`, enter and `u` in one burst: undo waits for the write it undoes."""
    _, db = day
    before = len(calls(db))
    async with app.run_test(size=SIZE) as pilot:
        await read_ahead(app, pilot)
        for key, character in (("1", "1"), ("enter", "\r"), ("u", "u")):
            app.post_message(events.Key(key, character))
        for _ in range(20):
            await pilot.pause(0.05)
            if any(n.startswith("Undone:") for n in toasts(app)):
                break
        assert any(n.startswith("Undone: No answer on Priya Sharma") for n in toasts(app))
        assert len(calls(db)) == before
        assert isinstance(app.screen, QueueScreen) and current(app).name == "Priya Sharma"
