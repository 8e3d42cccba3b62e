"""Team-lead commands that decide who works what: `callq rep away|back|list`, `callq escalate`."""

from typing import Annotated

import typer

from callq.cli import NowOption, app, command, state
from callq.cli.leads import Format, FormatOption
from callq.cli.render import add_row, console, echo, print_json

rep_app = typer.Typer(
    help="Who is away: round-robin, routing and escalation skip them.", no_args_is_help=True
)
app.add_typer(rep_app, name="rep")


@rep_app.command("away")
@command
def rep_away(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The rep's name.")],
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help='Back at this time ("monday 9am", "in 3d"); default: until `rep back`.'
        ),
    ] = None,
    now: NowOption = None,
) -> None:
    """Mark a rep away: new leads and escalations go to the others meanwhile."""
    from callq.services.availability import set_away
    from callq.wording import when

    st = state(ctx, now)
    settings = st.settings
    status = set_away(st.open_db(), settings.rules, name, until=until, now=settings.now())
    back = (
        f"until {when(status.away_until, settings.viewer_zone, settings.now())}"
        if status.away_until
        else "until marked back"
    )
    echo(f"{status.name} is away {back}; {status.open_followups} open follow-ups stay theirs")


@rep_app.command("back")
@command
def rep_back(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The rep's name.")],
    now: NowOption = None,
) -> None:
    """Mark a rep available again."""
    from callq.services.availability import set_back

    st = state(ctx, now)
    status = set_back(st.open_db(), st.settings.rules, name, now=st.settings.now())
    echo(f"{status.name} is back")


@rep_app.command("list")
@command
def rep_list(
    ctx: typer.Context, format: FormatOption = Format.table, now: NowOption = None
) -> None:
    """The team: who is away (until when) and how many open follow-ups each has."""
    from rich.table import Table

    from callq.services.availability import pool_size, rep_statuses
    from callq.wording import when

    st = state(ctx, now)
    settings = st.settings
    db, at = st.open_db(), settings.now()
    statuses, pool = rep_statuses(db, settings.rules, now=at), pool_size(db)
    if format is Format.json:
        print_json({"reps": statuses, "pool": pool}, settings.viewer_zone)
        return
    table = Table(title_justify="left")
    for column in ("Rep", "Status", "Open"):
        table.add_column(column, justify="right" if column == "Open" else "left")
    for status in statuses:
        if not status.away:
            shown = "available"
        elif status.away_until is None:
            shown = "away"
        else:
            shown = f"away until {when(status.away_until, settings.viewer_zone, at)}"
        add_row(table, status.name, shown, str(status.open_followups))
    add_row(table, "(pool)", "everyone's New", str(pool))
    console().print(table)


@app.command()
@command
def escalate(
    ctx: typer.Context, format: FormatOption = Format.table, now: NowOption = None
) -> None:
    """Apply every escalation due now, once ([escalation] in the rules: flag or reassign)."""
    from callq.services.escalation import escalate_due

    st = state(ctx, now)
    settings = st.settings
    run = escalate_due(st.open_db(), settings.rules, settings.now())
    for problem in run.notify_problems:
        echo(f"callq: {problem}", err=True)
    if format is Format.json:
        print_json(
            {"escalated": run.escalated, "notify_problems": run.notify_problems},
            settings.viewer_zone,
        )
        return
    if not run.escalated:
        echo("nothing to escalate")
        return
    for item in run.escalated:
        if not item.moved:
            echo(f"#{item.lead_id} {item.name}: escalated (owner {item.from_rep or 'nobody'})")
        else:
            moved = f"{item.from_rep or 'nobody'} -> {item.to_rep or 'the pool'}"
            echo(f"#{item.lead_id} {item.name}: escalated, {moved}")
    echo(f"{len(run.escalated)} escalated")


def print_route(st, rules, facts: list[str], now) -> None:  # noqa: ANN001
    """`callq rules simulate --route source=web ...`: where the lead would go, and why,
    with the reps' availability and open follow-ups as the database has them now."""
    from callq.services.routing import simulate_route

    given = {}
    for fact in facts:
        key, sep, value = fact.partition("=")
        if not sep or key not in ("source", "interest", "urgency"):
            from callq.errors import UserError

            raise UserError(f"{fact!r}: give KEY=VALUE with KEY source, interest or urgency")
        given[key] = value
    found = simulate_route(st.open_db(), rules, given, now=now)
    for reason in found.reasons:
        echo(f"  {reason}")
    echo(f"-> {found.owner}" if found.owner else "-> nobody (unowned: the pool)")


def routing_lines(rules) -> list[str]:  # noqa: ANN001
    """`rules show`'s lines for [[routing]] and [escalation]."""
    from callq.rules.routing import describe_rule

    lines = [f"Routing #{n}: {describe_rule(rule)}" for n, rule in enumerate(rules.routing, 1)]
    esc = rules.escalation
    to = f" to {esc.to}" if esc.action == "reassign" else ""
    told = [f"{len(esc.notify)} notify URL(s)"] if esc.notify else []
    told += [f"runs {' '.join(esc.command)}"] if esc.command else []
    lines.append(f"Escalation: {esc.action}{to}" + (f"; {', '.join(told)}" if told else ""))
    return lines
