"""SPEC section 10 through the CLI: a clear message on stderr, exit 2, and nothing changed."""

import json
from pathlib import Path

import pytest
from sqlalchemy import text


def refused(result, code: int = 2) -> str:  # noqa: ANN001
    """The command failed cleanly: the exit code, one `callq...` message, no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.stderr.startswith("callq"), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return result.stderr


@pytest.fixture
def lead(db, rules, now) -> None:  # noqa: ANN001
    """Lead 1 (web, asha's) with one call logged (through the services: cheaper than the CLI)."""
    from callq.services.leads import NewLead, add_lead
    from callq.services.outcomes import log_outcome

    new = NewLead(name="Asha", phone="9876543210", source="web")
    assert add_lead(db, rules, new, now=now, rep="asha").lead_id == 1
    log_outcome(db, rules, "1", "no_answer", rep="asha", now=now)


BAD_CONFIG = '[team]\ntimezone = "Asia/Kolkata"\nreps = "asha"\n'


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["log", "1", "maybe"], {}, "unknown outcome 'maybe'"),
        (["log", "1", "0"], {}, "unknown outcome '0'"),
        (["log", "1", "callback"], {}, "needs a callback time"),
        (["log", "1", "callback", "--callback", "whenever"], {}, "whenever"),
        (["log", "1", "callback", "--callback", "yesterday 3pm"], {}, "yesterday"),
        (["log", "1", "callback", "--callback", "today 9am"], {}, "past"),
        (["log", "1", "4", "--callback", "2026-11-20 10:00"], {}, "past"),
        (["log", "1", "busy", "--at", "2026-11-23T12:00"], {}, "future"),
        (["log", "1", "busy", "--at", "noonish"], {}, "--at"),
        (["log", "42", "busy"], {}, "no lead with id 42"),
        (["log", "+14155550123", "busy"], {}, "no lead with phone +14155550123"),
        (["log", "987654", "busy"], {}, "neither a lead id nor a phone number"),
        (["reschedule", "1", "in a bit"], {}, "Did not understand"),
        (["reschedule", "1", "2026-11-22 10:00"], {}, "past"),
        (["reschedule", "7", "in 2h"], {}, "no lead with id 7"),
        (["note", "7", "hello"], {}, "no lead with id 7"),
        (["note", "1", "  "], {}, "empty"),
        (["show", "7"], {}, "no lead with id 7"),
        (["add", "--name", "X", "--phone", "12345"], {}, "not a valid phone number"),
        (["add", "--name", "X", "--phone", "abc"], {}, "not a phone number"),
        (["add", "--name", "X", "--phone", "9876543219", "--source", "fax"], {}, "unknown source"),
        (["add", "--name", "X", "--phone", "9876543219", "--tz", "Mars/Base"], {}, "timezone"),
        (["queue"], {"CALLQ_NOW": "tomorrowish"}, "not an ISO 8601 time"),
        (["log", "1", "busy"], {"CALLQ_NOW": "2026-13-45T10:00"}, "not an ISO 8601 time"),
        (["--now", "later", "add", "--name", "X", "--phone", "9876543219"], {}, "--now"),
        (["log", "1", "busy"], {"CALLQ_CONFIG": "{missing}"}, "no such file"),
        (["log", "1", "busy"], {"CALLQ_CONFIG": "{bad}"}, "callq.toml:3: team.reps:"),
        (["add", "--name", "X", "--phone", "9876543219"], {"CALLQ_CONFIG": "{bad}"}, ":3:"),
        (["rules", "show"], {"CALLQ_CONFIG": "{bad}"}, ":3: team.reps"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    cli, dump, lead, tmp_path: Path, args, env, message
):
    bad = tmp_path / "callq.toml"
    bad.write_text(BAD_CONFIG)
    env = {k: v.format(missing=tmp_path / "nope.toml", bad=bad) for k, v in env.items()}
    before = dump()
    stderr = refused(cli(*args, env=env))
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1  # one clear line
    assert dump() == before


def test_a_database_from_a_newer_callq(cli, db, dump, lead):
    with db.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    before = dump()
    for args in (["log", "1", "busy"], ["queue"], ["show", "1"]):
        assert "newer callq" in refused(cli(*args))
    assert "newer callq" in refused(cli("doctor"), code=1)
    assert dump() == before


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b"SQLite format 3\0"])
def test_a_corrupt_database_file(cli, tmp_path: Path, content: bytes):
    path = tmp_path / "corrupt.db"
    path.write_bytes(content)
    env = {"CALLQ_DB": str(path)}
    refused(cli("doctor", env=env), code=1)
    refused(cli("queue", env=env))
    refused(cli("log", "1", "busy", env=env))
    assert path.read_bytes() == content


