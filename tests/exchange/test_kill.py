"""A killed import leaves a consistent database; running it again completes it exactly."""

import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from callq.services import doctor
from callq.store.db import open_database

ROWS = 40_000
pytestmark = pytest.mark.slow


def generate(path: Path, rows: int) -> None:
    rng = random.Random(5)
    seen: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Mobile", "Email", "Lead Source"])
        for index in range(rows):
            if seen and rng.random() < 0.03:
                phone = rng.choice(seen)  # a repeat inquiry, maybe in another batch
            elif rng.random() < 0.01:
                phone = "n/a"
            else:
                phone = f"9{rng.randrange(10**9):09d}"
                seen.append(phone)
            writer.writerow(["Renée", f"N{index}", phone, f"r{index}@example.in", "Web"])


def callq(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [_callq(), *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _callq() -> str:
    return str(Path(sys.executable).with_name("callq"))


def children(pid: int) -> list[int]:
    listing = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in listing.read_text().split()] if listing.exists() else []


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for init, which may never reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _scalar(target: str, sql: str) -> int:
    from sqlalchemy import text

    db = open_database(target)
    try:
        with db.engine.connect() as connection:
            return connection.execute(text(sql)).scalar()
    finally:
        db.dispose()


def leads_in(target: str) -> int:
    try:
        return _scalar(target, "SELECT COUNT(*) FROM lead")
    except Exception:  # noqa: BLE001 - busy while the import writes: try again
        return 0


def shape(target: str) -> dict[str, int]:
    key = (
        "json_extract(detail, '$.import_key')"
        if "://" not in target or target.startswith("sqlite")
        else "(detail::json ->> 'import_key')"
    )
    return {
        "leads": _scalar(target, "SELECT COUNT(*) FROM lead"),
        "open_followups": _scalar(target, "SELECT COUNT(*) FROM followup WHERE status = 'open'"),
        "created": _scalar(target, "SELECT COUNT(*) FROM event WHERE type = 'created'"),
        "scheduled": _scalar(
            target, "SELECT COUNT(*) FROM event WHERE type = 'followup_scheduled'"
        ),
        "inquiries": _scalar(target, "SELECT COUNT(*) FROM event WHERE type = 'inquiry'"),
        "distinct_keys": _scalar(
            target,
            f"SELECT COUNT(DISTINCT {key}) FROM event WHERE type IN ('created', 'inquiry')",
        ),
    }


@pytest.mark.parametrize("later", [0.0, 0.4])  # killed right after a commit, or mid-batch
def test_killed_import_is_consistent_and_a_rerun_completes_it(cli_env, tmp_path, later):
    big = tmp_path / "big.csv"
    generate(big, ROWS)
    db_path = cli_env["CALLQ_DB"]
    open_database(db_path).dispose()

    process = callq(cli_env, "import", str(big))
    deadline = time.monotonic() + 120
    while leads_in(db_path) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(later)
    if process.poll() is not None:
        pytest.fail(f"the import finished before it could be killed: {process.stderr.read()}")
    readers = children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    # Its reading process notices (a broken pipe) and ends too, holding nothing open.
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in readers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(pid) for pid in readers)

    killed = shape(db_path)
    assert 0 < killed["leads"] < ROWS
    # Every committed lead is whole: its follow-up and its two events.
    assert killed["open_followups"] == killed["created"] == killed["scheduled"] == killed["leads"]
    db = open_database(db_path)
    report = doctor.check(db)
    assert report.ok, report.problems
    db.dispose()

    rerun = callq(cli_env, "import", str(big), "--format", "json")
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    final = shape(db_path)

    clean_db = str(tmp_path / "clean.db")
    clean = callq({**cli_env, "CALLQ_DB": clean_db}, "import", str(big))
    clean.communicate(timeout=600)
    assert final == shape(clean_db)  # the same leads and events as one uninterrupted run
    assert final["distinct_keys"] == final["created"] + final["inquiries"]  # nothing twice
    db = open_database(db_path)
    assert doctor.check(db).ok
    db.dispose()
