"""`callq edit`: change a lead's name, contact details, numbers, tags and custom fields."""

from typing import Annotated

import typer

from callq.cli import NowOption, app, command, state
from callq.cli.leads import Format, FormatOption
from callq.cli.render import echo, print_json

Many = Annotated[list[str] | None, typer.Option()]


@app.command()
@command
def edit(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id or phone number.")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    company: Annotated[str | None, typer.Option("--company")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    phone_add: Annotated[
        list[str] | None,
        typer.Option("--phone-add", help="Another number of the lead's (repeatable)."),
    ] = None,
    phone_remove: Annotated[
        list[str] | None,
        typer.Option("--phone-remove", help="A number to drop (the main one: the next moves up)."),
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Add a tag (repeatable).")] = None,
    untag: Annotated[list[str] | None, typer.Option("--untag", help="Remove a tag.")] = None,
    field: Annotated[
        list[str] | None,
        typer.Option("--field", help="KEY=VALUE of a field [fields] declares; KEY= clears it."),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="phone, web, social, referral, email, other")
    ] = None,
    interest: Annotated[str | None, typer.Option("--interest")] = None,
    urgency: Annotated[str | None, typer.Option("--urgency", help="high, normal, low")] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="The lead's IANA timezone.")
    ] = None,
    format: FormatOption = Format.table,
    now: NowOption = None,
) -> None:
    """Change a lead; each change goes on its timeline with the value before and after."""
    from callq.services.edit import LeadEdit, edit_lead

    st = state(ctx, now)
    settings = st.settings
    request = LeadEdit(
        name=name,
        company=company,
        email=email,
        source=source,
        interest=interest,
        urgency=urgency,
        timezone=timezone,
        phones_add=tuple(phone_add or ()),
        phones_remove=tuple(phone_remove or ()),
        tags_add=tuple(tag or ()),
        tags_remove=tuple(untag or ()),
        fields=tuple(field or ()),
    )
    result = edit_lead(
        st.open_db(), settings.rules, lead, request, now=settings.now(), rep=settings.rep
    )
    if format is Format.json:
        print_json(result, settings.viewer_zone)
        return
    if not result.changes:
        echo(f"lead {result.lead_id}: nothing changed (already so)")
        return
    from callq.wording import edit_sentence

    for change in result.changes:
        echo(
            f"lead {result.lead_id}: {edit_sentence(change.attribute, change.before, change.after)}"
        )
