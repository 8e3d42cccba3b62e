"""Actions on the lead in front of the rep, shared by the queue and lead screens."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual.screen import Screen

from callq.phones import display_phone
from callq.rules.model import UnknownOutcome
from callq.wording import logged_sentence, when

if TYPE_CHECKING:  # the forms and services load after the first frame (see app.py)
    from callq.screens.forms import NewTime
    from callq.services.suggest import LeadFacts, Suggestion
    from callq.services.views import LoggedOutcome
    from callq.widgets.outcome_panel import OutcomeChoice
    from callq.widgets.time_field import TimeContext


@dataclass(frozen=True)
class Target:
    """The lead an action applies to, and the follow-up the rep is looking at."""

    lead_id: int
    name: str
    phone: str
    followup_id: int | None
    due_at: datetime | None


class LeadActions(Screen):
    """Subclasses say which lead is in front of the rep (`target`) and how to refresh."""

    def target(self) -> Target | None:
        raise NotImplementedError

    def changed(self) -> None:
        """Data changed through this screen: reload what it shows."""
        self.app.data_changed()

    def _target_or_say(self) -> Target | None:
        target = self.target()
        if target is None:
            self.notify("No lead selected.", severity="warning")
        return target

    def time_context(self, lead_id: int) -> TimeContext:
        from callq.widgets.time_field import TimeContext

        app = self.app
        rules = app.settings.rules
        return TimeContext(
            now=app.settings.now(),
            rep_tz=app.viewer_tz,
            lead_tz=app.lead_tz(lead_id),
            hours=rules.hours,
            date_order=rules.team.date_order,
        )

    # -- outcome -------------------------------------------------------------

    def outcome_start(self, key: str) -> tuple[Target, Suggestion, TimeContext] | None:
        """The lead, the rule's suggestion for outcome `key` and the clock to read times
        with; None (and a message) when there is nothing to log."""
        from callq.services.suggest import lead_facts, suggest
        from callq.widgets.time_field import TimeContext

        app = self.app
        app.flush_writes()  # facts read ahead of a write still waiting would be stale
        target = self._target_or_say()
        if target is None:
            return None
        app_rules = app.settings.rules
        try:
            app_rules.outcome(key)
        except UnknownOutcome:
            self.notify(f"No outcome is bound to {key}.", severity="warning")
            return None
        facts = self.facts_read_ahead(target.lead_id) or app.guard(
            lead_facts, app.db, app_rules, target.lead_id, rep=app.settings.rep
        )
        if facts is None:
            return None
        now = app.settings.now()  # one reading: the suggestion and the panel's clock agree
        suggestion = suggest(app_rules, facts, key, now=now)
        context = TimeContext(
            now=now,
            rep_tz=suggestion.rep_tz,
            lead_tz=suggestion.lead_tz,
            hours=app_rules.hours,
            date_order=app_rules.team.date_order,
        )
        return target, suggestion, context

    def facts_read_ahead(self, lead_id: int) -> LeadFacts | None:
        """The lead's facts if this screen read them ahead and they are still current."""
        return None

    def action_outcome(self, key: str) -> None:
        """The lead screen's outcome form (the queue draws its own panel in the list)."""
        from callq.screens.outcome import OutcomeForm

        started = self.outcome_start(key)
        if started is None:
            return
        target, suggestion, context = started
        self.query_one(OutcomeForm).open(
            target.name, suggestion, context, lambda choice: self.save_outcome(target, choice)
        )

    def save_outcome(self, target: Target, choice: OutcomeChoice | None) -> None:
        """Log the rep's choice. Where the lead's facts were read ahead (the queue), the
        frame that closes the form already shows what the outcome does (the rules' plan
        on those facts) and the write runs right after that frame; its result confirms
        the row, or the rows are re-read and the error says nothing was saved."""
        if choice is None:
            return
        from callq.services import outcomes

        app = self.app
        app.flush_writes()
        rules = app.settings.rules
        what = dict(
            now=app.settings.now(),  # one reading: the preview and the write agree
            note=choice.note,
            callback=choice.callback,
            their_time=choice.their_time,
            started_at=self.call_started_at(),
            expected_followup_id=target.followup_id,
        )
        lead, outcome = f"#{target.lead_id}", choice.outcome_id
        write = partial(outcomes.log_outcome, app.db, rules, lead, outcome, rep=app.settings.rep)
        ahead = self.facts_read_ahead(target.lead_id)
        shown = ahead and outcomes.preview_outcome(rules, ahead.facts, outcome, **what)
        if not shown:
            result = app.guard(write, **what)
            if result is not None:
                self._confirm(target, result)
                self.outcome_logged(target, result)
            return
        # Queued first: should showing it need a read (a reload), the write runs before.
        app.write_after_frame(partial(self._write_shown, target, shown, partial(write, **what)))
        self.outcome_logged(target, shown)

    def _write_shown(
        self, target: Target, shown: LoggedOutcome, write: Callable[[], LoggedOutcome]
    ) -> None:
        """The write behind an outcome already on screen."""
        from callq.errors import UserError

        try:
            result = write()
        except UserError as error:
            self.app.notify(str(error), title="Not saved", severity="error", timeout=8)
            self.changed()  # the rows as they are stored
            return
        self._confirm(target, result)
        if replace(result, call_id=None) != shown:  # the lead changed since it was read
            self.changed()

    def _confirm(self, target: Target, result: LoggedOutcome) -> None:
        """The toast that says it is saved. A new widget (styled, laid out): one frame
        after the rows' update."""
        app = self.app
        toast = logged_sentence(result, app.viewer_tz, app.settings.now())
        app.call_after_refresh(self.notify, toast, title=target.name)

    def call_started_at(self) -> datetime | None:
        return None

    def outcome_logged(self, target: Target, result: LoggedOutcome) -> None:
        self.changed()

    # -- reschedule, note ------------------------------------------------------

    async def action_reschedule(self) -> None:
        target = self._target_or_say()
        if target is None:
            return
        from callq.screens.forms import RescheduleForm

        form = RescheduleForm(target.name, self.time_context(target.lead_id), target.due_at)
        # Awaited: keys typed right after `r` go to the mounted form's time field.
        await self.app.push_screen(form, lambda value: self.save_reschedule(target, value))

    def save_reschedule(self, target: Target, value: NewTime | None) -> None:
        if value is None:
            return
        from callq.services import leads

        app = self.app
        done = app.guard(
            leads.reschedule,
            app.db,
            app.settings.rules,
            f"#{target.lead_id}",
            value.due_at,
            now=app.settings.now(),
            rep=app.settings.rep,
            note=value.note,
        )
        if done is not None:
            due = when(done[1], app.viewer_tz, app.settings.now())
            self.notify(f"Rescheduled to {due}", title=target.name)
            self.changed()

    async def action_note(self) -> None:
        target = self._target_or_say()
        if target is None:
            return
        from callq.screens.forms import NoteForm

        await self.app.push_screen(NoteForm(target.name), lambda text: self.save_note(target, text))

    def save_note(self, target: Target, text: str | None) -> None:
        if not text:
            return
        from callq.services import leads

        app = self.app
        done = app.guard(
            leads.add_note,
            app.db,
            app.settings.rules,
            f"#{target.lead_id}",
            text,
            now=app.settings.now(),
            rep=app.settings.rep,
        )
        if done is not None:
            self.notify("Note saved.", title=target.name)
            self.changed()

    # -- edit --------------------------------------------------------------------

    async def action_edit_lead(self) -> None:
        """The edit form, pre-filled; it saves through `services.edit` and stays open on a
        refusal, so the rep can fix the value."""
        target = self._target_or_say()
        if target is None:
            return
        from callq.screens.edit_form import EditForm
        from callq.services.leads import show_lead

        app = self.app
        detail = app.guard(show_lead, app.db, app.settings.rules, f"#{target.lead_id}")
        if detail is None:
            return
        form = EditForm(detail.lead, app.settings.rules, lambda edit: self.save_edit(target, edit))
        await app.push_screen(form, lambda result: self.edited(target, result))

    def save_edit(self, target: Target, edit: object) -> object:
        """The edit applied (an EditedLead), or why not (the message, nothing changed)."""
        from callq.errors import UserError
        from callq.services.edit import edit_lead

        app = self.app
        try:
            return edit_lead(
                app.db,
                app.settings.rules,
                f"#{target.lead_id}",
                edit,
                now=app.settings.now(),
                rep=app.settings.rep,
            )
        except UserError as error:
            return str(error)

    def edited(self, target: Target, result: object) -> None:
        if result is None or not result.changes:
            return
        from callq.wording import edit_sentence

        said = "; ".join(edit_sentence(c.attribute, c.before, c.after) for c in result.changes)
        self.notify(said, title=f"Edited {result.name}")
        self.changed()

    # -- dial, copy ------------------------------------------------------------

    def action_dial(self) -> None:
        """The checks of `callq dial` (do-not-call list, the lead's calling window), then
        `[dial] command`, or the number copied when none is set."""
        target = self._target_or_say()
        if target is None:
            return
        from callq.services.dial import prepare_dial

        app = self.app
        plan = app.guard(
            prepare_dial,
            app.db,
            app.settings.rules,
            target.lead_id,
            rep=app.settings.rep,
            now=app.settings.now(),
        )
        if plan is None:
            return
        if plan.argv is None:
            self.action_copy_number()
            return
        if not self._launch(plan.argv, "dial"):
            return
        self.notify(f"Dialling {display_phone(target.phone)}", title=target.name)
        self.dialled()

    def _launch(self, argv: list[str], what: str) -> bool:
        """Start a configured command, detached; False (said in a toast) if it cannot run."""
        try:
            subprocess.Popen(  # noqa: S603  (an argument list, never a shell)
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as error:
            self.notify(f"Could not run the {what} command: {error}", severity="error")
            return False
        return True

    def action_message(self) -> None:
        """Send the lead's next message touch: its channel's command, or the text copied,
        then logged as sent (which schedules the next touch)."""
        target = self._target_or_say()
        if target is None:
            return
        from callq.services.message import log_sent, prepare_message

        app = self.app
        rules, rep = app.settings.rules, app.settings.rep
        prepared = app.guard(
            prepare_message, app.db, rules, target.lead_id, rep=rep, now=app.settings.now()
        )
        if prepared is None:
            return
        if prepared.argv is None:
            app.copy_to_clipboard(prepared.text)
        elif not self._launch(prepared.argv, prepared.channel):
            return
        result = app.guard(log_sent, app.db, rules, prepared, rep=rep, now=app.settings.now())
        if result is None:
            return
        how = "text copied" if prepared.argv is None else "sent"
        self.notify(
            f"{prepared.channel}:{prepared.template} {how} · "
            + logged_sentence(result, app.viewer_tz, app.settings.now()),
            title=target.name,
        )
        self.changed()

    def dialled(self) -> None:
        """A subclass may start its call timer."""

    def action_copy_number(self) -> None:
        target = self._target_or_say()
        if target is None:
            return
        self.app.copy_to_clipboard(target.phone)
        self.notify(f"Copied {target.phone}", title=target.name)
