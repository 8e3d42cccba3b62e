"""Import layering, checked in fresh interpreters: the core never loads the UI stack."""

import json
import subprocess
import sys


def loaded_after(code: str) -> set[str]:
    """Top-level module names loaded after running `code` in a new interpreter."""
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_callq_help_imports_no_ui_or_database_stack():
    code = (
        "import sys, contextlib, io\n"
        "sys.argv = ['callq', '--help']\n"
        "import callq.cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    callq.cli.main()\n"
        "assert 'Usage' in out.getvalue(), out.getvalue()\n"
    )
    loaded = loaded_after(code)
    assert "callq" in loaded
    assert not loaded & {"textual", "sqlalchemy", "sqlmodel", "alembic"}


CORE = (
    "callq.rules.model",
    "callq.rules.hours",
    "callq.rules.outcomes",
    "callq.rules.simulate",
    "callq.rules.timeexpr",
    "callq.rules.phrases",
    "callq.config.loading",
    "callq.services.leads",
    "callq.services.outcomes",
    "callq.services.queue",
    "callq.services.doctor",
)


def test_the_core_does_not_import_textual():
    # One interpreter for all: if none of them imports Textual, neither does any one.
    assert "textual" not in loaded_after("\n".join(f"import {m}" for m in CORE))


def test_services_rules_and_store_do_not_import_rich():
    code = "\n".join(
        f"import {m}"
        for m in (
            "callq.services.leads",
            "callq.services.outcomes",
            "callq.services.queue",
            "callq.services.doctor",
            "callq.rules.simulate",
            "callq.store.db",
            "callq.store.migrate",
        )
    )
    assert "rich" not in loaded_after(code)


def test_rules_do_not_import_the_store():
    loaded = loaded_after("import callq.rules.outcomes, callq.rules.simulate, callq.rules.timeexpr")
    assert not loaded & {"sqlalchemy", "sqlmodel"}


# What each core layer may import from callq (every import, at the top or inside a
# function: a lazy import climbing back up is still a dependency).
ALLOWED = {
    "rules": ("callq.rules", "callq.errors", "callq.phones"),
    "store": ("callq.store", "callq.rules", "callq.errors", "callq.phones"),
    "config": ("callq.config", "callq.rules", "callq.errors"),
}
# The middle layers may use anything below them, never a front end.
FRONT_ENDS = (
    "callq.cli",
    "callq.serve",
    "callq.app",
    "callq.screens",
    "callq.widgets",
    "callq.launch",
)
MIDDLE = ("services", "importing", "demo")


def _callq_imports(path):  # noqa: ANN001, ANN202
    import ast

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = (
                [node.module] if node.module != "callq" else [f"callq.{a.name}" for a in node.names]
            )
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name == "callq" or name.startswith("callq."):
                yield node.lineno, name


def test_each_layer_imports_only_from_the_layers_below():
    from pathlib import Path

    import callq

    package = Path(callq.__file__).parent
    wrong = []
    for layer, allowed in ALLOWED.items():
        for path in sorted((package / layer).rglob("*.py")):
            for line, name in _callq_imports(path):
                if name != "callq" and not name.startswith(allowed):
                    wrong.append(f"{path.relative_to(package)}:{line}: {name}")
    for layer in MIDDLE:
        for path in sorted((package / layer).rglob("*.py")):
            for line, name in _callq_imports(path):
                if name.startswith(FRONT_ENDS):
                    wrong.append(f"{path.relative_to(package)}:{line}: {name}")
    assert wrong == []
