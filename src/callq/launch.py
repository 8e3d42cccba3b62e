"""The `callq` entry point: bare `callq` opens the TUI without loading the CLI framework.

Typer and its argument parsing cost ~0.2 s before the first frame; a rep opens the
queue many times a day. Anything but the plain global options goes to the full CLI,
which also reports every error (so a bad flag or config reads the same either way).
"""

import sys

_GLOBAL = ("--db", "--config", "--rep", "--now")


def _tui_options(argv: list[str]) -> dict[str, str] | None:
    """The global options when `argv` asks for nothing else, else None."""
    options: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        name, equals, value = arg.partition("=")
        if name not in _GLOBAL or name[2:] in options:
            return None
        if not equals:
            value = next(args, None)
            if value is None or value.startswith("--"):
                return None
        options[name[2:]] = value
    return options


def main() -> None:
    options = _tui_options(sys.argv[1:])
    if options is not None:
        from pathlib import Path

        try:
            from callq.config.settings import resolve_settings

            settings = resolve_settings(
                db=options.get("db"),
                config=Path(options["config"]) if "config" in options else None,
                rep=options.get("rep"),
                now=options.get("now"),
            )
        except Exception:  # noqa: BLE001 - the full CLI reports it the usual way
            settings = None
        if settings is not None:
            from callq.app import run_app

            run_app(settings)
            return
    from callq.cli import main as cli_main

    cli_main()
