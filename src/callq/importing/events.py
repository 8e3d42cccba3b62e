"""The import's outbox events: each lead it creates, merges into or reopens gets the
`lead_created` / `lead_merged` / `lead_reopened` event `callq add` writes (one body:
`store.outbox.lead_change`), in the batch's transaction, and only when a hook wants one."""

from datetime import datetime

from callq.rules.model import Rules
from callq.store.outbox import emit_in_order, lead_change, lead_change_rows, wants_any

IMPORT_EVENTS = ("lead_created", "lead_merged", "lead_reopened")


def import_events_wanted(rules: Rules) -> bool:
    """Whether a hook wants any of the import's events (else it builds none)."""
    return wants_any(rules.hooks, IMPORT_EVENTS)


def emit_import_events(
    conn,  # noqa: ANN001  (the batch's connection)
    rules: Rules,
    *,
    at: datetime,
    created: list[int],
    inquiries: list[tuple[str, int, str]],
) -> int:
    """Events for the leads a batch `created` (ids, in file order) and its `inquiries`
    (`(event type, lead id, the inquiry's source)`, in file order); created ones first, so a
    lead's own events stay in the order they happened. The bodies read the leads as the
    batch left them. Returns the outbox rows written (0, and no query, without a hook)."""
    if not import_events_wanted(rules) or not (created or inquiries):
        return 0
    leads = lead_change_rows(conn, {*created, *(lead_id for _, lead_id, _ in inquiries)})
    events = [("lead_created", lead_id, lead_change(*leads[lead_id])) for lead_id in created]
    events += [
        (kind, lead_id, lead_change(*leads[lead_id], inquiry_source=source))
        for kind, lead_id, source in inquiries
    ]
    return emit_in_order(conn, rules.hooks, at=at, events=events)
