"""Lead commands: add, log, undo, reschedule, note, show, queue."""

from enum import StrEnum
from typing import Annotated

import typer

from callq.cli import NowOption, app, command, state
from callq.cli.render import add_row, console, echo, line, print_json
from callq.wording import (
    attempt_text,
    followup_kind_text,
    logged_sentence,
    span,
    timeline_lines,
    undone_sentence,
    when,
)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", help="table for people, json for scripts")
]


@app.command()
@command
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The lead's name.")],
    phone: Annotated[
        str, typer.Option("--phone", help="Any format; national numbers use [team] region.")
    ],
    source: Annotated[
        str, typer.Option("--source", help="phone, web, social, referral, email, other")
    ] = "other",
    interest: Annotated[str, typer.Option("--interest")] = "",
    urgency: Annotated[str, typer.Option("--urgency", help="high, normal, low")] = "normal",
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Default: you (--rep, CALLQ_REP, [team] me); without a rep, or with "
            "'round-robin', the next of [team] reps.",
        ),
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="The lead's timezone (default: the team's).")
    ] = None,
    email: Annotated[str, typer.Option("--email")] = "",
    company: Annotated[str, typer.Option("--company")] = "",
    note: Annotated[str, typer.Option("--note")] = "",
    format: FormatOption = Format.table,
    now: NowOption = None,
) -> None:
    """Add one lead; its first-response follow-up is due at its SLA deadline."""
    from callq.services.leads import NewLead, add_lead, show_lead

    st = state(ctx, now)
    settings = st.settings
    new = NewLead(
        name=name,
        phone=phone,
        source=source,
        interest=interest,
        urgency=urgency,
        owner=owner,
        timezone=tz,
        email=email,
        company=company,
        note=note,
    )
    db = st.open_db(brings_leads=True)
    added = add_lead(
        db, settings.rules, new, now=settings.now(), rep=settings.rep, adder_owns=settings.rep_given
    )
    if format is Format.json:
        detail = show_lead(db, settings.rules, str(added.lead_id), now=settings.now())
        print_json(
            {**_lead_json(detail)["lead"], "merged": added.merged, "reopened": added.reopened},
            settings.viewer_zone,
        )
        return
    typer.echo(added.lead_id)
    if added.merged:
        what = "reopened it" if added.reopened else "added the inquiry to its timeline"
        owner = added.owner or "no owner"
        lead = f"lead {added.lead_id}, {added.name} ({owner})"
        echo(f"callq: this number is {lead}; {what}", err=True)


@app.command()
@command
def log(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id or phone number.")],
    outcome: Annotated[str, typer.Argument(help="Outcome id (no_answer) or key (1).")],
    note: Annotated[str, typer.Option("--note")] = "",
    callback: Annotated[
        str | None,
        typer.Option(
            "--callback", help="When to call next: 'tomorrow 3pm', 'in 2h', '2bd@11:00'..."
        ),
    ] = None,
    their_time: Annotated[
        bool, typer.Option("--their-time", help="--callback is in the lead's timezone.")
    ] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="When the call happened (default: now).")
    ] = None,
    override: Annotated[
        bool, typer.Option("--override", help="Log even if another rep holds the lead.")
    ] = False,
    format: FormatOption = Format.table,
    now: NowOption = None,
) -> None:
    """Record a call's outcome and schedule what follows (exactly as the TUI does)."""
    from callq.config.settings import parse_instant
    from callq.services.outcomes import log_outcome

    st = state(ctx, now)
    settings = st.settings
    call_at = parse_instant(at, settings.viewer_zone, what="--at") if at else None
    db, clock = st.open_db(), settings.now()
    typed = callback is not None and callback.strip()
    chosen = _read_callback(db, settings, lead, callback, their_time, clock) if typed else None
    result = log_outcome(
        db,
        settings.rules,
        lead,
        outcome,
        rep=settings.rep,
        now=clock,
        at=call_at,
        note=note,
        callback=chosen.at if chosen else callback,
        their_time=their_time,
        override_claim=override,
    )
    if format is Format.json:
        print_json(result, settings.viewer_zone)
    else:
        echo(f"{result.lead_name}: {logged_sentence(result, settings.viewer_zone, clock)}")
    _warn(chosen)


