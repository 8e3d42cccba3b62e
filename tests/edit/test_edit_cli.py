"""`callq edit`: every change lands with its lead_edited event; every refusal is one line,
exit 2 and an unchanged database (both backends)."""

import json

import pytest


def shown(run, lead: str) -> dict:  # noqa: ANN001
    result = run("show", lead, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def edits(detail: dict) -> list[tuple]:
    """The lead_edited events, oldest first, as (attribute, before, after)."""
    return [
        (e["attribute"], e["before"], e["after"])
        for e in reversed(detail["timeline"])
        if e["type"] == "lead_edited"
    ]


def test_every_edit_with_its_event(run, lead):
    result = run(
        "edit", lead, "--name", "Ravi  Kumar", "--company", "Acme Ltd", "--email", "ravi@acme.in",
        "--source", "referral", "--interest", "loans", "--urgency", "high",
        "--timezone", "Europe/London", "--phone-add", "98765 43211", "--tag", "hot",
        "--tag", "VIP", "--field", "budget=40000", "--field", "plan=PRO",
        "--field", "visit=2026-12-24", "--field", "referrer=Meera",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "lead 1: name: Ravi → Ravi Kumar" in result.stdout
    detail = shown(run, lead)
    got = detail["lead"]
    assert (got["name"], got["company"], got["email"]) == ("Ravi Kumar", "Acme Ltd", "ravi@acme.in")
    assert (got["source"], got["interest"], got["urgency"]) == ("referral", "loans", "high")
    assert got["timezone"] == "Europe/London" and got["other_phones"] == ["+919876543211"]
    assert got["tags"] == ["hot", "VIP"]
    assert got["fields"] == {
        "budget": 40000, "plan": "pro", "referrer": "Meera", "visit": "2026-12-24"
    }  # fmt: skip
    assert edits(detail) == [
        ("name", "Ravi", "Ravi Kumar"),
        ("other_phones", [], ["+919876543211"]),
        ("email", "", "ravi@acme.in"),
        ("company", "", "Acme Ltd"),
        ("source", "web", "referral"),
        ("interest", "", "loans"),
        ("urgency", "normal", "high"),
        ("timezone", "Asia/Kolkata", "Europe/London"),
        ("tags", [], ["hot", "VIP"]),
        ("fields.budget", None, 40000),
        ("fields.plan", None, "pro"),
        ("fields.visit", None, "2026-12-24"),
        ("fields.referrer", None, "Meera"),
    ]
    assert all(e["rep"] == "asha" for e in detail["timeline"] if e["type"] == "lead_edited")

    # A second edit: untag, clear and change a field; the events say before and after.
    result = run("edit", lead, "--untag", "vip", "--field", "budget=", "--field", "plan=basic")
    assert result.exit_code == 0, result.stderr
    detail = shown(run, lead)
    assert detail["lead"]["tags"] == ["hot"]
    assert detail["lead"]["fields"] == {"plan": "basic", "referrer": "Meera", "visit": "2026-12-24"}
    assert edits(detail)[-3:] == [
        ("tags", ["hot", "VIP"], ["hot"]),
        ("fields.budget", 40000, None),
        ("fields.plan", "pro", "basic"),
    ]
    text = run("show", lead).stdout
    assert "Edited plan: pro → basic (asha)" in text and "Edited tags: hot, VIP → hot" in text
    assert "tags hot · plan basic · referrer Meera · visit 2026-12-24" in text


def test_an_edit_that_changes_nothing_writes_nothing(run, lead, dump):
    before = dump()
    result = run("edit", lead, "--name", "Ravi", "--source", "web", "--urgency", "normal")
    assert result.exit_code == 0 and "nothing changed" in result.stdout
    assert dump() == before


REFUSALS = [
    (("--field", "budget=40,000"), "field budget is a number"),
    (("--field", "budget=1e3"), "field budget is a number"),
    (("--field", "visit=24/12/2026"), "field visit is a date"),
    (("--field", "visit=2026-02-30"), "field visit is a date"),
    (("--field", "plan=gold"), "'gold' is not one of basic, pro"),
    (("--field", "colour=red"), "unknown field 'colour'"),
    (("--field", "budget"), "write KEY=VALUE"),
    (("--field", "referrer=two\nlines"), "field referrer is one line"),
    (("--urgency", "urgent"), "unknown urgency 'urgent'"),
    (("--source", "tv"), "unknown source 'tv'"),
    (("--timezone", "Mars/Olympus"), "unknown timezone"),
    (("--name", "   "), "a lead needs a name"),
    (("--name", "Ravi\x00"), "NUL"),
    (("--email", "ravi at acme"), "not an email address"),
    (("--tag", " "), "a tag cannot be empty"),
    (("--tag", "a,b"), "a tag has no commas"),
    (("--untag", "cold"), "the lead has no tag 'cold'"),
    (("--phone-add", "12345"), "not a valid phone number"),
    (("--phone-add", "98765 43299"), "is the number of lead #2 Meera"),
    (("--phone-remove", "98765 43277"), "has no number +919876543277"),
    (("--phone-remove", "98765 43210"), "Ravi needs a phone number"),
    ((), "nothing to change"),
    # A valid change beside a bad one: nothing is applied.
    (("--name", "Ravi Kumar", "--field", "plan=gold"), "'gold' is not one of"),
]


def test_refusals_change_nothing(run, lead, dump):
    """One database for every case (a database a case costs a second on PostgreSQL)."""
    assert run("add", "--name", "Meera", "--phone", "9876543299").exit_code == 0
    before = dump()
    for args, says in REFUSALS:
        result = run("edit", lead, *args)
        assert result.exit_code == 2, (args, result.stdout)
        assert says in result.stderr and result.stderr.count("\n") == 1, (args, result.stderr)
        assert dump() == before, args


def test_phone_add_and_remove(run, lead):
    assert run("edit", lead, "--phone-add", "+91 98765 43211").exit_code == 0
    # The added number now names the lead, like its main number.
    assert shown(run, "9876543211")["lead"]["id"] == 1
    # Adding a number the lead already has changes nothing.
    again = run("edit", lead, "--phone-add", "9876543211", "--phone-add", "9876543210")
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    # Removing the main number promotes the next one.
    assert run("edit", lead, "--phone-remove", "9876543210").exit_code == 0
    got = shown(run, lead)
    assert (got["lead"]["phone"], got["lead"]["other_phones"]) == ("+919876543211", [])
    assert edits(got)[-2:] == [
        ("phone", "+919876543210", "+919876543211"),
        ("other_phones", ["+919876543211"], []),
    ]
    # The released number may now go to another lead.
    assert run("add", "--name", "Other", "--phone", "9876543210").exit_code == 0
    assert shown(run, "9876543210")["lead"]["name"] == "Other"
    # ... and no longer to this one.
    taken = run("edit", lead, "--phone-add", "9876543210")
    assert taken.exit_code == 2 and "one number, one lead" in taken.stderr


def test_a_number_on_the_do_not_call_list_is_not_added(run, lead, dump, db, field_rules, now):
    dnc = pytest.importorskip("callq.services.dnc")
    dnc.add_number(db, field_rules, "9876543233", reason="asked", by="asha", now=now)
    before = dump()
    result = run("edit", lead, "--phone-add", "9876543233")
    assert result.exit_code == 2 and "do-not-call" in result.stderr
    assert dump() == before


def test_an_edit_is_one_outbox_event_when_a_hook_wants_it(db, field_rules, now):
    from dataclasses import replace

    from sqlalchemy import select

    from callq.rules.model import Hook
    from callq.services.edit import LeadEdit, edit_lead
    from callq.services.leads import NewLead, add_lead
    from callq.store.models import outbox_table

    lead = add_lead(db, field_rules, NewLead("Ravi", "9876543210"), now=now, rep="asha").lead_id
    edit_lead(db, field_rules, str(lead), LeadEdit(name="Ravi K"), now=now, rep="asha")
    with db.read() as session:  # no hook: no outbox row
        assert session.execute(select(outbox_table.c.id)).all() == []
    hooked = replace(field_rules, hooks=(Hook("crm", frozenset({"lead_edited"}), ("true",)),))
    edit = LeadEdit(tags_add=("hot",), fields=("budget=5",))
    edit_lead(db, hooked, str(lead), edit, now=now, rep="asha")
    with db.read() as session:
        bodies = [json.loads(b) for b in session.execute(select(outbox_table.c.body)).scalars()]
    assert len(bodies) == 1
    body = bodies[0]
    assert (body["type"], body["lead_id"], body["name"], body["by"]) == (
        "lead_edited", lead, "Ravi K", "asha"
    )  # fmt: skip
    assert body["tags"] == ["hot"] and body["fields"] == {"budget": 5}
    assert body["changes"] == [
        {"attribute": "tags", "before": [], "after": ["hot"]},
        {"attribute": "fields.budget", "before": None, "after": 5},
    ]
