"""`callq demo`: build the demo database in its own file, then open it (or print the queue)."""

from typing import Annotated

import typer

from callq.cli import app, command, state


@app.command()
@command
def demo(
    ctx: typer.Context,
    leads: Annotated[int, typer.Option("--leads", help="How many leads.", min=0)] = 300,
    calls: Annotated[
        int | None,
        typer.Option("--calls", help="How many calls in the history (default 4 a lead).", min=0),
    ] = None,
    no_tui: Annotated[
        bool,
        typer.Option("--no-tui", help="Print the demo rep's queue instead of opening the app."),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same demo.")] = 7,
) -> None:
    """Build a demo database (weeks of history up to now) in its own file and open it.

    An earlier demo file is replaced; a file with real leads never is.
    """
    import dataclasses

    from callq.config.paths import demo_db_path
    from callq.demo.build import build_demo

    st = state(ctx)
    base = st.settings
    target = st.options["db"] or str(demo_db_path())
    now = base.now()
    stats = build_demo(target, base.rules, now=now, leads=leads, calls=calls, seed=seed)
    settings = dataclasses.replace(base, db_target=stats.target, rep=stats.first_rep)
    st._settings = settings  # every later step of this command works on the demo
    typer.echo(
        f"demo: {stats.leads} leads, {stats.calls} calls, {len(stats.reps)} reps "
        f"({', '.join(stats.reps)}) in {stats.target} ({stats.seconds:.1f} s); you are "
        f"{stats.first_rep}"
    )
    if not no_tui:
        try:
            from callq.app import has_terminal, run_app
        except ImportError:
            typer.echo("(the terminal UI is not in this build yet: here is the queue)", err=True)
        else:
            if has_terminal():
                run_app(settings)
                return
            # `callq demo > file`, a script: the queue it would have opened, printed.
    from callq.cli.leads import Format, queue

    queue(ctx, rep=stats.first_rep, all_reps=False, limit=10, format=Format.table)
