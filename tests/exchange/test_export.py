"""Exports: formula-safe CSV, JSON for scripts, iCalendar callbacks parsed by `icalendar`."""

import csv
import io
import json
from datetime import timedelta

import icalendar
from tests.exchange.conftest import NOW
from typer.testing import CliRunner

from callq.cli import app
from callq.importing.importer import import_file
from callq.services.exporting import callback_rows, ics_text, neutralise
from callq.services.outcomes import log_outcome

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_neutralise():
    assert neutralise("=SUM(A1)") == "'=SUM(A1)"
    assert neutralise("+91 98765") == "'+91 98765"
    assert neutralise("-2") == "'-2"
    assert neutralise("@cmd") == "'@cmd"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("\rx") == "'\rx"
    assert neutralise("Acme") == "Acme"
    assert neutralise(-2) == -2


def test_csv_and_json_exports(cli_env, fixture_file, tmp_path):
    assert invoke("import", str(fixture_file("hubspot_contacts.csv"))).exit_code == 0
    assert (
        invoke("log", "+919876543210", "no_answer", "--note", "=cmd|' /C calc'!A0").exit_code == 0
    )
    leads = list(csv.DictReader(io.StringIO(invoke("export").stdout)))
    assert len(leads) == 5
    mallory = next(r for r in leads if r["name"] == "Mallory Hacker")
    assert mallory["company"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert mallory["phone"] == "'+919845012345"
    calls = list(csv.DictReader(io.StringIO(invoke("export", "--calls").stdout)))
    assert len(calls) == 1 and calls[0]["note"].startswith("'=cmd")
    assert calls[0]["outcome"] == "no_answer"

    as_json = json.loads(invoke("export", "--format", "json", "--leads").stdout)
    jose = next(r for r in as_json if r["phone"] == "+919876543210")
    assert jose["owner"] == "asha" and jose["next_kind"] == "cadence"
    assert jose["created_at"].endswith("+05:30")  # the team's zone, with offset
    timeline = json.loads(invoke("export", "--timeline", "--format", "json").stdout)
    types = [e["type"] for e in timeline if e["lead_id"] == jose["id"]]
    assert types[:3] == ["created", "followup_scheduled", "inquiry"]
    assert "call_logged" in types

    out = tmp_path / "leads.csv"
    assert invoke("export", "--output", str(out)).exit_code == 0
    assert out.stat().st_mode & 0o777 == 0o600
    assert invoke("export", "--calls", "--timeline").exit_code == 2


def test_ics_export_parses_and_has_stable_uids(db, rules, fixture_file, tmp_path):
    import_file(db, rules, fixture_file("zoho_leads.csv"), now=NOW, rep="admin")
    log_outcome(db, rules, "+14155552671", "callback", rep="chen", now=NOW, callback="tomorrow 3pm")
    rows = callback_rows(db, now=NOW)
    assert len(rows) == 4
    first = ics_text(rows, now=NOW)
    calendar = icalendar.Calendar.from_ical(first)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 4
    by_uid = {str(e["UID"]): e for e in events}
    callback = next(e for e in events if "Ingrid" in str(e["SUMMARY"]))
    assert str(callback["SUMMARY"]) == "Call back: Ingrid Sørensen (+14155552671)"
    due = callback.decoded("DTSTART")
    assert due == next(r["due_at"] for r in rows if r["kind"] == "callback")
    assert callback.decoded("DTEND") - due == timedelta(minutes=15)
    assert "Company: Fjord AS" in str(callback["DESCRIPTION"])
    assert all(uid.startswith("followup-") and uid.endswith("@callq") for uid in by_uid)
    assert all(line.endswith("\r") or not line for line in first.split("\n"))  # CRLF
    assert all(len(line.encode()) <= 76 for line in first.split("\n"))  # folded (+CR)
    # Exported again later: the same follow-ups keep the same UIDs.
    again = icalendar.Calendar.from_ical(ics_text(callback_rows(db, now=NOW), now=NOW))
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(by_uid)
    # Past follow-ups are not upcoming.
    assert callback_rows(db, now=NOW + timedelta(days=30)) == []


def test_ics_cli_owner_filter(cli_env, fixture_file, tmp_path):
    assert invoke("import", str(fixture_file("zoho_leads.csv"))).exit_code == 0
    out = tmp_path / "chen.ics"
    result = invoke("export", "--format", "ics", "--owner", "chen", "--output", str(out))
    assert result.exit_code == 0
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == [
        "First call: Björn Åberg (+917700900123)",
        "First call: Ingrid Sørensen (+14155552671)",
    ]
