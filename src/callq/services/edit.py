"""Editing a lead: its name, contact details, numbers, tags and custom fields.

One transaction: read the lead, check every value (rules.fields, the phone rules), write
the new values, one `lead_edited` timeline event per changed attribute with its value
before and after, and one `lead_edited` outbox event for the hooks that want it. A value
refused anywhere changes nothing.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from callq.errors import Conflict, UserError
from callq.phones import PhoneError, normalise_phone
from callq.rules.fields import (
    Change,
    decode_fields,
    decode_tags,
    encode_fields,
    encode_tags,
    field_assignment,
    lead_changes,
    refielded,
    retagged,
)
from callq.rules.hours import is_zone
from callq.rules.model import CHANNELS, URGENCIES, Rules
from callq.rules.text import require_storable
from callq.services.common import find_lead
from callq.services.views import LeadView
from callq.store import queries
from callq.store.db import Database
from callq.store.models import Lead
from callq.store.outbox import emit, lead_fields
from callq.store.timeline import append_event

TEXTS = ("name", "company", "email", "interest")  # free text, one line each
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # a typo catcher, not RFC 5322


@dataclass(frozen=True)
class LeadEdit:
    """What to change (None / empty: leave as it is)."""

    name: str | None = None
    company: str | None = None
    email: str | None = None
    source: str | None = None
    interest: str | None = None
    urgency: str | None = None
    timezone: str | None = None
    phones_add: tuple[str, ...] = ()
    phones_remove: tuple[str, ...] = ()
    tags_add: tuple[str, ...] = ()
    tags_remove: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()  # "KEY=VALUE"; an empty VALUE clears the field

    def is_empty(self) -> bool:
        scalars = (self.name, self.company, self.email, self.source, self.interest)
        return all(v is None for v in (*scalars, self.urgency, self.timezone)) and not any(
            (self.phones_add, self.phones_remove, self.tags_add, self.tags_remove, self.fields)
        )


@dataclass(frozen=True)
class EditedLead:
    lead_id: int
    name: str
    changes: tuple[Change, ...]  # empty: every value was already so


def edit_lead(
    db: Database, rules: Rules, ref: str, edit: LeadEdit, *, now: datetime, rep: str
) -> EditedLead:
    """Apply `edit` to the lead `ref` names; UserError (nothing changed) on any bad value."""
    if edit.is_empty():
        raise UserError(
            "nothing to change: give --name, --company, --email, --phone-add, --phone-remove, "
            "--tag, --untag, --field, --source, --interest, --urgency or --timezone"
        )
    values = _checked_scalars(edit)
    assignments = [field_assignment(text, rules.fields) for text in edit.fields]
    adds = [_number(raw, rules) for raw in edit.phones_add]
    removes = [_number(raw, rules) for raw in edit.phones_remove]
    with db.write() as session:
        lead = find_lead(session, ref, rules, lock=True)
        before = editable(lead)
        after = {**before, **values}
        after.update(_renumbered(session, rules, lead, adds, removes, now))
        after["tags"] = retagged(before["tags"], list(edit.tags_add), list(edit.tags_remove))
        after["fields"] = refielded(before["fields"], assignments)
        changes = lead_changes(before, after)
        if changes:
            _write(session, rules, lead, after, changes, now=now, rep=rep)
        return EditedLead(lead.id, lead.name, changes)


def editable(lead: Lead) -> dict[str, object]:
    """A lead's editable attributes, in the order an edit reports them."""
    return {
        "name": lead.name,
        "phone": lead.phone,
        "other_phones": tuple(p for p in lead.other_phones.split(",") if p),
        "email": lead.email,
        "company": lead.company,
        "source": lead.source,
        "interest": lead.interest,
        "urgency": lead.urgency,
        "timezone": lead.timezone,
        "tags": decode_tags(lead.tags),
        "fields": decode_fields(lead.fields),
    }


def _checked_scalars(edit: LeadEdit) -> dict[str, object]:
    """The plain attributes `edit` sets, each checked (before any database work)."""
    values: dict[str, object] = {}
    for attribute in TEXTS:
        text = getattr(edit, attribute)
        if text is None:
            continue
        require_storable(f"the {attribute}", text)
        if "\n" in text or "\r" in text:
            raise UserError(f"the {attribute} is one line; nothing was changed")
        values[attribute] = " ".join(text.split())
    if values.get("name") == "":
        raise UserError("a lead needs a name; nothing was changed")
    email = values.get("email")
    if email and not EMAIL.fullmatch(str(email)):
        raise UserError(
            f"{email!r} is not an email address (name@example.com); nothing was changed"
        )
    if edit.source is not None:
        if edit.source not in CHANNELS:
            raise UserError(f"unknown source {edit.source!r} (use one of: {', '.join(CHANNELS)})")
        values["source"] = edit.source
    if edit.urgency is not None:
        if edit.urgency not in URGENCIES:
            known = ", ".join(URGENCIES)
            raise UserError(f"unknown urgency {edit.urgency!r} (use one of: {known})")
        values["urgency"] = edit.urgency
    if edit.timezone is not None:
        require_storable("the timezone", edit.timezone)
        if not is_zone(edit.timezone.strip()):
            raise UserError(f"unknown timezone {edit.timezone!r} (e.g. Asia/Kolkata)")
        values["timezone"] = edit.timezone.strip()
    return values


