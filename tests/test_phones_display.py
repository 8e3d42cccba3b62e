"""The phone display cache that lets the queue's first frame skip importing phonenumbers."""

import json

import pytest

from callq import phones


@pytest.fixture(autouse=True)
def fresh_display_state(monkeypatch):
    """Each test starts as a new process would: nothing shown, nothing read from a file."""
    monkeypatch.setattr(phones, "_shown", {})
    monkeypatch.setattr(phones, "_cached", {})
    monkeypatch.setattr(phones, "_unchecked", [])


def test_display_cache_round_trip_and_stale_entries_are_corrected(tmp_path, monkeypatch):
    cache = tmp_path / "cache" / "phone-display.json"
    assert phones.display_phone("+919876543210") == "+91 98765 43210"
    assert phones.refresh_display_cache(cache) is False
    assert json.loads(cache.read_text()) == {"+919876543210": "+91 98765 43210"}

    monkeypatch.setattr(phones, "_shown", {})  # a new run
    cache.write_text(json.dumps({"+919876543210": "stale text", "+14155550123": 5}))
    phones.load_display_cache(cache)
    assert phones.display_phone("+919876543210") == "stale text"  # what the first frame shows
    assert phones.refresh_display_cache(cache) is True  # ... until the library re-formats it
    assert phones.display_phone("+919876543210") == "+91 98765 43210"
    assert json.loads(cache.read_text()) == {"+919876543210": "+91 98765 43210"}


def test_an_unreadable_cache_is_no_cache(tmp_path):
    cache = tmp_path / "phone-display.json"
    cache.write_text("{not json")
    phones.load_display_cache(cache)
    phones.load_display_cache(tmp_path / "missing.json")
    assert phones._shown == {}
    assert phones.display_phone("+447911123456") == "+44 7911 123456"


def test_only_numbers_shown_are_checked_the_others_are_kept(tmp_path, monkeypatch):
    cache = tmp_path / "phone-display.json"
    cache.write_text(json.dumps({"+447911123456": "kept as written", "+919876543210": "x"}))
    phones.load_display_cache(cache)
    formatted = []
    real = phones._international
    monkeypatch.setattr(phones, "_international", lambda e164: formatted.append(e164) or real(e164))
    assert phones.display_phone("+919876543210") == "x"
    assert phones.refresh_display_cache(cache) is True
    assert formatted == ["+919876543210"]  # start-up formats what it showed, nothing more
    assert json.loads(cache.read_text()) == {
        "+447911123456": "kept as written",
        "+919876543210": "+91 98765 43210",
    }


def test_a_long_day_of_numbers_keeps_a_bounded_cache(tmp_path, monkeypatch):
    """Scrolling through a big queue formats thousands of numbers: the run keeps the newest
    SHOWN_MAX, and a number dropped from it is formatted again when it is seen."""
    monkeypatch.setattr(phones, "SHOWN_MAX", 50)
    numbers = [f"+9198765{n:05d}" for n in range(120)]
    for number in numbers:
        phones.display_phone(number)
    assert len(phones._shown) == 50
    assert list(phones._shown) == numbers[-50:]
    assert phones.display_phone(numbers[0]) == "+91 98765 00000"
    # A number shown from the file and dropped before the refresh is not checked (no KeyError).
    phones._cached["+919876599999"] = "+91 98765 99999"
    phones.display_phone("+919876599999")
    for number in numbers[:60]:
        phones.display_phone(number)
    assert phones.refresh_display_cache(tmp_path / "cache.json") is False
