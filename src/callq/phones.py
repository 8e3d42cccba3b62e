"""Phone numbers: normalise to E.164 with libphonenumber's rules, or say why not.

`phonenumbers` is imported where it is used: a command given a lead id never needs it,
and it is ~5% of such a command's start-up.
"""

import functools
import json
import os
import re
from pathlib import Path

from callq.errors import UserError


class PhoneError(UserError):
    """A number that cannot be dialled; the message says why."""


# What a typed or exported number may hold: an optional `+`, digits (any script's: the
# library reads them) and separators, then optionally a recognised extension. The library
# alone skips letters and stray symbols (`ABC9876543220`, `$(touch x)9876543214`) and reads
# `1-800-FLOWERS` as a vanity number: a number with junk in it is a typo or worse, refused.
_DASHES = "\\-\u2010-\u2015\u2212\u30fc\uff0d"
_SEPARATORS = rf"[\s.()/\[\]{_DASHES}\uff08\uff09]"
_PHONE_TEXT = re.compile(
    rf"[+\uff0b]?{_SEPARATORS}*\d(?:{_SEPARATORS}|\d)*"
    rf"(?:{_SEPARATORS}*(?:;ext=|ext\.?|extn\.?|extension|x|\#|,){_SEPARATORS}*\d{{1,7}}\#?)?",
    re.IGNORECASE,
)
SHOWN_AT_MOST = 40  # characters of a refused number an error message repeats
LONGEST = 100  # characters: longer is no phone (and keeps the pattern's work small)


def shown(raw: str) -> str:
    """`raw` quoted for an error message, cut short: a 10,000-digit paste is not echoed."""
    if len(raw) <= SHOWN_AT_MOST:
        return repr(raw)
    return f"{raw[: SHOWN_AT_MOST - 10]!r}... ({len(raw)} characters)"


def normalise_phone(raw: str, region: str) -> str:
    """`raw` in any common format -> E.164 (`+919876543210`); `region` for national numbers."""
    import phonenumbers

    text = (raw or "").strip()
    if not text:
        raise PhoneError("no phone number given")
    if len(text) > LONGEST:
        raise PhoneError(f"{shown(raw)} is not a phone number (too long)")
    if not _PHONE_TEXT.fullmatch(text):
        raise PhoneError(
            f"{shown(raw)} is not a phone number (only digits, spaces, + - . ( ) / and an "
            "extension like `ext 12` are allowed)"
        )
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise PhoneError(f"{shown(raw)} is not a phone number ({_reason(error)})") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(
            f"{shown(raw)} is not a valid phone number for region {region}"
            if not text.startswith("+")
            else f"{shown(raw)} is not a valid phone number"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Legacy names libphonenumber still reports, and the IANA names that replaced them.
_RENAMED_ZONES = {
    "Africa/Asmera": "Africa/Asmara",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Godthab": "America/Nuuk",
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Rangoon": "Asia/Yangon",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "Europe/Kiev": "Europe/Kyiv",
    "Pacific/Enderbury": "Pacific/Kanton",
    "Pacific/Ponape": "Pacific/Pohnpei",
    "Pacific/Truk": "Pacific/Chuuk",
}


def canonical_zone(name: str) -> str:
    """The current IANA name for a zone name (`Asia/Calcutta` -> `Asia/Kolkata`)."""
    return _RENAMED_ZONES.get(name, name)


def zone_for_number(e164: str) -> str | None:
    """The one timezone a valid E.164 number lies in (`+1 212...` -> America/New_York), or
    None when the number does not decide (a range spanning several zones, or none known).

    libphonenumber's `time_zones_for_number`, canonical names; a country lying in one
    zone (India, the UK) is answered without parsing: an import asks once a row.
    """
    for size in (1, 2, 3):
        whole_country = _country_zone(e164[1 : 1 + size])
        if whole_country is not _NOT_A_COUNTRY:
            if whole_country is not None:
                return whole_country
            break
    import phonenumbers
    from phonenumbers.timezone import time_zones_for_number

    try:
        zones = time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
    return _one_zone(zones)


_NOT_A_COUNTRY = "-"


@functools.lru_cache(maxsize=512)
def _country_zone(country_code: str) -> str | None:
    """The zone of every number of a country that lies in one zone; None when it spans
    several; `_NOT_A_COUNTRY` when `country_code` is none."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
    from phonenumbers.tzdata import TIMEZONE_DATA

    if not country_code.isdigit() or int(country_code) not in COUNTRY_CODE_TO_REGION_CODE:
        return _NOT_A_COUNTRY
    if country_code not in TIMEZONE_DATA:  # the library answers Etc/Unknown for some types
        return None
    zones = set()
    for prefix, names in TIMEZONE_DATA.items():
        if prefix.startswith(country_code):
            zones.update(names)
    return _one_zone(tuple(zones))


def _one_zone(names: tuple[str, ...]) -> str | None:
    canonical = {canonical_zone(name) for name in names}
    return canonical.pop() if len(canonical) == 1 and "Etc/Unknown" not in canonical else None


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
# What a run keeps formatted: bounded, or a day of scrolling through a 100k queue would
# hold every number it ever showed (the oldest goes first; it is formatted again if seen).
SHOWN_MAX = 4 * DISPLAY_CACHE_SIZE


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
        if len(_shown) > SHOWN_MAX:
            del _shown[next(iter(_shown))]
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
        if e164 not in _shown:  # dropped from the bounded cache since
            continue
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
