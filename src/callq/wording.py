"""The wording the CLI and the TUI share: times, spans, attempts and the sentences both print.

Pure text: no Rich, Textual or SQLAlchemy, so `callq --help` and the rules' own messages
pay nothing for it. Days, clock times and instants are defined in `callq.rules.wording`
(the rules' messages use them too) and taken from here by the front ends. A front end adds
only its markup (colour, columns) around these strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from callq.rules.wording import clock, dated, day, preview, typeable, weekday_clock, when

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from callq.metrics import Metric, Metrics
    from callq.services.views import EventView, LoggedOutcome

__all__ = [
    "attempt_text",
    "clock",
    "dated",
    "day",
    "event_sentence",
    "followup_kind_text",
    "late_text",
    "logged_sentence",
    "preview",
    "span",
    "timeline_line",
    "timeline_lines",
    "typeable",
    "undone_sentence",
    "until_text",
    "weekday_clock",
    "when",
]


def span(minutes: int | float) -> str:
    """`15m`, `2h05`, `3d 4h`, `2d`: how long (late, left, ago), compactly."""
    minutes = int(minutes)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours}h{rest:02d}"
    days, rest = divmod(minutes, 24 * 60)
    return f"{days}d {rest // 60}h" if rest // 60 else f"{days}d"


def late_text(minutes: int | float) -> str:
    """`5d 4h late`: how far past its deadline a lead or follow-up is."""
    return f"{span(minutes)} late"


def until_text(due_at: datetime, now: datetime) -> str:
    """`in 45m`, `in 2h05`: how long until something due later today (never negative)."""
    return f"in {span(max(int((due_at - now).total_seconds() // 60), 0))}"


def attempt_text(attempt: int, cadence_length: int) -> str:
    """`3/5` while the attempt is inside the cadence; past it (a lead in conversation,
    called many times) just the count, `#8`: `8/5` would read as an error."""
    return f"{attempt}/{cadence_length}" if attempt <= cadence_length else f"#{attempt}"


def logged_sentence(result: LoggedOutcome, tz: ZoneInfo, now: datetime) -> str:
    """`No answer · next Tue 24 Nov 10:00 · touch 3/5` (or what closed the lead)."""
    parts = [result.outcome_label]
    if result.next_due_at is not None:
        parts.append(f"next {when(result.next_due_at, tz, now)}")
        if result.next_kind == "cadence" and result.touch:
            parts.append(f"touch {result.touch}/{result.attempts_total}")
    elif result.cadence_exhausted:
        parts.append(f"cadence done · lead {result.stage}")
    else:
        parts.append(f"lead {result.stage}")
    return " · ".join(parts)


def undone_sentence(result: LoggedOutcome) -> str:
    """`Undone: No answer on Priya Sharma · back to new`."""
    return f"Undone: {result.outcome_label} on {result.lead_name} · back to {result.stage}"


# A follow-up's kind as people say it (the stored kinds are the keys).
FOLLOWUP_KINDS = {
    "first_response": "first response",
    "callback": "callback",
    "cadence": "cadence touch",
    "manual": "manual follow-up",
}


def followup_kind_text(kind: str | None) -> str:
    """`first response` for `first_response`: a follow-up's kind, in words."""
    return FOLLOWUP_KINDS.get(kind or "", (kind or "-").replace("_", " "))


def timeline_lines(events: Sequence[EventView], tz: ZoneInfo, now: datetime) -> list[str]:
    """A lead's timeline, newest first as `events` are (`LeadDetail.timeline`), one line
    each: calls are numbered among the calls that stand; an undone call keeps its line,
    marked `undone`, and no number (else two calls would read "Call #1")."""
    undone = {e.detail.get("call_id") for e in events if e.type == "outcome_undone"}
    undone.discard(None)
    labels: dict[int, str] = {}
    numbers: dict[int, int] = {}  # index in `events` -> the call's number
    standing = 0
    for index in range(len(events) - 1, -1, -1):  # oldest first
        event = events[index]
        if event.type != "call_logged":
            continue
        call_id = event.detail.get("call_id")
        if call_id is not None:
            labels[call_id] = event.detail.get("label") or event.detail.get("outcome") or "-"
        if call_id is None or call_id not in undone:
            standing += 1
            numbers[index] = standing
    return [
        f"{when(e.at, tz, now)}  {event_sentence(e, tz, now, numbers.get(i), labels)}"
        for i, e in enumerate(events)
    ]


def edit_sentence(attribute: str, before: object, after: object) -> str:
    """`name: Ravi → Ravi Kumar` (a custom field by its name, a list as `a, b`, none as -)."""
    what = attribute.removeprefix("fields.").replace("_", " ")
    return f"{what}: {_edited(before)} → {_edited(after)}"


