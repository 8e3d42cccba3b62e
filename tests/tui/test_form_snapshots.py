"""Snapshots of the forms and search at 120x40 and 80x24 (fixed clock and data)."""

import pytest
from tests.tui.data import build_day

from callq.app import make_app

SIZES = {"wide": (120, 40), "small": (80, 24)}


@pytest.fixture
def snapshot_app(tmp_path):
    settings, db = build_day(tmp_path / "callq.db")
    yield make_app(settings, db=db, live=False)
    db.dispose()


def typing(*keys: str):
    async def run_before(pilot):
        await pilot.pause()  # the queue's rows are read as the screen mounts
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_add_form(snap_compare, snapshot_app, size):
    keys = typing("a", *"Meera Pillai", "tab", *"94470 12345", "tab", *"Pillai Spices")
    assert snap_compare(snapshot_app, run_before=keys, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_add_form_known_number_refused_phone(snap_compare, snapshot_app, size):
    keys = typing("a", *"Meera Pillai", "tab", *"12345", "enter")
    assert snap_compare(snapshot_app, run_before=keys, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_reschedule_form_untouched(snap_compare, snapshot_app, size):
    assert snap_compare(snapshot_app, run_before=typing("r"), terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_reschedule_form_their_time(snap_compare, snapshot_app, size):
    keys = typing("r", *"tomorrow 3pm their time", "tab", *"after lunch", "ctrl+t")
    assert snap_compare(snapshot_app, run_before=keys, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_search_results(snap_compare, snapshot_app, size):
    keys = typing("slash", *"a")
    assert snap_compare(snapshot_app, run_before=keys, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_search_no_matches(snap_compare, snapshot_app, size):
    keys = typing("slash", *"zzqx")
    assert snap_compare(snapshot_app, run_before=keys, terminal_size=SIZES[size])
