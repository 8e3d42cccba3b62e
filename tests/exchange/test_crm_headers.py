"""The header sets of common CRMs' exports, each with a small realistic fixture.

Salesforce (report labels and API names), HubSpot, Zoho, Pipedrive, Freshsales,
LeadSquared, Google Contacts and Outlook: the phone, the mobile (kept as another number),
the source and the owner are recognised, and record ids/numbers are never taken for phones.
"""

import pytest
from tests.exchange.conftest import FIXTURES, NOW

from callq.importing.importer import import_file
from callq.services.leads import show_lead
from callq.store.db import open_database


@pytest.fixture
def db(db_target):  # noqa: ANN001, ANN201  (the root fixture: both backends)
    database = open_database(db_target)
    yield database
    database.dispose()


# fixture -> (columns that must map to these fields, phone of a lead -> what it must be)
CASES = {
    "salesforce_api_leads.csv": (
        {"FirstName": "first_name", "LastName": "last_name", "MobilePhone": "mobile",
         "LeadSource": "source", "Phone": "phone", "Description": "notes"},
        {"+919845011111": ("Priya Menon", "web", (), "Menon Logistics"),
         "+912223456789": ("Karan Shah", "referral", ("+919820022222",), "Shah Textiles")},
    ),
    "salesforce_leads.csv": (
        {"First Name": "first_name", "Mobile": "mobile", "Lead Source": "source",
         "Lead Owner": "owner", "Company / Account": "company"},
        {},
    ),
    "hubspot_contacts.csv": (
        {"Phone Number": "phone", "Mobile Phone Number": "mobile",
         "Original Source": "source", "Contact owner": "owner"},
        {},
    ),
    "zoho_leads.csv": (
        {"Lead Owner": "owner", "Phone": "phone", "Mobile": "mobile", "Lead Source": "source"},
        {},
    ),
    "pipedrive_people.tsv": (
        {"Person - Phone - Work": "phone", "Person - Phone - Mobile": "mobile",
         "Person - Owner": "owner"},
        {},
    ),
    "freshsales_contacts.csv": (
        {"Work number": "phone", "Mobile number": "mobile", "Sales owner": "owner",
         "Emails": "email", "Sales accounts": "company", "Source": "source"},
        {"+919987033333": ("Farah Qureshi", "web", (), "Qureshi Designs"),
         "+14155550134": ("Daniel Costa", "web", (), "Costa Labs")},
    ),
    "leadsquared_leads.csv": (
        {"Phone Number": "phone", "Mobile Number": "mobile", "Lead Source": "source",
         "Owner": "owner", "Notes": "notes"},
        {"+919822044444": ("Sneha Kulkarni", "social", (), "Kulkarni Classes"),
         "+912026125555": ("Imran Sheikh", "web", ("+919822055555",), "")},
    ),
    "google_contacts.csv": (
        {"Phone 1 - Value": "phone", "Phone 2 - Value": "other_phone",
         "E-mail 1 - Value": "email", "Organization Name": "company"},
        {},
    ),
    "outlook_contacts.csv": (
        {"Business Phone": "phone", "Mobile Phone": "mobile", "Home Phone": "other_phone",
         "Primary Phone": "other_phone", "E-mail Address": "email", "Company": "company"},
        {"+918040006666": ("Lakshmi Narayanan", "other", ("+919448066666",), "Narayanan & Co"),
         "+447911123456": ("Tom J. Baker", "other", (), "")},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_crm_headers_are_recognised(db, rules, tmp_path, name):  # noqa: ANN001
    path = tmp_path / name
    path.write_bytes((FIXTURES / name).read_bytes())
    result = import_file(db, rules, path, now=NOW, rep="admin")
    columns, leads = CASES[name]
    assert {h: result.columns.get(h) for h in columns} == columns
    assert not {"Lead Number", "Prospect ID", "Id", "OwnerId"} & set(result.columns)
    for phone, (lead_name, source, others, company) in leads.items():
        lead = show_lead(db, rules, phone).lead
        assert (lead.name, lead.source, lead.other_phones, lead.company) == (
            lead_name,
            source,
            others,
            company,
        )
    assert result.imported + result.merged + result.rejected == result.rows


def test_leadsquared_owner_and_record_number(db, rules, tmp_path):
    path = tmp_path / "leadsquared_leads.csv"
    path.write_bytes((FIXTURES / path.name).read_bytes())
    result = import_file(db, rules, path, now=NOW, rep="admin")
    assert (result.imported, result.rejected) == (2, 0)
    assert show_lead(db, rules, "+919822044444").lead.owner == "chen"
    assert "Lead Number" in result.ignored_columns
