# ruff: noqa: E501
"""The queue's SQLite text for the TUI's first paint (stdlib sqlite3, no SQLAlchemy).

Generated from store/queue_query.py by `python -m callq.store.queue_query`: do not edit.
"""

REP = "SELECT rep.id, rep.timezone \nFROM rep \nWHERE rep.name = :rep"
COUNTS = "SELECT coalesce(sum(CASE WHEN (followup.kind = 'first_response') THEN 1 ELSE 0 END), 0) + (SELECT count(*) AS count_1 \nFROM followup AS pool \nWHERE pool.status = 'open' AND pool.owner_id IS NULL AND pool.kind = 'first_response') AS anon_1, coalesce(sum(CASE WHEN (followup.kind != 'first_response' AND followup.due_at < :now) THEN 1 ELSE 0 END), 0) AS coalesce_1, coalesce(sum(CASE WHEN (followup.kind != 'first_response' AND followup.due_at >= :now AND followup.due_at < :day_end) THEN 1 ELSE 0 END), 0) AS coalesce_2, coalesce(sum(CASE WHEN (followup.kind != 'first_response' AND followup.due_at >= :day_end) THEN 1 ELSE 0 END), 0) AS coalesce_3 \nFROM followup \nWHERE followup.status = 'open' AND followup.owner_id = :owner"
PAGE_NAMES = (
    "followup_id",
    "due_at",
    "kind",
    "owner",
    "lead_id",
    "name",
    "phone",
    "company",
    "source",
    "stage",
    "urgency",
    "timezone",
    "created_at",
    "escalated_at",
    "first_touch_at",
    "outcomes",
    "last_outcome",
    "last_note",
)
DATETIME_NAMES = ("due_at", "created_at", "escalated_at", "first_touch_at")
PAGES = {
    "new": "SELECT followup.id AS followup_id, followup.due_at, followup.kind, (SELECT rep.name \nFROM rep \nWHERE rep.id = followup.owner_id) AS owner, lead.id AS lead_id, lead.name, lead.phone, lead.company, lead.source, lead.stage, lead.urgency, lead.timezone, lead.created_at, lead.escalated_at, lead.first_touch_at, (SELECT group_concat(call.outcome, ',') AS aggregate_strings_1 \nFROM call \nWHERE call.lead_id = lead.id) AS outcomes, last_call.outcome AS last_outcome, last_call.note AS last_note \nFROM followup JOIN lead ON lead.id = followup.lead_id LEFT OUTER JOIN call AS last_call ON last_call.id = (SELECT max(call.id) AS max_1 \nFROM call \nWHERE call.lead_id = lead.id) \nWHERE followup.status = 'open' AND followup.kind = 'first_response' AND followup.id IN (SELECT anon_1.id \nFROM (SELECT followup.id AS id \nFROM followup JOIN lead ON lead.id = followup.lead_id \nWHERE followup.status = 'open' AND followup.kind = 'first_response' AND followup.owner_id = :owner ORDER BY followup.due_at, CASE WHEN (lead.urgency = 'high') THEN 0 WHEN (lead.urgency = 'normal') THEN 1 ELSE 2 END, followup.id\n LIMIT :limit + :offset OFFSET 0) AS anon_1 UNION ALL SELECT anon_2.id \nFROM (SELECT followup.id AS id \nFROM followup JOIN lead ON lead.id = followup.lead_id \nWHERE followup.status = 'open' AND followup.kind = 'first_response' AND followup.owner_id IS NULL ORDER BY followup.due_at, CASE WHEN (lead.urgency = 'high') THEN 0 WHEN (lead.urgency = 'normal') THEN 1 ELSE 2 END, followup.id\n LIMIT :limit + :offset OFFSET 0) AS anon_2) ORDER BY followup.due_at, CASE WHEN (lead.urgency = 'high') THEN 0 WHEN (lead.urgency = 'normal') THEN 1 ELSE 2 END, followup.id\n LIMIT :limit OFFSET :offset",
    "overdue": "SELECT followup.id AS followup_id, followup.due_at, followup.kind, (SELECT rep.name \nFROM rep \nWHERE rep.id = followup.owner_id) AS owner, lead.id AS lead_id, lead.name, lead.phone, lead.company, lead.source, lead.stage, lead.urgency, lead.timezone, lead.created_at, lead.escalated_at, lead.first_touch_at, (SELECT group_concat(call.outcome, ',') AS aggregate_strings_1 \nFROM call \nWHERE call.lead_id = lead.id) AS outcomes, last_call.outcome AS last_outcome, last_call.note AS last_note \nFROM followup JOIN lead ON lead.id = followup.lead_id LEFT OUTER JOIN call AS last_call ON last_call.id = (SELECT max(call.id) AS max_1 \nFROM call \nWHERE call.lead_id = lead.id) \nWHERE followup.status = 'open' AND followup.kind != 'first_response' AND followup.due_at < :now AND followup.owner_id = :owner ORDER BY followup.due_at, CASE WHEN (lead.urgency = 'high') THEN 0 WHEN (lead.urgency = 'normal') THEN 1 ELSE 2 END, followup.id\n LIMIT :limit OFFSET :offset",
    "today": "SELECT followup.id AS followup_id, followup.due_at, followup.kind, (SELECT rep.name \nFROM rep \nWHERE rep.id = followup.owner_id) AS owner, lead.id AS lead_id, lead.name, lead.phone, lead.company, lead.source, lead.stage, lead.urgency, lead.timezone, lead.created_at, lead.escalated_at, lead.first_touch_at, (SELECT group_concat(call.outcome, ',') AS aggregate_strings_1 \nFROM call \nWHERE call.lead_id = lead.id) AS outcomes, last_call.outcome AS last_outcome, last_call.note AS last_note \nFROM followup JOIN lead ON lead.id = followup.lead_id LEFT OUTER JOIN call AS last_call ON last_call.id = (SELECT max(call.id) AS max_1 \nFROM call \nWHERE call.lead_id = lead.id) \nWHERE followup.status = 'open' AND followup.kind != 'first_response' AND followup.due_at >= :now AND followup.due_at < :day_end AND followup.owner_id = :owner ORDER BY followup.due_at, CASE WHEN (lead.urgency = 'high') THEN 0 WHEN (lead.urgency = 'normal') THEN 1 ELSE 2 END, followup.id\n LIMIT :limit OFFSET :offset",
    "upcoming": "SELECT followup.id AS followup_id, followup.due_at, followup.kind, (SELECT rep.name \nFROM rep \nWHERE rep.id = followup.owner_id) AS owner, lead.id AS lead_id, lead.name, lead.phone, lead.company, lead.source, lead.stage, lead.urgency, lead.timezone, lead.created_at, lead.escalated_at, lead.first_touch_at, (SELECT group_concat(call.outcome, ',') AS aggregate_strings_1 \nFROM call \nWHERE call.lead_id = lead.id) AS outcomes, last_call.outcome AS last_outcome, last_call.note AS last_note \nFROM followup JOIN lead ON lead.id = followup.lead_id LEFT OUTER JOIN call AS last_call ON last_call.id = (SELECT max(call.id) AS max_1 \nFROM call \nWHERE call.lead_id = lead.id) \nWHERE followup.status = 'open' AND followup.kind != 'first_response' AND followup.due_at >= :day_end AND followup.owner_id = :owner ORDER BY followup.due_at, CASE WHEN (lead.urgency = 'high') THEN 0 WHEN (lead.urgency = 'normal') THEN 1 ELSE 2 END, followup.id\n LIMIT :limit OFFSET :offset",
}
