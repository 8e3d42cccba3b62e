"""`callq demo` never replaces a demo database a running app has open, and a killed app
does not block it."""

import subprocess
import sys
import textwrap
import threading

import pytest

from callq.demo.build import demo_marker
from callq.store.in_use import DatabaseInUse, hold_open, replacing

pytestmark = pytest.mark.sqlite_only

# What `callq` (run_app) does with the database file for as long as the TUI runs.
RUNNING_APP = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from callq.store.in_use import DatabaseInUse, hold_open, replacing

    held = hold_open(Path(sys.argv[1]))
    print("open", flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def running_app():
    """Starts a process holding the database open as the TUI does; yields a starter."""
    started: list[subprocess.Popen] = []

    def start(path) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-c", RUNNING_APP, str(path)], stdout=subprocess.PIPE, text=True
        )
        started.append(process)
        assert process.stdout.readline().strip() == "open"
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()


def test_demo_refuses_while_an_app_has_it_open_until_the_app_dies(cli, tmp_path, running_app):
    demo = tmp_path / "demo.db"
    assert cli("--db", demo, "demo", "--leads", "20", "--seed", "1", "--no-tui").exit_code == 0
    app = running_app(demo)

    refused = cli("--db", demo, "demo", "--leads", "30", "--no-tui")
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [
        f"callq: {demo} is open in a running callq: quit that app (q), then try again"
    ]
    assert demo_marker(demo)["leads"] == 20  # the open file is untouched
    assert not demo.with_name("demo.db.building").exists()

    app.kill()  # killed, not quit: the OS releases its lock
    app.wait()
    replaced = cli("--db", demo, "demo", "--leads", "30", "--no-tui")
    assert replaced.exit_code == 0, replaced.output
    assert demo_marker(demo)["leads"] == 30


def test_apps_may_share_a_database_and_one_quitting_does_not_free_it(tmp_path, running_app):
    """Two reps' apps on one file: the lock is shared, and held until the last one quits."""
    demo = tmp_path / "demo.db"
    demo.touch()
    first = hold_open(demo)
    running_app(demo)  # a second app opens it too, without waiting
    first.close()
    with pytest.raises(DatabaseInUse), replacing(demo):
        pass


def test_an_app_starting_while_the_demo_is_replaced_waits_for_the_new_file(tmp_path, capfd):
    demo = tmp_path / "demo.db"
    demo.touch()
    opened = threading.Event()
    holds = []

    def start_app() -> None:
        holds.append(hold_open(demo))
        opened.set()

    with replacing(demo):
        app = threading.Thread(target=start_app)
        app.start()
        assert not opened.wait(0.3)  # not while the file is being replaced
    assert opened.wait(5)
    app.join()
    holds[0].close()
    assert f"Waiting while {demo} is being replaced" in capfd.readouterr().err
