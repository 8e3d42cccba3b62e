"""Callback times a rep types (`tomorrow 3pm`, `in 2h`, `fri 10:30`, `2bd@11:00`) -> an instant.

A small explicit grammar, never dateutil's fuzzy parser: every word must be understood, and
anything ambiguous, impossible, past or far ahead raises `CallbackError`, whose message is
shown to the rep as-is. Choices where the spec leaves room:

- A day without a time (`tomorrow`, `monday`, `24 dec`) means that day's first opening in
  the business hours, or 09:00 if the day has none (weekend, holiday).
- `3pm` is today, or tomorrow once past; `fri 10:30` / `monday` is today if that weekday
  and still ahead, else next week; `24 dec` is this year unless that day has gone, then next
  year. `today 3pm`, today's date with a past time and dated years are never moved: refused.
- `next monday` is the first Monday strictly after today (on a Monday, in 7 days); `next
  week`, bare numbers (`9`, `930`) and `midnight` are refused as ambiguous.
- A clock time without am/pm whose hour is 1 to 12 written without a leading zero (`3:30`,
  `10:00`, `12:30`) has two readings, h:mm and h+12:mm (`12:30`: 12:30 or 00:30), each at
  its next occurrence for the day named. It takes the one inside business hours (in
  `hours_tz`, the lead's zone) when exactly one is, and is refused as ambiguous otherwise;
  a reading already past is not inside. A leading zero (`03:30`), an hour of 0 or 13-23,
  an ISO date (`2026-12-24 10:00`) and rule expressions (`2bd@11:00`) are 24-hour time.
- Any accepted time outside business hours or on a closed day carries a warning for the
  rep (`Callback.warning`): it is kept, not moved, because the rep may know better.
- Minutes and hours are exact durations; days, weeks and months keep the wall-clock time
  (`in 1 day` across a DST change is the same clock time tomorrow).
- A typed clock time that does not exist (DST gap) or happens twice (DST fold) is refused.
- More than 2 years ahead is refused as a likely typo. Results have minute precision.
"""

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta

from callq.errors import UserError
from callq.rules import wording
from callq.rules.hours import is_open, next_opening
from callq.rules.model import DATE_ORDERS, BusinessHours
from callq.rules.timeexpr import TimeExprError, parse_time_expr, resolve
from callq.rules.wording import MONTH_NAMES

EXAMPLES = "in 2h, in 45 min, 3pm, tomorrow 3pm, fri 10:30, next monday 11am, 24 dec 10:00, 2bd"
MAX_AHEAD = relativedelta(years=2)
DEFAULT_OPENING = time(9, 0)

_WEEKDAY_WORDS = (
    ("mon", "monday"),
    ("tue", "tues", "tuesday"),
    ("wed", "weds", "wednesday"),
    ("thu", "thur", "thurs", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
)
WEEKDAYS = {word: index for index, words in enumerate(_WEEKDAY_WORDS) for word in words}
_MONTH_FULL = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS = {name: n for n, full in enumerate(_MONTH_FULL, 1) for name in (full, full[:3])}
MONTHS["sept"] = 9
TOMORROW = ("tomorrow", "tmrw", "tmr")

_UNIT_WORDS = {
    "minutes": ("minutes", "minute", "mins", "min", "m"),
    "hours": ("hours", "hour", "hrs", "hr", "h"),
    "days": ("days", "day", "d"),
    "weeks": ("weeks", "week", "wks", "wk", "w"),
    "months": ("months", "month", "mo"),
}
_UNITS = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
_UNIT_RE = "|".join(sorted(_UNITS, key=len, reverse=True))
_PIECE = re.compile(
    rf"(?:([0-9]{{1,6}}) ?({_UNIT_RE})|an? (minute|hour|day|week|month))"
    r"(?=[ 0-9]|$)"
)
_PREFIX = re.compile(r"in |\+ ?")
_AT = r"@[0-9]{1,2}:[0-9]{2}"
_RULE = re.compile(rf"(?:in |\+ ?)?([0-9]{{1,3}}bd(?:{_AT})?|[0-9]{{1,3}}d{_AT})(?= |$)")
_ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}t[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_AMPM = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?(am|pm)")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_ORDINAL = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?")
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{4}|[0-9]{2}))?")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_YEAR = re.compile(r"[0-9]{4}")


class CallbackError(UserError):
    """A callback time that was not understood or cannot be used; the message is for the rep."""