@pytest.mark.sqlite_only
def test_corrupt_pages_are_found_by_doctor(cli, db, lead):
    import sqlite3

    path = Path(db.path)
    db.dispose()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every row in the main file
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * page_size
    data[page_size:] = b"\xff" * (len(data) - page_size)  # keep the header and schema page
    path.write_bytes(bytes(data))
    refused(cli("doctor"), code=1)


def test_doctor_on_a_missing_database_creates_nothing(cli, tmp_path: Path):
    path = tmp_path / "absent.db"
    refused(cli("doctor", env={"CALLQ_DB": str(path)}), code=1)
    assert not path.exists()


@pytest.mark.sqlite_only
def test_a_locked_database_waits_then_says_so(cli, db, lead, dump, monkeypatch):
    import sqlite3

    import callq.store.db as store_db

    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = dump()
        stderr = refused(cli("log", "1", "busy"))
        assert "locked" in stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert dump() == before


# --- issue 13: hostile input and honest errors ------------------------------------------


def _show(cli, ref: str) -> dict:  # noqa: ANN001
    import json

    result = cli("show", ref, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["lead"]


@pytest.mark.parametrize(
    "phone",
    ["ABC9876543220", "$(touch x)9876543214", "98765-43210x", "1-800-FLOWERS", "9876543210;rm"],
)
def test_phones_with_junk_are_refused(cli, dump, lead, phone):
    before = dump()
    stderr = refused(cli("add", "--name", "Junk", "--phone", phone))
    assert "not a phone number" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert dump() == before


def test_a_phone_with_an_extension_is_accepted(cli, lead):
    result = cli("add", "--name", "Ext", "--phone", "+91 98765 43211 ext 12", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert _show(cli, "2")["phone"] == "+919876543211"


def test_a_huge_phone_is_not_echoed_in_full(cli, dump, lead):
    before = dump()
    for args in (["add", "--name", "X", "--phone", "9" * 10_000], ["show", "9" * 10_000]):
        stderr = refused(cli(*args))
        assert "10000 characters" in stderr
        assert len(stderr) < 300
    assert dump() == before


@pytest.mark.parametrize(
    ("phone", "zone", "guessed"),
    [
        ("+1 212 555 0123", "America/New_York", False),
        ("+44 20 7946 0958", "Europe/London", False),
        ("+61 2 9123 4567", "Australia/Sydney", False),
        ("98765 43219", "Asia/Kolkata", False),  # Asia/Calcutta in libphonenumber
        ("+1 800 555 0123", "Asia/Kolkata", True),  # toll-free: every US zone; the team's
    ],
)
def test_the_lead_timezone_comes_from_its_number(cli, phone, zone, guessed):
    assert cli("add", "--name", "Tz", "--phone", phone).exit_code == 0
    shown = _show(cli, "1")
    assert (shown["timezone"], shown["timezone_guessed"]) == (zone, guessed)
    plain = cli("show", "1").stdout
    assert f"timezone {zone}" in plain
    assert ("a guess" in plain) is guessed


def test_an_explicit_timezone_is_not_a_guess(cli):
    assert (
        cli("add", "--name", "Tz", "--phone", "+18005550123", "--tz", "America/Denver").exit_code
        == 0
    )
    shown = _show(cli, "1")
    assert (shown["timezone"], shown["timezone_guessed"]) == ("America/Denver", False)


def test_imported_leads_take_their_timezone_from_the_number(cli, tmp_path: Path):
    csv = tmp_path / "leads.csv"
    csv.write_text("Name,Phone\nNy,+12125550123\nLondon,+442079460958\nFree,+18005550123\n")
    result = cli("import", str(csv))
    assert result.exit_code == 0, result.stderr
    zones = {_show(cli, str(i))["name"]: _show(cli, str(i)) for i in (1, 2, 3)}
    assert zones["Ny"]["timezone"] == "America/New_York"
    assert zones["London"]["timezone"] == "Europe/London"
    assert zones["Free"]["timezone_guessed"] is True


def test_a_number_a_lead_already_has_merges_into_it(cli, tmp_path: Path):
    """One number, one lead: a lead's other phone is matched like its phone."""
    csv = tmp_path / "leads.csv"
    csv.write_text("Name,Phone,Mobile\nTwoPhones,+919876511111,+919876522222\n")
    assert cli("import", str(csv)).exit_code == 0
    added = cli("add", "--name", "Other", "--phone", "+919876522222", "--format", "json")
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout)["id"] == 1
    assert refused(cli("show", "2")).startswith("callq: no lead with id 2")
    shown = cli("show", "1", "--format", "json")
    assert shown.exit_code == 0 and "Other" in shown.stdout  # the inquiry, on its timeline


def test_a_number_two_leads_share_is_refused_with_both_listed(cli, db, dump, tmp_path: Path):
    """Data from before one-number-one-lead: a LEAD naming both is refused, not guessed."""
    from sqlalchemy import update

    from callq.store.models import Lead

    assert cli("add", "--name", "TwoPhones", "--phone", "+919876511111").exit_code == 0
    assert cli("add", "--name", "Other", "--phone", "+919876522222").exit_code == 0
    with db.write() as session:
        session.execute(update(Lead).where(Lead.id == 1).values(other_phones="+919876522222"))
    before = dump()
    stderr = refused(cli("log", "9876522222", "2"))
    assert "#1 TwoPhones" in stderr and "#2 Other" in stderr
    assert dump() == before
    assert cli("log", "9876511111", "2").exit_code == 0


def test_a_lead_is_found_by_its_other_phone(cli, tmp_path: Path):
    csv = tmp_path / "leads.csv"
    csv.write_text("Name,Phone,Mobile\nTwoPhones,+919876511111,+919876522222\n")
    assert cli("import", str(csv)).exit_code == 0
    assert _show(cli, "98765 22222")["name"] == "TwoPhones"
    assert refused(cli("show", "9876522")).count("\n") == 1  # a prefix names no lead


@pytest.mark.parametrize(
    "args",
    [
        ["--now", "9999-12-31T10:00", "queue"],
        ["--now", "0001-01-01T00:00", "queue"],
        ["--now", "9999-12-31T10:00", "log", "1", "2"],
        ["log", "1", "2", "--at", "0001-01-01T00:00"],
        ["log", "#" + "9" * 30, "2"],
        ["log", "#3000000000", "2"],
        ["--db", "mysql://user:secret@host/x", "queue"],
        ["--db", "file:///tmp/nowhere.db", "queue"],
    ],
)
def test_inputs_that_used_to_raise_are_one_line_refusals(cli, dump, lead, args):
    before = dump()
    stderr = refused(cli(*args))
    assert len(stderr.strip().splitlines()) == 1
    assert "secret" not in stderr
    assert dump() == before


def test_init_force_onto_a_directory(cli, tmp_path: Path):
    stderr = refused(cli("init", "--force", str(tmp_path)))
    assert "directory" in stderr


def test_postgresql_without_the_driver_names_the_extra(cli, monkeypatch, tmp_path: Path):
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` raises ImportError
    stderr = refused(cli("queue", env={"CALLQ_DB": "postgresql+psycopg://u@localhost/x"}))
    assert "postgres` extra" in stderr and "callq[postgres]" in stderr


def _read_only_run(db_path: str, args: list[str]) -> tuple[int, str]:
    """`callq ARGS` in a process that may not write a 0444 file: as root (who writes
    anyway) it runs without the capabilities that override file permissions."""
    import os
    import shutil
    import subprocess
    import sys

    env = {
        **os.environ,
        "CALLQ_DB": db_path,
        "CALLQ_CONFIG": "",
        "CALLQ_REP": "asha",
        "CALLQ_NOW": "2026-11-23T04:30:00+00:00",
        "HOME": str(Path(db_path).parent),
    }
    command = [sys.executable, "-m", "callq", *args]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root without setpriv: file permissions cannot be enforced")
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", "--bounding-set", drop, "--", *command]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    return result.returncode, result.stderr


@pytest.mark.sqlite_only
def test_log_on_a_read_only_database(db, dump, lead):
    import os

    path = str(db.path)
    db.dispose()
    os.chmod(path, 0o444)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.chmod(path + suffix, 0o666)  # SQLite needs them; the database file is read-only
    os.chmod(os.path.dirname(path), 0o755)
    before = dump()
    code, stderr = _read_only_run(path, ["log", "1", "2"])
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("callq: the database is read-only"), stderr
    assert dump() == before


def _full_disk(tmp_path: Path):  # noqa: ANN202
    """A directory on a 64 KB filesystem (root only); None where it cannot be mounted."""
    import os
    import subprocess

    mount = tmp_path / "full"
    mount.mkdir()
    if os.geteuid() != 0:
        return None
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    return mount if done.returncode == 0 else None


def test_backup_onto_a_full_disk(cli, db, rules, now, lead, tmp_path: Path):
    import subprocess

    from callq.services.leads import NewLead, add_lead

    for number in range(200):  # well over 64 KB of database
        new = NewLead(name=f"Lead {number} " * 5, phone=f"98765{number:05d}")
        add_lead(db, rules, new, now=now, rep="asha")
    mount = _full_disk(tmp_path)
    if mount is None:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        stderr = refused(cli("backup", str(mount / "copy.db")))
        assert "could not write the backup" in stderr
        assert "nothing was replaced" in stderr
        assert list(mount.iterdir()) == []  # no partial file left behind
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_rules_file_with_a_bom_is_accepted(cli, tmp_path: Path):
    from callq.config.loading import default_config_text

    path = tmp_path / "callq.toml"
    path.write_bytes(b"\xef\xbb\xbf" + default_config_text().encode())
    result = cli("rules", "check", str(path))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[keys]\nsumary = "S"\n', ":2: keys.sumary: unknown action 'sumary'"),
        ('[keys]\nsummary = "/"\n', ":2: keys.summary: \"/\" is already the key of 'search'"),
        ('[keys]\nhelp = "n"\n', ":2: keys.help: \"n\" is already the key of 'next'"),
    ],
)
def test_keys_table_refuses_typos_and_clashes(cli, tmp_path: Path, table, message):
    path = tmp_path / "callq.toml"
    path.write_text(table)
    stderr = refused(cli("rules", "check", str(path)))
    assert message in stderr