@app.command()
@command
def undo(ctx: typer.Context, format: FormatOption = Format.table, now: NowOption = None) -> None:
    """Undo your last logged outcome (within 10 minutes)."""
    from callq.services.outcomes import undo_last_outcome

    st = state(ctx, now)
    settings = st.settings
    result = undo_last_outcome(st.open_db(), settings.rules, rep=settings.rep, now=settings.now())
    if format is Format.json:
        print_json(result, settings.viewer_zone)
    else:
        echo(undone_sentence(result))


@app.command()
@command
def reschedule(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id or phone number.")],
    expr: Annotated[str, typer.Argument(help="'tomorrow 3pm', 'in 2h', 'fri 10:30', '2bd'...")],
    note: Annotated[str, typer.Option("--note")] = "",
    their_time: Annotated[bool, typer.Option("--their-time")] = False,
    now: NowOption = None,
) -> None:
    """Move the lead's open follow-up."""
    from callq.services.leads import reschedule as reschedule_lead

    st = state(ctx, now)
    settings = st.settings
    db, clock = st.open_db(), settings.now()
    chosen = _read_callback(db, settings, lead, expr, their_time, clock)
    lead_id, due = reschedule_lead(
        db, settings.rules, lead, chosen.at, now=clock, rep=settings.rep, note=note
    )
    typer.echo(f"lead {lead_id}: next follow-up {when(due, settings.viewer_zone, clock)}")
    _warn(chosen)


def _read_callback(db, settings, lead: str, text: str, their_time: bool, now):  # noqa: ANN001, ANN202
    """The typed time read first, as the TUI's time field does, for its warning."""
    from callq.services.callback import read_callback

    return read_callback(
        db, settings.rules, lead, text, rep=settings.rep, now=now, their_time=their_time
    )


def _warn(chosen) -> None:  # noqa: ANN001
    """A time outside business hours is kept as typed, with a line on stderr (exit 0)."""
    if chosen is not None and chosen.warning:
        echo(f"callq: warning: {chosen.warning}", err=True)


@app.command()
@command
def note(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id or phone number.")],
    text: Annotated[str, typer.Argument(help="The note.")],
    now: NowOption = None,
) -> None:
    """Add a note to a lead's timeline."""
    from callq.services.leads import add_note

    st = state(ctx, now)
    settings = st.settings
    lead_id = add_note(
        st.open_db(), settings.rules, lead, text, now=settings.now(), rep=settings.rep
    )
    typer.echo(f"lead {lead_id}: note added")


def _lead_json(detail) -> dict:  # noqa: ANN001
    lead = detail.lead
    return {
        "lead": {
            "id": lead.id,
            "name": lead.name,
            "phone": lead.phone,
            "source": lead.source,
            "stage": lead.stage,
            "owner": lead.owner,
            "timezone": lead.timezone,
            "timezone_guessed": lead.timezone_guessed,
            "created_at": lead.created_at,
            "first_touch_at": lead.first_touch_at,
            "company": lead.company,
            "email": lead.email,
            "interest": lead.interest,
            "urgency": lead.urgency,
            "other_phones": list(lead.other_phones),
            "tags": list(lead.tags),
            "fields": dict(lead.fields),
            "escalated_at": lead.escalated_at,
            "sla_deadline": detail.sla_deadline,
            "calls": detail.calls,
            "attempt": detail.attempt,
            "attempts_total": detail.attempts_total,
            "escalated": detail.escalated,
        },
        "open_followup": (
            {
                "due_at": detail.open_followup.due_at,
                "kind": detail.open_followup.kind,
                "owner": detail.open_followup.owner,
                "touch": detail.open_followup.touch,
                "section": detail.section,
            }
            if detail.open_followup
            else None
        ),
        "timeline": [
            {"at": e.at, "type": e.type, "rep": e.rep, **e.detail} for e in detail.timeline
        ],
    }


