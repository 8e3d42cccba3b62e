"""The entry point: bare `callq` (with global options only) skips the CLI framework."""

import subprocess
import sys

import pytest

from callq.launch import _tui_options


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {}),
        (["--db", "x.db"], {"db": "x.db"}),
        (
            ["--db=x.db", "--rep", "asha", "--now", "2026-11-23T10:00"],
            {"db": "x.db", "rep": "asha", "now": "2026-11-23T10:00"},
        ),
        (["queue"], None),
        (["--help"], None),
        (["--db"], None),
        (["--db", "--rep"], None),
        (["--db", "a", "--db", "b"], None),
        (["--rep", "asha", "log", "1", "1"], None),
    ],
)
def test_only_plain_global_options_take_the_fast_path(argv, expected) -> None:  # noqa: ANN001
    assert _tui_options(argv) == expected


def test_a_bad_config_on_the_fast_path_is_reported_like_any_command(tmp_path) -> None:  # noqa: ANN001
    result = subprocess.run(
        [sys.executable, "-m", "callq", "--config", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no such file" in result.stderr and "Traceback" not in result.stderr


def test_the_app_without_a_terminal_says_so_instead_of_spinning(tmp_path) -> None:  # noqa: ANN001
    """`callq > file`, a cron job, ssh without a tty: the app needs keys and a screen."""
    db = tmp_path / "callq.db"
    for argv in (["--db", str(db)], ["--db", str(db), "--rep", "asha"]):
        result = subprocess.run(
            [sys.executable, "-m", "callq", *argv],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 2
        assert "needs a terminal" in result.stderr and "callq queue" in result.stderr
        assert result.stdout == ""


def test_a_demo_without_a_terminal_prints_its_queue(tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "demo.db"
    result = subprocess.run(
        [sys.executable, "-m", "callq", "--db", str(db), "demo", "--leads", "40"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert "demo: 40 leads" in result.stdout and "Queue of asha" in result.stdout