def _edited(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "-"
    return "-" if value in (None, "") else str(value)


def timeline_line(event: EventView, tz: ZoneInfo, now: datetime) -> str:
    """`Mon 23 Nov 10:05  Note (asha): …`: one event alone (a call's number needs the
    whole timeline: `timeline_lines`)."""
    return f"{when(event.at, tz, now)}  {event_sentence(event, tz, now)}"


def event_sentence(
    event: EventView,
    tz: ZoneInfo,
    now: datetime,
    number: int | None = None,
    call_labels: dict[int, str] | None = None,
) -> str:
    """One sentence per timeline event, for the CLI's `show` and the TUI's lead screen.

    `number`: a call's place among the lead's calls that stand (None: it was undone);
    `call_labels`: the outcome labels of the lead's calls by id, for an undo's sentence.
    """
    d = event.detail
    who = f" ({event.rep})" if event.rep else ""
    kind = event.type

    def at(key: str) -> str:  # the event's detail holds its instants as ISO text
        value = d.get(key)
        return when(datetime.fromisoformat(value), tz, now) if value else "-"

    if kind == "created":
        return f"Lead created from {d.get('source')}, owner {d.get('owner') or '-'}{who}" + (
            f": {d['note']}" if d.get("note") else ""
        )
    if kind == "inquiry":
        named = f" as {d['name']}" if d.get("name") else ""  # the name it gave, if not the lead's
        return f"New inquiry via {d.get('source')}{named}{who}" + (
            f": {d['note']}" if d.get("note") else ""
        )
    if kind == "call_logged":
        note = f" — {d['note']}" if d.get("note") else ""
        call = f"Call #{number}" if number is not None else "Call (undone)"
        return f"{call}: {d.get('label', d.get('outcome'))}{who}{note}"
    if kind == "outcome_undone":
        label = (call_labels or {}).get(d.get("call_id")) or d.get("outcome")
        return f"Undone: {label}{who}; stage back to {d.get('stage_restored')}"
    if kind == "note":
        return f"Note{who}: {d.get('text', '')}"
    if kind == "stage_changed":
        reason = f" ({d['reason']})" if d.get("reason") else ""
        return f"Stage {d.get('from')} → {d.get('to')}{reason}"
    if kind == "followup_scheduled":
        touch = f", touch {d['touch']}" if d.get("touch") else ""
        what = followup_kind_text(d.get("kind"))
        return f"Follow-up scheduled for {at('due_at')} ({what}{touch})"
    if kind == "followup_rescheduled":
        note = f": {d['note']}" if d.get("note") else ""
        return f"Rescheduled {at('from')} → {at('to')}{who}{note}"
    if kind == "followup_done":
        return f"Follow-up done ({followup_kind_text(d.get('kind'))}, was due {at('due_at')})"
    if kind == "reassigned":
        why = f" ({d['reason']})" if d.get("reason") else ""
        return f"Reassigned {d.get('from') or 'the pool'} → {d.get('to') or 'the pool'}{why}{who}"
    if kind == "escalated":
        return "Escalated: uncontacted past the SLA deadline"
    if kind == "merged":
        return f"Merged duplicate{who}: {d.get('detail', '')}"
    if kind == "lead_edited":
        change = edit_sentence(d.get("attribute", ""), d.get("before"), d.get("after"))
        return f"Edited {change}{who}"
    if kind in ("dnc_added", "dnc_removed"):  # services.dnc
        numbers = ", ".join(d.get("phones", []))
        how = "On the do-not-call list" if kind == "dnc_added" else "Off the do-not-call list"
        reason = f": {d['reason']}" if d.get("reason") else ""
        return f"{how}: {numbers}{who}{reason}"
    if kind == "dial_forced":  # services.dial, outside the lead's calling window
        return f"Dialled outside their calling window{who}: {d.get('reason', '')}"
    if kind == "reopened":  # services.reentry
        return f"Reopened ({d.get('after', 'reopen_after')}), first response due {at('due_at')}"
    return kind.replace("_", " ").capitalize() + who


def metric_table_chunks(
    label: str, groups: dict[str, Metrics], metrics: Sequence[Metric], room: int, *, extra: int
) -> tuple[dict[str, list[str]], list[list[int]]]:
    """A table of `groups` (reps or channels: a `label` column, then one per metric) made
    to fit `room` characters: each group's metric texts, and runs of indexes into
    `metrics`, one table each, the first column repeated in every table; a column takes
    `extra` characters beside its text (padding, border). Numbers are never cut (the CLI's
    report tables, the Summary's)."""
    from rich.cells import cell_len

    from callq.visible import safe

    texts = {
        name: [m.text(values.as_dict()[m.key]) for m in metrics] for name, values in groups.items()
    }
    first = max(cell_len(safe(name)) for name in [label, *groups])
    widths = [
        max([cell_len(m.short), *(cell_len(row[i]) for row in texts.values())])
        for i, m in enumerate(metrics)
    ]
    chunks: list[list[int]] = [[]]
    used = first + extra + 1
    for index, width in enumerate(widths):
        if chunks[-1] and used + width + extra > room:
            chunks.append([])
            used = first + extra + 1
        chunks[-1].append(index)
        used += width + extra
    return texts, chunks
