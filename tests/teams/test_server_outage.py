"""A PostgreSQL server that goes away mid-session: callq says so, loses nothing, recovers.

Uses a server of its own (started and stopped here) so the shared test server is untouched.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from tests.tui.data import build_day

from callq.app import make_app
from callq.screens.lead import LeadScreen
from callq.screens.queue import QueueScreen

PORT = 54341


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _as_postgres(*argv: str) -> None:
    command = list(argv)
    if os.geteuid() == 0:
        command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in argv)]
    # The server must not inherit our pipes, or waiting for the command never ends.
    subprocess.run(
        command,
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.fixture
def own_server():  # noqa: ANN201
    pg_bin = _pg_bin()
    if pg_bin is None or not os.environ.get("CALLQ_TEST_PG"):
        pytest.skip("needs PostgreSQL server binaries (scripts/test provides them)")
    data = Path(tempfile.mkdtemp(prefix="callq-outage-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    _as_postgres(
        str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"
    )
    options = f"-c listen_addresses=127.0.0.1 -p {PORT} -k {data} -c fsync=off"

    def start() -> None:
        _as_postgres(
            str(pg_bin / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(data / "server.log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop() -> None:
        _as_postgres(str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")

    start()
    yield f"postgresql+psycopg://postgres@127.0.0.1:{PORT}/postgres", start, stop
    subprocess.run(
        [str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
        capture_output=True,
        check=False,
    )
    if os.geteuid() == 0:
        subprocess.run(
            [
                "su",
                "postgres",
                "-s",
                "/bin/sh",
                "-c",
                f"'{pg_bin / 'pg_ctl'}' -D '{data}' -m immediate stop",
            ],
            capture_output=True,
            check=False,
        )
    shutil.rmtree(data, ignore_errors=True)


async def test_the_tui_says_the_server_is_gone_and_carries_on_when_it_is_back(own_server):  # noqa: ANN001
    url, start, stop = own_server
    settings, db = build_day(url)
    app = make_app(settings, db=db, live=False)
    shown: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        original_notify = app.notify

        def remember(message, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            shown.append(str(message))
            return original_notify(message, *args, **kwargs)

        app.notify = remember
        await pilot.pause()
        stop()  # the server goes away while the rep works
        await pilot.press("enter")  # opening a lead needs the database
        await pilot.pause()
        assert any(
            "cannot reach the database server" in m or "lost the connection" in m for m in shown
        ), shown
        assert app.is_running  # the app keeps going
        start()  # the server is back
        if not isinstance(app.screen, QueueScreen):
            await pilot.press("escape")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)  # recovered without a restart
    db.dispose()
