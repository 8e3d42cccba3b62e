"""The call: a lead large on screen, its local time, SLA status, call timer and full timeline."""

import time
from datetime import datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Digits, Static

from callq.phones import display_phone
from callq.rules.hours import is_open, zone
from callq.screens.actions import LeadActions, Target
from callq.screens.keys import FIRST_ACTIONS, bindings
from callq.screens.outcome import OutcomeForm
from callq.services import leads
from callq.services.views import LeadDetail
from callq.visible import clipped, safe
from callq.widgets.footer import SteadyFooter
from callq.widgets.legend import OutcomeLegend
from callq.wording import (
    attempt_text,
    clock,
    followup_kind_text,
    span,
    timeline_lines,
    weekday_clock,
    when,
)

SHORT_TERMINAL = 30  # rows: below this the number is not drawn in big digits


class LeadScreen(LeadActions):
    # The outcome keys and the form openers act as they arrive (priority): in a burst
    # (`r` + a time + a note, `1` + a note + enter) the keys behind them find the form.
    BINDINGS = bindings("lead", "lead_only", outcomes_first=True)

    def __init__(self, lead_id: int) -> None:
        super().__init__()
        self.lead_id = lead_id
        self.detail: LeadDetail | None = None
        self.timer_start = time.monotonic()
        self.started_at: datetime | None = None
        self.do_not_call: str | None = None  # why the lead's number may not be called

    def compose(self) -> ComposeResult:
        with Horizontal(id="lead-top"):
            with Vertical(id="lead-id"):
                yield Static("", id="lead-name")
                yield Digits("", id="lead-phone")
                yield Static("", id="lead-local")
            yield Static("", id="call-timer")
        yield Static("", id="lead-facts")
        yield OutcomeLegend(self.app.settings.rules.outcomes, id="legend")
        with VerticalScroll(id="timeline-box"):
            yield Static("", id="timeline")
        yield OutcomeForm()
        yield SteadyFooter(overlay=OutcomeForm)

    def on_mount(self) -> None:
        self.started_at = self.app.settings.now()
        self.claim()
        self.reload()
        if self.app.live:
            self.set_interval(1, self.tick)
        self.tick()

    def claim(self) -> None:
        """Opening a lead holds it for a few minutes, so no other rep calls it meanwhile.

        If another rep holds it, the refusal (who, until when) is shown and logging an
        outcome here is refused too until their claim ends.
        """
        from callq.services.claims import claim_lead

        app = self.app
        held = app.guard(
            claim_lead,
            app.db,
            app.settings.rules,
            f"#{self.lead_id}",
            rep=app.settings.rep,
            now=app.settings.now(),
        )
        self.claimed = held is not None

    def on_unmount(self) -> None:
        if getattr(self, "claimed", False):
            from callq.services.claims import release_claim

            app = self.app
            app.guard(
                release_claim,
                app.db,
                app.settings.rules,
                f"#{self.lead_id}",
                rep=app.settings.rep,
                now=app.settings.now(),
            )

    def reload(self) -> None:
        app = self.app
        detail = app.guard(leads.show_lead, app.db, app.settings.rules, f"#{self.lead_id}")
        if detail is None:
            return
        self.detail = detail
        lead = detail.lead
        now = app.settings.now()
        tz = zone(lead.timezone)
        open_now = is_open(app.settings.rules.hours, now, tz)
        self.query_one("#lead-phone", Digits).update(display_phone(lead.phone))
        self.show_name()
        hours = "[green]inside business hours[/]" if open_now else "[red]outside business hours[/]"
        from callq.services.dnc import lead_listing

        self.do_not_call = app.guard(lead_listing, app.db, app.settings.rules, lead.id, now=now)
        if self.do_not_call:  # said first, in red; `d` is not offered (check_action)
            hours = "[bold red]Do not call[/]"
        self.query_one("#lead-local", Static).update(
            Content(
                f"their time {weekday_clock(now, tz)} ({safe(lead.timezone)}"
                f"{', a guess' if lead.timezone_guessed else ''}) · "
            )
            + Content.from_markup(hours)
            + (Content(f" · {safe(self.do_not_call)}") if self.do_not_call else Content(""))
        )
        self.refresh_bindings()
        self.query_one("#lead-facts", Static).update(self.facts(detail, now))
        viewer = app.viewer_tz
        lines = [clipped(text) for text in timeline_lines(detail.timeline, viewer, now)]
        timeline = Text()
        timeline.append("Timeline (newest first)\n", style="bold")
        timeline.append("\n".join(lines))
        self.query_one("#timeline", Static).update(timeline)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A number on the do-not-call list offers no dial; while the outcome form is
        open, a digit or a form key typed into it is text."""
        if action in FIRST_ACTIONS and self.query_one(OutcomeForm).is_open:
            return False
        return not (action == "dial" and self.do_not_call)

    def show_name(self) -> None:
        """The name, and the number in big digits; on a short terminal the number goes
        beside the name in text, and the timeline keeps the rows the digits took."""
        if self.detail is None:
            return
        lead = self.detail.lead
        short = self.app.size.height < SHORT_TERMINAL
        self.query_one("#lead-phone", Digits).display = not short
        name = Text(clipped(lead.name, 200), style="bold")
        if short:
            name.append(f"   {display_phone(lead.phone)}", style="bold")
        self.query_one("#lead-name", Static).update(name)

    def on_resize(self) -> None:
        self.show_name()

    def facts(self, detail: LeadDetail, now: datetime) -> Content:
        """The lead's facts: our markup for colour, the lead's data as text (never markup)."""
        lead, followup = detail.lead, detail.open_followup
        viewer = self.app.viewer_tz
        if lead.first_touch_at is not None:
            sla = f"first call {when(lead.first_touch_at, viewer, now)}"
            if lead.first_touch_at > detail.sla_deadline:
                sla = f"[red]missed[/] ({sla})"
            else:
                sla = f"[green]met[/] ({sla})"
        elif detail.sla_deadline < now:
            late = int((now - detail.sla_deadline) / timedelta(minutes=1))
            sla = f"[red b]breached {span(late)} ago[/]"
            if lead.escalated_at:
                sla += " [red b]· escalated[/]"
        else:
            left = int((detail.sla_deadline - now) / timedelta(minutes=1))
            sla = f"[yellow]{span(left)} left[/]"
        if followup is not None:
            late = " [red]late[/]" if followup.due_at < now else ""
            kind = followup_kind_text(followup.kind)
            next_text = f"{kind} due {when(followup.due_at, viewer, now)}{late}"
        else:
            next_text = "none (closed)"
        rows = [
            ("Source", Content(clipped(lead.source, 200))),
            ("Interest", Content(clipped(lead.interest or "-", 200))),
            ("Urgency", Content(clipped(lead.urgency, 200))),
            ("Stage", Content(lead.stage)),
            ("Owner", Content(clipped(lead.owner or "-", 200))),
            ("Company", Content(clipped(lead.company or "-", 200))),
            ("Attempt", Content(attempt_text(detail.attempt, detail.attempts_total))),
            ("SLA", Content.from_markup(sla)),
            ("Next", Content.from_markup(next_text)),
        ]
        if lead.tags:
            rows.append(("Tags", Content(clipped(", ".join(lead.tags), 200))))
        for name, value in lead.fields.items():  # the custom fields it has ([fields])
            label = name.replace("_", " ").capitalize()[:9]
            rows.append((label, Content(clipped(str(value), 200))))
        held_by_other = lead.claimed_by and lead.claimed_by != self.app.settings.rep
        if held_by_other and lead.claimed_until and lead.claimed_until > now:
            until = clock(lead.claimed_until, viewer)
            holder = Content.assemble((safe(lead.claimed_by), "b red"), f" until {until}")
            rows.append(("Held by", holder))
        return Content("\n").join(
            Content.assemble((f"{label:<9}", "b"), " ", value) for label, value in rows
        )

    def tick(self) -> None:
        elapsed = int(time.monotonic() - self.timer_start) if self.app.live else 0
        minutes, seconds = divmod(elapsed, 60)
        self.query_one("#call-timer", Static).update(f"call {minutes:02d}:{seconds:02d}")

    def target(self) -> Target | None:
        if self.detail is None:
            return None
        lead, followup = self.detail.lead, self.detail.open_followup
        return Target(
            lead.id,
            lead.name,
            lead.phone,
            followup.id if followup else None,
            followup.due_at if followup else None,
        )

    def call_started_at(self) -> datetime | None:
        return self.started_at

    def dialled(self) -> None:
        self.timer_start = time.monotonic()
        self.started_at = self.app.settings.now()
        self.tick()

    def changed(self) -> None:
        self.reload()
        self.app.data_changed()

    def outcome_logged(self, target: Target, result: object) -> None:
        """Back to the queue, on the next lead."""
        self.app.data_changed()
        self.dismiss()

    def action_back(self) -> None:
        self.dismiss()
