"""Deterministic snapshots (fixed clock, fixed data, no timers) of the main screens, at
120x40 and at 80x24 (where the footer, the header and the rows' columns give way)."""

import pytest
from tests.tui.data import build_day

from callq.app import make_app

SIZE = (120, 40)
SMALL = (80, 24)


@pytest.fixture
def snapshot_app(tmp_path):
    settings, db = build_day(tmp_path / "callq.db")
    yield make_app(settings, db=db, live=False)
    db.dispose()


def test_queue(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, terminal_size=SIZE)


def test_queue_small_terminal(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, terminal_size=SMALL)


def test_queue_next_section(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, press=["right_square_bracket"], terminal_size=SMALL)


def test_lead(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, press=["n", "n", "enter"], terminal_size=SIZE)


def test_lead_small_terminal(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, press=["n", "n", "enter"], terminal_size=SMALL)


def test_outcome_form(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, press=["1"], terminal_size=SIZE)


def test_outcome_form_small_terminal(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, press=["1"], terminal_size=SMALL)


def test_ask_outcome_form_with_typed_time(snap_compare, snapshot_app):
    async def type_time(pilot):
        await pilot.pause()  # the queue's rows are read as the screen mounts
        await pilot.press("4", "tab", "ctrl+u", *"fri 10:30")
        await pilot.pause()

    assert snap_compare(snapshot_app, run_before=type_time, terminal_size=SIZE)


def test_help(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, press=["question_mark"], terminal_size=SIZE)


def test_help_small_terminal(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, press=["question_mark"], terminal_size=SMALL)
