"""Do-not-call, dialling, message touches and re-entry as a user sees them: CLI output,
JSON, the rows written and the timeline (both backends)."""

import json
from datetime import timedelta

from tests.compliance.conftest import MEERA


def _json(result):  # noqa: ANN001, ANN202
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _timeline(ccli, lead_id: int) -> list[dict]:  # noqa: ANN001
    return _json(ccli("show", lead_id, "--format", "json"))["timeline"]


def test_a_dnc_outcome_lists_every_number_and_they_stay_listed(ccli, tmp_path):
    csv = tmp_path / "leads.csv"
    csv.write_text("name,phone,mobile\nAnil Rao,98450 00011,98450 00012\n")
    assert _json(ccli("import", csv, "--format", "json"))["imported"] == 1
    logged = ccli("log", "98450 00011", "dnc")
    assert logged.exit_code == 0, logged.stderr
    listed = _json(ccli("dnc", "list", "--format", "json"))
    assert {x["phone"] for x in listed} == {"+919845000011", "+919845000012"}
    assert {(x["reason"], x["by"]) for x in listed} == {("Do not call", "asha")}
    assert set(listed[0]) == {"phone", "added_at", "reason", "by"}
    # Adding either number again is refused; importing it neither creates nor reopens.
    again = ccli("add", "--name", "Anil", "--phone", "98450 00012")
    assert again.exit_code == 2 and "since" in again.stderr
    csv.write_text("name,phone\nAnil R,98450 00012\nNew Person,98450 00013\n")
    summary = _json(ccli("import", csv, "--format", "json"))
    assert (summary["suppressed"], summary["imported"], summary["reopened"]) == (1, 1, 0)
    shown = _json(ccli("show", "98450 00011", "--format", "json"))
    assert shown["lead"]["stage"] == "dnc"
    assert [e for e in shown["timeline"] if e["type"] == "dnc_added"]


def test_remove_needs_a_reason_kept_on_the_timeline_and_in_the_list(ccli, leads, db, dump):
    from callq.store.models import dnc_table

    removed = ccli("dnc", "remove", MEERA, "--reason", "consent given by email")
    assert removed.exit_code == 0, removed.stderr
    assert _json(ccli("dnc", "list", "--format", "json")) == []
    from sqlmodel import select

    with db.read() as session:
        (row,) = session.execute(select(dnc_table)).all()
    assert (row.reason, row.removed_reason, row.removed_by) == (
        "asked on the call",
        "consent given by email",
        "asha",
    )
    types = [e["type"] for e in _timeline(ccli, leads.meera)]
    assert types[:2] == ["dnc_removed", "dnc_added"]
    shown = ccli("show", leads.meera).stdout
    assert "Off the do-not-call list: +919845000003 (asha): consent given by email" in shown
    assert "On the do-not-call list: +919845000003 (asha): asked on the call" in shown
    assert ccli("dial", leads.meera).exit_code == 0  # callable again


def test_dnc_import_reads_lines_or_a_phone_column(ccli, tmp_path):
    lines = tmp_path / "dnc.txt"
    lines.write_text("98450 00021\n+91 98450 00022\n\nnot a number\n98450 00021\n")
    result = _json(ccli("dnc", "import", lines, "--format", "json"))
    assert (result["added"], result["already"]) == (2, 1)
    assert [r["line"] for r in result["rejected"]] == [4]
    table = tmp_path / "dnc.csv"
    table.write_text("name,Phone\nA,98450 00022\nB,98450 00023\n")
    result = _json(ccli("dnc", "import", table, "--format", "json"))
    assert (result["added"], result["already"], result["rejected"]) == (1, 1, [])
    assert len(_json(ccli("dnc", "list", "--format", "json"))) == 3


def test_dial_runs_the_command_and_a_forced_dial_keeps_its_reason(ccli, leads, desk, dump):
    dry = ccli("dial", leads.ravi, "--dry-run")
    assert dry.exit_code == 0 and "would run" in dry.stdout and "+919845000001" in dry.stdout
    assert desk.ran(desk.dialled) == []
    assert ccli("dial", leads.ravi).exit_code == 0
    assert desk.ran(desk.dialled) == ["+919845000001"]
    forced = ccli("dial", leads.dana, "--force", "--reason", "she asked for a late call")
    assert forced.exit_code == 0, forced.stderr
    assert desk.ran(desk.dialled) == ["+919845000001", "+12127365000"]
    (event,) = [e for e in _timeline(ccli, leads.dana) if e["type"] == "dial_forced"]
    assert event["reason"] == "she asked for a late call"
    assert "outside their calling window (asha): she asked" in ccli("show", leads.dana).stdout


def test_a_message_touch_is_rendered_sent_logged_and_counted(ccli, leads, desk, dump, now):
    later = (now + timedelta(hours=4)).isoformat()
    assert ccli("log", leads.ravi, "no_answer").exit_code == 0
    queue = _json(ccli("queue", "--format", "json", "--now", later))
    (item,) = [i for i in queue if i["lead_id"] == leads.ravi]
    assert (item["channel"], item["touch"]) == ("whatsapp", 2)
    before = dump()
    dry = ccli("message", leads.ravi, "--dry-run", "--now", later)
    assert dry.exit_code == 0, dry.stderr
    assert "Hi Ravi, this is asha from Acme." in dry.stdout
    assert dump() == before and desk.ran(desk.sent) == []
    sent = ccli("message", leads.ravi, "--now", later)
    assert sent.exit_code == 0, sent.stderr
    assert desk.ran(desk.sent) == [
        "https://wa.me/919845000001?text=Hi%20Ravi%2C%20this%20is%20asha%20from%20Acme."
    ]
    assert "Message sent" in sent.stdout and "touch 3/5" in sent.stdout
    shown = _json(ccli("--now", later, "show", leads.ravi, "--format", "json"))
    assert shown["open_followup"]["kind"] == "cadence"
    after = (now + timedelta(hours=5)).isoformat()  # the window ends before its `now`
    report = _json(ccli("report", "--format", "json", "--now", after))
    assert report["touches_by_channel"] == {"call": 1, "whatsapp": 1}
    assert report["team"]["second_touch_rate"] == 1.0  # the message was Ravi's second touch


def test_cold_leads_come_back_after_reopen_after_once(ccli, db, desk, now):
    from callq.services.leads import NewLead, add_lead
    from callq.services.outcomes import log_outcome

    def went_cold(name: str, phone: str, days_ago: int) -> int:
        start = now - timedelta(days=days_ago)
        lead = add_lead(db, desk.rules, NewLead(name, phone, owner="asha"), now=start, rep="asha")
        for hour in range(1, 6):  # five unanswered touches: the cadence ends, cold
            at = start + timedelta(hours=hour)
            log_outcome(db, desk.rules, lead.lead_id, "no_answer", rep="asha", now=at)
        return lead.lead_id

    old, recent = went_cold("Old", "98450 00031", 40), went_cold("Recent", "98450 00032", 10)
    assert _json(ccli("show", old, "--format", "json"))["lead"]["stage"] == "cold"
    result = ccli("reopen")
    assert result.exit_code == 0 and "reopened 1" in result.stdout
    shown = _json(ccli("show", old, "--format", "json"))
    assert shown["lead"]["stage"] == "new"
    assert shown["open_followup"]["kind"] == "first_response"
    assert shown["timeline"][0]["type"] == "reopened"
    assert _json(ccli("show", recent, "--format", "json"))["lead"]["stage"] == "cold"
    assert "no cold lead" in ccli("reopen").stdout  # idempotent