@app.command()
@command
def show(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id or phone number.")],
    format: FormatOption = Format.table,
) -> None:
    """A lead, its open follow-up and its timeline (newest first)."""
    from callq.phones import display_phone
    from callq.services.leads import show_lead

    st = state(ctx)
    settings = st.settings
    tz, now = settings.viewer_zone, settings.now()
    detail = show_lead(st.open_db(), settings.rules, lead, now=now)
    if format is Format.json:
        print_json(_lead_json(detail), tz)
        return
    out = console()
    lv = detail.lead
    out.print(line((lv.name, "bold"), f"  {display_phone(lv.phone)}   #{lv.id}"))
    out.print(
        line(
            f"{lv.company or '-'} · {lv.source} · {lv.stage} · owner {lv.owner or '-'} · "
            f"urgency {lv.urgency} · calls {detail.calls}"
        )
    )
    out.print(
        line(f"timezone {lv.timezone}" + (" (the team's: a guess)" if lv.timezone_guessed else ""))
    )
    if lv.tags or lv.fields:
        custom = [f"tags {', '.join(lv.tags)}"] if lv.tags else []
        out.print(line(" · ".join(custom + [f"{k} {v}" for k, v in lv.fields.items()])))
    fu = detail.open_followup
    next_line = (
        f"next: {when(fu.due_at, tz, now)} ({followup_kind_text(fu.kind)})"
        if fu
        else "next: none (closed)"
    )
    out.print(line(next_line))
    out.print("")
    for text in timeline_lines(detail.timeline, tz, now):
        out.print(line(f"  {text}"))


@app.command()
@command
def queue(
    ctx: typer.Context,
    rep: Annotated[str | None, typer.Option("--rep", help="Whose queue (default: yours).")] = None,
    all_reps: Annotated[bool, typer.Option("--all", help="Everyone's open follow-ups.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Rows per section (0: all).")] = 50,
    format: FormatOption = Format.table,
    now: NowOption = None,
) -> None:
    """Who to call: New, Overdue, Due today, Upcoming (earliest deadline first)."""
    from callq.services.queue import SECTION_TITLES, SECTIONS, QueueReader

    st = state(ctx, now)
    settings = st.settings
    now, tz = settings.now(), settings.viewer_zone
    owner = None if all_reps else (rep or settings.rep)
    reader = QueueReader(st.open_db(), settings.rules, rep=owner, now=now)
    items = reader.all(limit_per_section=limit or None)
    if format is Format.json:
        print_json(
            [
                {
                    "lead_id": i.lead_id,
                    "name": i.name,
                    "phone": i.phone,
                    "company": i.company,
                    "source": i.source,
                    "stage": i.stage,
                    "owner": i.owner,
                    "section": i.section,
                    "due_at": i.due_at,
                    "kind": i.kind,
                    "channel": i.channel,
                    "touch": i.touch,
                    "touches_total": i.touches_total,
                    "late_minutes": i.late_minutes,
                    "urgency": i.urgency,
                    "last_outcome": i.last_outcome,
                    "last_note": i.last_note,
                    "escalated": i.escalated,
                }
                for i in items
            ],
            tz,
        )
        return
    from rich.table import Table

    from callq import phones
    from callq.config import paths

    phones.load_display_cache(paths.phone_display_cache())  # the app's: no library to load
    counts = reader.counts()
    out = console()
    who = "everyone" if owner is None else owner
    out.print(
        line(
            (f"Queue of {who}", "bold"),
            f" at {when(now, tz, now)} — "
            + " · ".join(f"{SECTION_TITLES[s]} {counts[s]}" for s in SECTIONS),
        )
    )
    for section in SECTIONS:
        rows = [i for i in items if i.section == section]
        if not rows:
            continue
        table = Table(
            title=f"{SECTION_TITLES[section]} ({counts[section]})",
            title_justify="left",
            expand=False,
        )
        for column in (
            "#",
            "Name",
            "Phone",
            "Company",
            "Ch",
            "Stage",
            "Attempt",
            "Due",
            "Late",
            "Last",
        ):
            table.add_column(column, no_wrap=column in ("Phone", "Due"))
        for i in rows:
            late = span(i.late_minutes) if i.late_minutes else ""
            if i.escalated:
                late = line((f"{late} ESC", "red"))
            elif section == "new" and i.late_minutes:
                late = line((late, "red"))
            add_row(
                table,
                str(i.lead_id),
                i.name,
                phones.display_phone(i.phone),
                i.company,
                f"✉{i.channel}" if i.channel else i.source,
                i.stage,
                attempt_text(i.touch, i.touches_total),
                when(i.due_at, tz, now),
                late,
                _cut(i.last_text(), 32),
            )
        out.print(table)


def _cut(text: str, width: int) -> str:
    """A table cell that stays one line: a long note ends in `…`."""
    return text if len(text) <= width else text[: width - 1] + "…"
