"""Team commands: claim a lead, take the next free one."""

from typing import Annotated

import typer

from callq.cli import NowOption, app, command, fail, state
from callq.cli.render import echo


@app.command()
@command
def claim(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id or phone number.")],
    release: Annotated[bool, typer.Option("--release", help="Give the lead back.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Take it even if someone holds it.")
    ] = False,
    now: NowOption = None,
) -> None:
    """Hold a lead for a few minutes so nobody else calls it meanwhile."""
    from callq.services.claims import claim_lead, release_claim
    from callq.wording import when

    st = state(ctx, now)
    settings = st.settings
    if release:
        released = release_claim(
            st.open_db(), settings.rules, lead, rep=settings.rep, now=settings.now()
        )
        if not released:
            fail(f"{lead} is not held by you ({settings.rep}); nothing was released")
        echo(f"released {lead}")
        return
    held = claim_lead(
        st.open_db(), settings.rules, lead, rep=settings.rep, now=settings.now(), force=force
    )
    echo(
        f"{held.lead_name} (#{held.lead_id}) is yours until "
        f"{when(held.until, settings.viewer_zone, settings.now())}"
    )


@app.command("next")
@command
def next_command(ctx: typer.Context, now: NowOption = None) -> None:
    """Claim the top of your queue that nobody else holds and print its id."""
    from callq.services.claims import next_lead

    st = state(ctx, now)
    settings = st.settings
    held = next_lead(st.open_db(), settings.rules, rep=settings.rep, now=settings.now())
    if held is None:
        typer.echo("callq: your queue is empty", err=True)
        raise typer.Exit(1)
    typer.echo(held.lead_id)
