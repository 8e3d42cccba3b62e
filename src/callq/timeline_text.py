"""One sentence per timeline event, for the CLI's `show` and the TUI's lead screen."""

from datetime import datetime
from zoneinfo import ZoneInfo

from callq.services.views import EventView


def _time(value: str | None, tz: ZoneInfo) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone(tz).strftime("%a %d %b %H:%M")


def event_sentence(event: EventView, tz: ZoneInfo) -> str:
    d = event.detail
    who = f" ({event.rep})" if event.rep else ""
    kind = event.type
    if kind == "created":
        return f"Lead created from {d.get('source')}, owner {d.get('owner') or '-'}{who}" + (
            f": {d['note']}" if d.get("note") else ""
        )
    if kind == "inquiry":
        return f"New inquiry via {d.get('source')}{who}" + (
            f": {d['note']}" if d.get("note") else ""
        )
    if kind == "call_logged":
        note = f" — {d['note']}" if d.get("note") else ""
        return f"Call #{d.get('attempt', '?')}: {d.get('label', d.get('outcome'))}{who}{note}"
    if kind == "outcome_undone":
        return f"Outcome {d.get('outcome')} undone{who}; stage back to {d.get('stage_restored')}"
    if kind == "note":
        return f"Note{who}: {d.get('text', '')}"
    if kind == "stage_changed":
        reason = f" ({d['reason']})" if d.get("reason") else ""
        return f"Stage {d.get('from')} → {d.get('to')}{reason}"
    if kind == "followup_scheduled":
        touch = f", touch {d['touch']}" if d.get("touch") else ""
        return f"Follow-up scheduled for {_time(d.get('due_at'), tz)} ({d.get('kind')}{touch})"
    if kind == "followup_rescheduled":
        note = f": {d['note']}" if d.get("note") else ""
        return f"Rescheduled {_time(d.get('from'), tz)} → {_time(d.get('to'), tz)}{who}{note}"
    if kind == "followup_done":
        return f"Follow-up done ({d.get('kind')}, was due {_time(d.get('due_at'), tz)})"
    if kind == "reassigned":
        return f"Reassigned {d.get('from') or '-'} → {d.get('to')}{who}"
    if kind == "escalated":
        return "Escalated: uncontacted past the SLA deadline"
    if kind == "merged":
        return f"Merged duplicate{who}: {d.get('detail', '')}"
    return kind.replace("_", " ").capitalize() + who
