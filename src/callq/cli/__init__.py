"""The `callq` command: Typer commands that each call one service and print the result.

Only the invoked command's module is imported and only its click command built
(`LazyGroup`): `callq log` pays for `log`, not for the 28 other commands. Heavy modules
(SQLAlchemy via the store, Textual) are imported inside the commands that need them, so
`callq --help` and the cheap commands start fast.
"""

import functools
from collections.abc import Callable, Iterator, MutableMapping
from importlib import import_module
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

Command = TyperCommand | TyperGroup

# Every command of `callq`, in the order `callq --help` lists them: the module under
# callq.cli that defines it and its one-line help (the first sentence of its docstring, or
# its group's help). `callq --help` is written from this table, so listing the commands
# imports none of them; tests/test_cli_lazy.py checks it against the commands themselves.
COMMANDS: dict[str, tuple[str, str]] = {
    "add": ("leads", "Add one lead; its first-response follow-up is due at its SLA deadline."),
    "log": (
        "leads",
        "Record a call's outcome and schedule what follows (exactly as the TUI does).",
    ),
    "undo": ("leads", "Undo your last logged outcome (within 10 minutes)."),
    "reschedule": ("leads", "Move the lead's open follow-up."),
    "note": ("leads", "Add a note to a lead's timeline."),
    "show": ("leads", "A lead, its open follow-up and its timeline (newest first)."),
    "queue": (
        "leads",
        "Who to call: New, Overdue, Due today, Upcoming (earliest deadline first).",
    ),
    "edit": (
        "edit",
        "Change a lead; each change goes on its timeline with the value before and after.",
    ),
    "init": ("admin", "Write the commented default rules file (callq.toml)."),
    "doctor": (
        "admin",
        "Check database integrity and that every open lead has exactly one next action.",
    ),
    "dial": (
        "compliance",
        "Dial a lead with [dial] command: refused for a do-not-call number or outside the "
        "lead's calling window ([compliance] call_window, in the lead's own time).",
    ),
    "message": (
        "compliance",
        "Send the lead's next message touch (its [templates] text on its channel) and log it "
        "as sent; with no [channels.NAME] command the text is printed for you to send.",
    ),
    "reopen": (
        "compliance",
        "Bring leads cold for [cadence] reopen_after back to New (for cron; `callq serve` "
        "does it every minute).",
    ),
    "demo": (
        "demo",
        "Build a demo database (weeks of history up to now) in its own file and open it.",
    ),
    "import": (
        "exchange",
        "Import leads from a CSV file; duplicates merge, bad rows go to FILE.rejects.csv.",
    ),
    "export": (
        "exchange",
        "Export leads, calls or timelines (CSV safe for spreadsheets, JSON for scripts).",
    ),
    "backup": (
        "exchange",
        "A consistent copy of the database, as one SQLite file, while others keep working.",
    ),
    "report": (
        "report",
        "Leakage metrics for [now - days, now): team, per rep, per channel, with goals and trend.",
    ),
    "cost": (
        "report",
        "What missed follow-ups cost, or what lifting conversion is worth (no data needed).",
    ),
    "reassign": (
        "report",
        "Give a lead (or, with --from, every open lead of a rep) to another rep.",
    ),
    "summary": ("report", "Open the team lead's Summary screen."),
    "escalate": (
        "rota",
        "Apply every escalation due now, once ([escalation] in the rules: flag or reassign).",
    ),
    "serve": (
        "serve",
        "Receive leads over HTTP (POST /leads) and deliver events to the [[hooks]].",
    ),
    "claim": ("team", "Hold a lead for a few minutes so nobody else calls it meanwhile."),
    "next": ("team", "Claim the top of your queue that nobody else holds and print its id."),
    "rules": ("admin", "Check, show and simulate the outcome rules (callq.toml)."),
    "dnc": ("compliance", "The do-not-call list (numbers never called again)."),
    "rep": ("rota", "Who is away: round-robin, routing and escalation skip them."),
    "hooks": ("serve", "Deliver the events waiting for the [[hooks]], or show what is pending."),
}


def build_command(name: str) -> Command:
    """The click command (or group) `name`: its module imported, only it built.

    Typer turns every registered command into a click command when the app is called
    (~0.7 ms each); this does it for the one that runs, with Typer's own converters and
    the root app's settings, exactly as `typer.main.get_command(app)` would.
    """
    from typer.main import get_command_from_info, get_command_name, get_group_from_info

    module = f"callq.cli.{COMMANDS[name][0]}"
    import_module(module)
    for info in app.registered_commands:
        if (info.name or get_command_name(info.callback.__name__)) == name:
            return get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    for group in app.registered_groups:
        if group.name == name:
            return get_group_from_info(
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
    raise LookupError(f"{module} registers no command {name!r}")


class _LazyCommands(MutableMapping[str, Command]):
    """The root group's commands by name: every name in `COMMANDS` is there, and a
    command is built the first time it is looked up. Typer's group reads `commands`
    for the lookup and for "Did you mean ...?", so both work without loading the rest."""

    def __init__(self, built: MutableMapping[str, Command]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = build_command(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS.keys() | self._built.keys())


class LazyGroup(TyperGroup):
    """The `callq` group (click's documented lazy-loading pattern, on Typer's group):
    a command's module is imported when that command runs or shows its help, and
    `callq --help` lists every command from `COMMANDS` without importing any."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.commands = _LazyCommands(self.commands)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: typer.Context, formatter) -> None:  # noqa: ANN001
        # Typer's own listing, of stand-ins that carry only the name and the help line.
        listing = [TyperCommand(name=name, help=help) for name, (_, help) in COMMANDS.items()]
        TyperGroup(commands=listing).format_commands(ctx, formatter)


app = typer.Typer(
    name="callq",
    help="callq: who to call next, every outcome in two keystrokes, no callback ever lost.",
    cls=LazyGroup,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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
