"""Importing real CRM exports: counts, rejects, merges, idempotent re-runs, doctor ok."""

import csv
import json

import pytest
from sqlalchemy import func
from sqlmodel import select
from tests.exchange.conftest import NOW

from callq.errors import UserError
from callq.importing.importer import import_file
from callq.services import doctor
from callq.services.leads import show_lead
from callq.services.outcomes import log_outcome
from callq.store.models import Event, FollowUp, Lead

ALL_FILES = (
    "hubspot_contacts.csv",
    "salesforce_leads.csv",
    "zoho_leads.csv",
    "pipedrive_people.tsv",
    "google_contacts.csv",
    "plain.csv",
)
# (imported, merged, rejected) when the files are imported in ALL_FILES order.
EXPECTED = {
    "hubspot_contacts.csv": (5, 1, 2),
    "salesforce_leads.csv": (1, 1, 2),
    "zoho_leads.csv": (3, 1, 0),
    "pipedrive_people.tsv": (2, 0, 1),
    "google_contacts.csv": (2, 0, 1),
    "plain.csv": (1, 4, 1),
}


def run(db, rules, path, **options):
    return import_file(db, rules, path, now=NOW, rep="admin", **options)


def counts(db) -> dict[str, int]:
    with db.read() as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Lead, FollowUp, Event)
        }


def lead_by_phone(db, phone: str) -> Lead:
    with db.read() as session:
        return session.exec(select(Lead).where(Lead.phone == phone)).one()


def timeline_types(db, rules, phone: str) -> list[str]:
    detail = show_lead(db, rules, phone)
    return [event.type for event in reversed(detail.timeline)]


def read_rejects(path, encoding="utf-8-sig", delimiter=","):
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_hubspot_export(db, rules, fixture_file):
    path = fixture_file("hubspot_contacts.csv")
    result = run(db, rules, path)
    assert (result.imported, result.merged, result.rejected) == (5, 1, 2)
    assert result.encoding == "utf-8-sig"
    assert result.rejects_file == path.with_name("hubspot_contacts.rejects.csv")
    rows = read_rejects(result.rejects_file)
    assert rows[0][-1] == "reason" and rows[0][1] == "First Name"  # BOM stripped
    assert [(r[1], r[-1]) for r in rows[1:]] == [
        ("Kavya", "line 5: no phone number"),
        ("Rahul", "line 6: '12345' is not a valid phone number for region IN"),
    ]
    jose = lead_by_phone(db, "+919876543210")
    assert (jose.name, jose.company, jose.source) == ("José Núñez", "Núñez Traders", "web")
    assert jose.email == "jose.nunez@example.in"
    ananya = lead_by_phone(db, "+919123456789")  # the mobile, as the phone was empty
    assert ananya.source == "social"
    zoe = lead_by_phone(db, "+493012345678")
    assert (zoe.name, zoe.timezone) == ("Zoë Müller", "Europe/Berlin")
    mallory = lead_by_phone(db, "+919845012345")
    assert mallory.company.startswith("=HYPERLINK(")  # stored as given; exports neutralise it
    # Her file's zone is unknown: her number's (India: one zone) is used instead.
    assert mallory.timezone == "Asia/Kolkata" and result.unknown_timezones == 1
    assert result.unknown_owners == ["Maria Gomez"]
    owners = {p: show_lead(db, rules, p).lead.owner for p in ("+919876543210", "+919123456789")}
    assert owners == {"+919876543210": "asha", "+919123456789": "ben"}
    assert show_lead(db, rules, "+919900011223").lead.owner == "chen"
    assert timeline_types(db, rules, "+919876543210") == [
        "created",
        "followup_scheduled",
        "inquiry",
    ]
    assert doctor.check(db).ok


def test_new_lead_gets_first_response_at_sla_deadline(db, rules, fixture_file):
    run(db, rules, fixture_file("plain.csv"))
    detail = show_lead(db, rules, "+919811122234")  # Sunita, source instagram -> social
    assert detail.lead.source == "social"
    assert detail.lead.created_at == NOW
    assert detail.open_followup.kind == "first_response"
    assert detail.open_followup.due_at == NOW + rules.sla.target("social")
    created = detail.timeline[-1]
    assert created.type == "created" and created.detail["import_file"] == "plain.csv"