@dataclass(frozen=True)
class Callback:
    """A callback time the rep typed: the instant (UTC, whole minutes) and, when it falls
    outside business hours or on a closed day, the warning to show beside it."""

    at: datetime
    warning: str | None = None
    their_time: bool = False  # read in the lead's timezone


@dataclass(frozen=True)
class _Day:
    """Candidate days, earliest first (the first not in the past wins), and a weekday to check."""

    candidates: tuple[date, ...]
    weekday: int | None = None
    twenty_four_hour: bool = False  # an ISO date: its clock time has one reading


def parse_callback(
    text: str,
    *,
    now: datetime,
    tz: tzinfo,
    hours: BusinessHours,
    date_order: str = "dmy",
    hours_tz: tzinfo | None = None,
) -> Callback:
    """What `text` names, read in the rep's (or lead's) local timezone `tz`.

    `hours_tz` is the zone of the business hours (the lead's; default `tz`): it decides
    between the two readings of `3:30` and whether the result gets a warning.
    """
    hours_tz = tz if hours_tz is None else hours_tz
    instant = _parse_instant(text, now, tz, hours, date_order, hours_tz)
    theirs = _zone_name(hours_tz) != _zone_name(tz)
    return Callback(instant, hours_warning(instant, hours, hours_tz, their_time=theirs))


def read_typed_callback(
    text: str,
    *,
    now: datetime,
    rep_tz: tzinfo,
    lead_tz: tzinfo,
    hours: BusinessHours,
    date_order: str = "dmy",
    their_time: bool = False,
) -> Callback:
    """What a rep typed for a callback, in the CLI or the TUI: their own local time, or
    the lead's when `their_time` is set or the text ends with "their time". The business
    hours are the lead's (SPEC 4), whichever zone the time was typed in."""
    text, said_theirs = split_their_time(text)
    theirs = their_time or said_theirs
    callback = parse_callback(
        text,
        now=now,
        tz=lead_tz if theirs else rep_tz,
        hours=hours,
        date_order=date_order,
        hours_tz=lead_tz,
    )
    return replace(callback, their_time=theirs)


def hours_warning(
    instant: datetime, hours: BusinessHours, tz: tzinfo, *, their_time: bool = False
) -> str | None:
    """Why a follow-up at `instant` falls outside business hours in `tz`; None when open.

    `Sat 28 Nov 19:00 is outside business hours (opens Mon 09:30)`, `... is a holiday`,
    `... is on a closed day`; `their_time` (`their Sat 28 Nov ...`) says the times shown
    are in the lead's zone, not the one the rep typed in. One line of the outcome panel.
    """
    if is_open(hours, instant, tz):
        return None
    local = instant.astimezone(tz)
    day = local.date()
    if day in hours.holidays:
        reason = "is a holiday"
    elif not hours.spans_on(day):
        reason = "is on a closed day"
    else:
        reason = "is outside business hours"
    text = f"{'their ' if their_time else ''}{wording.when(local, tz, None)} {reason}"
    opens = next_opening(hours, instant, tz).astimezone(tz)
    if opens > local:  # hours that never open again have no next opening
        if opens.date() == day:
            when = wording.clock(opens)
        elif (opens.date() - day).days < 7:
            when = wording.weekday_clock(opens, tz)
        else:
            when = wording.when(opens, tz, None)
        text += f" (opens {when})"
    return text


def _parse_instant(text, now, tz, hours, date_order, hours_tz) -> datetime:
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, got {date_order!r}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    now = now.astimezone(UTC)  # aware arithmetic within one zone would be wall-clock
    words = _normalise(text)
    if not words:
        raise CallbackError(f"No callback time given. Try e.g. {EXAMPLES}.")
    shown = _quote(" ".join(words))
    try:
        instant = _interpret(words, now, tz, hours, date_order, hours_tz)
        instant = instant.astimezone(UTC).replace(second=0, microsecond=0)
        if instant < now:
            raise CallbackError(
                f"{shown} is {wording.preview(instant, tz, now)}, which is in the past. "
                "Give a later time, e.g. in 2h or tomorrow 10am."
            )
        if instant > now + MAX_AHEAD:
            raise CallbackError(
                f"{shown} is {wording.preview(instant, tz, now)}, more than 2 years "
                "ahead: probably a typo."
            )
    except OverflowError:
        raise CallbackError(f"{shown} is too far ahead to be a callback time.") from None
    return instant


