"""TUI benchmark: first paint, outcome keypress -> updated queue, and memory, in a real pty.

    python bench/tui.py [--db DEMO.db] [--now ISO] [--iterations N]

Both apps (callq and a bare Textual app) run as whole processes in a 120x40 pseudo-terminal;
"painted" means the text a person would see is on the terminal's screen: the output is
replayed onto a small screen model (cursor moves, erases, text), because Textual writes
only the cells that changed (`Calls today 41` -> `42` is one digit at a cursor
position, so searching the byte stream for the new text misses it). Registers
`@bench("tui")` for bench/run.py when the harness is there; also runs alone.
"""

import argparse
import codecs
import compileall
import json
import os
import pty
import re
import shutil
import signal
import struct
import sys
import tempfile
import termios
import threading
import time
from fcntl import ioctl
from pathlib import Path

from percentiles import nearest_rank as quantile

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
COLS, ROWS = 120, 40
ANSI = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[=>PX^_]")
BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Static
class Bare(App):
    def compose(self):
        yield Static("hello bare app")
        yield Footer()
Bare().run()
"""

# The bare app plus the stack callq's services must use, and nothing else of callq: after
# its first frame (as callq loads its services) a thread imports SQLModel (SQLAlchemy,
# pydantic) and callq's tables, opens the benchmark's database, reads one Lead and one
# open FollowUp through the ORM, then shows "stack read lead N" (or the error). Its RSS
# over the bare app's is what the chosen stack alone costs: the floor under callq's
# "RSS < 2x a bare Textual app". LIMIT 1: an ORM `Result.first()` alone fetches and builds
# every row (100k Leads, ~3 s, their memory in the RSS) before keeping the first.
STACK_APP = """
import sys
import threading
from textual.app import App
from textual.widgets import Footer, Static
class Stack(App):
    def compose(self):
        yield Static("hello stack app")
        yield Footer()
    def on_mount(self):
        self.call_after_refresh(self.set_timer, 0.02, self.load)
    def load(self):
        threading.Thread(target=self.read, daemon=True).start()
    def read(self):
        try:
            import sqlmodel
            from callq.store.models import FollowUp, Lead
            engine = sqlmodel.create_engine(f"sqlite:///{sys.argv[1]}")
            with sqlmodel.Session(engine) as session:
                self.lead = session.exec(sqlmodel.select(Lead).limit(1)).first()
                self.follow_up = session.exec(
                    sqlmodel.select(FollowUp).where(FollowUp.status == "open").limit(1)
                ).first()
            done = f"stack read lead {self.lead.id}, follow-up {self.follow_up.id}"
        except BaseException as error:
            done = f"stack failed: {error!r}"
        self.call_from_thread(self.query_one(Static).update, done)
Stack().run()
"""

# The same interaction in a bare Textual app (header, a 5,000-row list drawn by the line
# API, footer): `1` draws a 9-line panel over the rows, enter removes the top row and
# updates the count. No database, no rules, no toast: what Textual itself costs on this
# machine for "panel, then updated list", measured the same way as callq, in the same run.
FLOOR_APP = """
from rich.segment import Segment
from textual.app import App
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Static

class Rows(ScrollView, can_focus=True):
    def __init__(self):
        super().__init__()
        self.rows = [
            f"   Lead {n:05d}   +91 98765 {n:05d}   web   new   1/5   late {n}m"
            for n in range(5000)
        ]
        self.panel = False
        self.virtual_size = Size(120, len(self.rows) + 1)
    def render_line(self, y):
        line = self.scroll_offset.y + y
        if line == 0:
            text = f" New ({len(self.rows)})"
        else:
            text = self.rows[line - 1] if line <= len(self.rows) else ""
        if self.panel and 1 < line < 11:
            text = text[:20] + ("| Note (optional)" if line == 3 else "|").ljust(72) + "|"
        return Strip([Segment(text.ljust(self.size.width)[: self.size.width])])
    def on_key(self, event):
        if event.key == "1" and not self.panel:
            self.panel = True
            self.refresh(self.region.reset_offset.intersection(self.content_region.reset_offset))
        elif event.key == "enter" and self.panel:
            self.panel = False
            self.rows.pop(0)
            self.refresh()

