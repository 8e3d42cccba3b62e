"""Team-lead commands: report, cost, reassign, summary."""

import csv
import sys
from enum import StrEnum
from typing import Annotated

import typer

from callq.cli import NowOption, app, command, fail, state
from callq.cli.render import add_row, console, echo, line, print_json
from callq.wording import metric_table_chunks, when


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def report_json(report) -> dict:  # noqa: ANN001
    """The stable JSON of SPEC section 11 (plus `previous`, goals, speed to lead and the
    lead lists)."""
    from callq.metrics import goals_of, metrics_for

    def window(w) -> dict:  # noqa: ANN001
        return {
            "window": {"start": w.start, "end": w.end},
            "team": w.team.as_dict(),
            "by_rep": {name: m.as_dict() for name, m in w.by_rep.items()},
            "by_channel": {name: m.as_dict() for name, m in w.by_channel.items()},
        }

    def leads(rows) -> list:  # noqa: ANN001
        return [
            {
                "id": r.id,
                "name": r.name,
                "phone": r.phone,
                "source": r.source,
                "owner": r.owner,
                "created_at": r.created_at,
                "escalated_at": r.escalated_at,
            }
            for r in rows
        ]

    goals = goals_of(metrics_for(report.goals))
    return {
        **window(report.current),
        "previous": window(report.previous),
        "goals": {key: {"compare": g.compare, "target": g.target} for key, g in goals.items()},
        "speed_to_lead": report.speed_to_lead.as_dict(),
        "conversion_rate": report.conversion_rate,
        "conversion_measured": report.conversion_measured,
        "currency": report.currency,
        "unworked": leads(report.unworked),
        "escalated": leads(report.escalated),
        "touches_by_channel": report.touches_by_channel,
    }


def _print_csv(report, tz) -> None:  # noqa: ANN001
    from callq.metrics import METRIC_KEYS
    from callq.services.exporting import csv_cell

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["window", "start", "end", "scope", "name", *METRIC_KEYS])
    for label, w in (("current", report.current), ("previous", report.previous)):
        rows = [("team", "team", w.team)]
        rows += [("rep", name, m) for name, m in w.by_rep.items()]
        rows += [("channel", name, m) for name, m in w.by_channel.items()]
        for scope, name, m in rows:
            values = ["" if v is None else v for v in m.as_dict().values()]
            writer.writerow(
                [
                    label,
                    *(t.astimezone(tz).isoformat() for t in (w.start, w.end)),
                    scope,
                    csv_cell(name),
                    *values,
                ]
            )


# Rich draws a column as its text plus one space each side and one border character.
_COLUMN_EXTRA = 3


def _print_tables(report, tz, now) -> None:  # noqa: ANN001
    from rich.markup import escape
    from rich.table import Table

    from callq.metrics import metrics_for
    from callq.phones import display_phone
    from callq.visible import safe

    out = console()
    metrics = metrics_for(report.goals)
    cur, prev = report.current, report.previous
    conversion = ("n/a" if report.conversion_rate is None else f"{report.conversion_rate:.1%}") + (
        " measured, 90 days" if report.conversion_measured else " configured"
    )
    out.print(
        line(
            ("Report", "bold"),
            f" {when(cur.start, tz, now)} → {when(cur.end, tz, now)} "
            f"(previous window {when(prev.start, tz, now)} → {when(prev.end, tz, now)}) · "
            f"conversion {conversion}",
        )
    )
    if set(report.touches_by_channel) - {"call"}:  # said only once messages are in use
        touches = " · ".join(f"{ch} {n}" for ch, n in sorted(report.touches_by_channel.items()))
        out.print(line("Touches by channel: ", touches))
    # Numbers never wrap or shrink; the labels wrap when the terminal is narrow.
    team = Table(title="Team", title_justify="left")
    team.add_column("Metric", ratio=1, min_width=12)
    for column in ("Value", "Goal", "Previous", "Trend"):
        team.add_column(column, justify="right", no_wrap=True)
    now_values, before = cur.team.as_dict(), prev.team.as_dict()
    # These cells are markup (the colours of goals and trends); the currency is the rules
    # file's text, escaped so that it cannot be markup itself.
    currency = escape(safe(report.currency))
    for metric in metrics:
        value, previous = now_values[metric.key], before[metric.key]
        team.add_row(
            metric.label,
            metric.value_markup(value, currency),
            metric.goal_text(),
            metric.text(previous, currency),
            metric.trend_markup(value, previous, amount=True),
        )
    out.print(team)
    for title, groups in (("By rep", cur.by_rep), ("By channel", cur.by_channel)):
        if not groups:
            continue
        label = title.split()[-1].capitalize()
        texts, chunks = metric_table_chunks(label, groups, metrics, out.width, extra=_COLUMN_EXTRA)
        for chunk in chunks:
            table = Table(title=title, title_justify="left")
            table.add_column(label, no_wrap=True)
            for index in chunk:
                table.add_column(metrics[index].short, justify="right", no_wrap=True)
            for name, row in texts.items():
                add_row(table, name, *(row[index] for index in chunk))
            out.print(table)
    _print_speed_to_lead(out, report.speed_to_lead)
    for title, rows in (("Escalated", report.escalated), ("Unworked > 24h", report.unworked)):
        if not rows:
            continue
        table = Table(title=f"{title} ({len(rows)} shown)", title_justify="left")
        for column in ("#", "Name", "Phone", "Ch", "Owner", "Created"):
            wraps = column in ("Name", "Owner")
            table.add_column(column, no_wrap=not wraps, ratio=1 if wraps else None)
        for r in rows[:20]:
            add_row(
                table,
                str(r.id),
                r.name,
                display_phone(r.phone),
                r.source,
                r.owner or "-",
                when(r.created_at, tz, now),
            )
        out.print(table)


