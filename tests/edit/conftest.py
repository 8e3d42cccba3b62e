"""Fixtures for lead editing: a rules file declaring custom fields, and a `run` that
points the CLI at it."""

from pathlib import Path

import pytest

FIELDS = """\
[fields.budget]
type = "number"

[fields.plan]
type = "choice"
choices = ["basic", "pro"]
label = "Plan"

[fields.visit]
type = "date"

[fields.referrer]
type = "text"
"""


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "callq.toml"
    path.write_text(FIELDS, encoding="utf-8")
    return path


@pytest.fixture
def field_rules(rules_file: Path):  # noqa: ANN201
    from callq.config.loading import load_rules

    return load_rules(rules_file)


@pytest.fixture
def run(cli, rules_file: Path):  # noqa: ANN001, ANN201
    """`run("edit", ...)`: the CLI with the rules file that declares the fields."""

    env = {"CALLQ_CONFIG": str(rules_file)}

    def _run(*args: str):  # noqa: ANN202
        return cli(*args, env=env)

    _run.cli, _run.env = cli, env  # for a second database: run.cli(..., env={**run.env, ...})
    return _run


@pytest.fixture
def lead(run) -> str:  # noqa: ANN001
    """A lead (#1, Ravi, +919876543210) to edit; its id as the CLI prints it."""
    result = run("add", "--name", "Ravi", "--phone", "98765 43210", "--source", "web")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()
