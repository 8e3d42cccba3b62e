"""The phone display cache that lets the queue's first frame skip importing phonenumbers."""

import json

from callq import phones


def test_display_cache_round_trip_and_stale_entries_are_corrected(tmp_path, monkeypatch):
    monkeypatch.setattr(phones, "_shown", {})
    cache = tmp_path / "cache" / "phone-display.json"
    assert phones.display_phone("+919876543210") == "+91 98765 43210"
    assert phones.refresh_display_cache(cache) is False
    assert json.loads(cache.read_text()) == {"+919876543210": "+91 98765 43210"}

    monkeypatch.setattr(phones, "_shown", {})
    cache.write_text(json.dumps({"+919876543210": "stale text", "+14155550123": 5}))
    phones.load_display_cache(cache)
    assert phones.display_phone("+919876543210") == "stale text"  # what the first frame shows
    assert phones.refresh_display_cache(cache) is True  # ... until the library re-formats it
    assert phones.display_phone("+919876543210") == "+91 98765 43210"
    assert json.loads(cache.read_text()) == {"+919876543210": "+91 98765 43210"}


def test_an_unreadable_cache_is_no_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(phones, "_shown", {})
    cache = tmp_path / "phone-display.json"
    cache.write_text("{not json")
    phones.load_display_cache(cache)
    phones.load_display_cache(tmp_path / "missing.json")
    assert phones._shown == {}
    assert phones.display_phone("+447911123456") == "+44 7911 123456"