def test_all_formats_in_sequence_merge_across_files(db, rules, fixture_file):
    for name in ALL_FILES:
        result = run(db, rules, fixture_file(name))
        assert (result.imported, result.merged, result.rejected) == EXPECTED[name], name
    assert counts(db)["Lead"] == sum(v[0] for v in EXPECTED.values()) == 14
    # José: HubSpot twice (national and international formats), then Salesforce's Seán.
    assert timeline_types(db, rules, "+919876543210") == [
        "created",
        "followup_scheduled",
        "inquiry",
        "inquiry",
    ]
    inquiry = show_lead(db, rules, "+919876543210").timeline[0]
    assert inquiry.detail["name"] == "Seán O’Brien"  # Windows-1252 curly apostrophe
    assert inquiry.detail["source"] == "referral"
    # Ananya: HubSpot mobile, Zoho phone, plain "(0)9123456789".
    ananya = show_lead(db, rules, "+919123456789")
    assert [e.type for e in ananya.timeline].count("inquiry") == 2
    # Vikram's identical lines in plain.csv are two inquiries on Mallory's number.
    assert [e.type for e in show_lead(db, rules, "+919845012345").timeline].count("inquiry") == 2
    # Google Contacts: first number is the phone, the rest become other phones.
    chloe = show_lead(db, rules, "+33142685300").lead
    assert chloe.other_phones == ("+33612345678",) and chloe.company == "Dubois Conseil"
    arjun = show_lead(db, rules, "+919988776655").lead
    assert arjun.name == "Arjun K. Reddy" and arjun.other_phones == ("+918041234567",)
    # Zoho owner "Chen Wei" is the rep chen; "Cold Call" is the phone channel.
    bjorn = show_lead(db, rules, "+917700900123").lead
    assert (bjorn.name, bjorn.owner, bjorn.source) == ("Björn Åberg", "chen", "phone")
    assert show_lead(db, rules, "+14155552671").lead.name == "Ingrid Sørensen"
    # Pipedrive: the mobile column fills in for an empty work phone.
    assert show_lead(db, rules, "+971501234567").lead.name == "Oluwaseun Adébáyọ̀"
    assert doctor.check(db).ok


def test_salesforce_latin1_with_multiline_description(db, rules, fixture_file):
    path = fixture_file("salesforce_leads.csv")
    result = run(db, rules, path)
    assert result.encoding == "cp1252"
    assert (result.imported, result.merged, result.rejected) == (2, 0, 2)
    francois = show_lead(db, rules, "+918023456789")
    assert francois.lead.name == "François Lefèvre" and francois.lead.urgency == "high"
    assert francois.lead.owner == "ben"
    note = francois.timeline[-1].detail["note"]
    assert note == "Wants a demo\nbefore Friday’s board meeting"
    rows = read_rejects(result.rejects_file)  # Latin-1 input -> UTF-8 with BOM output
    assert [r[0] for r in rows[1:]] == ["Renée", "Ludvík"]


def test_semicolon_and_tab_files(db, rules, fixture_file):
    zoho = run(db, rules, fixture_file("zoho_leads.csv"))
    assert zoho.delimiter == ";" and (zoho.imported, zoho.merged) == (4, 0)
    ingrid = show_lead(db, rules, "+14155552671")
    assert ingrid.timeline[-1].detail["note"] == "Asked about pricing; wants a call"
    pipedrive = run(db, rules, fixture_file("pipedrive_people.tsv"))
    assert pipedrive.delimiter == "\t"
    rows = read_rejects(pipedrive.rejects_file, encoding="utf-8", delimiter="\t")
    assert rows[1][0] == "Ahmed Khan" and "not a phone number" in rows[1][-1]
    assert "Person - Label" in pipedrive.ignored_columns


def test_plain_crlf_embedded_newline_and_broken_row(db, rules, fixture_file):
    result = run(db, rules, fixture_file("plain.csv"))
    # Meera, Vikram (+ identical second line merged), Tanvi, Sunita; the broken row rejected.
    assert (result.imported, result.merged, result.rejected) == (4, 1, 1)
    meera = show_lead(db, rules, "+919900011223")
    assert meera.timeline[-1].detail["note"] == "Called twice.\nPrefers mornings."
    assert meera.lead.urgency == "high" and meera.lead.interest == "Annual plan"
    rows = read_rejects(result.rejects_file, encoding="utf-8")
    assert rows[1][:2] == ["Broken Row", "9811122233"]
    assert rows[1][-1] == "line 7: 10 fields but the header has 8 (a broken CSV row)"


def test_reimport_is_idempotent(db, rules, fixture_file):
    for name in ALL_FILES:
        run(db, rules, fixture_file(name))
    before = counts(db)
    for name in ALL_FILES:
        again = run(db, rules, fixture_file(name))
        assert (again.imported, again.merged) == (0, 0), name
        assert again.already_imported == sum(EXPECTED[name][:2])
        assert again.rejected == EXPECTED[name][2]
    assert counts(db) == before
    assert doctor.check(db).ok


