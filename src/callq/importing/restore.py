"""Importing callq's own lead export: the lead comes back as it was exported.

A file whose header is exactly `callq export --leads`'s (`services.exporting.LEAD_COLUMNS`,
or an older callq's without tags and fields) is read column by column, not guessed: its
other phones are a comma-separated list, its owner is a callq rep (created if the database
does not know them yet), and each row carries what a CRM export has no column for (a
`Restore`): stage, tags, custom fields, arrival, first touch, timezone and the open
follow-up. A new lead is written with these, so exporting the imported database gives the
same file; a lead that exists already takes the row as an inquiry, like any import.
"""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, update

from callq.errors import UserError
from callq.rules.fields import FieldSpec, encode_fields, encode_tags, read_fields_cell
from callq.rules.fields import read_tags_cell as tags_cell
from callq.rules.model import CLOSED_STAGES, STAGES
from callq.services.exporting import LEAD_COLUMNS
from callq.store.models import FollowUp, Lead

LEADS = Lead.__table__
FOLLOWUPS = FollowUp.__table__
FOLLOWUP_KINDS = ("first_response", "callback", "cadence", "manual")
_OLDER_HEADER = tuple(c for c in LEAD_COLUMNS if c not in ("tags", "fields"))
# The export's columns that name an import field of another name; `id` is the old database's.
_AS_FIELD = {"other_phones": "other_phone", "id": "ignore"}
RESTORED = ("stage", "tags", "fields", "created_at", "first_touch_at", "next_due_at", "next_kind")
REASON = "restored from a callq export"


class Restore(NamedTuple):
    """What a callq export row restores beyond the fields every import reads."""

    stage: str
    tags: str  # as stored (rules.fields.encode_tags)
    fields: str
    timezone: str | None
    created_at: datetime | None
    first_touch_at: datetime | None
    next_due_at: datetime | None
    next_kind: str | None


def export_mapping(headers: list[str]) -> dict[int, str] | None:
    """Column index -> field when `headers` are callq's lead export's; None otherwise."""
    names = tuple(header.strip() for header in headers)
    if sorted(names) not in (sorted(LEAD_COLUMNS), sorted(_OLDER_HEADER)):
        return None
    mapping = {index: _AS_FIELD.get(name, name) for index, name in enumerate(names)}
    return {index: field for index, field in mapping.items() if field != "ignore"}


class RestoreReader:
    """Reads a row's `Restore` from the cells of a callq export (or why it cannot)."""

    def __init__(self, mapping: dict[int, str], specs: dict[str, FieldSpec]) -> None:
        self.column = {field: index for index, field in mapping.items()}
        self.specs = specs

    def _cell(self, cells: list[str], field: str) -> str:
        index = self.column.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def read(self, cells: list[str]) -> Restore | str:
        stage = self._cell(cells, "stage") or "new"
        if stage not in STAGES:
            return f"unknown stage {stage!r}"
        try:
            tags = encode_tags(tags_cell(self._cell(cells, "tags")))
            fields = encode_fields(read_fields_cell(self._cell(cells, "fields"), self.specs))
            instants = [
                _instant(self._cell(cells, name), name)
                for name in ("created_at", "first_touch_at", "next_due_at")
            ]
        except UserError as error:
            return str(error)
        kind = self._cell(cells, "next_kind") or None
        if kind is not None and kind not in FOLLOWUP_KINDS:
            return f"unknown follow-up kind {kind!r}"
        if stage in CLOSED_STAGES:
            instants[2] = kind = None  # a closed lead has no open follow-up
        elif (instants[2] is None) != (kind is None):
            return "next_due_at and next_kind go together"
        return Restore(stage, tags, fields, self._cell(cells, "timezone") or None, *instants, kind)


def _instant(text: str, name: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"{name} {text[:40]!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise UserError(f"{name} {text[:40]!r} has no UTC offset")
    return value


_UPDATE = (
    update(LEADS)
    .where(LEADS.c.id == bindparam("lead_id"))
    .values(
        stage=bindparam("stage"),
        tags=bindparam("tags"),
        fields=bindparam("fields"),
        timezone=bindparam("timezone"),
        created_at=bindparam("created_at"),
        first_touch_at=bindparam("first_touch_at"),
    )
)


def restore_leads(
    conn,  # noqa: ANN001
    restored: list[tuple[int, int | None, Restore]],
    *,
    now: datetime,
    actor_id: int,
) -> tuple[list[dict], list[tuple[str, int, dict]]]:
    """Write the exported state of the new leads `restored` ((lead id, owner id, Restore));
    returns their open follow-ups (FOLLOWUPS rows) and events ((type, lead id, detail)) for
    the caller's bulk inserts. Then `list_do_not_call`."""
    if not restored:
        return [], []
    conn.execute(
        _UPDATE,
        [
            {
                "lead_id": lead_id,
                "stage": r.stage,
                "tags": r.tags,
                "fields": r.fields,
                "timezone": r.timezone,
                "created_at": r.created_at or now,
                "first_touch_at": r.first_touch_at,
            }
            for lead_id, _owner, r in restored
        ],
    )
    followups: list[dict] = []
    events: list[tuple[str, int, dict]] = []
    for lead_id, owner_id, r in restored:
        if r.stage != "new":
            events.append(
                ("stage_changed", lead_id, {"from": "new", "to": r.stage, "reason": REASON})
            )
        if r.next_due_at is not None:
            followups.append(
                {
                    "lead_id": lead_id,
                    "owner_id": owner_id,
                    "due_at": r.next_due_at,
                    "kind": r.next_kind,
                    "status": "open",
                    "touch": 1 if r.next_kind == "first_response" else None,
                    "created_at": now,
                }
            )
            detail = {"due_at": r.next_due_at.isoformat(), "kind": r.next_kind}
            events.append(("followup_scheduled", lead_id, detail))
    return followups, events


def list_do_not_call(
    conn,  # noqa: ANN001
    restored: list[tuple[int, int | None, Restore]],
    *,
    now: datetime,
    actor_id: int,
) -> None:
    """A lead exported as do-not-call keeps its numbers off the phone in the new database
    (after its `created` event, so its timeline reads in order)."""
    lead_ids = [lead_id for lead_id, _owner, r in restored if r.stage == "dnc"]
    if not lead_ids:
        return
    try:
        from callq.services.dnc import list_lead_numbers
    except ModuleNotFoundError:  # a build without the do-not-call list
        return
    for lead_id in lead_ids:
        list_lead_numbers(conn, lead_id, reason=REASON, by="import", rep_id=actor_id, now=now)
