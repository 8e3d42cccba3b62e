"""What a rep types for a callback, as the CLI and the TUI both read it: "their time" too."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from callq.rules.model import BusinessHours
from callq.rules.phrases import CallbackError, read_typed_callback

KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")
HOURS = BusinessHours(
    weekly=(((time(9, 30), time(18, 30)),),) * 5 + (((time(10), time(14)),), ()),
    holidays=frozenset({date(2026, 12, 25)}),
)
NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)  # Mon 11:00 in Kolkata, 00:30 in New York


def read(text: str, *, their_time: bool = False):
    return read_typed_callback(
        text, now=NOW, rep_tz=KOLKATA, lead_tz=NEW_YORK, hours=HOURS, their_time=their_time
    )


@pytest.mark.parametrize(
    "text", ["3pm their time", "3pm Their Time", "3pm  their time ", "today 15:00 their time"]
)
def test_their_time_in_the_text_reads_in_the_leads_zone(text):
    callback = read(text)
    assert callback.at == datetime(2026, 11, 23, 15, 0, tzinfo=NEW_YORK)
    assert callback.their_time and callback.warning is None


def test_the_flag_and_the_words_mean_the_same():
    assert read("3pm", their_time=True) == read("3pm their time")


def test_without_either_the_reps_zone_and_the_leads_hours():
    callback = read("3pm")
    assert callback.at == datetime(2026, 11, 23, 15, 0, tzinfo=KOLKATA)
    assert not callback.their_time
    # 04:30 in New York: outside the lead's hours, said in the lead's clock.
    assert callback.warning.startswith("their Mon 23 Nov 04:30 is outside business hours")


def test_their_time_alone_is_no_time():
    with pytest.raises(CallbackError, match="No callback time given"):
        read("their time")
