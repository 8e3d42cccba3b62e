"""The cache of validated rules: same rules as a fresh load, and never a wrong or foreign one."""

import os

from callq.config import cache as rules_cache
from callq.config.loading import load_rules, load_rules_cached

RULES = """
[team]
timezone = "Europe/London"
"""


def test_a_cached_load_returns_what_validation_built(tmp_path):
    path = tmp_path / "callq.toml"
    path.write_text(RULES)
    cache = tmp_path / "cache"
    assert rules_cache.load(path, cache) is None
    rules_cache.store(path, cache, load_rules(path))
    (stored,) = cache.glob("rules-*.pickle")
    assert stored.stat().st_mode & 0o777 == 0o600
    assert rules_cache.load(path, cache) == load_rules(path)
    assert rules_cache.load(None, cache) is None  # another text, another entry


def test_an_edited_rules_file_is_validated_again(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLQ_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "callq.toml"
    path.write_text(RULES)
    assert load_rules_cached(path).team.timezone == "Europe/London"
    path.write_text(RULES.replace("Europe/London", "Asia/Dubai"))
    assert load_rules_cached(path).team.timezone == "Asia/Dubai"
    path.write_text('[team]\ntimezone = "Mars/Base"\n')
    try:
        load_rules_cached(path)
    except ValueError as error:  # ConfigError: nothing stale was used instead
        assert "Mars/Base" in str(error)
    else:
        raise AssertionError("an invalid file must not load from the cache")


def test_a_file_others_can_write_or_garbage_is_no_cache(tmp_path):
    path = tmp_path / "callq.toml"
    path.write_text(RULES)
    cache = tmp_path / "cache"
    rules_cache.store(path, cache, load_rules(path))
    (stored,) = cache.glob("rules-*.pickle")
    os.chmod(stored, 0o666)
    assert rules_cache.load(path, cache) is None
    os.chmod(stored, 0o600)
    stored.write_bytes(b"not a pickle")
    assert rules_cache.load(path, cache) is None


def test_rules_are_keyed_by_the_text_they_were_validated_from(tmp_path):
    """The file saved again between validating and storing: the entry names the old text,
    so the new text is never answered with rules built from the old one."""
    path = tmp_path / "callq.toml"
    path.write_text(RULES)
    cache = tmp_path / "cache"
    validated_text, rules = path.read_bytes(), load_rules(path)
    path.write_text(RULES.replace("Europe/London", "Asia/Dubai"))  # the admin saves again
    rules_cache.store(path, cache, rules, text=validated_text)
    assert rules_cache.load(path, cache) is None
    assert rules_cache.load(path, cache, text=validated_text) == rules
