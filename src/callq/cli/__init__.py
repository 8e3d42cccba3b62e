"""The `callq` command: Typer commands that each call one service and print the result.

Heavy modules (SQLAlchemy via the store, Textual) are imported inside the commands that
need them, so `callq --help` and the cheap commands start fast.
"""

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="callq",
    help="callq: who to call next, every outcome in two keystrokes, no callback ever lost.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(
    help="Check, show and simulate the outcome rules (callq.toml).", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")


class State:
    """The global options, resolved into Settings on first use."""

    def __init__(self, db: str | None, config: Path | None, rep: str | None, now: str | None):
        self.options = {"db": db, "config": config, "rep": rep, "now": now}
        self._settings = None

    @property
    def settings(self):  # noqa: ANN201
        if self._settings is None:
            from callq.config.settings import resolve_settings

            self._settings = resolve_settings(**self.options)
        return self._settings

    def open_db(self, *, brings_leads: bool = False):  # noqa: ANN201
        """The database. A missing file is created at the default location, or when the
        command brings leads in (`add`, `import`); elsewhere it is refused: a mistyped
        `--db` must not leave an empty database that reads as "no leads"."""
        from callq.store.db import open_database

        settings = self.settings
        create = brings_leads or not settings.db_given
        return open_database(settings.db_target, create=create)


def _user_errors() -> tuple[type[BaseException], ...]:
    from callq.errors import UserError

    return (UserError, FileExistsError)


def fail(message: str, code: int = 2) -> None:
    from callq.visible import safe

    # A refusal may quote data (the names of the leads a phone matches): shown, not obeyed.
    typer.echo(f"callq: {safe(message)}", err=True)
    raise typer.Exit(code)


def command(fn: Callable) -> Callable:
    """Runs a command body; a user error prints one clear line on stderr and exits 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except Exception as error:
            if isinstance(error, _user_errors()):
                fail(str(error))
            if isinstance(error, UnicodeEncodeError) and "surrogates" in str(error):
                # A raw byte that is not UTF-8 (`$'\x9b'` in bash) reaches us as a lone
                # surrogate. Text to store is refused by the services (rules.text); this
                # is the net for any other argument that reaches the database.
                fail("an argument holds bytes that are not UTF-8 text; nothing was changed")
            raise

    return wrapper


NowOption = Annotated[
    str | None,
    typer.Option("--now", help="Pretend it is this ISO 8601 time (also CALLQ_NOW)."),
]


def state(ctx: typer.Context, now: str | None = None) -> State:
    """The global options; a command's own `--now` overrides the global one."""
    root = ctx.find_root().obj
    if now:
        root.options["now"] = now
        root._settings = None
    return root


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", envvar="CALLQ_DB", help="Database file or URL (postgresql+psycopg://...)."
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Rules file (callq.toml).")
    ] = None,
    rep: Annotated[
        str | None,
        typer.Option("--rep", help="Who you are (default: CALLQ_REP, [team] me, the OS user)."),
    ] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="Pretend it is this ISO 8601 time (also CALLQ_NOW).")
    ] = None,
) -> None:
    """Without a command: open the rep's queue in the terminal UI."""
    ctx.obj = State(db, config, rep, now)
    if ctx.invoked_subcommand is None:
        _open_tui(ctx.obj)


@command
def _open_tui(app_state: State) -> None:
    try:
        from callq.app import run_app
    except ImportError:
        fail("the terminal UI is not available in this build; try `callq queue`")
    settings = app_state.settings
    run_app(settings)


def main() -> None:
    app()


from callq.cli import edit  # noqa: E402,F401,I001  (registers `callq edit`)
from callq.cli import admin, compliance, demo, exchange, leads, report, rota, serve, team  # noqa: E402,F401,I001  (registers commands)