def split_their_time(text: str) -> tuple[str, bool]:
    """Strip a trailing `their time` (the caller then passes the lead's timezone)."""
    match = re.fullmatch(r"(.*?)\s*\btheir\s+time\s*", text, flags=re.IGNORECASE | re.DOTALL)
    return (match.group(1), True) if match else (text, False)


def _normalise(text: str) -> list[str]:
    cleaned = text.lower().replace("a.m.", "am").replace("p.m.", "pm").replace(",", " ")
    words: list[str] = []
    for word in cleaned.split():
        if word in ("am", "pm") and words and re.fullmatch(r"[0-9]{1,2}(:[0-9]{2})?", words[-1]):
            words[-1] += word  # "3 pm" -> "3pm"
        else:
            words.append(word)
    return words


def _interpret(words, now, tz, hours, date_order, hours_tz) -> datetime:
    phrase = " ".join(words)
    if _ISO.fullmatch(words[0]):
        _refuse_leftover(words[1:])
        return _iso(words[0], tz)
    if (instant := _duration(phrase, now, tz)) is not None:
        return instant
    if match := _RULE.match(phrase):
        _refuse_leftover(phrase[match.end() :].split())
        if "@" in match.group(1):
            _clock(match.group(1).split("@")[1])  # refuses 25:00 with a clear message
        try:
            expr = parse_time_expr(match.group(1))
        except TimeExprError:
            raise _not_understood([match.group(1)]) from None
        return resolve(expr, start=now, tz=tz, hours=hours, snap=False)
    return _calendar(words, now, tz, hours, date_order, hours_tz)


def _iso(word: str, tz: tzinfo) -> datetime:
    try:
        parsed = isoparse(word.upper())
    except (ValueError, OverflowError):
        raise CallbackError(f"{_quote(word)} is not a valid date and time.") from None
    if parsed.tzinfo is not None:
        return parsed
    return _wall_clock(parsed.date(), parsed.time().replace(second=0, microsecond=0), tz)


def _duration(phrase: str, now: datetime, tz: tzinfo) -> datetime | None:
    """`in 2h`, `45 min`, `+3d`, `in an hour`, `1h 30m`; None if `phrase` is not one."""
    prefix = _PREFIX.match(phrase)
    position = prefix.end() if prefix else 0
    amounts = dict.fromkeys(("minutes", "hours", "days", "weeks", "months"), 0)
    found = False
    while match := _PIECE.match(phrase, position):
        found = True
        if match.group(1):
            amounts[_UNITS[match.group(2)]] += int(match.group(1))
        else:
            amounts[_UNITS[match.group(3)]] += 1
        position = match.end() + (phrase[match.end() : match.end() + 1] == " ")
    if not found:
        return None
    _refuse_leftover(phrase[position:].split())
    days = (
        amounts["minutes"] / 1440
        + amounts["hours"] / 24
        + amounts["days"]
        + 7 * amounts["weeks"]
        + 31 * amounts["months"]
    )
    if days > 800:
        raise CallbackError(f"{_quote(phrase)} is more than 2 years ahead: probably a typo.")
    if days == 0:
        raise CallbackError(f"{_quote(phrase)} is no time at all. Try e.g. in 5 min or in 2h.")
    instant = now.astimezone(UTC)
    if amounts["days"] or amounts["weeks"] or amounts["months"]:
        calendar = relativedelta(
            days=amounts["days"], weeks=amounts["weeks"], months=amounts["months"]
        )
        wall = now.astimezone(tz).replace(tzinfo=None) + calendar
        # A wall time in a DST gap reads with the old offset, which moves it past the gap.
        instant = wall.replace(tzinfo=tz).astimezone(UTC)
    return instant + timedelta(hours=amounts["hours"], minutes=amounts["minutes"])


