"""The first-paint reader (stdlib sqlite3) returns exactly what QueueReader returns."""

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from callq.config.loading import load_default_rules
from callq.demo.build import build_demo
from callq.services.queue import SECTIONS, QueueReader
from callq.store.db import open_database
from callq.store.quickread import QuickReader, sqlite_path

NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("quickread") / "demo.db"
    build_demo(path, load_default_rules(), now=NOW, leads=400)
    return path


@pytest.mark.parametrize("now", [NOW, NOW + timedelta(hours=7, minutes=13)])
@pytest.mark.parametrize("rep", ["asha", "ben", "nobody"])
def test_both_readers_agree_on_every_section(demo: Path, now: datetime, rep: str) -> None:
    rules = load_default_rules()
    db = open_database(demo)
    quick = QuickReader(demo, rules, rep=rep, now=now)
    try:
        reader = QueueReader(db, rules, rep=rep, now=now)
        assert quick.day_end == reader.day_end
        counts = reader.counts()
        assert quick.counts() == counts
        if rep != "nobody":
            assert sum(counts.values()) > 0
        for section in SECTIONS:
            for offset, limit in ((0, 1000), (5, 17)):
                assert quick.page(section, offset=offset, limit=limit) == reader.page(
                    section, offset=offset, limit=limit
                ), section
    finally:
        quick.close()
        db.dispose()


def test_only_a_head_schema_sqlite_file_is_read_quickly(demo: Path, tmp_path: Path) -> None:
    assert QuickReader.usable(demo)
    assert sqlite_path(str(demo)) == demo
    assert sqlite_path(f"sqlite:///{demo}") == demo
    assert sqlite_path("postgresql+psycopg://u@h/db") is None
    assert sqlite_path(str(tmp_path / "missing.db")) is None
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert not QuickReader.usable(empty)


@pytest.mark.sqlite_only
async def test_the_cli_app_paints_from_sqlite3_then_loads_the_services(day) -> None:
    import asyncio

    from callq.app import make_app
    from callq.widgets.queue_list import QueueList

    settings, db = day
    app = make_app(settings, quick=True, live=False)
    quick = app.quick
    assert quick is not None and not app.services_ready
    async with app.run_test(size=(120, 40)) as pilot:
        header = str(app.screen.query_one("#header").content)
        assert "New 2" in header and "Overdue 1" in header
        first = app.screen.query_one(QueueList).current_item
        for _ in range(200):  # the services load in a thread after the first frame
            if app.services_ready:
                break
            await asyncio.sleep(0.02)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Calls today 1 " in str(app.screen.query_one("#header").content)
        assert app.screen.query_one(QueueList).current_item == first
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.query_one(QueueList).panel is not None
        await pilot.press("enter")
        await pilot.pause()
        assert "Calls today 2 " in str(app.screen.query_one("#header").content)
        assert app.screen.query_one(QueueList).current_item.name != first.name
    # The services' reader replaced the first screen's: its connection (and page cache) went.
    assert app.quick is None
    with pytest.raises(sqlite3.ProgrammingError):
        quick.counts()


@pytest.mark.sqlite_only
def test_the_first_frame_needs_no_database_stack(day) -> None:
    """Textual is the only heavy import before the first frame (SQLAlchemy alone is ~0.5 s)."""
    import json
    import subprocess
    import sys

    settings, _ = day
    code = (
        "import json, sys\n"
        "from callq.config.loading import load_default_rules\n"
        "from callq.config.settings import Settings\n"
        "from callq.app import make_app\n"
        f"settings = Settings({settings.db_target!r}, None, 'asha', load_default_rules())\n"
        "app = make_app(settings, quick=True)\n"
        "assert app.quick is not None\n"
        "import callq.screens.queue, callq.widgets.queue_list\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "textual" in loaded
    assert not loaded & {"sqlalchemy", "sqlmodel", "alembic", "dateutil", "phonenumbers"}


@pytest.mark.sqlite_only
async def test_an_unreadable_file_at_start_up_does_not_crash_the_first_paint(day, monkeypatch):
    import sqlite3

    from callq.app import make_app
    from callq.store.quickread import QuickReader

    settings, _ = day
    app = make_app(settings, quick=True, live=False)

    def broken(self):  # noqa: ANN001, ANN202
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(QuickReader, "counts", broken)
    monkeypatch.setattr(QuickReader, "page", broken)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.is_running
    if app.quick is not None:
        app.quick.close()


def test_the_first_paint_sql_is_compiled_from_the_queue_query() -> None:
    """store/queue_sql.py is what store/queue_query.py compiles to (regenerate it if not:
    `python -m callq.store.queue_query`)."""
    from callq.store import queue_query, queue_sql

    for name, value in queue_query.generated().items():
        assert getattr(queue_sql, name) == value, name