def _print_speed_to_lead(out, speed) -> None:  # noqa: ANN001
    """Conversion by first response and by touch, side by side when there is room."""
    from rich.columns import Columns
    from rich.table import Table

    from callq.metrics import percent

    tables = []
    for title, first, rows in (
        ("Speed to lead: by first response", "First response", speed.by_first_response),
        ("By touch", "Touch", speed.by_touch),
    ):
        table = Table(title=title, title_justify="left")
        table.add_column(first, no_wrap=True)
        for column in ("Leads", "Converted", "Rate"):
            table.add_column(column, justify="right", no_wrap=True)
        for row in rows:
            add_row(table, row.label, f"{row.leads:,}", f"{row.converted:,}", percent(row.rate))
        tables.append(table)
    out.print(Columns(tables))


@app.command()
@command
def report(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", help="Window length in days.", min=1)] = 7,
    rep: Annotated[str | None, typer.Option("--rep", help="Only this rep.")] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Only this source channel.")
    ] = None,
    format: Annotated[
        ReportFormat, typer.Option("--format", help="table, json or csv")
    ] = ReportFormat.table,
    now: NowOption = None,
) -> None:
    """Leakage metrics for [now - days, now): team, per rep, per channel, with goals and trend."""
    from callq.services.report import build_report

    st = state(ctx, now)
    settings = st.settings
    at = settings.now()
    from callq.rules.model import CHANNELS

    if channel is not None and channel not in CHANNELS:
        fail(f"unknown channel {channel!r} (use one of: {', '.join(CHANNELS)})")
    result = build_report(st.open_db(), settings.rules, now=at, days=days, rep=rep, channel=channel)
    if format is ReportFormat.json:
        print_json(report_json(result), settings.viewer_zone)
    elif format is ReportFormat.csv:
        _print_csv(result, settings.viewer_zone)
    else:
        _print_tables(result, settings.viewer_zone, at)


