"""Phone numbers: normalise to E.164 with libphonenumber's rules, or say why not.

`phonenumbers` is imported where it is used: a command given a lead id never needs it,
and it is ~5% of such a command's start-up.
"""

import json
import os
from pathlib import Path

from callq.errors import UserError


class PhoneError(UserError):
    """A number that cannot be dialled; the message says why."""


def normalise_phone(raw: str, region: str) -> str:
    """`raw` in any common format -> E.164 (`+919876543210`); `region` for national numbers."""
    import phonenumbers

    text = (raw or "").strip()
    if not text:
        raise PhoneError("no phone number given")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise PhoneError(f"{raw!r} is not a phone number ({_reason(error)})") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(
            f"{raw!r} is not a valid phone number for region {region}"
            if not text.startswith("+")
            else f"{raw!r} is not a valid phone number"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 6


# E.164 -> the international format, for numbers already shown. The queue's first frame
# takes them from a small cache file: importing phonenumbers and compiling a region's
# formats costs ~70 ms, a quarter of a bare Textual app's start-up.
_shown: dict[str, str] = {}  # what this run shows
_cached: dict[str, str] = {}  # read from the file, not shown yet this run
_unchecked: list[str] = []  # shown from the file: checked against the library later
DISPLAY_CACHE_SIZE = 2000


def display_phone(e164: str) -> str:
    """International format for people: `+91 98765 43210`."""
    shown = _shown.get(e164)
    if shown is None:
        shown = _cached.pop(e164, None)
        if shown is None:
            shown = _international(e164)
        else:
            _unchecked.append(e164)
        _shown[e164] = shown
    return shown


def _international(e164: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def load_display_cache(path: Path) -> None:
    """Numbers formatted by an earlier run (a missing or unreadable file is no cache)."""
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(cached, dict):
        for e164, shown in cached.items():
            if isinstance(e164, str) and isinstance(shown, str) and e164 not in _shown:
                _cached[e164] = shown


def refresh_display_cache(path: Path) -> bool:
    """Re-format with the library the numbers this run showed from the file (only those:
    the rest wait until they are shown), save the cache for the next start (atomically:
    several apps may run), and say whether any text shown was stale."""
    stale = False
    for e164 in _unchecked:
        fresh = _international(e164)
        if fresh != _shown[e164]:
            _shown[e164], stale = fresh, True
    _unchecked.clear()
    keep = dict(list({**_cached, **_shown}.items())[-DISPLAY_CACHE_SIZE:])  # newest last
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(keep), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass  # a cache: the next start formats the numbers itself
    return stale


def _reason(error: Exception) -> str:
    import phonenumbers

    return {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "not a number",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        phonenumbers.NumberParseException.TOO_LONG: "too long",
    }.get(error.error_type, "unreadable")
