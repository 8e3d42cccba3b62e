"""`callq` loads only the command it runs: the command table matches the real commands,
`callq --help` lists them as Typer would, and a command imports no other command's module."""

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest
import typer
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

import callq.cli
from callq.cli import COMMANDS, app, build_command

ENV = {"COLUMNS": "200", "CALLQ_DB": "/nonexistent/callq.db"}


def _registered() -> dict[str, str]:
    """Every command and group registered on `app`, by name -> the module defining it,
    after importing every module of callq.cli (so one missing from the table shows)."""
    for module in pkgutil.iter_modules(callq.cli.__path__):
        importlib.import_module(f"callq.cli.{module.name}")
    found = {}
    for info in app.registered_commands:
        name = info.name or typer.main.get_command_name(info.callback.__name__)
        found[name] = info.callback.__module__
    for group in app.registered_groups:
        modules = {c.callback.__module__ for c in group.typer_instance.registered_commands}
        assert len(modules) == 1, (group.name, modules)
        found[group.name] = modules.pop()
    return found


def test_the_table_names_every_command_its_module_and_its_help():
    registered = _registered()
    assert set(COMMANDS) == set(registered)
    for name, (module, help_line) in COMMANDS.items():
        assert registered[name] == f"callq.cli.{module}", name
        command = build_command(name)
        assert command.name == name
        assert not command.hidden and not command.deprecated, name
        assert command.get_short_help_str(limit=10**6) == help_line, name


@pytest.mark.parametrize("width", [50, 80, 200])
def test_help_lists_the_commands_as_typer_lists_the_real_ones(width):
    lazy = typer.main.get_command(app)
    real = TyperGroup(name="callq", commands=[build_command(name) for name in COMMANDS])
    ctx = typer.Context(lazy, info_name="callq", terminal_width=width)
    listed, expected = ctx.make_formatter(), ctx.make_formatter()
    lazy.format_commands(ctx, listed)
    TyperGroup.format_commands(real, ctx, expected)
    assert listed.getvalue() == expected.getvalue()
    assert listed.getvalue().startswith("Commands:\n  add ")
    assert listed.getvalue().count("\n  ") == len(COMMANDS)


def _callq_modules_after(*args: str) -> set[str]:
    """The callq.cli modules a fresh `callq ARGS` process has imported when it exits."""
    probe = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps(sorted(m for m in sys.modules"
        " if m.startswith('callq.cli'))), file=sys.stderr))\n"
        f"sys.argv = ['callq', *{list(args)!r}]\n"
        "from callq.cli import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=ENV
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_help_imports_no_command_module_and_a_command_only_its_own():
    assert _callq_modules_after("--help") == {"callq.cli"}
    # `log` lives in leads (which uses render); no other command module is imported.
    assert _callq_modules_after("log", "--help") == {
        "callq.cli",
        "callq.cli.leads",
        "callq.cli.render",
    }
    assert _callq_modules_after("rules", "--help") == {"callq.cli", "callq.cli.admin"}


def test_a_mistyped_command_still_gets_a_suggestion():
    result = CliRunner().invoke(app, ["lgo"], env=ENV)
    assert result.exit_code == 2
    assert "No such command 'lgo'. Did you mean 'log'?" in result.output
    result = CliRunner().invoke(app, ["rules", "chek"], env=ENV)
    assert result.exit_code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in result.output


def test_a_group_lists_its_own_commands():
    result = CliRunner().invoke(app, ["dnc", "--help"], env=ENV)
    assert result.exit_code == 0
    for name in ("add", "remove", "import", "list"):
        assert f"\n  {name} " in result.output
