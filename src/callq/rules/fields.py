"""Custom fields and tags of a lead: what `[fields]` declares, and what a typed value means.

Pure: the rules file declares each field's type (`text`, `number`, `date`, `choice`); a value
typed for it (`callq edit --field budget=40000`, the TUI's edit form, an imported callq
export) is read here into its stored form, or refused with a message that names the field.
Tags are free words; `tag_text` decides what counts as one. A lead keeps its fields as a
JSON object and its tags as a JSON list (`encode_fields`, `encode_tags`: one spelling).
"""

import json
import math
import re
from dataclasses import dataclass
from datetime import date

from callq.errors import UserError
from callq.rules.text import require_storable

FIELD_TYPES = ("text", "number", "date", "choice")
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
LONGEST_TEXT = 500  # characters of a text field or a tag: a field is not a note
LONGEST_TAG = 40
FieldValue = str | int | float
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class FieldSpec:
    """One `[fields.NAME]` entry."""

    name: str
    type: str
    choices: tuple[str, ...] = ()
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")


def field_value(spec: FieldSpec, text: str) -> FieldValue | None:
    """`text` as field `spec` stores it; None for a blank value (the field is cleared).

    number: an int or a finite float (`40,000` and `1e3` are refused: one reading only);
    date: ISO `YYYY-MM-DD`; choice: one of its choices exactly (case-insensitive match,
    stored in the declared spelling); text: one line, trimmed.
    """
    require_storable(f"field {spec.name}", text)
    value = text.strip()
    if not value:
        return None
    if spec.type == "number":
        return _number(spec, value)
    if spec.type == "date":
        try:  # the one spelling: fromisoformat alone also reads 20261224 and 2026-W52-1
            return (
                date.fromisoformat(value).isoformat()
                if _ISO_DATE.fullmatch(value)
                else _bad_date(spec)
            )
        except ValueError:
            return _bad_date(spec)
    if spec.type == "choice":
        for choice in spec.choices:
            if value.casefold() == choice.casefold():
                return choice
        raise UserError(
            f"field {spec.name}: {value!r} is not one of {', '.join(spec.choices)}; "
            "nothing was changed"
        )
    if "\n" in value or "\r" in value:
        raise UserError(f"field {spec.name} is one line; nothing was changed")
    if len(value) > LONGEST_TEXT:
        raise UserError(
            f"field {spec.name} is {len(value)} characters (at most {LONGEST_TEXT}); "
            "nothing was changed"
        )
    return value


def _number(spec: FieldSpec, value: str) -> int | float:
    if re.fullmatch(r"[+-]?\d{1,15}", value):
        return int(value)
    if re.fullmatch(r"[+-]?\d{0,15}\.\d{1,15}", value):
        number = float(value)
        if math.isfinite(number):
            return number
    raise UserError(
        f"field {spec.name} is a number: {value!r} is not one (write e.g. 40000 or 12.5); "
        "nothing was changed"
    )


def _bad_date(spec: FieldSpec) -> str:
    raise UserError(
        f"field {spec.name} is a date: write it as YYYY-MM-DD (e.g. 2026-12-24); "
        "nothing was changed"
    )


