"""Admin commands: init, rules check/show/simulate, doctor."""

from pathlib import Path
from typing import Annotated

import typer

from callq.cli import NowOption, app, command, fail, state

rules_app = typer.Typer(
    help="Check, show and simulate the outcome rules (callq.toml).", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")


@app.command()
@command
def init(
    path: Annotated[
        Path | None, typer.Argument(help="Where to write (default: user config dir).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write the commented default rules file (callq.toml)."""
    from callq.config.loading import write_default_config
    from callq.config.paths import user_config_file

    written = write_default_config(path or user_config_file(), force=force)
    typer.echo(f"wrote {written}")


@rules_app.command("check")
@command
def rules_check(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="Rules file (default: the one in use).")
    ] = None,
) -> None:
    """Validate a rules file; exit 2 with `file:LINE: key.path: problem` if it is wrong."""
    from callq.config.loading import load_rules

    if file is None:
        settings = state(ctx).settings
        source = settings.config_path or "the built-in default rules"
        typer.echo(f"{source}: ok ({len(settings.rules.outcomes)} outcomes)")
        return
    if not file.exists():
        fail(f"{file}: no such file")
    rules = load_rules(file)
    typer.echo(f"{file}: ok ({len(rules.outcomes)} outcomes)")


@rules_app.command("show")
@command
def rules_show(ctx: typer.Context) -> None:
    """Print the effective rules as tables."""
    from rich.table import Table

    from callq.cli.render import add_row, console, line
    from callq.rules.timeexpr import format_duration
    from callq.wording import clock

    settings = state(ctx).settings
    rules = settings.rules
    out = console()
    out.print(line(f"Rules from {settings.config_path or 'the built-in default'}"))
    out.print(
        line(
            f"Team: timezone {rules.team.timezone}, region {rules.team.region}, reps "
            f"{', '.join(rules.team.reps) or '-'}, "
            f"late after {format_duration(rules.team.late_after)}"
        )
    )
    table = Table(title="Outcomes", title_justify="left")
    for column in ("Key", "Outcome", "Label", "Connected", "Stage", "Next"):
        table.add_column(column)
    for o in rules.outcomes:
        add_row(
            table, o.key, o.id, o.label, "yes" if o.connected else "no", o.stage or "-", o.next_text
        )
    out.print(table)
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    hours = Table(title="Business hours (lead's timezone)", title_justify="left")
    hours.add_column("Day")
    hours.add_column("Open")
    for name, spans in zip(days, rules.hours.weekly, strict=True):
        add_row(hours, name, ", ".join(f"{clock(a)}-{clock(b)}" for a, b in spans) or "closed")
    out.print(hours)
    if rules.hours.holidays:
        out.print("Holidays: " + ", ".join(str(d) for d in sorted(rules.hours.holidays)))
    sla = Table(title="First-response SLA (business time)", title_justify="left")
    sla.add_column("Channel")
    sla.add_column("Target")
    for channel, target in rules.sla.by_channel.items():
        add_row(sla, channel, format_duration(target))
    sla.add_row("default", format_duration(rules.sla.default))
    sla.add_row("escalate after", format_duration(rules.sla.escalate_after))
    out.print(sla)
    from callq.cli.rota import routing_lines

    for text in routing_lines(rules):
        out.print(line(text))
    out.print(
        "Cadence: "
        + ", ".join(format_duration(t) for t in rules.cadence.touches)
        + f" (min gap {format_duration(rules.cadence.min_gap)}, then {rules.cadence.after_last})"
    )
    from callq.metrics import metrics_for

    goals = [f"{m.label}: {m.goal_text()}" for m in metrics_for(rules.goals) if m.goal]
    out.print(line("Goals: " + "; ".join(goals)))


@rules_app.command("simulate")
@command
def rules_simulate(
    ctx: typer.Context,
    outcomes: Annotated[
        str | None, typer.Option("--outcomes", help="Comma-separated outcome ids or keys.")
    ] = None,
    route: Annotated[
        bool,
        typer.Option("--route", help="Where a new lead would go: KEY=VALUE facts follow."),
    ] = False,
    facts: Annotated[
        list[str] | None,
        typer.Argument(help="With --route: source=web interest=loans urgency=high."),
    ] = None,
    source: Annotated[str, typer.Option("--source")] = "web",
    arrived: Annotated[
        str | None, typer.Option("--arrived", help="When the lead arrived (default: now).")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Simulate this rules file instead.")
    ] = None,
    lead_tz: Annotated[
        str | None,
        typer.Option(
            "--tz", help="The lead's timezone (default: the team's); shows their local times."
        ),
    ] = None,
    now: NowOption = None,
) -> None:
    """Show, call by call, what each outcome would schedule and the stage reached."""
    from rich.table import Table

    from callq.cli.render import add_row, console, line
    from callq.config.loading import load_rules
    from callq.config.settings import parse_instant
    from callq.rules.simulate import simulate
    from callq.wording import when

    settings = state(ctx, now).settings
    rules = load_rules(file) if file else settings.rules
    tz, now = settings.viewer_zone, settings.now()
    if route:
        from callq.cli.rota import print_route

        st = state(ctx)
        print_route(st, rules, facts or [], now)
        return
    if outcomes is None:
        raise typer.BadParameter("give --outcomes (or --route KEY=VALUE ...)")
    arrived_at = parse_instant(arrived, tz, what="--arrived") if arrived else now
    their = None
    if lead_tz:
        from zoneinfo import ZoneInfo

        try:
            their = ZoneInfo(lead_tz)
        except (KeyError, ValueError, OSError):
            fail(f"unknown timezone {lead_tz!r} (use an IANA name such as 'America/New_York')")
    steps = simulate(
        rules,
        source=source,
        arrived_at=arrived_at,
        outcomes=[o.strip() for o in outcomes.split(",") if o.strip()],
        tz=their,
    )
    out = console()
    out.print(
        line(
            f"A {source} lead arriving {when(arrived_at, tz, now)}: first response due "
            f"{when(steps.first_response_due, tz, now)}"
            + (f" ({when(steps.first_response_due, their, now)} their time)" if their else "")
        )
    )
    table = Table(title_justify="left")
    columns = ["Call", "At", "Outcome", "Next follow-up", "Kind", "Stage"]
    if their is not None:  # where the lead's calling window and the hours meet, in their time
        columns.insert(4, f"Their time ({lead_tz})")
    for column in columns:
        table.add_column(column)
    for number, step in enumerate(steps.calls, start=1):
        message = rules.cadence.message(step.touch) if step.next_kind == "cadence" else None
        kind = step.next_kind or "-"
        kind += f" {step.touch}/{step.touches_total}" if step.touch else ""
        if message is not None:
            kind += f" {message.channel}:{message.template}"
        cells = [
            str(number),
            when(step.call_at, tz, now),
            step.label,
            when(step.next_due_at, tz, now),
            kind,
            step.stage,
        ]
        if their is not None:
            cells.insert(4, when(step.next_due_at, their, now))
        add_row(table, *cells)
    out.print(table)


@app.command()
@command
def doctor(ctx: typer.Context) -> None:
    """Check database integrity and that every open lead has exactly one next action."""
    from callq.cli.render import echo
    from callq.services.doctor import check
    from callq.store.db import DatabaseError, open_database

    settings = state(ctx).settings
    try:
        db = open_database(settings.db_target, create=False)
        report = check(db, now=settings.now(), rules=settings.rules)
    except DatabaseError as error:
        typer.echo(f"callq doctor: {error}", err=True)
        raise typer.Exit(1) from None
    except Exception as error:  # a corrupt file must be reported, not a traceback
        if type(error).__module__.startswith(("sqlalchemy", "sqlite3", "psycopg")):
            typer.echo(f"callq doctor: the database cannot be read: {error}", err=True)
            raise typer.Exit(1) from None
        raise
    for key, value in report.facts.items():
        echo(f"{key}: {value}")
    for warning in report.warnings:
        echo(f"warning: {warning}", err=True)
    for problem in report.problems:
        echo(f"problem: {problem}", err=True)
    if not report.ok:
        raise typer.Exit(1)
    typer.echo("ok: integrity and invariant hold")