class Floor(App):
    def compose(self):
        yield Static("floor · Calls today 0")
        yield Rows()
        yield Footer()
    def on_mount(self):
        self.query_one(Rows).focus()

Floor().run()
"""


TOKEN = re.compile(
    r"\x1b\[([0-9;?<>=$]*)[ -/]*([@-~])"  # CSI: cursor moves, erases, colours
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, clipboard
    r"|\x1b[^\[\]]"  # two-byte escapes
    r"|[^\x1b\r\n\x07\x08]+|[\r\n\x07\x08]"  # text, controls
)


class Screen:
    """Enough of a VT100 to know what text is on screen: cursor moves, erases, printing."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.cells = [[" "] * cols for _ in range(rows)]
        self.y = self.x = 0
        self.pending = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, chunk: bytes) -> None:
        data = self.pending + self.decoder.decode(chunk)
        pos = 0
        for match in TOKEN.finditer(data):
            if match.start() != pos:  # an incomplete escape: wait for the rest
                break
            self._apply(match)
            pos = match.end()
        self.pending = data[pos:]

    def _apply(self, match: re.Match) -> None:
        text = match.group(0)
        if match.group(2) is not None:
            params, final = match.group(1), match.group(2)
            if params.startswith("?"):
                return
            nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
            first = nums[0] if nums else 0
            if final in "Hf":
                self.y = max((nums[0] if nums else 1) - 1, 0)
                self.x = max((nums[1] if len(nums) > 1 else 1) - 1, 0)
            elif final == "A":
                self.y = max(self.y - max(first, 1), 0)
            elif final == "B":
                self.y = min(self.y + max(first, 1), self.rows - 1)
            elif final == "C":
                self.x += max(first, 1)
            elif final == "D":
                self.x = max(self.x - max(first, 1), 0)
            elif final == "G":
                self.x = max(first - 1, 0)
            elif final == "J" and first == 2:
                self.cells = [[" "] * self.cols for _ in range(self.rows)]
            elif final == "K":
                row = self.cells[min(self.y, self.rows - 1)]
                span = range(self.x, self.cols) if first == 0 else range(self.cols)
                for i in span:
                    row[i] = " "
            return
        if text == "\r":
            self.x = 0
        elif text == "\n":
            self.y = min(self.y + 1, self.rows - 1)
        elif text[0] not in "\x1b\x07\x08":
            row = self.cells[min(self.y, self.rows - 1)]
            for ch in text:
                if self.x < self.cols:
                    row[self.x] = ch
                self.x += 1

    def text(self) -> str:
        return "\n".join("".join(row) for row in self.cells)


