"""`callq import` writes the `lead_created` / `lead_merged` / `lead_reopened` events that
`callq add` writes, with the same bodies, in the batch's transaction, only for a hook."""

import csv
import json
from dataclasses import replace

import pytest
from sqlalchemy import select
from tests.exchange.conftest import NOW

from callq.importing.importer import import_file
from callq.rules.model import Hook
from callq.services.leads import NewLead, add_lead
from callq.services.outcomes import log_outcome
from callq.store.models import outbox_table

LEAD_EVENTS = frozenset({"lead_created", "lead_merged", "lead_reopened"})


@pytest.fixture
def both_db(db_target):  # noqa: ANN001, ANN201
    """The test's database on SQLite and PostgreSQL (this folder's `db` is SQLite only)."""
    from callq.store.db import open_database

    database = open_database(db_target)
    yield database
    database.dispose()


def hooked(rules):  # noqa: ANN001, ANN201
    return replace(rules, hooks=(Hook(name="crm", on=LEAD_EVENTS, command=("true",)),))


def events(db) -> list[dict]:  # noqa: ANN001
    with db.read() as session:
        statement = select(outbox_table.c.body).order_by(outbox_table.c.id)
        return [json.loads(body) for body in session.execute(statement).scalars()]


def write_csv(path, rows: list[tuple[str, str, str, str]]):  # noqa: ANN001, ANN201
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Phone", "Email", "Company"])
        writer.writerows(rows)
    return path


def test_import_writes_the_events_add_writes(both_db, rules, tmp_path):
    db, rules = both_db, hooked(rules)
    closed = add_lead(db, rules, NewLead("Closed One", "9845200001"), now=NOW, rep="asha").lead_id
    log_outcome(db, rules, closed, "not_interested", rep="asha", now=NOW)
    kept = add_lead(db, rules, NewLead("Open One", "9845200002"), now=NOW, rep="asha").lead_id
    by_add = events(db)
    csv_path = write_csv(
        tmp_path / "crm.csv",
        [
            ("Fresh Lead", "9845200003", "", ""),
            ("Open One", "9845200002", "open@x.in", ""),  # an open lead: merged
            ("Fresh Lead", "98452 00003", "", "Acme"),  # merged into the lead row 1 creates
            ("Closed One", "9845200001", "", ""),  # a closed lead: reopened
        ],
    )
    result = import_file(db, rules, csv_path, now=NOW, rep="admin")
    assert (result.imported, result.merged, result.reopened) == (1, 3, 1)
    by_import = events(db)[len(by_add) :]
    kinds = [(e["type"], e["lead_id"]) for e in by_import]
    fresh = next(e["lead_id"] for e in by_import if e["type"] == "lead_created")
    assert sorted(kinds) == sorted(
        [
            ("lead_created", fresh),
            ("lead_merged", fresh),
            ("lead_merged", kept),
            ("lead_reopened", closed),
        ]
    )
    # A lead's own events keep their order: created before the inquiry merged into it.
    assert kinds.index(("lead_created", fresh)) < kinds.index(("lead_merged", fresh))
    added = by_add[0]
    created = next(e for e in by_import if e["type"] == "lead_created")
    assert created.keys() == added.keys()  # the body `callq add` writes, field for field
    assert (created["name"], created["phone"], created["stage"]) == (
        "Fresh Lead",
        "+919845200003",
        "new",
    )
    assert created["company"] == "Acme"  # the lead as the batch left it
    merged = next(e for e in by_import if e["type"] == "lead_merged" and e["lead_id"] == kept)
    assert merged["email"] == "open@x.in" and merged["inquiry_source"] == "other"
    reopened = next(e for e in by_import if e["type"] == "lead_reopened")
    assert reopened["stage"] == "contacted" and reopened.keys() == merged.keys()
    assert len({e["id"] for e in by_import}) == len(by_import)
    # A re-run imports nothing and tells nobody anything.
    import_file(db, rules, csv_path, now=NOW, rep="admin")
    assert len(events(db)) == len(by_add) + len(by_import)


def test_import_without_a_subscribed_hook_writes_no_event(both_db, rules, tmp_path):
    other = Hook(name="calls", on=frozenset({"outcome_logged"}), command=("true",))
    rules = replace(rules, hooks=(other,))
    csv_path = write_csv(tmp_path / "crm.csv", [("Quiet", "9845200010", "", "")])
    assert import_file(both_db, rules, csv_path, now=NOW, rep="admin").imported == 1
    assert events(both_db) == []
