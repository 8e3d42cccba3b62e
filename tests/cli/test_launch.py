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