def field_assignment(text: str, specs: dict[str, FieldSpec]) -> tuple[str, FieldValue | None]:
    """`KEY=VALUE` (`--field budget=40000`) -> (the field, its stored value or None)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UserError(f"--field {text!r}: write KEY=VALUE (e.g. --field budget=40000)")
    spec = specs.get(key)
    if spec is None:
        known = ", ".join(specs) if specs else "none: declare them in [fields] of the rules"
        raise UserError(f"unknown field {key!r} (known: {known}); nothing was changed")
    return key, field_value(spec, raw)


def tag_text(text: str) -> str:
    """A tag as stored: trimmed, one word or phrase without commas, at most LONGEST_TAG."""
    require_storable("the tag", text)
    tag = " ".join(text.split())
    if not tag:
        raise UserError("a tag cannot be empty; nothing was changed")
    if "," in tag:
        raise UserError(f"a tag has no commas ({tag!r}: give each tag on its own)")
    if len(tag) > LONGEST_TAG:
        raise UserError(f"a tag is at most {LONGEST_TAG} characters; nothing was changed")
    return tag


def retagged(tags: tuple[str, ...], add: list[str], remove: list[str]) -> tuple[str, ...]:
    """The tags after adding `add` and removing `remove` (matched case-insensitively; a tag
    keeps its first spelling and its place). Removing a tag the lead lacks is refused."""
    result = list(tags)
    for raw in remove:
        tag = tag_text(raw)
        found = next((t for t in result if t.casefold() == tag.casefold()), None)
        if found is None:
            shown = ", ".join(result) or "none"
            raise UserError(f"the lead has no tag {tag!r} (its tags: {shown}); nothing was changed")
        result.remove(found)
    for raw in add:
        tag = tag_text(raw)
        if all(t.casefold() != tag.casefold() for t in result):
            result.append(tag)
    return tuple(result)


def refielded(
    fields: dict[str, FieldValue], assignments: list[tuple[str, FieldValue | None]]
) -> dict[str, FieldValue]:
    """The fields after `assignments` (a None value clears the field)."""
    result = dict(fields)
    for key, value in assignments:
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def encode_tags(tags: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(tags), ensure_ascii=False)


def encode_fields(fields: dict[str, FieldValue]) -> str:
    return json.dumps(dict(sorted(fields.items())), ensure_ascii=False)


def decode_tags(text: str | None) -> tuple[str, ...]:
    """A lead's stored tags (an old row or an empty cell: none)."""
    value = json.loads(text) if text else []
    return tuple(str(tag) for tag in value) if isinstance(value, list) else ()


def decode_fields(text: str | None) -> dict[str, FieldValue]:
    value = json.loads(text) if text else {}
    return dict(value) if isinstance(value, dict) else {}


def read_tags_cell(text: str) -> tuple[str, ...]:
    """An exported tags cell (a JSON list, or `a, b`) -> tags; UserError when malformed."""
    text = text.strip()
    if not text:
        return ()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            raise UserError(f"tags {text[:40]!r} are not a JSON list") from None
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise UserError("tags must be a list of strings")
        return retagged((), value, [])
    return retagged((), [part for part in text.split(",") if part.strip()], [])


def read_fields_cell(text: str, specs: dict[str, FieldSpec]) -> dict[str, FieldValue]:
    """An exported fields cell (a JSON object) -> fields, each value checked by its spec."""
    text = text.strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise UserError(f"fields {text[:40]!r} are not a JSON object") from None
    if not isinstance(value, dict):
        raise UserError("fields must be a JSON object")
    assignments = []
    for key, raw in value.items():
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise UserError(f"field {key!r}: {raw!r} is not a value")
        assignments.append(field_assignment(f"{key}={raw}", specs))
    return refielded({}, assignments)


@dataclass(frozen=True)
class Change:
    """One attribute of a lead changed by an edit: a `lead_edited` event says this."""

    attribute: str  # name, phone, other_phones, tags, fields.<name>, ...
    before: object
    after: object


def lead_changes(before: dict[str, object], after: dict[str, object]) -> tuple[Change, ...]:
    """What differs between a lead's editable attributes before and after an edit, in
    `after`'s order; custom fields (`fields`, a dict) one change per field."""
    changes: list[Change] = []
    for attribute, value in after.items():
        old = before.get(attribute)
        if attribute == "fields":
            old_fields, new_fields = dict(old or {}), dict(value or {})
            for key in dict.fromkeys([*old_fields, *new_fields]):
                if old_fields.get(key) != new_fields.get(key):
                    changes.append(
                        Change(f"fields.{key}", old_fields.get(key), new_fields.get(key))
                    )
        elif old != value:
            changes.append(Change(attribute, old, value))
    return tuple(changes)
