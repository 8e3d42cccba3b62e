"""`[fields]` in the rules file (file:line errors) and what a typed value means (pure)."""

from pathlib import Path

import pytest

from callq.config.loading import ConfigError, parse_rules
from callq.errors import UserError
from callq.rules.fields import FieldSpec, field_value, lead_changes, retagged

NAME = Path("callq.toml")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[fields.budget]\ntype = "money"\n', "callq.toml:2: fields.budget.type: 'money' is not"),
        ('[fields.budget]\nlabel = "B"\n', "callq.toml:1: fields.budget: missing key 'type'"),
        (
            '[fields.plan]\ntype = "choice"\n',
            "callq.toml:1: fields.plan.choices: a choice field lists",
        ),
        (
            '[fields.plan]\ntype = "choice"\nchoices = []\n',
            "callq.toml:3: fields.plan.choices: a choice field lists",
        ),
        (
            '[fields.plan]\ntype = "choice"\nchoices = ["a", "A"]\n',
            "callq.toml:3: fields.plan.choices: 'A' is listed twice",
        ),
        (
            '\n[fields.x]\ntype = "text"\nchoices = ["a"]\n',
            "callq.toml:4: fields.x.choices: only a choice field has choices",
        ),
        ('[fields.x]\ntype = "text"\nsize = 3\n', "callq.toml:3: fields.x.size: unknown key"),
        ('[fields]\nBad = {type = "text"}\n', "callq.toml:2: fields.Bad: a field name is"),
        ("[fields]\nx = 3\n", "callq.toml:2: fields.x: must be a table"),
    ],
)
def test_fields_table_errors_name_file_and_line(text, where):
    with pytest.raises(ConfigError) as raised:
        parse_rules(text, NAME)
    assert str(raised.value).startswith(where), str(raised.value)


def test_fields_table_loads_in_file_order():
    rules = parse_rules(
        '[fields.plan]\ntype = "choice"\nchoices = ["basic", "pro"]\nlabel = "Plan"\n\n'
        '[fields.budget]\ntype = "number"\n',
        NAME,
    )
    assert list(rules.fields) == ["plan", "budget"]
    assert rules.fields["plan"] == FieldSpec("plan", "choice", ("basic", "pro"), "Plan")


NUMBER, DATE = FieldSpec("n", "number"), FieldSpec("d", "date")
CHOICE, TEXT = FieldSpec("c", "choice", ("Basic", "Pro")), FieldSpec("t", "text")


@pytest.mark.parametrize(
    ("spec", "typed", "stored"),
    [
        (NUMBER, "40000", 40000),
        (NUMBER, " -12.5 ", -12.5),
        (NUMBER, "", None),
        (DATE, "2026-12-24", "2026-12-24"),
        (CHOICE, "pro", "Pro"),
        (TEXT, "  Meera  ", "Meera"),
    ],
)
def test_field_values(spec, typed, stored):
    assert field_value(spec, typed) == stored


@pytest.mark.parametrize(
    ("spec", "typed"),
    [
        (NUMBER, "40,000"),
        (NUMBER, "1e3"),
        (NUMBER, "nan"),
        (NUMBER, "1" * 16),
        (DATE, "20261224"),
        (DATE, "2026-W52-1"),
        (DATE, "2026-13-01"),
        (CHOICE, "gold"),
        (TEXT, "two\nlines"),
        (TEXT, "x" * 501),
    ],
)
def test_field_values_refused(spec, typed):
    with pytest.raises(UserError):
        field_value(spec, typed)


def test_tags_keep_first_spelling_and_order():
    assert retagged(("hot",), ["VIP", "Hot", "  new  lead "], []) == ("hot", "VIP", "new lead")
    assert retagged(("hot", "VIP"), [], ["vip"]) == ("hot",)


def test_changes_are_per_attribute_and_per_field():
    before = {"name": "A", "tags": (), "fields": {"a": 1, "b": "x"}}
    after = {"name": "A", "tags": ("t",), "fields": {"b": "y", "c": 2}}
    assert [(c.attribute, c.before, c.after) for c in lead_changes(before, after)] == [
        ("tags", (), ("t",)),
        ("fields.a", 1, None),
        ("fields.b", "x", "y"),
        ("fields.c", None, 2),
    ]