def _number(raw: str, rules: Rules) -> str:
    try:
        return normalise_phone(raw, rules.team.region)
    except PhoneError as error:
        raise UserError(f"{error}; nothing was changed") from None


def _renumbered(
    session: Session,
    rules: Rules,
    lead: Lead,
    adds: list[str],
    removes: list[str],
    now: datetime,
) -> dict[str, object]:
    """The lead's phone and other phones after removing `removes` and adding `adds`.

    Removing the main number promotes the first other number; a lead keeps at least one.
    A number added must belong to no other lead (one number, one lead: the leads having
    it are `queries.leads_with_phone`) and must not be on the do-not-call list.
    """
    numbers = [lead.phone, *(p for p in lead.other_phones.split(",") if p)]
    for phone in removes:
        if phone not in numbers:
            raise UserError(f"lead {lead.id} has no number {phone}; nothing was changed")
        numbers.remove(phone)
    if not numbers and not adds:
        raise UserError(f"{lead.name} needs a phone number: add another before removing this one")
    fresh = [phone for phone in dict.fromkeys(adds) if phone not in numbers]
    for phone in fresh:
        others = [row for row in queries.leads_with_phone(session, phone) if row.id != lead.id]
        if others:
            owner = others[0]
            raise Conflict(
                f"{phone} is the number of lead #{owner.id} {owner.name}: one number, one lead "
                "(merge them instead); nothing was changed"
            )
    if fresh:
        _refuse_listed(session, rules, fresh, now)
    numbers += fresh
    return {"phone": numbers[0], "other_phones": tuple(numbers[1:])}


def _refuse_listed(session: Session, rules: Rules, phones: list[str], now: datetime) -> None:
    """A number on the do-not-call list is not added to a lead (services.dnc's refusal)."""
    try:
        from callq.services.dnc import refuse_listed
    except ModuleNotFoundError:  # a build without the do-not-call list
        return
    refuse_listed(session.connection(), phones, rules, now)


def _write(
    session: Session,
    rules: Rules,
    lead: Lead,
    after: dict[str, object],
    changes: tuple[Change, ...],
    *,
    now: datetime,
    rep: str,
) -> None:
    actor = queries.ensure_rep(session, rep)
    for attribute in ("name", "phone", "email", "company", "source", "interest", "urgency"):
        setattr(lead, attribute, after[attribute])
    lead.timezone = after["timezone"]
    lead.other_phones = ",".join(after["other_phones"])
    lead.tags = encode_tags(after["tags"])
    lead.fields = encode_fields(after["fields"])
    session.add(lead)
    session.flush()  # the unique phone is checked here, inside the transaction
    for change in changes:
        append_event(
            session,
            lead_id=lead.id,
            at=now,
            type="lead_edited",
            rep_id=actor.id,
            attribute=change.attribute,
            before=_plain(change.before),
            after=_plain(change.after),
        )
    owner = queries.rep_names(session, {lead.owner_id} if lead.owner_id else set())
    body = {
        **lead_fields(lead),
        "owner": owner.get(lead.owner_id),
        "tags": list(after["tags"]),
        "fields": after["fields"],
        "by": rep,
        "changes": [
            {"attribute": c.attribute, "before": _plain(c.before), "after": _plain(c.after)}
            for c in changes
        ],
    }
    emit(session, rules.hooks, type="lead_edited", at=now, changes=[(lead.id, body)])


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def edit_between(current: LeadView, typed: dict[str, str], rules: Rules) -> LeadEdit:
    """The edit that turns `current` into what a form shows as `typed` (field -> text):
    only what differs. `phones` and `tags` are comma-separated lists (the main number
    first); a custom field is typed under its name. A number that cannot be read is
    passed on as typed, so `edit_lead` refuses it with its reason."""
    changed: dict[str, object] = {}
    for attribute in (*TEXTS, "source", "urgency"):
        if attribute in typed and typed[attribute].strip() != getattr(current, attribute):
            changed[attribute] = typed[attribute]
    zone_text = typed.get("timezone", "").strip()
    own_zone = "" if current.timezone_guessed else current.timezone
    if zone_text and zone_text != own_zone:
        changed["timezone"] = zone_text
    if "phones" in typed:
        numbers = [current.phone, *current.other_phones]
        wanted = []
        for raw in (part.strip() for part in typed["phones"].split(",")):
            if raw:
                try:
                    wanted.append(normalise_phone(raw, rules.team.region))
                except PhoneError:
                    wanted.append(raw)
        changed["phones_add"] = tuple(p for p in wanted if p not in numbers)
        changed["phones_remove"] = tuple(p for p in numbers if p not in wanted)
    if "tags" in typed:
        tags = [part.strip() for part in typed["tags"].split(",") if part.strip()]
        have = {tag.casefold() for tag in current.tags}
        want = {tag.casefold() for tag in tags}
        changed["tags_add"] = tuple(t for t in tags if t.casefold() not in have)
        changed["tags_remove"] = tuple(t for t in current.tags if t.casefold() not in want)
    assignments = []
    for name in rules.fields:
        text = typed.get(f"fields.{name}")
        if text is not None and text.strip() != field_text(current.fields.get(name)):
            assignments.append(f"{name}={text.strip()}")
    return LeadEdit(**changed, fields=tuple(assignments))


def field_text(value: object) -> str:
    """A custom field's value as a form shows it ("" when it has none)."""
    return "" if value is None else str(value)
