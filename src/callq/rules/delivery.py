"""When a failed hook delivery is tried again, and when a failing hook deserves a warning."""

from datetime import datetime, timedelta

FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(hours=1)
# `callq doctor` warns about events still failing this long after their first failure.
FAILING_TOO_LONG = timedelta(hours=1)


def retry_at(failures: int, now: datetime) -> datetime:
    """The next attempt after the `failures`-th failure in a row: 5 s, 10 s, 20 s, ...
    doubling up to an hour, then hourly (never given up: delivery is at least once)."""
    if failures < 1:
        return now
    wait = FIRST_RETRY * 2 ** min(failures - 1, 20)
    return now + min(wait, LONGEST_WAIT)


def failing_too_long(first_failed_at: datetime | None, now: datetime) -> bool:
    return first_failed_at is not None and now - first_failed_at >= FAILING_TOO_LONG
