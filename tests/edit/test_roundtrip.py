"""`callq export --leads` into `callq import` on an empty database gives the same export:
stages (closed ones without a follow-up, do-not-call kept off the phone), owners, tags,
custom fields, other phones, timezones and open follow-ups come back exactly."""

import csv
import io
import json
from pathlib import Path

import pytest

from backends import drop_postgres, fresh_postgres_url


@pytest.fixture
def empty_target(backend: str, tmp_path: Path):  # noqa: ANN201
    """A second database, empty (import creates a SQLite file; PostgreSQL gets a database)."""
    if backend == "postgresql":
        url = fresh_postgres_url()
        yield url
        drop_postgres(url)
    else:
        yield str(tmp_path / "restored.db")


def build_history(run) -> None:  # noqa: ANN001
    def ok(*args: str) -> str:
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        return result.stdout.strip()

    leads = {
        "new": ok("add", "--name", "Ravi", "--phone", "9876543210", "--source", "web"),
        "contacted": ok("add", "--name", "José Ñúñez", "--phone", "9876543211", "--owner", "ben"),
        "qualified": ok("add", "--name", "=Evil()", "--phone", "9876543212", "--company", "+cmd"),
        "won": ok("add", "--name", "Wendy", "--phone", "+1 212 555 0143", "--source", "referral"),
        "lost": ok("add", "--name", "Lou", "--phone", "9876543214", "--urgency", "high"),
        "dnc": ok("add", "--name", "Dina", "--phone", "9876543215", "--email", "d@x.in"),
        "cadence": ok("add", "--name", "Cady", "--phone", "9876543216"),
    }
    ok("log", leads["contacted"], "callback", "--callback", "tomorrow 3pm")
    ok("log", leads["qualified"], "interested")
    ok("log", leads["won"], "won")
    ok("log", leads["lost"], "not_interested")
    ok("log", leads["dnc"], "dnc")
    ok("log", leads["cadence"], "no_answer")
    ok(
        "edit", leads["new"], "--tag", "hot", "--tag", "big fish", "--field", "budget=12.5",
        "--field", "plan=pro", "--field", "visit=2026-12-24", "--phone-add", "9876543220",
        "--phone-add", "9876543221", "--timezone", "Europe/London",
    )  # fmt: skip
    ok("edit", leads["won"], "--field", 'referrer=Meera, via "Asha"', "--tag", "=SUM(A1)")
    ok("edit", leads["dnc"], "--phone-add", "9876543225", "--tag", "legal")


def test_export_import_export_is_the_same(run, rules_file, empty_target):
    build_history(run)
    first_csv = run("export", "--leads").stdout
    first_json = json.loads(run("export", "--leads", "--format", "json").stdout)
    stages = {row["name"]: row["stage"] for row in first_json}
    assert set(stages.values()) == {"new", "contacted", "qualified", "won", "lost", "dnc"}
    assert next(r for r in first_json if r["name"] == "Ravi")["tags"] == ["hot", "big fish"]

    exported = rules_file.parent / "leads.csv"
    exported.write_text(first_csv, encoding="utf-8")
    env = {"CALLQ_DB": empty_target}
    imported = run_in(run, env, "import", str(exported), "--format", "json")
    assert json.loads(imported.stdout)["imported"] == len(first_json)
    assert run_in(run, env, "export", "--leads").stdout == first_csv
    again = json.loads(run_in(run, env, "export", "--leads", "--format", "json").stdout)
    assert again == first_json
    # The do-not-call lead's numbers are listed in the new database too, and it has no
    # open follow-up; the invariant holds.
    dina = next(r for r in again if r["name"] == "Dina")
    assert (dina["stage"], dina["next_due_at"]) == ("dnc", None)
    refused = run_in(run, env, "add", "--name", "Again", "--phone", "9876543225", code=2)
    assert "do-not-call" in refused.stderr
    assert run_in(run, env, "doctor").exit_code == 0
    rows = list(csv.DictReader(io.StringIO(first_csv)))
    assert {r["owner"] for r in rows} == {"asha", "ben"}


def run_in(run, env: dict, *args: str, code: int = 0):  # noqa: ANN001, ANN201
    result = run.cli(*args, env={**run.env, **env})
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result