def test_keys_table_accepts_a_swap(cli, tmp_path: Path):
    path = tmp_path / "callq.toml"
    path.write_text('[keys]\nsummary = "/"\nsearch = "f"\n')
    assert cli("rules", "check", str(path)).exit_code == 0


def test_a_call_before_the_lead_existed_is_refused(cli, dump, lead):
    before = dump()
    stderr = refused(cli("log", "1", "busy", "--at", "2020-01-01T00:00"))
    assert "before the lead existed" in stderr
    assert dump() == before


def test_a_callback_date_that_has_passed_this_year_shows_next_years(cli, lead):
    """`--callback "1 nov 10:00"` typed on 23 Nov 2026 is 1 Nov 2027: said with its year
    wherever it is shown, never as a bare "Mon 1 Nov"."""
    result = cli("log", "1", "callback", "--callback", "1 nov 10:00")
    assert result.exit_code == 0, result.stderr
    assert "Mon 1 Nov 2027 10:00" in result.stdout
    assert "next: Mon 1 Nov 2027 10:00" in cli("show", "1").stdout
    assert "1 Nov 2027" in cli("queue", "--all").stdout


def test_releasing_a_claim_you_do_not_hold(cli, dump, lead):
    assert cli("claim", "1", env={"CALLQ_REP": "ben"}).exit_code == 0
    before = dump()
    stderr = refused(cli("claim", "1", "--release"))
    assert "not held by you" in stderr
    assert dump() == before
    result = cli("claim", "1", "--release", env={"CALLQ_REP": "ben"})
    assert result.exit_code == 0 and "released" in result.stdout


