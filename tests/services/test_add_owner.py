"""Who owns a lead a rep adds, and what a repeat inquiry keeps: services on both backends."""

import pytest

from callq.services.leads import ROUND_ROBIN, NewLead, add_lead, owner_choice, show_lead


@pytest.mark.parametrize(
    ("owner", "adder", "chosen"),
    [
        (None, "asha", "asha"),  # a rep adds: theirs
        ("ben", "asha", "ben"),  # unless they choose another owner
        (ROUND_ROBIN, "asha", None),  # or the round-robin
        (None, None, None),  # no rep (intake, a script): the round-robin
        ("ben", None, "ben"),
    ],
)
def test_owner_choice(owner, adder, chosen):
    assert owner_choice(owner, adder) == chosen


def test_a_rep_adding_a_lead_owns_it_and_the_round_robin_does_not_move(db, rules, now):
    def added(name, phone, **kw):
        return add_lead(
            db, rules, NewLead(name=name, phone=phone, **kw.pop("new", {})), now=now, **kw
        )

    assert added("A", "9876543210", rep="chen", adder_owns=True).owner == "chen"
    assert (
        added("B", "9876543211", rep="chen", adder_owns=True, new={"owner": "ben"}).owner == "ben"
    )
    # The round-robin starts where it was: nobody's turn was used by the two above.
    assert (
        added("C", "9876543212", rep="chen", adder_owns=True, new={"owner": ROUND_ROBIN}).owner
        == "asha"
    )
    assert added("D", "9876543213", rep="intake").owner == "ben"  # no rep adding: round-robin


def test_a_repeat_inquiry_names_the_lead_and_keeps_the_typed_name(db, rules, now):
    first = add_lead(db, rules, NewLead(name="Asha Kumar", phone="9876543210"), now=now, rep="ben")
    again = add_lead(
        db, rules, NewLead(name="  A. Kumar ", phone="+91 98765 43210"), now=now, rep="chen"
    )
    assert (again.merged, again.lead_id, again.name, again.owner) == (
        True,
        first.lead_id,
        "Asha Kumar",
        first.owner,
    )
    same = add_lead(db, rules, NewLead(name="Asha Kumar", phone="9876543210"), now=now, rep="chen")
    assert same.merged
    detail = show_lead(db, rules, str(first.lead_id))
    assert detail.lead.name == "Asha Kumar"  # the lead's name is not overwritten
    inquiries = [e.detail.get("name") for e in detail.timeline if e.type == "inquiry"]
    assert inquiries == [None, "A. Kumar"]  # newest first; the same name is not repeated
