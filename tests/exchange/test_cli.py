"""`callq import` from the command line: summary, JSON, exit codes."""

import json

from tests.exchange.conftest import FIXTURES
from typer.testing import CliRunner

from callq.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_import_json_summary(cli_env, fixture_file):
    path = fixture_file("hubspot_contacts.csv")
    result = invoke("import", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {k: summary[k] for k in ("imported", "merged", "rejected")} == {
        "imported": 5,
        "merged": 1,
        "rejected": 2,
    }
    assert summary["rejects_file"] == str(path.with_name("hubspot_contacts.rejects.csv"))
    again = json.loads(invoke("import", str(path), "--format", "json").stdout)
    assert (again["imported"], again["merged"], again["already_imported"]) == (0, 0, 6)
    assert invoke("doctor").exit_code == 0


def test_import_table_summary_and_dry_run(cli_env, fixture_file):
    path = fixture_file("plain.csv")
    dry = invoke("import", str(path), "--dry-run")
    assert dry.exit_code == 0
    assert "would have imported 4 · merged 1 · rejected 1" in dry.stdout
    done = invoke("import", str(path), "--source", "web", "--owner", "ben")
    assert done.exit_code == 0
    assert "imported 4 · merged 1 · rejected 1" in done.stdout
    assert "plain.rejects.csv" in done.stdout
    shown = json.loads(invoke("show", "+919811122234", "--format", "json").stdout)
    assert shown["lead"]["owner"] == "ben"


def test_exit_codes(cli_env, tmp_path, fixture_file):
    missing = invoke("import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    path = fixture_file("hubspot_contacts.csv")
    bad_field = invoke("import", str(path), "--map", "Record ID=colour")
    assert bad_field.exit_code == 2 and "unknown field" in bad_field.stderr
    bad_column = invoke("import", str(path), "--map", "Telefon=phone")
    assert bad_column.exit_code == 2 and "no column" in bad_column.stderr
    malformed = invoke("import", str(path), "--map", "phone")
    assert malformed.exit_code == 2 and "COLUMN=field" in malformed.stderr
    bad_source = invoke("import", str(path), "--source", "fax")
    assert bad_source.exit_code == 2
    no_phone = tmp_path / "names.csv"
    no_phone.write_text("name,city\nA,Pune\n", encoding="utf-8")
    assert invoke("import", str(no_phone)).exit_code == 2
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert invoke("import", str(empty)).exit_code == 2
    binary = tmp_path / "sheet.csv"
    binary.write_bytes((FIXTURES / "plain.csv").read_bytes()[:10] + b"\x00\x01\x02")
    assert invoke("import", str(binary)).exit_code == 2
    # Nothing was written by any of the failures.
    assert json.loads(invoke("queue", "--all", "--format", "json").stdout) == []
