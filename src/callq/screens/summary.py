"""The team lead's Summary screen: SPEC 7 figures, daily trends, speed to lead, escalated and
unworked leads (reassigned from here after a confirmation)."""

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from callq.config.settings import Settings
from callq.errors import UserError
from callq.metrics import METRIC, metrics_for, percent
from callq.phones import display_phone
from callq.screens.keys import key_label
from callq.services.report import DayPoint, LeadRow, Report, build_report, daily_trend
from callq.store.db import Database
from callq.visible import safe
from callq.wording import metric_table_chunks, when

# A DataTable cell is its text and one space each side; the tables' margins (0 1 1 1).
_CELL_EXTRA = 2
_TABLE_MARGIN = 2


class RepPicker(ModalScreen[str | None]):
    """Pick the rep who takes the lead over; dismisses the name (None: cancelled)."""

    DEFAULT_CSS = """
    RepPicker { align: center middle; }
    RepPicker > Vertical { width: 44; height: auto; max-height: 20; border: thick $accent;
                           background: $surface; padding: 0 1; }
    RepPicker OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_rep")]

    def __init__(self, lead_name: str, reps: list[str], current: str | None) -> None:
        super().__init__()
        self.lead_name, self.reps, self.current = lead_name, reps, current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(safe(f"Reassign {self.lead_name} (now {self.current or '-'}) to:")))
            yield OptionList(
                *(
                    Option(Text(safe(name)), id=name, disabled=name == self.current)
                    for name in self.reps
                ),
                id="reps",
            )
            yield Label("enter choose · esc cancel", classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmReassign(ModalScreen[bool]):
    """ "Reassign NAME from A to B?": dismisses True (enter or y) or False (esc or n)."""

    DEFAULT_CSS = """
    ConfirmReassign { align: center middle; }
    ConfirmReassign > Vertical { width: 56; height: auto; border: thick $warning;
                                 background: $surface; padding: 0 1; }
    """
    BINDINGS = [
        Binding("enter,y", "answer(True)", "Reassign", id="confirm_reassign"),
        Binding("escape,n", "answer(False)", "Cancel", id="cancel_reassign"),
    ]

    def __init__(self, lead: "LeadRow", to_rep: str) -> None:
        super().__init__()
        self.lead, self.to_rep = lead, to_rep

    def question(self) -> str:
        lead = self.lead
        return f"Reassign {lead.name} (#{lead.id}) from {lead.owner or 'nobody'} to {self.to_rep}?"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(safe(self.question())), id="question")
            yield Label("enter reassign · esc cancel", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class SummaryHelp(ModalScreen[None]):
    """The Summary's keys, from its own bindings."""

    DEFAULT_CSS = """
    SummaryHelp { align: center middle; }
    SummaryHelp > Vertical { width: 50; height: auto; border: thick $accent;
                             background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="close_summary_help")]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Summary keys", classes="section")
            yield Static(Text("\n".join(f"{key:>7}  {what}" for key, what in self.keys)))
            yield Label("esc close", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)


class SummaryScreen(Screen[None]):
    """Computed in a thread worker, so the screen paints at once and never blocks."""

    DEFAULT_CSS = """
    SummaryScreen #status { height: 1; color: $text-muted; padding: 0 1; }
    SummaryScreen DataTable { height: auto; max-height: 16; margin: 0 1 1 1; }
    SummaryScreen .section { text-style: bold; padding: 0 1; }
    SummaryScreen #trends { height: 4; margin: 0 1 1 1; }
    SummaryScreen #trends > Vertical { width: 1fr; padding: 0 1; }
    SummaryScreen Sparkline { height: 2; }
    SummaryScreen #speed { height: auto; }
    SummaryScreen #speed DataTable { width: 1fr; }
    SummaryScreen .chunks { height: auto; }
    """
    BINDINGS = [
        Binding("r", "reassign", "Reassign lead", id="summary_reassign"),
        Binding("g,s", "refresh", "Refresh", id="summary_refresh"),
        Binding("escape", "close", "Back", id="summary_back"),
        Binding("question_mark", "summary_help", "Help", id="summary_help"),
        Binding("q", "app.quit", "Quit", id="summary_quit"),
    ]

    class Loaded(Message):
        def __init__(self, report: Report) -> None:
            super().__init__()
            self.report = report

    class TrendLoaded(Message):
        def __init__(self, trend: list[DayPoint]) -> None:
            super().__init__()
            self.trend = trend

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, settings: Settings, *, days: int = 7, db: Database | None = None) -> None:
        super().__init__()
        self.settings, self.days, self._db = settings, days, db
        self.report: Report | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = getattr(self.app, "db", None)
        if self._db is None:
            from callq.store.db import open_database

            self._db = open_database(self.settings.db_target)
        return self._db

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Computing the summary…", id="status")
            yield Static("Team", classes="section")
            yield DataTable(id="team", cursor_type="none", zebra_stripes=True)
            with Horizontal(id="trends"):
                with Vertical():
                    yield Label("Median first response, daily", id="trend_fr_label")
                    yield Sparkline([], id="trend_fr")
                with Vertical():
                    yield Label("Missed follow-ups, daily", id="trend_missed_label")
                    yield Sparkline([], id="trend_missed")
            # Each group's table, split into as many as the width needs (no number cut):
            # #by_rep, #by_rep_2, ... (`_fill_groups`).
            yield Static("By rep", classes="section")
            with Vertical(id="by_rep_tables", classes="chunks"):
                yield DataTable(id="by_rep", cursor_type="none")
            yield Static("By channel", classes="section")
            with Vertical(id="by_channel_tables", classes="chunks"):
                yield DataTable(id="by_channel", cursor_type="none")
            yield Static(
                "Speed to lead: conversion (qualified or won) by first response and by touch",
                classes="section",
            )
            with Horizontal(id="speed"):
                yield DataTable(id="speed_response", cursor_type="none")
                yield DataTable(id="speed_touch", cursor_type="none")
            yield Static("Escalated (r: reassign)", classes="section")
            yield DataTable(id="escalated", cursor_type="row")
            yield Static("Unworked > 24h (r: reassign)", classes="section")
            yield DataTable(id="unworked", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        team = self.query_one("#team", DataTable)
        for key, label in (
            ("metric", "Metric"),
            ("value", "Value"),
            ("goal", "Goal"),
            ("previous", "Previous"),
            ("trend", "Trend"),
        ):
            team.add_column(label, key=key)
        for table_id, first in (("speed_response", "First response"), ("speed_touch", "Touch")):
            table = self.query_one(f"#{table_id}", DataTable)
            for key, label in (("label", first), ("leads", "Leads"), ("converted", "Conv"),
                               ("rate", "Rate")):  # fmt: skip
                table.add_column(label, key=key)
        for table_id in ("escalated", "unworked"):
            table = self.query_one(f"#{table_id}", DataTable)
            for key, label in (
                ("id", "#"),
                ("name", "Name"),
                ("phone", "Phone"),
                ("source", "Ch"),
                ("owner", "Owner"),
                ("created", "Created"),
            ):
                table.add_column(label, key=key)
        self.action_refresh()

    # -- loading ---------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.query_one("#status", Static).update("Computing the summary…")
        self.compute(self.settings.now())

    @work(thread=True, exclusive=True, group="summary")
    def compute(self, now: datetime) -> None:
        """Runs off the UI thread; talks to the screen only by message. The figures go out
        as soon as they are ready; the daily trend (a quarter as long again) follows."""
        rules = self.settings.rules
        try:
            self.post_message(self.Loaded(build_report(self.db, rules, now=now, days=self.days)))
            self.post_message(
                self.TrendLoaded(daily_trend(self.db, rules, now=now, days=self.days))
            )
        except UserError as error:
            self.post_message(self.Failed(str(error)))

    def on_summary_screen_failed(self, message: Failed) -> None:
        self.query_one("#status", Static).update(Text(safe(message.error), style="red"))

    def on_summary_screen_loaded(self, message: Loaded) -> None:
        self.report = message.report
        self._show(message.report)

    def on_summary_screen_trend_loaded(self, message: TrendLoaded) -> None:
        trend = message.trend
        self.query_one("#trend_fr", Sparkline).data = [
            p.median_first_response_minutes or 0.0 for p in trend
        ]
        self.query_one("#trend_missed", Sparkline).data = [float(p.missed_followups) for p in trend]
        last = trend[-1] if trend else None
        if last is not None:
            minutes = METRIC["median_first_response_minutes"]
            self.query_one("#trend_fr_label", Label).update(
                "Median first response, daily "
                f"(last: {minutes.text(last.median_first_response_minutes)} min)"
            )
            self.query_one("#trend_missed_label", Label).update(
                f"Missed follow-ups, daily (last: {last.missed_followups})"
            )

    def _show(self, report: Report) -> None:
        tz = self.settings.viewer_zone
        cur = report.current
        now = cur.end  # the current window ends at the `now` the report was read at
        conversion = "n/a" if report.conversion_rate is None else f"{report.conversion_rate:.0%}"
        self.query_one("#status", Static).update(
            Text(
                f"{when(cur.start, tz, now)} → {when(now, tz, now)} · conversion {conversion} · "
                f"leakage in {safe(report.currency)}"
            )
        )
        team = self.query_one("#team", DataTable)
        team.clear()
        now_values, before = cur.team.as_dict(), report.previous.team.as_dict()
        for metric in metrics_for(report.goals):
            value, previous = now_values[metric.key], before[metric.key]
            team.add_row(
                metric.label,
                metric.value_markup(value),
                metric.goal_text(),
                metric.text(previous),
                metric.trend_markup(value, previous, amount=True),
                key=metric.key,
            )
        self._fill_groups(report)
        speed = report.speed_to_lead
        for table_id, rows in (
            ("speed_response", speed.by_first_response),
            ("speed_touch", speed.by_touch),
        ):
            table = self.query_one(f"#{table_id}", DataTable)
            table.clear()
            for row in rows:
                table.add_row(
                    row.label, f"{row.leads:,}", f"{row.converted:,}", percent(row.rate),
                    key=row.label,
                )  # fmt: skip
        self._fill_leads("escalated", report.escalated)
        self._fill_leads("unworked", report.unworked)

    def _fill_groups(self, report: Report) -> None:
        """By rep and by channel, one row each, the metrics split over as many tables as
        the width needs, as the CLI's report splits its tables: a number is never cut."""
        current = report.current
        metrics = metrics_for(report.goals)  # the team table's list, as the CLI's
        for group_id, label, groups in (
            ("by_rep", "Rep", current.by_rep),
            ("by_channel", "Channel", current.by_channel),
        ):
            container = self.query_one(f"#{group_id}_tables", Vertical)
            room = (container.size.width or self.app.size.width) - _TABLE_MARGIN
            texts, chunks = metric_table_chunks(label, groups, metrics, room, extra=_CELL_EXTRA)
            tables = list(container.query(DataTable))
            for index, chunk in enumerate(chunks):
                if index < len(tables):
                    table = tables[index]
                    table.clear(columns=True)
                else:
                    table = DataTable(id=f"{group_id}_{index + 1}", cursor_type="none")
                    container.mount(table)
                table.add_column(label, key="name")
                for column in chunk:
                    table.add_column(metrics[column].short, key=metrics[column].key)
                for name, row in texts.items():
                    table.add_row(Text(safe(name)), *(row[column] for column in chunk), key=name)
            for extra in tables[len(chunks) :]:
                extra.remove()

    def on_resize(self) -> None:
        if self.report is not None:  # the tables' split follows the width
            self._fill_groups(self.report)

    def _fill_leads(self, table_id: str, rows: tuple[LeadRow, ...]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear()
        tz, now = self.settings.viewer_zone, self.settings.now()
        for row in rows:
            table.add_row(
                str(row.id),
                Text(safe(row.name)),
                display_phone(row.phone),  # as the queue writes numbers
                *(Text(safe(cell)) for cell in (row.source, row.owner or "-")),
                when(row.created_at, tz, now),
                key=str(row.id),
            )

    # -- reassigning -------------------------------------------------------------------

    def selected_lead(self) -> LeadRow | None:
        """The lead under the cursor of the focused list (escalated, else unworked)."""
        if self.report is None:
            return None
        focused = self.focused if isinstance(self.focused, DataTable) else None
        order = ["escalated", "unworked"]
        if focused is not None and focused.id in order:
            order.remove(focused.id)
            order.insert(0, focused.id)
        for table_id in order:
            table = self.query_one(f"#{table_id}", DataTable)
            if table.row_count:
                rows = self.report.escalated if table_id == "escalated" else self.report.unworked
                lead_id = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
                return next((r for r in rows if r.id == lead_id), None)
        return None

    @work(exclusive=True, group="reassign")
    async def action_reassign(self) -> None:
        """Pick the rep, confirm (naming the lead and both owners), then reassign."""
        from callq.services.reassign import rep_choices

        lead = self.selected_lead()
        if lead is None:
            self.notify("No escalated or unworked lead to reassign.", severity="warning")
            return
        reps = rep_choices(self.db, self.settings.rules)
        rep = await self.app.push_screen_wait(RepPicker(lead.name, reps, lead.owner))
        if rep and await self.app.push_screen_wait(ConfirmReassign(lead, rep)):
            self.reassign(lead, rep)

    def action_summary_help(self) -> None:
        keys = [
            (key_label(binding.key.split(",")[0]), binding.description)
            for binding in self.BINDINGS
            if isinstance(binding, Binding)
        ]
        self.app.push_screen(SummaryHelp(keys))

    def reassign(self, lead: LeadRow, rep: str) -> None:
        from callq.services.reassign import reassign_lead

        try:
            moved = reassign_lead(
                self.db,
                self.settings.rules,
                lead.id,
                rep,
                now=self.settings.now(),
                actor=self.settings.rep,
            )
        except UserError as error:
            self.notify(safe(error), severity="error", markup=False)
            return
        self.notify(safe(f"{lead.name}: {moved.from_rep or '-'} → {moved.to_rep}"), markup=False)
        changed = getattr(self.app, "data_changed", None)
        if callable(changed):
            changed()
        self.action_refresh()

    def action_close(self) -> None:
        """Back to the queue; `callq summary` (this screen alone) quits."""
        if isinstance(self.app, SummaryApp):
            self.app.exit()
        else:
            self.app.pop_screen()


class SummaryApp(App[None]):
    """`callq summary` on its own: just this screen."""

    TITLE = "callq summary"

    def __init__(self, settings: Settings, *, days: int = 7, db: Database | None = None) -> None:
        super().__init__()
        self.settings, self.days, self._db = settings, days, db

    def on_mount(self) -> None:
        self.push_screen(SummaryScreen(self.settings, days=self.days, db=self._db))


def run_summary(settings: Settings, *, days: int = 7) -> None:
    SummaryApp(settings, days=days).run()
