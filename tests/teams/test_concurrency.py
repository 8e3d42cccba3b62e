"""Several real processes on one database: nothing lost, nothing doubled, one winner."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from backends import BACKENDS, database_target, drop_postgres
from callq.config.loading import load_default_rules
from callq.services.doctor import check
from callq.services.leads import NewLead, add_lead
from callq.store.db import open_database
from callq.store.models import Call

WORKER = Path(__file__).with_name("worker.py")
NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)  # Monday 10:00 in Kolkata
pytestmark = pytest.mark.slow


@pytest.fixture(params=BACKENDS)
def target(request, tmp_path):  # noqa: ANN001, ANN201
    value = database_target(request.param, tmp_path)
    yield value
    if "://" in value:
        drop_postgres(value)


def _seed(target: str, count: int) -> list[int]:
    rules = load_default_rules()
    db = open_database(target)
    ids = [
        add_lead(
            db, rules, NewLead(name=f"Lead {n}", phone=f"+9198765{n:05d}"), now=NOW, rep="asha"
        ).lead_id
        for n in range(count)
    ]
    db.dispose()
    return ids


def _calls(target: str) -> int:
    db = open_database(target)
    with db.read() as session:
        count = session.exec(select(func.count()).select_from(Call)).one()
    db.dispose()
    return count


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    return env


def _worker(target: str, rep: str, leads: list[int], count: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            str(WORKER),
            target,
            rep,
            NOW.isoformat(),
            ",".join(map(str, leads)),
            str(count),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )


def test_parallel_loggers_on_different_leads_lose_nothing(target: str) -> None:
    leads = _seed(target, 8)
    workers = [
        _worker(target, rep, leads[i * 2 : i * 2 + 2], 25)
        for i, rep in enumerate(("asha", "ben", "chen", "dana"))
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "locked" not in err
        assert out.count("ok ") == 25
    assert _calls(target) == 100
    assert check(open_database(target)).ok


def test_parallel_cli_logs_all_recorded(target: str) -> None:
    leads = _seed(target, 4)
    env = {**_env(), "CALLQ_DB": target, "CALLQ_NOW": NOW.isoformat(), "CALLQ_CONFIG": ""}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "callq", "--rep", f"rep{i}", "log", str(lead), "busy"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, lead in enumerate(leads * 2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "Busy" in out
    assert _calls(target) == 8


def test_two_reps_racing_for_the_next_lead_never_share_it(target: str) -> None:
    _seed(target, 1)
    env = {**_env(), "CALLQ_DB": target, "CALLQ_NOW": NOW.isoformat(), "CALLQ_CONFIG": ""}
    # Both reps ask for the one lead (owned by asha, so use --all style: claim directly).
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "callq", "--rep", rep, "claim", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for rep in ("ben", "chen")
    ]
    results = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, _, err in results if code == 2)
    assert "is being worked by" in loser


def test_outcome_on_a_followup_completed_meanwhile_is_refused(target: str) -> None:
    (lead,) = _seed(target, 1)
    db = open_database(target)
    rules = load_default_rules()
    from callq.errors import Conflict
    from callq.services.leads import show_lead
    from callq.services.outcomes import log_outcome

    seen = show_lead(db, rules, str(lead)).open_followup.id  # both reps look at it
    log_outcome(db, rules, str(lead), "busy", rep="asha", now=NOW, expected_followup_id=seen)
    with pytest.raises(Conflict, match="someone else"):
        log_outcome(db, rules, str(lead), "busy", rep="ben", now=NOW, expected_followup_id=seen)
    assert _calls(target) == 1
    assert check(db).ok


@pytest.mark.parametrize("round_", range(8))
def test_killed_writer_leaves_a_consistent_database(target: str, round_: int) -> None:
    leads = _seed(target, 3)
    worker = _worker(target, "asha", leads, 10_000)
    # Wait for the first commit, then kill at a random-ish moment mid-stream.
    first = worker.stdout.readline()
    assert first.startswith("ok "), worker.stderr.read()
    time.sleep(0.05 + 0.09 * round_)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    # Read through the same buffered reader as readline(): communicate() would read the
    # raw pipe and miss lines readline() had already buffered.
    rest = worker.stdout.read()
    reported = 1 + rest.count("ok ")
    recorded = _calls(target)
    assert reported <= recorded <= reported + 1
    report = check(open_database(target))
    assert report.ok, report.problems


def _csv(path: Path, numbers: range) -> Path:
    lines = ["First Name,Last Name,Phone Number,Company"]
    lines += [f"Lead,{n},+9198766{n:05d},Co {n}" for n in numbers]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_parallel_imports_of_overlapping_files_create_each_lead_once(
    target: str, tmp_path: Path
) -> None:
    files = [_csv(tmp_path / "a.csv", range(0, 1200)), _csv(tmp_path / "b.csv", range(600, 1800))]
    open_database(target).dispose()  # created once, before the race
    env = {**_env(), "CALLQ_DB": target, "CALLQ_NOW": NOW.isoformat(), "CALLQ_CONFIG": ""}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "callq", "--rep", "asha", "import", str(f), "--format", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    import json

    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert sum(r["imported"] for r in results) == 1800  # each phone created exactly once
    # No row dropped: an identical row the other import already took counts as such.
    assert sum(r["imported"] + r["merged"] + r["already_imported"] for r in results) == 2400
    assert all(r["rejected"] == 0 for r in results)
    report = check(open_database(target))
    assert report.ok, report.problems
    assert report.facts["leads"] == 1800


@pytest.mark.sqlite_only
@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5])
def test_a_killed_demo_build_never_leaves_a_broken_database(tmp_path: Path, delay: float) -> None:
    """The demo builds beside its file and moves into place: a kill leaves no half demo."""
    path = tmp_path / "demo.db"
    env = {**_env(), "CALLQ_NOW": NOW.isoformat(), "CALLQ_CONFIG": ""}
    first = subprocess.run(
        [sys.executable, "-m", "callq", "--db", str(path), "demo", "--leads", "300", "--no-tui"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    rebuild = subprocess.Popen(
        [sys.executable, "-m", "callq", "--db", str(path), "demo", "--leads", "20000", "--no-tui"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait(timeout=30)
    report = check(open_database(path))  # the old demo, or the whole new one
    assert report.ok, report.problems
    assert report.facts["leads"] in (300, 20000)
    # ... and its worker processes do not outlive it.
    deadline = time.monotonic() + 10
    while (left := _processes_naming(path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"orphaned demo workers: {left}"


def _processes_naming(path: Path) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(path).encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found
