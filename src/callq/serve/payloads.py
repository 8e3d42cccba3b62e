"""Request bodies -> a `NewLead`: field names as the CSV import recognises them.

A JSON object or a form is read as a one-row CSV: its keys are the header (mapped by
`importing.headers`, so `Phone Number`, `First Name` + `Last Name`, `MobilePhone`,
`Lead Source` mean what they mean in a CRM export) and its values are the cells (read by
`importing.rows.RowReader`: the same phone, name, channel and urgency rules).
"""

import json
from dataclasses import replace
from urllib.parse import parse_qsl

from callq.errors import UserError
from callq.importing.fastphone import PhoneNormaliser
from callq.importing.headers import map_columns
from callq.importing.rows import RowReader
from callq.rules.hours import is_zone
from callq.rules.model import CHANNELS, Rules
from callq.services.leads import NewLead

GOOGLE_SOURCE = "web"  # a Google Ads lead form is an ad's web form


class BadRequest(UserError):
    """The body is not a usable request at all (400): not JSON, not an object, ..."""


class Unprocessable(UserError):
    """The body was read but holds no usable lead (422): no phone, an invalid one, ..."""


def json_object(body: bytes) -> dict:
    """The body as a JSON object; BadRequest for invalid JSON or anything but an object."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest('the body must be a JSON object, e.g. {"name": ..., "phone": ...}')
    return data


def json_fields(body: bytes) -> dict[str, str]:
    """A JSON object's keys and values (as text)."""
    return {str(key): _text(value) for key, value in json_object(body).items()}


def form_fields(body: bytes) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body's fields (the first of repeated keys)."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest(
            "the body is not a valid form (application/x-www-form-urlencoded)"
        ) from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def _text(value: object) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def default_source(query_source: str | None) -> str:
    """`?source=web`: the channel for a body that names none; 'other' without one."""
    if query_source is None or not query_source.strip():
        return "other"
    channel = query_source.strip().lower()
    if channel not in CHANNELS:
        raise Unprocessable(f"unknown source {query_source!r} (use one of: {', '.join(CHANNELS)})")
    return channel


def new_lead(fields: dict[str, str], rules: Rules, *, source: str, note: str = "") -> NewLead:
    """The lead these fields describe, read as one CSV row; Unprocessable when unusable."""
    headers = list(fields)
    reader = RowReader(
        map_columns(headers, {}),
        len(headers),
        PhoneNormaliser(rules.team.region),
        default_source=source,
        valid_zone=is_zone,
    )
    row = reader.read(list(fields.values()), 1)
    if isinstance(row, str):
        raise Unprocessable(row if row != "no phone number" else "no phone number (send 'phone')")
    owner = row.owner if row.owner in rules.team.reps else None  # never a new rep from outside
    return NewLead(
        name=row.name,
        phone=row.phone,
        source=row.source,
        interest=row.interest,
        urgency=row.urgency,
        owner=owner,
        timezone=row.timezone,
        email=row.email,
        company=row.company,
        note="\n".join(part for part in (note, row.note) if part),
    )


def google_ads_lead(payload: dict, rules: Rules) -> tuple[NewLead, str]:
    """A Google Ads lead form webhook's lead and its `lead_id` (the idempotency key); a
    test lead (`is_test`) is marked as one in its name and note."""
    fields, lead_id = google_ads_fields(payload)
    new = new_lead(fields, rules, source=GOOGLE_SOURCE, note=google_ads_note(payload))
    if payload.get("is_test") is True:
        new = replace(new, name=f"[test] {new.name}")
    return new, lead_id


def google_ads_fields(payload: dict) -> tuple[dict[str, str], str]:
    """A Google Ads lead form webhook's columns as fields (`FULL_NAME` reads as the header
    `full name`, `PHONE_NUMBER` as `phone number`), and its `lead_id`."""
    columns = payload.get("user_column_data")
    lead_id = payload.get("lead_id")
    if not isinstance(columns, list) or not isinstance(lead_id, str) or not lead_id:
        raise BadRequest("not a Google Ads lead: needs lead_id and user_column_data")
    fields: dict[str, str] = {}
    for column in columns:
        if not isinstance(column, dict):
            raise BadRequest("user_column_data holds a column that is not an object")
        column_id = column.get("column_id")
        value = column.get("string_value")
        if isinstance(column_id, str) and isinstance(value, str):
            fields.setdefault(column_id, value)
    return fields, lead_id


def google_ads_note(payload: dict) -> str:
    """What the timeline keeps about the ad: campaign, form and whether it is a test."""
    parts = [f"Google Ads lead {payload.get('lead_id')}"]
    for key in ("campaign_id", "form_id", "gcl_id"):
        if payload.get(key) not in (None, ""):
            parts.append(f"{key} {payload[key]}")
    if payload.get("is_test"):
        parts.insert(0, "TEST lead (is_test)")
    return "; ".join(str(part) for part in parts)
