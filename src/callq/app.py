"""CallqApp: the rep's terminal UI, built by `make_app` for the CLI, the tests and snapshots.

Start-up: SQLAlchemy costs more to import than a bare Textual app takes to paint, so on a
SQLite file the first screen is read through `store.quickread` (stdlib sqlite3) and the
services are imported and the database opened in a thread after the first frame.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from textual.app import App, SystemCommand
from textual.screen import Screen

from callq.config.settings import Settings
from callq.screens.keys import ACTIONS, bindings, palette_help
from callq.screens.queue import QueueScreen
from callq.visible import safe

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.notifications import SeverityLevel
    from textual.timer import Timer

    from callq.config.watch import Reloaded, RulesWatcher
    from callq.store.db import Database
    from callq.store.quickread import QuickReader

T = TypeVar("T")
# Others see a change within this (SPEC 9: within seconds; a lead arriving through
# `callq serve` within 2 s, refresh included); a poll is three indexed reads.
POLL_SECONDS = 1.0
# A changed rules file shows within 2 s: a stat this often, then a read in a thread.
RULES_CHECK_SECONDS = 1.0
# The cyclic collector's full pass over what a session accumulates takes 10-20 ms, a whole
# frame: it runs when the rep pauses (see `collect_garbage`), at least this often.
FULL_GC_SECONDS = 60.0
GC_RETRY_SECONDS = 1.0  # a pass skipped at a busy moment: the next pause
WRITE_WITHIN = 0.1  # a write shown before it is made runs this soon even without a frame


class CallqApp(App[None]):
    """Works one rep's queue; every write goes through a service, then the screens reload."""

    TITLE = "callq"
    CSS_PATH = "app.tcss"
    BINDINGS = bindings("app")

    def __init__(
        self,
        settings: Settings,
        db: Database | None = None,
        *,
        live: bool = True,
        quick: QuickReader | None = None,
        watch_rules: bool | None = None,
    ) -> None:
        super().__init__()
        self.settings, self.live = settings, live
        # The rules file is followed while the app runs (default: when live); the watcher
        # stamps the file now, so an edit made while the app starts is seen too.
        watching = live if watch_rules is None else watch_rules
        self._rules_watcher: RulesWatcher | None = _rules_watcher(settings) if watching else None
        self.rules_problem: str | None = None  # the broken rules file's error, on a banner
        self.quick = quick  # reads the first screen while the services load (db is None)
        self._db = db
        self._services_event = threading.Event()
        self._load_error: BaseException | None = None
        self._phones_stale = False  # the cached phone formats were out of date
        if db is not None:
            from callq.services.header import viewer_zone

            self.viewer_tz: ZoneInfo = viewer_zone(db, settings.rules, settings.rep)
            self._services_event.set()
        else:
            assert quick is not None, "make_app opens the database when there is no quick reader"
            self.viewer_tz = quick.rep_tz
        self._marker = 0
        self.notices: deque[str] = deque(maxlen=50)  # what the toasts said, newest last
        self._last_full_gc = time.monotonic()
        self._gc_retry: Timer | None = None
        self._last_poll: datetime | None = None
        self._newest_lead: int | None = None  # arrivals after it get a toast and the bell
        self._writes: deque[Callable[[], None]] = deque()  # see `write_after_frame`

    @property
    def db(self) -> Database:
        """The database; a key pressed before the services loaded waits for them (rare)."""
        self._services_event.wait()
        if self._load_error is not None:
            raise self._load_error
        return self._db

    @property
    def services_ready(self) -> bool:
        return self._services_event.is_set()

    def get_default_screen(self) -> Screen:
        """The queue is the first screen: no blank default screen drawn and replaced."""
        return QueueScreen()

    def on_mount(self) -> None:
        if self.settings.rules.keys:
            self.set_keymap(self.settings.rules.keys)
        if self.services_ready:
            self._start_polling()
            if self.live:
                self.call_after_refresh(self._pace_garbage_collection)
        else:
            self.call_after_refresh(self.set_timer, 0.02, self._load_services)

    def _start_polling(self) -> None:
        from callq.services.claims import change_token

        self._marker = self.guard(change_token, self.db) or 0
        self._last_poll = self.settings.now()
        if self.live:
            self.set_interval(POLL_SECONDS, self.poll)
            self.set_interval(FULL_GC_SECONDS, self._collect_garbage_if_quiet)
        if self._rules_watcher is not None:
            self.set_interval(RULES_CHECK_SECONDS, self.check_rules)
            self.screen_change_signal.subscribe(self, lambda _screen: self._show_rules_problem())

    def _load_services(self) -> None:
        threading.Thread(target=self._open_in_thread, name="callq-load", daemon=True).start()

    def _open_in_thread(self) -> None:
        """Import the services and open the database off the UI thread, after the first frame."""
        try:
            if self.live:
                _limit_malloc_arenas()
            from callq.store.db import open_database

            self._db = open_database(self.settings.db_target)
            # Warm what the first outcome key needs, so it does not pay the imports.
            import callq.rules.phrases  # noqa: F401  (the outcome panel's time preview)
            import callq.screens.lead  # noqa: F401
            import callq.services.outcomes  # noqa: F401
            import callq.services.queue  # noqa: F401
            import callq.widgets.toasts  # noqa: F401

            if self.live and self.quick is not None:
                from callq import phones
                from callq.config import paths

                self._phones_stale = phones.refresh_display_cache(paths.phone_display_cache())
            if self.live:
                self._pace_garbage_collection()
        except BaseException as error:  # shown on the UI thread; the app stays up
            self._load_error = error
        finally:
            self._services_event.set()
        self.call_from_thread(self._services_loaded)

    def _pace_garbage_collection(self) -> None:
        """Everything loaded so far lives as long as the app: keep it out of the cyclic
        collector (full passes over it took ~100 ms mid-outcome), and leave the full pass
        over the rest to `collect_garbage`, in the rep's pauses. The young generations stay
        automatic: their passes take well under a millisecond."""
        gc.freeze()
        young, middle, _full = gc.get_threshold()
        gc.set_threshold(young, middle, 1 << 30)
        self._last_full_gc = time.monotonic()

    def collect_garbage(self) -> None:
        if not self.live:
            return  # tests and snapshots keep Python's own schedule
        gc.collect()
        _release_freed_memory()
        self._last_full_gc = time.monotonic()

    def _collect_garbage_if_quiet(self) -> None:
        """The full pass, in the rep's next pause: a rep busy at the minute's tick (an
        outcome panel open, the queue settling) is asked again a second later, not a
        minute later, so the pass keeps its pace on a busy day too."""
        queue = self.queue_screen()
        working = queue is not None and (queue.settling or queue.queue.panel is not None)
        overdue = time.monotonic() - self._last_full_gc > 5 * FULL_GC_SECONDS
        if not working or overdue:
            self.collect_garbage()
        elif self._gc_retry is None:
            self._gc_retry = self.set_timer(GC_RETRY_SECONDS, self._retry_garbage_collection)

    def _retry_garbage_collection(self) -> None:
        self._gc_retry = None
        self._collect_garbage_if_quiet()

    def release_quick_reader(self) -> None:
        """Close the first screen's reader once the services' reader has replaced it: its
        connection kept SQLite's page cache (up to 2 MB) for the whole session. A page it
        was still reading comes back empty, and the new reader's pages replace it."""
        quick, self.quick = self.quick, None
        if quick is not None:
            quick.close()
            if self.live:
                _release_freed_memory()  # ~0.5 ms, once

    def _services_loaded(self) -> None:
        if self._load_error is not None:
            self.notify(f"Cannot open the database: {self._load_error}", severity="error")
            return
        self._start_polling()
        queue = self.queue_screen()
        if queue is not None:
            if self._phones_stale:
                queue.queue.redraw_rows()
            queue.refresh_in_background()

    # -- helpers the screens use ---------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """On the queue, toasts are drawn by its list (see widgets/toasts: Textual's toasts
        lay out the screen as they come and go); other screens keep Textual's."""
        if threading.current_thread() is not threading.main_thread():
            self.call_from_thread(
                partial(
                    self.notify,
                    message,
                    title=title,
                    severity=severity,
                    timeout=timeout,
                    markup=markup,
                )
            )
            return
        # Toasts quote data (names, notes, labels): never markup, no control character.
        message = "\n".join(safe(part) for part in str(message).split("\n"))
        title, markup = safe(title), False
        self.notices.append(message)
        screen = self.screen_stack[-1] if self.screen_stack else None
        if isinstance(screen, QueueScreen) and screen.is_mounted:
            seconds = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
            screen.queue.show_toast(str(message), title=title, severity=severity, timeout=seconds)
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def guard(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run one service call; a user-facing error is shown and nothing changes (None).

        A write still waiting for its frame runs first: every call sees it done."""
        from callq.errors import UserError
        from callq.rules.model import UnknownOutcome

        self.flush_writes()
        try:
            return fn(*args, **kwargs)
        except UnknownOutcome:
            raise
        except UserError as error:
            self.notify(str(error), severity="error", timeout=8)
            return None

    def write_after_frame(self, write: Callable[[], None]) -> None:
        """Run `write` once the frame that shows its effect is drawn, and before anything
        else here reads or writes (`guard`, the outcome keys and quitting run the waiting
        writes first). An outcome is on screen ~3 ms before its commit instead of after
        it; `write` confirms it, or says it was not saved and restores the rows."""
        self._writes.append(write)
        self.call_after_refresh(self.flush_writes)
        self.set_timer(WRITE_WITHIN, self.flush_writes)  # should no frame come

    def flush_writes(self) -> None:
        """The writes waiting for their frame, now, in the order they were shown."""
        if threading.current_thread() is not threading.main_thread():
            return  # a worker's read: the UI thread runs them
        while self._writes:
            self._writes.popleft()()

    def exit(
        self, result: None = None, return_code: int = 0, message: RenderableType | None = None
    ) -> None:
        self.flush_writes()  # an outcome on screen is saved before the app closes
        super().exit(result, return_code, message)

    def lead_tz(self, lead_id: int) -> ZoneInfo:
        from callq.rules.hours import zone
        from callq.services.leads import show_lead

        detail = self.guard(show_lead, self.db, self.settings.rules, f"#{lead_id}")
        return zone(detail.lead.timezone) if detail else self.viewer_tz

    def open_lead(self, lead_id: int) -> None:
        from callq.screens.lead import LeadScreen

        self.push_screen(LeadScreen(lead_id))

    def queue_screen(self) -> QueueScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, QueueScreen):
                return screen
        return None

    def data_changed(self) -> None:
        """After a write from this app: reload the queue at once (rows update in place)."""
        from callq.services.claims import change_token

        self._marker = self.guard(change_token, self.db) or self._marker
        queue = self.queue_screen()
        if queue is not None:
            queue.reload()

    def _flag_escalations(self) -> None:
        """Escalations due now are applied ([escalation]: flagged, or moved to another rep
        or the pool; a write only when one newly qualifies), so the owner's queue, the
        report and the Summary agree; off the UI thread, once a minute."""
        from callq.services.escalation import escalate_due
        from callq.store.db import DatabaseError

        if not self.services_ready or self._load_error is not None:
            return  # still opening (or could not): the next minute tries again
        # Busy or unreachable: the poll already tells the rep; the next minute tries again.
        with contextlib.suppress(DatabaseError):
            escalate_due(self.db, self.settings.rules, self.settings.now())

    def poll(self) -> None:
        """Cheap check for others' changes, and for follow-ups falling due while open: the
        reads run in a thread, so a poll never takes a frame from the rep's keys."""
        self.run_worker(self._poll_in_thread, thread=True, exclusive=True, group="poll")

    def _poll_in_thread(self) -> None:
        from callq.errors import UserError
        from callq.services.alerts import falling_due
        from callq.services.claims import change_token
        from callq.services.intake import arrivals

        now, last = self.settings.now(), self._last_poll
        try:
            marker = change_token(self.db)
            alerts = []
            if last is not None and now > last:
                alerts = falling_due(self.db, rep=self.settings.rep, after=last, until=now)
            newest, arrived = arrivals(self.db, rep=self.settings.rep, after_id=self._newest_lead)
        except UserError as error:  # e.g. locked for long: said on screen, polled again
            self.call_from_thread(self.notify, str(error), severity="error", timeout=8)
            return
        self.call_from_thread(self._polled, now, marker, alerts, newest, arrived)

    def _polled(
        self, now: datetime, marker: object, alerts: list, newest: int = 0, arrived: tuple = ()
    ) -> None:
        minute_turned = self._last_poll is None or now.minute != self._last_poll.minute
        self._last_poll = now
        self._newest_lead = max(self._newest_lead or 0, newest)
        for lead in arrived:
            self.notify(f"{lead.name} ({lead.source})", title="New lead", timeout=10)
        if arrived and self.settings.rules.notify.bell:
            self.bell()
        if minute_turned:
            self.run_worker(
                self._flag_escalations, thread=True, exclusive=True, group="escalations"
            )
        if alerts:
            names = ", ".join(a.name for a in alerts[:3]) + ("…" if len(alerts) > 3 else "")
            self.notify(f"Due now: {names}", title="Follow-up due", timeout=10)
            if self.settings.rules.notify.bell:
                self.bell()
        if marker != self._marker or minute_turned or alerts:
            self._marker = marker
            queue = self.queue_screen()
            # While the rep logs outcome after outcome the marker moves with their own writes;
            # the re-read due when they pause shows others' changes too.
            if queue is not None and not queue.settling:
                queue.refresh_in_background()

    # -- the rules file changing under the running app -------------------------

    def check_rules(self) -> None:
        """A stat of the rules file; when it changed, read and validate it off the UI thread."""
        if self._rules_watcher is not None and self._rules_watcher.changed():
            self.run_worker(self._reload_rules, thread=True, exclusive=True, group="rules")

    def _reload_rules(self) -> None:
        from textual.worker import get_current_worker

        from callq.errors import UserError
        from callq.services.header import viewer_zone

        reloaded = self._rules_watcher.reload()
        viewer_tz = self.viewer_tz
        if reloaded.rules is not None and reloaded.rules != self.settings.rules:
            # The team's zone may have changed; the rep's own zone (in the database) wins.
            with contextlib.suppress(UserError):
                viewer_tz = viewer_zone(self.db, reloaded.rules, self.settings.rep)
        if not get_current_worker().is_cancelled:  # a newer change is being read
            self.call_from_thread(self._rules_reloaded, reloaded, viewer_tz)

    def _rules_reloaded(self, reloaded: Reloaded, viewer_tz: ZoneInfo) -> None:
        """A broken file: a banner, and the last good rules stay. Good rules: every screen
        follows them (legend, keys, hours, the queue's sections), and the banner goes."""
        from dataclasses import replace

        from callq.screens.lead import LeadScreen
        from callq.widgets.banner import RulesBanner
        from callq.widgets.legend import OutcomeLegend

        if reloaded.rules is None:
            self.rules_problem = str(reloaded.error)
            self._show_rules_problem()
            return
        self.rules_problem = None
        for screen in self.screen_stack:
            screen.query(RulesBanner).remove()
        old, rules = self.settings.rules, reloaded.rules
        if rules == old:
            return
        self.settings = replace(self.settings, rules=rules)
        self.viewer_tz = viewer_tz
        if rules.keys != old.keys:
            self.set_keymap(rules.keys)
        for screen in self.screen_stack:
            for legend in screen.query(OutcomeLegend):
                legend.show(rules.outcomes)
            if isinstance(screen, LeadScreen):
                screen.reload()
        queue = self.queue_screen()
        if queue is not None:
            queue.queue.tz = viewer_tz
            queue.refresh_in_background()
        self.notify(f"Rules updated from {self._rules_watcher.path.name}")

    def _show_rules_problem(self) -> None:
        """The banner on the screen in front, while the rules file is broken."""
        from callq.widgets.banner import RulesBanner

        if self.rules_problem is None:
            return
        banners = self.screen.query(RulesBanner)
        if banners:
            banners.first().show(self.rules_problem)
        else:
            self.screen.mount(RulesBanner(self.rules_problem))

    # -- app-wide actions ------------------------------------------------------

    def action_undo(self) -> None:
        from callq.screens.lead import LeadScreen
        from callq.services import outcomes
        from callq.wording import undone_sentence

        result = self.guard(
            outcomes.undo_last_outcome,
            self.db,
            self.settings.rules,
            rep=self.settings.rep,
            now=self.settings.now(),
        )
        if result is not None:
            self.notify(undone_sentence(result))
            if isinstance(self.screen, LeadScreen):
                self.screen.reload()
            self.data_changed()
            queue = self.queue_screen()
            if queue is not None:  # the cursor goes back to the lead, as it was
                queue.queue.follow(result.lead_id)

    def action_summary(self) -> None:
        try:
            from callq.screens.summary import SummaryScreen
        except ImportError:
            self.notify("The summary screen is not part of this build yet.", severity="warning")
            return
        self.push_screen(SummaryScreen(self.settings))

    def action_help(self) -> None:
        from callq.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.settings.rules, dict(self.settings.rules.keys)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for action in ACTIONS:
            target = self if action.scope == "app" else screen
            if hasattr(target, f"action_{action.action}") and action.id != "quit":
                yield SystemCommand(
                    action.description,
                    palette_help(action, self.settings.rules.keys),
                    partial(self.run_action, action.action, target),
                )
        if hasattr(screen, "action_outcome"):
            for outcome in self.settings.rules.outcomes:
                yield SystemCommand(
                    f"Log: {outcome.label}",
                    f"Log outcome {outcome.key} on the selected lead",
                    partial(self.run_action, f"outcome('{outcome.key}')", screen),
                )


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        return ctypes.CDLL(None).malloc_trim  # glibc
    except (OSError, AttributeError):
        return None


M_ARENA_MAX = -8  # glibc's mallopt parameter


def _limit_malloc_arenas() -> None:
    """At most two C heaps (glibc's arenas) for all threads, before the workers start.

    glibc gives each thread that allocates under contention an arena of its own, up to 8
    per core, and keeps what is freed in each: the queue's read and save workers, the
    checkpointer and the loader left ~3 MB freed but held after 300 outcomes on the 100k
    demo (2.5 MB with one arena, 3.2 with two, 6.1 with glibc's default). The UI thread and
    one worker rarely allocate at the same moment (the GIL), so two arenas cost no waits.
    """
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):
        pass  # not glibc