def _calendar(words, now, tz, hours, date_order, hours_tz) -> datetime:
    """An optional day phrase and an optional clock time, in either order."""
    today = now.astimezone(tz).date()
    day: _Day | None = None
    readings: tuple[time, ...] | None = None
    unknown: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word in ("at", "on", "@"):
            index += 1
        elif found := _day_phrase(words, index, today, date_order):
            if day is not None:
                raise CallbackError(f"{_quote(' '.join(words))} names two days: give one.")
            day, index = found
        elif (clock := _clock(word)) is not None:
            if readings is not None:
                raise CallbackError(f"{_quote(' '.join(words))} names two times: give one.")
            readings, index = clock, index + 1
        elif re.fullmatch(r"[0-9]+", word):
            raise CallbackError(
                f"{_quote(word)} alone is ambiguous: for a time say 9am or "
                "09:30, for a date say 24 dec."
            )
        else:
            unknown.append(word)
            index += 1
    _refuse_leftover(unknown)
    if day is None and readings is None:
        raise CallbackError(f"{_quote(' '.join(words))} names no day or time. Try e.g. {EXAMPLES}.")
    if day is None:
        day = _Day((today, today + timedelta(days=1)))
    if readings is None:
        options = [_next_on(day, None, now, tz, hours)]
    elif day.twenty_four_hour:
        options = [_next_on(day, readings[0], now, tz, hours)]
    else:
        options = [_next_on(day, reading, now, tz, hours) for reading in readings]
    chosen = options[0]
    if len(options) > 1:
        chosen = _inside_hours(options, words, now, tz, hours, hours_tz)
    if day.weekday is not None and chosen[0].weekday() != day.weekday:
        actual = _WEEKDAY_WORDS[chosen[0].weekday()][-1].capitalize()
        named = _WEEKDAY_WORDS[day.weekday][-1].capitalize()
        raise CallbackError(
            f"{wording.dated(chosen[0])} is a {actual}, not a {named}: check the date."
        )
    return _wall_clock(*chosen, tz)


def _next_on(day: _Day, at: time | None, now, tz, hours) -> tuple[date, time]:
    """The first of the day's candidates where `at` (None: the first opening) is not past."""
    chosen = None
    for candidate in day.candidates:
        chosen = candidate, at or _first_opening(hours, candidate)
        if _wall_clock(*chosen, tz, strict=False) >= now:
            break
    assert chosen is not None
    return chosen


def _inside_hours(options, words, now, tz, hours, hours_tz) -> tuple[date, time]:
    """Of a clock time's two readings, the one inside business hours; refused unless
    exactly one is (a reading already past is not)."""
    instants = [_wall_clock(*option, tz, strict=False) for option in options]
    inside = [
        option
        for option, instant in zip(options, instants, strict=True)
        if instant >= now and is_open(hours, instant, hours_tz)
    ]
    if len(inside) == 1:
        return inside[0]
    shown = [wording.preview(instant, tz, now) for instant in instants]
    if inside:
        why = f"{shown[0]} and {shown[1]} are both inside business hours"
    else:
        why = f"neither {shown[0]} nor {shown[1]} is inside business hours"
    times = sorted(at for _, at in options)
    twelve = " or ".join(_twelve_hour(at) for at in times)
    twenty_four = " or ".join(wording.clock(at) for at in times)
    raise CallbackError(
        f"{_quote(' '.join(words))} is ambiguous: {why}. "
        f"Say {twelve}, or in 24-hour time {twenty_four}."
    )


def _twelve_hour(at: time) -> str:
    """`9am`, `3:30pm`, `12:30am`: a time as the rep could type it unambiguously."""
    hour = at.hour % 12 or 12
    minutes = f":{at.minute:02d}" if at.minute else ""
    return f"{hour}{minutes}{'am' if at.hour < 12 else 'pm'}"


def _day_phrase(words, index, today, date_order) -> tuple[_Day, int] | None:
    word = words[index]
    following = words[index + 1] if index + 1 < len(words) else ""
    if word == "today":
        return _Day((today,)), index + 1
    if word in TOMORROW:
        return _Day((today + timedelta(days=1),)), index + 1
    if words[index : index + 3] == ["day", "after", "tomorrow"]:
        return _Day((today + timedelta(days=2),)), index + 3
    if word == "next":
        if following in WEEKDAYS:
            return _Day((today + relativedelta(days=1, weekday=WEEKDAYS[following]),)), index + 2
        raise CallbackError(
            f"{_quote(f'next {following}'.strip())} is ambiguous: name the day "
            "and time, e.g. next monday 10am."
        )
    if word == "this" and following in WEEKDAYS:
        word, index = following, index + 1
    if word in WEEKDAYS:
        weekday = WEEKDAYS[word]
        if dated := _calendar_date(words, index + 1, today, date_order):
            return replace(dated[0], weekday=weekday), dated[1]
        first = today + timedelta(days=(weekday - today.weekday()) % 7)
        return _Day((first, first + timedelta(days=7))), index + 1
    return _calendar_date(words, index, today, date_order)


