"""`callq serve` (leads in over HTTP, events out) and `callq hooks run|status|drop`."""

import os
from typing import Annotated

import typer

from callq.cli import app, command, state

hooks_app = typer.Typer(
    help="Deliver the events waiting for the [[hooks]], or show what is pending.",
    no_args_is_help=True,
)
app.add_typer(hooks_app, name="hooks")


@app.command()
@command
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
) -> None:
    """Receive leads over HTTP (POST /leads) and deliver events to the [[hooks]].

    Needs a bearer token: CALLQ_INTAKE_TOKEN, or [intake] token_file (mode 0600).
    """
    from callq.serve.runner import intake_token  # Starlette and uvicorn: only here

    st = state(ctx)
    settings = st.settings
    token = intake_token(settings.rules, os.environ)
    db = st.open_db(brings_leads=True)
    from callq.serve.runner import serve as run_server

    run_server(
        db,
        settings.rules,
        rep=settings.rep,
        token=token,
        now=settings.now,
        host=host,
        port=port,
    )


@hooks_app.command("run")
@command
def hooks_run(ctx: typer.Context) -> None:
    """Deliver every event that is due now, then exit (for cron)."""
    from callq.services.hooks import DeliveryLock, Sender, chores, deliver_all

    settings = state(ctx).settings
    db = state(ctx).open_db()
    lock, sender = DeliveryLock(db), Sender()
    if not lock.acquire():
        typer.echo("another callq process (serve or hooks run) is delivering; nothing to do")
        return
    try:
        chores(db, settings.rules, now=settings.now())
        done = deliver_all(db, settings.rules, sender, now=settings.now)
    finally:
        sender.close()
        lock.release()
    typer.echo(f"delivered {done.delivered}, failed {done.failed} (retried later)")


@hooks_app.command("status")
@command
def hooks_status(ctx: typer.Context) -> None:
    """Pending and failing events per hook, with the last error."""
    from callq.cli.render import add_row, cell, console, echo
    from callq.services.hooks import hooks_status as read_status
    from callq.wording import when

    settings = state(ctx).settings
    db = state(ctx).open_db()
    status = read_status(db, settings.rules)
    tz, now = settings.viewer_zone, settings.now()
    if not status.configured:
        echo("no [[hooks]] in the rules file")
    if not status.hooks:
        echo("nothing pending: every event was delivered")
        return
    from rich.table import Table

    table = Table("hook", "pending", "failing", "failing since", "next try", "last error")
    gone = set(status.unconfigured)
    for item in status.hooks:
        add_row(
            table,
            item.hook,
            str(item.pending),
            str(item.failing),
            when(item.oldest_failure, tz, now) if item.oldest_failure else "-",
            # Nothing delivers a removed hook's events: no next try.
            "hook no longer configured"
            if item.hook in gone
            else when(item.next_attempt_at, tz, now)
            if item.next_attempt_at
            else "-",
            cell(item.last_error or "-", "red" if item.last_error else ""),
        )
    console().print(table)
    for name in status.unconfigured:
        echo(
            f"hook {name!r} is no longer in the rules file: its events wait, undelivered; "
            f"`callq hooks drop --hook {name}` discards them"
        )


@hooks_app.command("drop")
@command
def hooks_drop(
    ctx: typer.Context,
    hook: Annotated[str, typer.Option("--hook", help="The hook whose waiting events go.")],
    force: Annotated[
        bool, typer.Option("--force", help="Also for a hook still in the rules file.")
    ] = False,
) -> None:
    """Discard the undelivered events of a hook (one removed from the rules file)."""
    from callq.cli.render import echo
    from callq.services.hooks import drop_events

    settings = state(ctx).settings
    dropped = drop_events(state(ctx).open_db(), settings.rules, hook, force=force)
    echo(f"dropped {dropped} undelivered event(s) of hook {hook!r}")
