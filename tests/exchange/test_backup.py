"""`callq backup`: a consistent 0600 copy while another process writes; refusals."""

import os
import sqlite3
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from callq.cli import app
from callq.services import doctor
from callq.store.db import open_database

runner = CliRunner()

WRITER = """
import sys, time
from datetime import UTC, datetime
from callq.config.loading import load_rules
from callq.services.leads import NewLead, add_lead
from callq.store.db import open_database
db = open_database(sys.argv[1])
rules = load_rules(None)
i = 0
print("ready", flush=True)
while True:
    new = NewLead(name=f"W{i}", phone=f"+9198{i:08d}")
    add_lead(db, rules, new, now=datetime.now(UTC), rep="w")
    i += 1
"""


def test_backup_while_another_process_writes(cli_env, tmp_path):
    db_path = cli_env["CALLQ_DB"]
    open_database(db_path).dispose()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, db_path], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        copies = []
        for n in range(3):
            target = tmp_path / f"copy{n}.db"
            result = runner.invoke(app, ["backup", str(target)])
            assert result.exit_code == 0, result.stderr
            copies.append(target)
            time.sleep(0.2)
    finally:
        writer.kill()
        writer.wait()
    counts = []
    for target in copies:
        assert target.stat().st_mode & 0o777 == 0o600
        copy = open_database(target, create=False)
        report = doctor.check(copy)
        assert report.ok, report.problems
        counts.append(report.facts["leads"])
        copy.dispose()
    assert counts == sorted(counts) and counts[-1] > 0
    # Each copy is a snapshot: its leads each have their follow-up and two events.
    with sqlite3.connect(copies[-1]) as raw:
        leads, followups, events = (
            raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("lead", "followup", "event")
        )
    assert followups == leads and events == 2 * leads


@pytest.mark.sqlite_only  # the last check names the database file itself
def test_backup_refuses_to_overwrite_without_force(cli_env, tmp_path):
    target = tmp_path / "backup.db"
    target.write_text("precious")
    result = runner.invoke(app, ["backup", str(target)])
    assert result.exit_code == 2 and "--force" in result.stderr
    assert target.read_text() == "precious"
    forced = runner.invoke(app, ["backup", str(target), "--force"])
    assert forced.exit_code == 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert not [p for p in os.listdir(tmp_path) if ".partial-" in p]
    same = runner.invoke(app, ["backup", cli_env["CALLQ_DB"], "--force"])
    assert same.exit_code == 2 and "itself" in same.stderr


def test_an_unreachable_server_is_a_clear_error(cli_env, tmp_path):
    url = "postgresql+psycopg://callq@127.0.0.1:1/callq"
    result = runner.invoke(app, ["--db", url, "backup", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "cannot open the database" in result.stderr
    assert not (tmp_path / "x.db").exists()