def _calendar_date(words, index, today, date_order) -> tuple[_Day, int] | None:
    """`24 dec [2026]`, `24th of december`, `dec 24`, `24/12[/2026]`, `2026-12-24`."""
    if index >= len(words):
        return None
    word = words[index]
    if match := _ISO_DATE.fullmatch(word):
        year, month, day = map(int, match.groups())
        dated = _dated(day, month, year, today, word)
        return _Day(dated.candidates, twenty_four_hour=True), index + 1
    if match := _NUMERIC_DATE.fullmatch(word):
        first, second = int(match.group(1)), int(match.group(2))
        day, month = (first, second) if date_order == "dmy" else (second, first)
        year = match.group(3) and int(match.group(3)) + (2000 if len(match.group(3)) == 2 else 0)
        return _dated(day, month, year or None, today, word, date_order), index + 1
    rest = words[index + 1 :]
    if (match := _ORDINAL.fullmatch(word)) and rest:
        if rest[0] == "of" and len(rest) > 1:
            rest, index = rest[1:], index + 1
        if rest[0] in MONTHS:
            year, end = _year(words, index + 2)
            return _dated(int(match.group(1)), MONTHS[rest[0]], year, today, word), end
    if word in MONTHS and rest and (match := _ORDINAL.fullmatch(rest[0])):
        year, end = _year(words, index + 2)
        return _dated(int(match.group(1)), MONTHS[word], year, today, word), end
    return None


def _year(words, index) -> tuple[int | None, int]:
    if index < len(words) and _YEAR.fullmatch(words[index]):
        return int(words[index]), index + 1
    return None, index


def _dated(day, month, year, today, word, date_order="dmy") -> _Day:
    if not 1 <= month <= 12:
        order = "day/month, e.g. 24/12" if date_order == "dmy" else "month/day, e.g. 12/24"
        raise CallbackError(f"{_quote(word)} is not a date: dates are {order}.")
    if not 1 <= day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31):
        raise CallbackError(f"{day} {MONTH_NAMES[month - 1]} is not a date.")
    if year is not None:
        try:
            return _Day((date(year, month, day),))
        except ValueError:
            raise CallbackError(f"{day} {MONTH_NAMES[month - 1]} {year} is not a date.") from None
    for candidate_year in (today.year, today.year + 1):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:  # 29 Feb outside a leap year
            continue
        if candidate >= today:
            return _Day((candidate,))
    raise CallbackError(
        f"{day} {MONTH_NAMES[month - 1]} {today.year + 1} is not a date: add the year you mean."
    )


def _clock(word: str) -> tuple[time, ...] | None:
    """The readings of a clock time: one, or two for `3:30` (03:30, 15:30); None: not one."""
    if word in ("noon", "midday"):
        return (time(12),)
    if word == "midnight":
        raise CallbackError("'midnight' is ambiguous: say 23:59, or tomorrow 00:00.")
    if match := _AMPM.fullmatch(word):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise CallbackError(
                f"{_quote(word)} is not a time: with am/pm the hour is 1 to 12 (say 1pm or 13:00)."
            )
        return (time(hour % 12 + (12 if match.group(3) == "pm" else 0), minute),)
    if match := _CLOCK.fullmatch(word):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59 or int(match.group(3) or 0) > 59:
            raise CallbackError(
                f"{_quote(word)} is not a time: hours go from 0 to 23, minutes from 00 to 59."
            )
        if 1 <= hour <= 12 and not match.group(1).startswith("0"):
            return (time(hour, minute), time((hour + 12) % 24, minute))
        return (time(hour, minute),)
    return None


def _first_opening(hours: BusinessHours, day: date) -> time:
    spans = hours.spans_on(day)
    return min(opens for opens, _ in spans) if spans else DEFAULT_OPENING


def _wall_clock(day: date, at: time, tz: tzinfo, *, strict: bool = True) -> datetime:
    """`at` on `day` in `tz`; strict: refuse a clock time a DST change skips or repeats."""
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first, second = naive.replace(tzinfo=tz), naive.replace(tzinfo=tz, fold=1)
    if strict and first.utcoffset() != second.utcoffset():
        if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
            problem = "does not exist (the clocks skip it)"
        else:
            problem = "happens twice (the clocks go back)"
        raise CallbackError(
            f"{wording.clock(at)} on {wording.dated(day)} {problem} in {tz}: pick another time."
        )
    return first.astimezone(UTC)


def _zone_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def _refuse_leftover(words: list[str]) -> None:
    if words:
        raise _not_understood(words)


def _not_understood(words: list[str]) -> CallbackError:
    listed = ", ".join(_quote(word) for word in words[:3]) + (", ..." if len(words) > 3 else "")
    return CallbackError(f"Did not understand {listed}. Try e.g. {EXAMPLES}.")


def _quote(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")
