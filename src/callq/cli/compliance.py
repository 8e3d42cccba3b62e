"""Compliance and channel commands: `dnc add/remove/import/list`, `dial`, `message`, `reopen`.

Each asks one service; the commands the rules configure (`[dial]`, `[channels.NAME]`)
run as argument lists without a shell, their output passing through.
"""

import subprocess
from pathlib import Path
from typing import Annotated

import typer

from callq.cli import NowOption, app, command, fail, state
from callq.cli.leads import Format, FormatOption
from callq.cli.render import echo

dnc_app = typer.Typer(
    help="The do-not-call list (numbers never called again).", no_args_is_help=True
)
app.add_typer(dnc_app, name="dnc")


@dnc_app.command("add")
@command
def dnc_add(
    ctx: typer.Context,
    phone: Annotated[str, typer.Argument(help="The number, any format.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the listing).")] = "",
    now: NowOption = None,
) -> None:
    """Put a number on the do-not-call list: never added, reopened or dialled again."""
    from callq.services.dnc import add_number

    settings = state(ctx, now).settings
    db = state(ctx).open_db()
    listing = add_number(
        db, settings.rules, phone, reason=reason, by=settings.rep, now=settings.now()
    )
    echo(f"{listing.phone} is on the do-not-call list")


@dnc_app.command("remove")
@command
def dnc_remove(
    ctx: typer.Context,
    phone: Annotated[str, typer.Argument(help="The number, any format.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it may be called again.")] = "",
    now: NowOption = None,
) -> None:
    """Release a number (the reason is required and kept)."""
    from callq.services.dnc import remove_number

    settings = state(ctx, now).settings
    db = state(ctx).open_db()
    released = remove_number(
        db, settings.rules, phone, reason=reason, by=settings.rep, now=settings.now()
    )
    echo(f"{released} is off the do-not-call list")


@dnc_app.command("import")
@command
def dnc_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="One number a line, or a CSV with a phone column.")],
    reason: Annotated[str, typer.Option("--reason")] = "",
    format: FormatOption = Format.table,
    now: NowOption = None,
) -> None:
    """List every number of a file (one transaction)."""
    from callq.cli.render import print_json
    from callq.services.dnc import import_numbers

    settings = state(ctx, now).settings
    db = state(ctx).open_db()
    result = import_numbers(
        db, settings.rules, file, by=settings.rep, now=settings.now(), reason=reason
    )
    if format is Format.json:
        rejected = [{"line": line, "reason": why} for line, why in result.rejected]
        body = {"added": result.added, "already": result.already, "rejected": rejected}
        print_json(body, settings.viewer_zone)
        return
    typer.echo(
        f"listed {result.added} · already listed {result.already} · rejected {len(result.rejected)}"
    )
    for line, why in result.rejected[:10]:
        echo(f"callq: line {line}: {why}", err=True)


@dnc_app.command("list")
@command
def dnc_list(ctx: typer.Context, format: FormatOption = Format.table) -> None:
    """The listed numbers: since when, why, by whom."""
    from rich.table import Table

    from callq.cli.render import add_row, console, print_json
    from callq.services.dnc import list_numbers
    from callq.wording import when

    settings = state(ctx).settings
    listings = list_numbers(state(ctx).open_db())
    tz, now = settings.viewer_zone, settings.now()
    if format is Format.json:
        rows = [
            {"phone": x.phone, "added_at": x.added_at, "reason": x.reason, "by": x.by}
            for x in listings
        ]
        print_json(rows, tz)
        return
    table = Table(title_justify="left")
    for column in ("Phone", "Since", "Reason", "By"):
        table.add_column(column)
    for item in listings:
        add_row(table, item.phone, when(item.added_at, tz, now), item.reason, item.by)
    console().print(table)


def _run(argv: list[str]) -> int:
    """Run a configured command (no shell), its output passing through; its exit status."""
    echo(f"running: {subprocess.list2cmdline(argv)}")
    try:
        return subprocess.run(argv, check=False).returncode  # noqa: S603  (a list, no shell)
    except OSError as error:
        fail(f"could not run {argv[0]}: {error}")
    return 1


@app.command()
@command
def dial(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id or phone number.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and print the command; run nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Call outside the lead's calling window.")
    ] = False,
    reason: Annotated[
        str, typer.Option("--reason", help="Why a forced call cannot wait (on the timeline).")
    ] = "",
    now: NowOption = None,
) -> None:
    """Dial a lead with [dial] command: refused for a do-not-call number or outside the
    lead's calling window ([compliance] call_window, in the lead's own time)."""
    from callq.services.dial import prepare_dial

    settings = state(ctx, now).settings
    db = state(ctx).open_db()
    plan = prepare_dial(
        db,
        settings.rules,
        lead,
        rep=settings.rep,
        now=settings.now(),
        force=force,
        reason=reason,
        dry_run=dry_run,
    )
    if plan.argv is None:
        echo(f"no [dial] command set: call {plan.phone} ({plan.name}) yourself")
        return
    if dry_run:
        echo(f"would run: {subprocess.list2cmdline(plan.argv)}")
        return
    code = _run(plan.argv)
    if code:
        raise typer.Exit(code)


@app.command()
@command
def message(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id or phone number.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Render and print; send and log nothing.")
    ] = False,
    now: NowOption = None,
) -> None:
    """Send the lead's next message touch (its [templates] text on its channel) and log it
    as sent; with no [channels.NAME] command the text is printed for you to send."""
    from callq.services.message import log_sent, prepare_message
    from callq.wording import logged_sentence

    settings = state(ctx, now).settings
    db = state(ctx).open_db()
    rules, rep = settings.rules, settings.rep
    prepared = prepare_message(db, rules, lead, rep=rep, now=settings.now())
    echo(f"{prepared.channel}:{prepared.template} to {prepared.name}")
    if prepared.subject:
        echo(f"subject: {prepared.subject}")
    echo(prepared.text)
    if dry_run:
        if prepared.argv:
            echo(f"would run: {subprocess.list2cmdline(prepared.argv)}")
        return
    if prepared.argv:
        code = _run(prepared.argv)
        if code:
            fail(f"the {prepared.channel} command failed (exit {code}); not logged as sent", 1)
    logged = log_sent(db, rules, prepared, rep=rep, now=settings.now())
    echo(logged_sentence(logged, settings.viewer_zone, settings.now()))


@app.command()
@command
def reopen(ctx: typer.Context, now: NowOption = None) -> None:
    """Bring leads cold for [cadence] reopen_after back to New (for cron; `callq serve`
    does it every minute). Safe to run as often as you like."""
    from callq.services.reentry import reopen_cold_leads

    settings = state(ctx, now).settings
    ids = reopen_cold_leads(state(ctx).open_db(), settings.rules, now=settings.now())
    typer.echo(f"reopened {len(ids)} cold leads" if ids else "no cold lead is due to reopen")
