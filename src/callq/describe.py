"""Plain-text sentences shared by the CLI and the TUI (the toast after an outcome, etc.)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from callq.services.views import LoggedOutcome


def short_time(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%a %d %b %H:%M")


def attempt_text(attempt: int, cadence_length: int) -> str:
    """`3/5` while the attempt is inside the cadence; past it (a lead in conversation,
    called many times) just the count, `#8`: `8/5` would read as an error."""
    return f"{attempt}/{cadence_length}" if attempt <= cadence_length else f"#{attempt}"


def logged_sentence(result: LoggedOutcome, tz: ZoneInfo) -> str:
    """`No answer · next Tue 24 Nov 10:00 · touch 3/5` (or what closed the lead)."""
    parts = [result.outcome_label]
    if result.next_due_at is not None:
        parts.append(f"next {short_time(result.next_due_at, tz)}")
        if result.next_kind == "cadence" and result.touch:
            parts.append(f"touch {result.touch}/{result.attempts_total}")
    elif result.cadence_exhausted:
        parts.append(f"cadence done · lead {result.stage}")
    else:
        parts.append(f"lead {result.stage}")
    return " · ".join(parts)


def undone_sentence(result: LoggedOutcome) -> str:
    return f"Undone: {result.outcome_label} on {result.lead_name} · back to {result.stage}"
