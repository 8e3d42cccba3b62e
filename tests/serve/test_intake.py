"""POST /leads and /leads/google-ads against a real `callq serve` with a real HTTP client."""

import json
from datetime import UTC, datetime

from sqlalchemy import func, select
from tests.serve.conftest import GOOGLE_KEY, TOKEN

from callq.store.models import Event, Lead, intake_key_table

JSON = {"Content-Type": "application/json"}


def counts(db) -> tuple[int, int, int]:  # noqa: ANN001
    """Leads, timeline events and idempotency keys: a refused request changes none."""
    with db.read() as session:
        return tuple(
            session.execute(select(func.count()).select_from(table)).scalar()
            for table in (Lead, Event, intake_key_table)
        )


def lead(db, lead_id: int) -> Lead:  # noqa: ANN001
    with db.read() as session:
        return session.get(Lead, lead_id)


def test_health_needs_no_token_and_tells_nothing(server):
    response = server.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_a_json_lead_is_created_with_its_sla_and_owner(server, served_db):
    response = server.post(json={"name": "Meera Iyer", "phone": "98450 12345", "source": "web"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "created"
    created = lead(served_db, body["id"])
    assert (created.name, created.phone, created.source) == ("Meera Iyer", "+919845012345", "web")
    assert created.owner_id is not None  # round-robin over [team] reps, as `callq add`


def test_a_form_with_crm_style_keys(server, served_db):
    form = {
        "First Name": "Ravi",
        "Last Name": "Kumar",
        "Phone Number": "+91 98450 22222",
        "Email Address": "ravi@example.com",
        "Company Name": "Kumar Textiles",
        "Lead Source": "Facebook Lead Ad",
        "Priority": "hot",
    }
    response = server.post(data=form)  # application/x-www-form-urlencoded
    assert response.status_code == 201, response.text
    created = lead(served_db, response.json()["id"])
    assert created.name == "Ravi Kumar"
    assert created.phone == "+919845022222"
    assert (created.email, created.company) == ("ravi@example.com", "Kumar Textiles")
    assert (created.source, created.urgency) == ("social", "high")


def test_mobile_and_the_source_from_the_query(server, served_db):
    response = server.post("/leads?source=web", json={"Full Name": "Anil", "Mobile": 9845033333})
    assert response.status_code == 201, response.text
    created = lead(served_db, response.json()["id"])
    assert (created.phone, created.source) == ("+919845033333", "web")


def test_a_known_number_merges_and_a_closed_lead_reopens(server, served_db, served_rules):
    from callq.services.outcomes import log_outcome

    first = server.post(json={"name": "Sana", "phone": "9845044444"}).json()
    again = server.post(data={"name": "Sana S", "phone": "+91 98450 44444", "email": "s@x.in"})
    assert again.status_code == 200
    assert again.json() == {"id": first["id"], "status": "merged"}
    assert lead(served_db, first["id"]).email == "s@x.in"  # blanks filled, as `callq add`
    log_outcome(
        served_db, served_rules, first["id"], "not_interested", rep="asha", now=datetime.now(UTC)
    )
    reopened = server.post(json={"name": "Sana", "phone": "9845044444"})
    assert reopened.status_code == 200
    assert reopened.json() == {"id": first["id"], "status": "reopened"}
    assert lead(served_db, first["id"]).stage != "lost"


def test_an_idempotency_key_answers_a_retry_without_creating_anything(server, served_db):
    headers = {"Idempotency-Key": "form-submission-7f3a"}
    first = server.post(json={"name": "Kiran", "phone": "9845055555"}, headers=headers)
    assert first.status_code == 201
    before = counts(served_db)
    for body in ({"name": "Kiran", "phone": "9845055555"}, {"name": "X", "phone": "9845066666"}):
        retry = server.post(json=body, headers=headers)
        assert (retry.status_code, retry.json()) == (201, first.json())
    assert counts(served_db) == before  # no lead, no inquiry event, no new key
    other = server.post(
        json={"name": "Kiran", "phone": "9845055555"}, headers={"Idempotency-Key": "k2"}
    )
    assert other.json() == {"id": first.json()["id"], "status": "merged"}


def test_refusals_store_nothing(server, served_db):
    before = counts(served_db)
    refusals = [
        (401, server.post(json={"name": "A", "phone": "9845077777"}, token=None)),
        (401, server.post(json={"name": "A", "phone": "9845077777"}, token=TOKEN + "x")),
        (401, server.post(json={"name": "A"}, token=None, headers={"Authorization": "Basic eDp5"})),
        (413, server.post(json={"name": "A" * 70_000, "phone": "9845077777"})),
        (415, server.post(content=b"name=A", headers={"Content-Type": "text/plain"})),
        (415, server.post(files={"name": (None, "A"), "phone": (None, "9845077777")})),
        (400, server.post(content=b'{"name": "A", "phone": ', headers=JSON)),
        (400, server.post(content=b"\xff\xfe", headers=JSON)),
        (400, server.post(json=[{"name": "A", "phone": "9845077777"}])),
        (400, server.post(json="9845077777")),
        (422, server.post(json={"name": "No Phone"})),
        (422, server.post(json={"name": "Bad Phone", "phone": "12"})),
        (422, server.post(data={"name": "Bad Phone", "phone": "not a number"})),
        (422, server.post("/leads?source=fax", json={"name": "A", "phone": "9845077777"})),
        (400, server.post(json={"phone": "9845077777"}, headers={"Idempotency-Key": "k" * 201})),
    ]  # fmt: skip
    for status, response in refusals:
        assert response.status_code == status, (status, response.text)
        error = response.json()["error"]
        assert isinstance(error, str) and error
    assert counts(served_db) == before
    assert refusals[0][1].headers["WWW-Authenticate"] == "Bearer"


def google_payload(lead_id: str, **extra) -> dict:  # noqa: ANN003
    return {
        "lead_id": lead_id,
        "api_version": "1.0",
        "form_id": 40000000001,
        "campaign_id": 12345678,
        "google_key": GOOGLE_KEY,
        "is_test": False,
        "gcl_id": "TeSter-123",
        "user_column_data": [
            {"column_id": "FIRST_NAME", "column_name": "First Name", "string_value": "Divya"},
            {"column_id": "LAST_NAME", "column_name": "Last Name", "string_value": "Rao"},
            {"column_id": "PHONE_NUMBER", "column_name": "Phone", "string_value": "+919845088888"},
            {"column_id": "EMAIL", "column_name": "Email", "string_value": "divya@example.com"},
            {"column_id": "CITY", "column_name": "City", "string_value": "Pune"},
        ],
        **extra,
    }  # fmt: skip


def test_a_google_ads_lead_form_webhook(server, served_db):
    response = server.post("/leads/google-ads", json=google_payload("lead-g-1"), token=None)
    assert response.status_code == 201, response.text
    created = lead(served_db, response.json()["id"])
    assert (created.name, created.phone, created.email) == (
        "Divya Rao",
        "+919845088888",
        "divya@example.com",
    )
    assert created.source == "web"
    before = counts(served_db)
    retry = server.post("/leads/google-ads", json=google_payload("lead-g-1"), token=None)
    assert (retry.status_code, retry.json()) == (201, response.json())  # lead_id: idempotent
    assert counts(served_db) == before


def test_a_google_ads_test_lead_is_marked_and_a_wrong_key_refused(server, served_db):
    payload = google_payload("lead-g-test", is_test=True)
    payload["user_column_data"] = [
        {"column_id": "FULL_NAME", "string_value": "Test Lead"},
        {"column_id": "PHONE_NUMBER", "string_value": "+919845099999"},
    ]
    response = server.post("/leads/google-ads", json=payload, token=None)
    assert response.status_code == 201
    assert lead(served_db, response.json()["id"]).name == "[test] Test Lead"
    before = counts(served_db)
    wrong = google_payload("lead-g-2", google_key="guess")
    assert server.post("/leads/google-ads", json=wrong, token=None).status_code == 401
    del wrong["google_key"]
    assert server.post("/leads/google-ads", json=wrong, token=None).status_code == 401
    not_a_lead = {"google_key": GOOGLE_KEY, "lead_id": "x"}
    assert server.post("/leads/google-ads", json=not_a_lead, token=None).status_code == 400
    assert counts(served_db) == before


def test_the_timeline_says_where_the_lead_came_from(server, served_db):
    from callq.store.timeline import event_detail

    response = server.post(json={"name": "Timeline", "phone": "9845011112", "message": "call me"})
    with served_db.read() as session:
        created = session.execute(
            select(Event).where(Event.lead_id == response.json()["id"], Event.type == "created")
        ).scalar_one()
    assert json.loads(created.detail)["note"] == "call me" == event_detail(created)["note"]