def test_closed_lead_reopens_with_new_first_response(db, rules, fixture_file, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("name,phone\nAsha Client,+91 98765 43210\n", encoding="utf-8")
    run(db, rules, first)
    log_outcome(db, rules, "+919876543210", "not_interested", rep="asha", now=NOW)
    assert show_lead(db, rules, "+919876543210").lead.stage == "lost"

    again = tmp_path / "again.csv"
    again.write_text(
        "name,phone,email,source\nAsha Client,09876543210,new@example.in,web\n"
        "Asha Client,+919876543210,,web\n",
        encoding="utf-8",
    )
    result = run(db, rules, again)
    assert (result.imported, result.merged, result.reopened) == (0, 2, 1)
    detail = show_lead(db, rules, "+919876543210")
    assert detail.lead.stage == "contacted"  # it had a touch
    assert detail.lead.email == "new@example.in"  # a blank field filled, never overwritten
    assert detail.open_followup.kind == "first_response"
    types = [e.type for e in reversed(detail.timeline)]
    assert types[-4:] == ["inquiry", "stage_changed", "followup_scheduled", "inquiry"]
    assert doctor.check(db).ok
    assert run(db, rules, again).already_imported == 2


def test_dry_run_changes_nothing(db, rules, fixture_file):
    before = counts(db)
    path = fixture_file("hubspot_contacts.csv")
    result = run(db, rules, path, dry_run=True)
    assert (result.imported, result.merged, result.rejected) == (5, 1, 2)
    assert (
        result.rejects_file is None and not path.with_name("hubspot_contacts.rejects.csv").exists()
    )
    assert counts(db) == before


def test_small_batches_give_the_same_result(db, rules, fixture_file):
    result = run(db, rules, fixture_file("hubspot_contacts.csv"), batch_rows=2)
    assert (result.imported, result.merged, result.rejected) == (5, 1, 2)
    assert doctor.check(db).ok


def test_map_source_and_owner_options(db, rules, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Cliente,Cel,Ref\nMarta López,+34 612 34 56 78,x1\n", encoding="utf-8")
    with pytest.raises(UserError, match="no phone column"):
        run(db, rules, path)
    result = run(db, rules, path, maps=["Cliente=name", "Cel=mobile"], source="web", owner="dana")
    assert result.imported == 1 and result.ignored_columns == ["Ref"]
    lead = show_lead(db, rules, "+34612345678").lead
    assert (lead.name, lead.source, lead.owner) == ("Marta López", "web", "dana")
    with pytest.raises(UserError, match="unknown field"):
        run(db, rules, path, maps=["Cel=cellphone"])
    with pytest.raises(UserError, match="no column"):
        run(db, rules, path, maps=["Mobile=phone"])
    with pytest.raises(UserError, match="--source"):
        run(db, rules, path, source="fax")


def test_rejects_file_removed_when_a_rerun_has_none(db, rules, tmp_path):
    path = tmp_path / "fix.csv"
    path.write_text("name,phone\nA,12\n", encoding="utf-8")
    assert run(db, rules, path).rejects_file.exists()
    path.write_text("name,phone\nA,9876543210\n", encoding="utf-8")
    assert run(db, rules, path).rejects_file is None
    assert not (tmp_path / "fix.rejects.csv").exists()


def test_created_event_records_the_import_key(db, rules, fixture_file):
    run(db, rules, fixture_file("plain.csv"))
    with db.read() as session:
        details = [json.loads(d) for d in session.exec(select(Event.detail)).all()]
    keys = [d["import_key"] for d in details if "import_key" in d]
    assert len(keys) == len(set(keys)) == 5


def test_event_details_are_canonical_json(db, rules, fixture_file):
    """The importer builds some details by hand for speed: they must equal json.dumps."""
    for name in ALL_FILES:
        run(db, rules, fixture_file(name))
    with db.read() as session:
        for detail in session.exec(select(Event.detail)).all():
            assert detail == json.dumps(json.loads(detail), sort_keys=True), detail


def test_a_field_past_the_csv_limit_is_set_aside_and_the_rest_imports(db, rules, tmp_path):
    # The csv module's error comes at the end of the file: it used to refuse the file.
    path = tmp_path / "broken.csv"
    lines = [f"Lead {i},98{i:08d}" for i in range(50)]
    oversized = "x" * 200_000  # past the csv module's field limit
    path.write_text("name,phone\n" + "\n".join(lines) + f"\n{oversized},9811122233\n")
    result = run(db, rules, path, batch_rows=5)
    assert (result.imported, result.rejected) == (50, 1)
    assert result.unreadable == {
        52: "unreadable by the csv reader: field larger than field limit (131072)"
    }
