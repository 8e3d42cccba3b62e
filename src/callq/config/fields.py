"""Validation of `[fields]`: the custom fields a lead may carry (each problem names its key,
so it is reported as file:line).

```toml
[fields.budget]
type = "number"

[fields.plan]
type = "choice"
choices = ["basic", "pro"]
label = "Plan"          # optional: the edit form's and `show`'s name for it
```
"""

from typing import Any

from callq.config.schema import _MISSING, SchemaProblem, _choice, _only, _string, _string_list
from callq.rules.fields import FIELD_NAME, FIELD_TYPES, LONGEST_TAG, LONGEST_TEXT, FieldSpec
from callq.rules.text import unstorable

_FIELD_KEYS = ("type", "choices", "label")


def fields(table: dict[str, Any]) -> dict[str, FieldSpec]:
    """Every `[fields.NAME]` table, in the file's order."""
    found: dict[str, FieldSpec] = {}
    for name, value in table.items():
        path = ("fields", name)
        if not FIELD_NAME.fullmatch(name):
            problem = "a field name is lowercase letters, digits or _, starting with a letter"
            raise SchemaProblem(path, problem)
        if not isinstance(value, dict):
            raise SchemaProblem(path, f'must be a table, e.g. {name} = {{type = "text"}}')
        found[name] = _field(name, value, path)
    return found


def _field(name: str, table: dict[str, Any], path: tuple[str, ...]) -> FieldSpec:
    _only(table, path, _FIELD_KEYS)
    kind = _choice(table, path, "type", FIELD_TYPES, _MISSING)
    choices = _string_list(table, path, "choices", None)
    if kind == "choice":
        if not choices:
            raise SchemaProblem((*path, "choices"), 'a choice field lists its choices = ["a", "b"]')
        seen: set[str] = set()
        for choice in choices:
            if choice != " ".join(choice.split()) or not choice or unstorable(choice):
                raise SchemaProblem((*path, "choices"), f"{choice!r} is not a usable choice")
            if len(choice) > LONGEST_TEXT:
                raise SchemaProblem((*path, "choices"), f"choices are at most {LONGEST_TEXT} long")
            if choice.casefold() in seen:
                raise SchemaProblem((*path, "choices"), f"{choice!r} is listed twice")
            seen.add(choice.casefold())
    elif choices is not None:
        problem = f'only a choice field has choices (this one is type = "{kind}")'
        raise SchemaProblem((*path, "choices"), problem)
    label = _string(table, path, "label", "").strip()
    if "\n" in label or "\r" in label or unstorable(label) or len(label) > LONGEST_TAG:
        problem = f"must be a short name on one line (at most {LONGEST_TAG} characters)"
        raise SchemaProblem((*path, "label"), problem)
    return FieldSpec(name, kind, tuple(choices or ()), label)