@app.command()
@command
def cost(
    ctx: typer.Context,
    missed_per_rep_week: Annotated[
        float | None, typer.Option("--missed-per-rep-week", help="Missed follow-ups a rep a week.")
    ] = None,
    reps: Annotated[int | None, typer.Option("--reps", help="Reps on the team.")] = None,
    conversion: Annotated[
        float | None, typer.Option("--conversion", help="Conversion rate now (0.10 or 10).")
    ] = None,
    deal_value: Annotated[
        float | None, typer.Option("--deal-value", help="Average deal value.")
    ] = None,
    cost_per_lead: Annotated[
        float | None, typer.Option("--cost-per-lead", help="What a lead costs to get.")
    ] = None,
    leads: Annotated[int | None, typer.Option("--leads", help="Leads a month.")] = None,
    target: Annotated[
        float | None, typer.Option("--target", help="Target conversion rate (0.13 or 13).")
    ] = None,
    format: Annotated[
        ReportFormat, typer.Option("--format", help="table or json")
    ] = ReportFormat.table,
) -> None:
    """What missed follow-ups cost, or what lifting conversion is worth (no data needed)."""
    from callq.metrics import conversion_uplift, missed_followup_cost, monthly_missed

    settings = state(ctx).settings
    money = settings.rules.cost
    currency = money.currency
    value = deal_value if deal_value is not None else money.avg_deal_value
    if conversion is None:
        fail("--conversion is required (e.g. --conversion 0.10)")
    conversion = _fraction(conversion, "--conversion")
    if leads is not None or target is not None:
        if leads is None or target is None:
            fail("the uplift calculator needs both --leads and --target")
        if leads < 0:
            fail("--leads cannot be negative")
        uplift = conversion_uplift(leads, conversion, _fraction(target, "--target"), value)
        result = {
            "leads_per_month": leads,
            "conversion_rate": conversion,
            "target_rate": _fraction(target, "--target"),
            "deal_value": value,
            "extra_deals_per_month": uplift.extra_deals_per_month,
            "extra_revenue_per_month": uplift.extra_revenue_per_month,
            "extra_revenue_per_year": uplift.extra_revenue_per_year,
            "currency": currency,
        }
        lines = [
            f"Lifting conversion from {conversion:.0%} to {result['target_rate']:.0%} "
            f"on {leads} leads a month at {currency} {value:,.0f} a deal:",
            f"  extra deals a month:   {uplift.extra_deals_per_month}",
            f"  extra revenue a month: {currency} {uplift.extra_revenue_per_month:,.0f}",
            f"  extra revenue a year:  {currency} {uplift.extra_revenue_per_year:,.0f}",
        ]
    else:
        if missed_per_rep_week is None or reps is None:
            fail("give --missed-per-rep-week and --reps, or --leads and --target")
        if missed_per_rep_week < 0 or reps < 0:
            fail("--missed-per-rep-week and --reps cannot be negative")
        per_lead = cost_per_lead if cost_per_lead is not None else money.cost_per_lead
        missed = monthly_missed(missed_per_rep_week, reps)
        loss = missed_followup_cost(missed, conversion, value, per_lead)
        result = {
            "missed_per_month": missed,
            "lost_deals_per_month": round(loss.lost_deals, 2),
            "lost_revenue_per_month": round(loss.lost_revenue, 2),
            "wasted_lead_spend_per_month": round(loss.wasted_lead_spend, 2),
            "total_per_month": round(loss.total, 2),
            "total_per_year": round(loss.total * 12, 2),
            "currency": currency,
        }
        lines = [
            f"{missed_per_rep_week:g} missed a rep a week x {reps} reps x 4 weeks:",
            f"  missed follow-ups a month: {missed:g}",
            f"  lost deals a month:        {loss.lost_deals:.1f}",
            f"  lost revenue a month:      {currency} {loss.lost_revenue:,.0f}",
            f"  wasted lead spend a month: {currency} {loss.wasted_lead_spend:,.0f}",
            f"  total a month:             {currency} {loss.total:,.0f}",
            f"  total a year:              {currency} {loss.total * 12:,.0f}",
        ]
    if format is ReportFormat.json:
        print_json(result, settings.viewer_zone)
    else:
        typer.echo("\n".join(lines))


def _fraction(value: float, what: str) -> float:
    """0.10 or 10 both mean 10%."""
    if value < 0 or value > 100:
        fail(f"{what} must be a rate between 0 and 1 (or a percentage up to 100)")
    return value / 100 if value > 1 else value


@app.command()
@command
def reassign(
    ctx: typer.Context,
    lead: Annotated[str | None, typer.Argument(help="Lead id or phone number.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="The rep who takes over.")] = None,
    from_rep: Annotated[
        str | None, typer.Option("--from", help="Hand off every open lead of this rep.")
    ] = None,
    now: NowOption = None,
) -> None:
    """Give a lead (or, with --from, every open lead of a rep) to another rep."""
    from callq.services.reassign import handoff, reassign_lead

    st = state(ctx, now)
    settings = st.settings
    if not to:
        fail("--to REP is required")
    if (lead is None) == (from_rep is None):
        fail("give either a LEAD or --from REP")
    at = settings.now()
    db = st.open_db()
    if lead is not None:
        moved = reassign_lead(db, settings.rules, lead, to, now=at, actor=settings.rep)
        echo(f"lead {moved.lead_id}: {moved.from_rep or '-'} → {moved.to_rep}")
    else:
        count = handoff(db, settings.rules, from_rep, to, now=at, actor=settings.rep)
        echo(f"{count} open lead{'s' if count != 1 else ''} moved from {from_rep} to {to}")


@app.command()
@command
def summary(ctx: typer.Context, days: Annotated[int, typer.Option("--days", min=1)] = 7) -> None:
    """Open the team lead's Summary screen."""
    from callq.screens.summary import run_summary

    run_summary(state(ctx).settings, days=days)