def _release_freed_memory() -> None:
    """Give the C heap's free pages back to the system, in the rep's pause.

    glibc keeps what it freed, in an arena per thread that ever allocated (the workers
    that read and save for the queue): measured over 400 outcomes on the 100k demo, RSS
    grew 5.7 MB with default arenas and 3.3 MB with one. Trimming returns it.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _rules_watcher(settings: Settings) -> RulesWatcher:
    from callq.config.paths import user_config_file
    from callq.config.watch import RulesWatcher

    found_by_looking = user_config_file()
    path = settings.config_path or found_by_looking
    return RulesWatcher(path, missing_is_default=path == found_by_looking)


def make_app(
    settings: Settings,
    *,
    db: Database | None = None,
    live: bool = True,
    quick: bool = False,
    watch_rules: bool | None = None,
) -> CallqApp:
    """The one way to build the app. `live=False` (snapshots): no timers, no ticking clock.
    `watch_rules`: follow the rules file while running (default: when live).

    `quick=True` (the CLI): on a SQLite file at the head schema, paint the first screen
    through `store.quickread` and open the database after it.
    """
    if db is None and quick:
        from callq.store.quickread import QuickReader, sqlite_path

        path = sqlite_path(settings.db_target)
        if path is not None and QuickReader.usable(path):
            if live:
                from callq import phones
                from callq.config import paths

                phones.load_display_cache(paths.phone_display_cache())
            reader = QuickReader(path, settings.rules, rep=settings.rep, now=settings.now())
            return CallqApp(settings, live=live, quick=reader, watch_rules=watch_rules)
    if db is None:
        from callq.store.db import open_database

        db = open_database(settings.db_target)
    return CallqApp(settings, db, live=live, watch_rules=watch_rules)


# How long a thread may hold the GIL while another waits for it (Python's default: 5 ms).
# Textual parses keys in its own thread: with the default, `1` + enter typed together
# reached the app 5-7 ms apart, as the UI thread held the GIL drawing the panel for `1`,
# so enter's frame waited for the next frame slot, ~30 ms on. Background reads also give
# way to the UI thread sooner.
SWITCH_INTERVAL = 0.0005


NO_TERMINAL = (
    "callq: the app needs a terminal (its input or output is a pipe or a file); "
    "`callq queue` prints the queue"
)


def has_terminal() -> bool:
    """Whether keys come from and frames go to a terminal (not `callq > file`, not ssh
    without a tty): without one the app could only spin."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_app(settings: Settings) -> None:
    if not has_terminal():
        print(NO_TERMINAL, file=sys.stderr)
        raise SystemExit(2)
    from callq.store.in_use import hold_open
    from callq.store.quickread import sqlite_path

    sys.setswitchinterval(SWITCH_INTERVAL)
    # Marked open before the first read, so `callq demo` refuses to replace the file
    # under this app; a file the app creates is marked once it exists.
    path = sqlite_path(settings.db_target)
    held = hold_open(path) if path is not None else None
    app = make_app(settings, quick=True)
    if held is None and (path := sqlite_path(settings.db_target)) is not None:
        held = hold_open(path)
    try:
        app.run()
    finally:
        if held is not None:
            held.close()
