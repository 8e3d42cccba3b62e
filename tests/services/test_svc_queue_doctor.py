"""The rep's queue (sections, order, per rep) and `doctor` on a real SQLite file."""

import sqlite3

import pytest
from sqlalchemy import text

from callq.services.doctor import check
from callq.services.queue import SECTIONS, QueueReader


@pytest.fixture
def worked_day(add, log, ist):  # noqa: ANN001, ANN201
    """A Monday's queue for asha (and one lead of ben's), read at 10:00 IST."""
    ids = {}
    ids["new_late"] = add(name="new late", source="phone", owner="asha", at=ist("2026-11-23 09:00"))
    ids["new_low"] = add(name="new low", source="web", owner="asha", urgency="low")
    ids["new_high"] = add(name="new high", source="web", owner="asha", urgency="high")
    ids["over_30"] = add(name="over 30", owner="asha", at=ist("2026-11-23 08:00"))
    log(ids["over_30"], "busy", at=ist("2026-11-23 08:50"))  # due 09:30 (opening)
    ids["over_10"] = add(name="over 10", owner="asha", at=ist("2026-11-23 08:00"))
    log(ids["over_10"], "busy", at=ist("2026-11-23 09:20"))  # due 09:50
    ids["today"] = add(name="today", owner="asha", at=ist("2026-11-23 08:00"))
    log(ids["today"], "busy", at=ist("2026-11-23 10:00"))  # due 10:30
    ids["later"] = add(name="later", owner="asha", at=ist("2026-11-23 08:00"))
    log(ids["later"], "interested", at=ist("2026-11-23 09:45"))  # due Wed 11:00
    ids["bens"] = add(name="bens", owner="ben")
    ids["closed"] = add(name="closed", owner="asha")
    log(ids["closed"], "won")
    return ids


def test_queue_sections_and_order(db, rules, now, worked_day):
    items = QueueReader(db, rules, rep="asha", now=now).all()
    names = {section: [i.name for i in items if i.section == section] for section in SECTIONS}
    assert names == {
        "new": ["new late", "new high", "new low"],  # deadline, then urgency
        "overdue": ["over 30", "over 10"],
        "today": ["today"],
        "upcoming": ["later"],
    }
    assert [i.section for i in items] == sorted(
        (i.section for i in items), key=SECTIONS.index
    )  # sections top to bottom
    by_name = {i.name: i for i in items}
    assert by_name["new late"].late_minutes == 25  # due 09:35 (phone SLA after opening)
    assert by_name["over 30"].late_minutes == 30
    assert by_name["over 10"].late_minutes == 10
    assert by_name["today"].late_minutes == 0
    assert by_name["over 30"].touch == 1  # a busy retry: still the first cadence touch
    assert by_name["over 30"].last_outcome == "busy"
    assert QueueReader(db, rules, rep="asha", now=now).counts() == {
        "new": 3,
        "overdue": 2,
        "today": 1,
        "upcoming": 1,
    }


def test_queue_per_rep_versus_all(db, rules, now, worked_day):
    mine = {i.lead_id for i in QueueReader(db, rules, rep="asha", now=now).all()}
    bens = {i.lead_id for i in QueueReader(db, rules, rep="ben", now=now).all()}
    everyone = {i.lead_id for i in QueueReader(db, rules, rep=None, now=now).all()}
    assert bens == {worked_day["bens"]}
    assert worked_day["bens"] not in mine
    assert everyone == mine | bens
    assert worked_day["closed"] not in everyone
    assert QueueReader(db, rules, rep="nobody", now=now).all() == []


def test_queue_pages(db, rules, now, worked_day):
    reader = QueueReader(db, rules, rep="asha", now=now)
    first, rest = reader.page("new", limit=1), reader.page("new", offset=1, limit=10)
    assert [i.name for i in first + rest] == ["new late", "new high", "new low"]


def test_an_overdue_callback_moves_sections_as_time_passes(db, rules, ist, worked_day):
    later = ist("2026-11-23 10:31")
    sections = {i.name: i.section for i in QueueReader(db, rules, rep="asha", now=later).all()}
    assert sections["today"] == "overdue"
    tomorrow = ist("2026-11-25 09:00")
    sections = {i.name: i.section for i in QueueReader(db, rules, rep="asha", now=tomorrow).all()}
    assert sections["later"] == "today"


def test_doctor_is_green_after_everything(db, worked_day):
    report = check(db)
    assert report.ok, report.problems
    assert report.facts["leads"] == len(worked_day)


@pytest.mark.parametrize(
    ("breakage", "problem"),
    [
        ("UPDATE followup SET status = 'done' WHERE lead_id = {open}", "without exactly one"),
        ("UPDATE lead SET stage = 'won' WHERE id = {open}", "closed lead with an open"),
        ("UPDATE lead SET stage = 'new' WHERE id = {closed}", "without exactly one"),
        ("UPDATE lead SET stage = 'limbo' WHERE id = {closed}", "unknown stage"),
    ],
)
def test_doctor_finds_a_broken_invariant(db, worked_day, breakage, problem):
    with db.write() as session:
        session.execute(
            text(breakage.format(open=worked_day["today"], closed=worked_day["closed"]))
        )
    report = check(db)
    assert not report.ok
    assert any(problem in line for line in report.problems), report.problems


@pytest.mark.sqlite_only
def test_doctor_finds_dangling_references(db, worked_day):
    connection = sqlite3.connect(db.path)  # foreign keys are off in a bare connection
    with connection:
        connection.execute("UPDATE followup SET owner_id = 999")
    connection.close()
    assert any("reference missing" in line for line in check(db).problems)