class Terminal:
    """A process in a pty whose output is replayed onto a `Screen` to look for markers."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the app
            os.execvpe(argv[0], argv, {**env, "TERM": "xterm-256color", "COLUMNS": str(COLS)})
        self.pid, self.fd = pid, fd
        ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.raw = bytearray()
        self.screen = Screen(COLS, ROWS)
        # (when read, bytes) not yet replayed: the reader thread only reads, so the app's
        # writes never wait for this emulator (Python, much slower than a real terminal
        # at parsing a full-screen frame: it held big frames back by ~100 ms).
        self.pending: list[tuple[float, bytes]] = []
        self.ended = False
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            arrived = time.perf_counter()
            with self.changed:
                if not chunk:
                    self.ended = True
                else:
                    self.pending.append((arrived, chunk))
                self.changed.notify_all()
                if not chunk:
                    return

    def text(self) -> str:
        """The screen now, every byte read so far replayed."""
        with self.changed:
            for _arrived, chunk in self._take():
                self.screen.feed(chunk)
            return self.screen.text()

    def _take(self) -> list[tuple[float, bytes]]:
        taken, self.pending = self.pending, []
        for _arrived, chunk in taken:
            self.raw += chunk
        return taken

    def wait_for(self, text: str, *, gone: str | None = None, timeout: float = 60.0) -> float:
        """When `text` is on screen (and `gone`, if given, no longer is): the perf_counter
        at which the bytes that put it there were read from the terminal."""
        deadline = time.perf_counter() + timeout

        def shown_now() -> bool:
            shown = self.screen.text()
            return text in shown and (gone is None or gone not in shown)

        with self.changed:
            if shown_now():
                return time.perf_counter()
            while True:
                seen_at = None
                for arrived, chunk in self._take():  # replay all of them, even once seen
                    self.screen.feed(chunk)
                    if seen_at is None and shown_now():
                        seen_at = arrived
                if seen_at is not None:
                    return seen_at
                if self.ended:
                    tail = ANSI.sub(b"", bytes(self.raw[-2000:])).decode(errors="replace")
                    raise RuntimeError(f"the app exited before showing {text!r}: {tail}")
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError(
                        f"{text!r} not shown within {timeout} s:\n{self.screen.text()}"
                    )
                self.changed.wait(left)

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        os.close(self.fd)


APP_ONLY = """
import sys
from callq.config.settings import resolve_settings
from callq.app import run_app
db, rep, config, now = sys.argv[1:5]
run_app(resolve_settings(db=db, config=config or None, rep=rep, now=now or None))
"""


def first_paints(
    callq_argv: list[str], env: dict, reps: int, db: Path, extra: list | None = None
) -> dict:
    """Interleaved runs of the apps: seconds to first paint; RSS at paint and 2 s later.

    `db`: the database the stack app reads (callq's own is in `callq_argv`).
    `extra`: more (name, argv, env) to run in the same rounds, e.g. the previous commit.
    """
    runs = [
        ("bare", [sys.executable, "-c", BARE_APP], env, "hello bare app"),
        ("stack", [sys.executable, "-c", STACK_APP, str(db)], env, "hello stack app"),
        ("callq", callq_argv, env, "New ("),
    ]
    runs += [(name, argv, run_env, "New (") for name, argv, run_env in extra or []]
    settled_marker = {"stack": "stack read lead"}  # its reads done: the RSS includes them
    results: dict[str, list[float]] = {}
    for i in range(reps + 1):
        for name, argv, run_env, marker in runs:
            term = Terminal(argv, run_env)
            try:
                painted = term.wait_for(marker) - term.started
                rss_painted = term.rss_mb()
                time.sleep(2.0)  # callq loads its services after the first frame
                rss_settled = term.rss_mb()
                if name in settled_marker and settled_marker[name] not in term.text():
                    raise RuntimeError(f"{name} did not settle:\n{term.text()}")
            finally:
                term.close()
            if i > 0:  # the first round warms the OS file cache
                results.setdefault(name, []).append(painted)
                results.setdefault(f"{name}_rss", []).append(rss_painted)
                results.setdefault(f"{name}_rss_settled", []).append(rss_settled)
    return results


GROWTH_OUTCOMES = 400  # the RSS budget: growth over this many outcomes after warm-up
WARMUP_OUTCOMES = 400  # the bounded caches fill over ~350 (see outcome_latency)
REACTION_S = 0.15  # a rep reads the panel before pressing enter; not counted


def outcome_latency(callq_argv: list[str], env: dict, iterations: int) -> dict:
    """`1` then `enter` on the top lead, until the queue shows it gone from its section.

    Two ways, alternating: `1`, the panel on screen, a reaction pause (not counted), enter,
    the updated queue (the sum of the two waits is the app's latency); and `1` + enter
    typed in one burst (a rep taking the pre-filled time), until the updated queue.
    Sending enter the instant the panel is seen would measure Textual's frame pacing, not
    the app: its update timer does not draw a frame within 17-33 ms of the previous one.
    """
    term = Terminal(callq_argv, env)
    form, saved, burst = [], [], []
    try:
        term.wait_for("New (")
        deadline = time.perf_counter() + 60
        while not re.search(r"Calls today \d", term.text()):  # the services loaded
            if time.perf_counter() > deadline:
                raise TimeoutError(term.text())
            time.sleep(0.05)
        time.sleep(0.5)
        # `1` (no answer) on the top New lead moves it out of New: the section's count drops.
        new = int(re.findall(r"New \((\d+)\)", term.text())[-1])
        total = 2 * (iterations + 3)
        rss_curve = []  # (outcomes logged, MB): where the memory goes as the day goes on
        for i in range(total):
            if i == 8 or i % 50 == 0 or i == total - GROWTH_OUTCOMES:
                rss_curve.append((i, term.rss_mb()))
            if i == 8:
                rss_after_outcomes = rss_curve[-1][1]
            started = time.perf_counter()
            if i % 2:
                term.send("1\r")
                new -= 1
                done = term.wait_for(f" New ({new})", gone="Note (optional)")
                if i >= 6:
                    burst.append(done - started)
            else:
                term.send("1")
                shown = term.wait_for("Note (optional)")
                time.sleep(REACTION_S)
                enter = time.perf_counter()
                term.send("\r")
                new -= 1
                done = term.wait_for(f" New ({new})", gone="Note (optional)")
                if i >= 6:  # warm-up: first pages, first statements
                    form.append(shown - started)
                    saved.append(done - enter)
            time.sleep(0.3)  # the next lead: the rep dials and talks
        rss_end = term.rss_mb()
        rss_curve.append((total, rss_end))
    finally:
        term.close()
    # Growth over the last GROWTH_OUTCOMES outcomes, once the bounded caches are full
    # (Textual's and Rich's render caches, the list's row strips, SQLite's page caches):
    # they fill over the first ~350 outcomes on the 100k demo, which is not a leak; growth
    # after that is. The curve (RSS every 50 outcomes) is in the results either way.
    warm = total - GROWTH_OUTCOMES >= WARMUP_OUTCOMES
    before = dict(rss_curve).get(total - GROWTH_OUTCOMES) if warm else None
    return {
        "form": form,
        "saved": saved,
        "both": [f + s for f, s in zip(form, saved, strict=True)],
        "burst": burst,
        "rss_after_outcomes": rss_after_outcomes,
        "rss_end": rss_end,
        "rss_curve": rss_curve,
        "rss_growth_after_warmup": None if before is None else rss_end - before,
    }


def measure(
    db: Path,
    *,
    now: str | None,
    config: Path | None,
    env: dict,
    reps: int,
    iters: int,
    baseline_src: Path | None = None,
):
    """All TUI numbers on a writable copy of `db`.

    Also runs, in the same rounds, the app without the `callq` command around it (what the
    CLI's start-up adds) and, given `baseline_src`, the `callq` of another source tree.
    """
    work = Path(tempfile.mkdtemp()) / "tui-bench.db"
    shutil.copyfile(db, work)
    # Every app starts from bytecode, as an installed one does (pip compiles Textual's;
    # scripts/setup compiles callq's): where it is not written at run time
    # (PYTHONDONTWRITEBYTECODE) callq would compile its modules at each start.
    import callq as package

    sources = [Path(package.__file__).parent]
    if baseline_src:
        sources.append(baseline_src / "callq")
    for source in sources:
        compileall.compile_dir(source, quiet=1)
    callq = str(Path(sys.executable).with_name("callq"))
    argv = [callq, "--db", str(work), "--rep", "asha"]
    if config:
        argv += ["--config", str(config)]
    if now:
        argv += ["--now", now]
    app_only = [sys.executable, "-c", APP_ONLY, str(work), "asha", str(config or ""), now or ""]
    extra = [("app_only", app_only, env)]
    if baseline_src:  # its own copy: the two trees may migrate to different schemas
        base_work = work.with_name("tui-bench-baseline.db")
        shutil.copyfile(db, base_work)
        base_argv = [str(base_work) if arg == str(work) else arg for arg in argv]
        base_env = {**env, "PYTHONPATH": str(baseline_src)}
        extra.append(("baseline", base_argv, base_env))
    paints = first_paints(argv, env, reps, work, extra)
    latency = outcome_latency(argv, env, iters)
    latency["floor"] = outcome_latency([sys.executable, "-c", FLOOR_APP], env, iters)
    if baseline_src:
        latency["baseline"] = outcome_latency(base_argv, base_env, max(iters // 3, 10))
    shutil.rmtree(work.parent, ignore_errors=True)
    return paints, latency


def summary(paints: dict, latency: dict) -> dict:
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    ms = lambda x: round(x * 1000, 1)  # noqa: E731
    bare = med(paints["bare"])
    facts = {
        "first_paint_bare_ms": ms(bare),
        "first_paint_callq_ms": ms(med(paints["callq"])),
        "first_paint_ratio": round(med(paints["callq"]) / bare, 2),
        "first_paint_app_only_ms": ms(med(paints["app_only"])),
        "first_paint_app_only_ratio": round(med(paints["app_only"]) / bare, 2),
        "rss_bare_mb": round(med(paints["bare_rss"]), 1),
        "rss_callq_at_paint_mb": round(med(paints["callq_rss"]), 1),
        "rss_ratio": round(med(paints["callq_rss"]) / med(paints["bare_rss"]), 2),
        "rss_callq_settled_mb": round(med(paints["callq_rss_settled"]), 1),
        "rss_callq_settled_ratio": round(
            med(paints["callq_rss_settled"]) / med(paints["bare_rss"]), 2
        ),
        "first_paint_stack_ms": ms(med(paints["stack"])),
        "rss_stack_at_paint_mb": round(med(paints["stack_rss"]), 1),
        "rss_stack_settled_mb": round(med(paints["stack_rss_settled"]), 1),
        "rss_stack_settled_ratio": round(
            med(paints["stack_rss_settled"]) / med(paints["bare_rss"]), 2
        ),
        "rss_callq_after_outcomes_mb": round(latency["rss_after_outcomes"], 1),
        "rss_callq_end_mb": round(latency["rss_end"], 1),
        "rss_callq_curve_mb": [(n, round(mb, 1)) for n, mb in latency["rss_curve"]],
        "rss_floor_curve_mb": [(n, round(mb, 1)) for n, mb in latency["floor"]["rss_curve"]],
        "key_to_form_p50_ms": ms(quantile(latency["form"], 0.5)),
        "key_to_form_p99_ms": ms(quantile(latency["form"], 0.99)),
        "enter_to_queue_p50_ms": ms(quantile(latency["saved"], 0.5)),
        "enter_to_queue_p99_ms": ms(quantile(latency["saved"], 0.99)),
        "outcome_keys_to_queue_p50_ms": ms(quantile(latency["both"], 0.5)),
        "outcome_keys_to_queue_p99_ms": ms(quantile(latency["both"], 0.99)),
        "outcome_keys_to_queue_max_ms": ms(max(latency["both"])),
        "outcome_burst_to_queue_p50_ms": ms(quantile(latency["burst"], 0.5)),
        "outcome_burst_to_queue_p99_ms": ms(quantile(latency["burst"], 0.99)),
        "outcome_burst_to_queue_max_ms": ms(max(latency["burst"])),
        "samples": len(latency["saved"]),
        "floor_key_to_panel_p50_ms": ms(quantile(latency["floor"]["form"], 0.5)),
        "floor_enter_to_list_p50_ms": ms(quantile(latency["floor"]["saved"], 0.5)),
        "floor_outcome_keys_p50_ms": ms(quantile(latency["floor"]["both"], 0.5)),
        "floor_outcome_keys_p99_ms": ms(quantile(latency["floor"]["both"], 0.99)),
        "floor_burst_p99_ms": ms(quantile(latency["floor"]["burst"], 0.99)),
        "load_average": os.getloadavg(),
    }
    if "baseline" in paints:
        base = latency["baseline"]
        facts |= {
            "baseline_first_paint_ms": ms(med(paints["baseline"])),
            "baseline_first_paint_ratio": round(med(paints["baseline"]) / bare, 2),
            "baseline_rss_at_paint_mb": round(med(paints["baseline_rss"]), 1),
            "baseline_rss_settled_mb": round(med(paints["baseline_rss_settled"]), 1),
            "baseline_key_to_form_p50_ms": ms(quantile(base["form"], 0.5)),
            "baseline_enter_to_queue_p50_ms": ms(quantile(base["saved"], 0.5)),
            "baseline_enter_to_queue_p99_ms": ms(quantile(base["saved"], 0.99)),
            "baseline_outcome_keys_to_queue_p99_ms": ms(quantile(base["both"], 0.99)),
            "baseline_samples": len(base["saved"]),
        }
    return facts


try:
    from harness import Check, Context, Measure, Result, bench
except ImportError:  # running alone
    bench = None

if bench is not None:

    @bench("tui")
    def tui(ctx: "Context") -> "Result":
        """TUI on the 100k/1M demo: first paint and RSS vs a bare Textual app; outcome p99."""
        paints, latency = measure(
            ctx.big_db(),
            now=ctx.now_text,
            config=ctx.config,
            env=ctx.env,
            reps=3 if ctx.quick else 7,
            iters=30 if ctx.quick else (WARMUP_OUTCOMES + GROWTH_OUTCOMES) // 2,
        )
        s = summary(paints, latency)
        # Issue 12's budget: ratios against floors measured in the same run.
        rss_with_services = max(s["rss_callq_settled_mb"], s["rss_callq_end_mb"])
        rss_vs_stack = round(rss_with_services / s["rss_stack_settled_mb"], 2)
        # The fill (outcome 8 to the end) is logged; the budget is the growth after it.
        fill = round(s["rss_callq_end_mb"] - s["rss_callq_after_outcomes_mb"], 1)
        after = latency["rss_growth_after_warmup"]
        growth = None if after is None else round(after, 1)
        floor_after = latency["floor"]["rss_growth_after_warmup"]
        floor = latency["floor"]["both"]
        median_ratio = round(quantile(latency["both"], 0.5) / quantile(floor, 0.5), 2)
        p99_ratio = round(quantile(latency["both"], 0.99) / quantile(floor, 0.99), 2)
        s |= {
            "outcome_keys_median_vs_floor": median_ratio,
            "outcome_keys_p99_vs_floor": p99_ratio,
            "rss_vs_stack_app": rss_vs_stack,
            "rss_fill_from_outcome_8_mb": fill,
            "rss_growth_over_outcomes_mb": growth,
            "rss_floor_growth_over_outcomes_mb": None
            if floor_after is None
            else round(floor_after, 1),
        }
        return Result(
            measures=[
                Measure("first paint: bare Textual app", paints["bare"]),
                Measure("first paint: bare app + SQLModel stack", paints["stack"]),
                Measure("first paint: callq queue (100k db)", paints["callq"]),
                Measure("first paint: the TUI without the callq command", paints["app_only"]),
                Measure("keys 1 -> outcome form on screen", latency["form"]),
                Measure("enter -> updated queue on screen", latency["saved"]),
                Measure("1 + enter in one burst -> updated queue", latency["burst"]),
                Measure("1, then enter: the sum", latency["both"]),
                Measure("Textual floor app: 1, then enter: the sum", floor),
                Measure("Textual floor app: 1 + enter in one burst", latency["floor"]["burst"]),
            ],
            checks=[
                Check(
                    "TUI first paint vs bare app",
                    "<= 1.5x",
                    f"{s['first_paint_ratio']}x",
                    s["first_paint_ratio"] <= 1.5,
                ),
                Check(
                    "1, then enter: median vs floor app",
                    "<= 1.5x",
                    f"{median_ratio}x",
                    median_ratio <= 1.5,
                ),
                Check("1, then enter: p99 vs floor app", "<= 2x", f"{p99_ratio}x", p99_ratio <= 2),
                Check(
                    "TUI RSS (services loaded, after outcomes) vs bare app + stack",
                    "<= 1.3x",
                    f"{rss_vs_stack}x",
                    rss_vs_stack <= 1.3,
                ),
                Check(
                    f"RSS growth over {GROWTH_OUTCOMES} outcomes after {WARMUP_OUTCOMES} of"
                    f" warm-up (fill from outcome 8: {fill} MB)",
                    "<= 2 MB",
                    "not measured (--quick)" if growth is None else f"{growth} MB",
                    growth is not None and growth <= 2,
                ),
            ],
            facts=s,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a demo database (copied first)")
    parser.add_argument("--now", help="the clock the demo was built for (ISO 8601)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument(
        "--baseline-src", type=Path, help="another tree's src/ to compare, in the same rounds"
    )
    args = parser.parse_args()
    paints, latency = measure(
        args.db,
        now=args.now,
        config=None,
        env=dict(os.environ),
        reps=args.reps,
        iters=args.iterations,
        baseline_src=args.baseline_src,
    )
    print(json.dumps(summary(paints, latency), indent=2))


if __name__ == "__main__":
    main()