@pytest.mark.parametrize("args", [["queue"], ["show", "1"], ["report"], ["log", "1", "2"]])
def test_a_reading_command_on_a_mistyped_db_creates_nothing(cli, tmp_path: Path, args):
    target = tmp_path / "no" / "such" / "dir" / "x.db"
    stderr = refused(cli(*args, env={"CALLQ_DB": str(target)}))
    assert "no database at" in stderr
    assert not (tmp_path / "no").exists()


def test_adding_a_lead_creates_the_named_database(cli, tmp_path: Path):
    target = tmp_path / "new" / "x.db"
    result = cli("add", "--name", "A", "--phone", "9876543210", env={"CALLQ_DB": str(target)})
    assert result.exit_code == 0, result.stderr
    assert target.exists()


def test_a_killed_demo_leaves_nothing_behind_after_the_next_run(tmp_path: Path, rules, now):
    import tempfile

    from callq.demo.build import build_demo

    stale = Path(tempfile.mkdtemp(prefix="callq-demo-999999999-"))  # no such process
    (stale / "chunk0.db").write_bytes(b"x")
    target = tmp_path / "demo.db"
    target.with_name("demo.db.building").write_bytes(b"half a demo")
    build_demo(target, rules, now=now, leads=10, calls=20)
    assert not stale.exists()
    assert not target.with_name("demo.db.building").exists()


def test_a_terminated_demo_cleans_up(tmp_path: Path):
    import signal
    import subprocess
    import sys
    import tempfile
    import time

    target = tmp_path / "demo.db"
    before = set(Path(tempfile.gettempdir()).glob("callq-demo-*"))
    code = (
        "from datetime import UTC, datetime\n"
        "from callq.config.loading import load_default_rules\n"
        "from callq.demo.build import build_demo\n"
        f"build_demo({str(target)!r}, load_default_rules(), now=datetime.now(UTC), "
        "leads=20000, calls=80000, workers=1)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    building = target.with_name("demo.db.building")
    deadline = time.monotonic() + 30
    while not building.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) != 0
    assert not building.exists()
    assert set(Path(tempfile.gettempdir()).glob("callq-demo-*")) <= before
    assert not target.exists()
