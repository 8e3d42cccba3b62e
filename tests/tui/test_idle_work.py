"""The app's housekeeping waits for the rep's pause: never while an outcome is being typed."""

import asyncio

import pytest

import callq.app as app_module

SIZE = (120, 40)


@pytest.mark.sqlite_only
async def test_a_full_collection_skipped_at_a_busy_moment_runs_in_the_next_pause(app, monkeypatch):
    monkeypatch.setattr(app_module, "GC_RETRY_SECONDS", 0.05)
    passes: list[bool] = []
    monkeypatch.setattr(
        app, "collect_garbage", lambda: passes.append(app.screen.queue.panel is None)
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1")  # the outcome panel is open: the rep is typing
        await pilot.pause()
        assert app.screen.queue.panel is not None
        app._collect_garbage_if_quiet()  # the minute's tick
        app._collect_garbage_if_quiet()  # and another: still one retry waiting
        await asyncio.sleep(0.2)
        assert passes == []
        await pilot.press("escape")
        await pilot.pause()
        await asyncio.sleep(0.2)
        await pilot.pause()
        assert passes == [True]  # once, after the panel closed
