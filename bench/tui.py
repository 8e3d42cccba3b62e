"""TUI benchmark: first paint, outcome keypress -> updated queue, and memory, in a real pty.

    python bench/tui.py [--db DEMO.db] [--now ISO] [--iterations N]

Both apps (callq and a bare Textual app) run as whole processes in a 120x40 pseudo-terminal;
"painted" means the text a person would see has been written to the terminal. Registers
`@bench("tui")` for bench/run.py when the harness is there; also runs alone.
"""

import argparse
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


class Terminal:
    """A process in a pty whose output is collected (escape codes removed) for markers."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the app
            os.execvpe(argv[0], argv, {**env, "TERM": "xterm-256color", "COLUMNS": str(COLS)})
        self.pid, self.fd = pid, fd
        ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.raw = bytearray()
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            with self.changed:
                if not chunk:
                    self.raw += b"\0EOF"
                    self.changed.notify_all()
                    return
                self.raw += chunk
                self.changed.notify_all()

    def mark(self) -> int:
        with self.changed:
            return len(self.raw)

    def wait_for(self, text: str, since: int = 0, timeout: float = 60.0) -> float:
        """Seconds (perf_counter) when `text` appeared in the output after byte `since`."""
        needle = text.encode()
        deadline = time.perf_counter() + timeout
        with self.changed:
            while True:
                if needle in ANSI.sub(b"", bytes(self.raw[since:])):
                    return time.perf_counter()
                if self.raw.endswith(b"\0EOF"):
                    tail = ANSI.sub(b"", bytes(self.raw[-2000:])).decode(errors="replace")
                    raise RuntimeError(f"the app exited before showing {text!r}: {tail}")
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError(f"{text!r} not shown within {timeout} s")
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


def first_paints(callq_argv: list[str], env: dict, reps: int) -> dict:
    """Interleaved runs of both apps: seconds to first paint, and RSS once painted."""
    bare_argv = [sys.executable, "-c", BARE_APP]
    results = {"callq": [], "bare": [], "callq_rss": [], "bare_rss": []}
    for i in range(reps + 1):
        for name, argv, marker in (
            ("bare", bare_argv, "hello bare app"),
            ("callq", callq_argv, "New ("),
        ):
            term = Terminal(argv, env)
            try:
                painted = term.wait_for(marker) - term.started
                time.sleep(0.5)  # settle, then read memory
                rss = term.rss_mb()
            finally:
                term.close()
            if i > 0:  # the first round warms the OS file cache
                results[name].append(painted)
                results[f"{name}_rss"].append(rss)
    return results


def outcome_latency(callq_argv: list[str], env: dict, iterations: int) -> dict:
    """`1` then `enter` on the top lead, until the header's call count shows the new call."""
    term = Terminal(callq_argv, env)
    form, saved = [], []
    try:
        term.wait_for("New (")
        seen = term.mark()
        term.wait_for("Calls today ", 0)
        text = ANSI.sub(b"", bytes(term.raw)).decode(errors="replace")
        calls = int(re.findall(r"Calls today (\d+)", text)[-1])
        time.sleep(0.5)
        for i in range(iterations + 3):
            seen = term.mark()
            started = time.perf_counter()
            term.send("1")
            shown = term.wait_for("Note (optional)", seen)
            seen = term.mark()
            enter = time.perf_counter()
            term.send("\r")
            calls += 1
            done = term.wait_for(f"Calls today {calls} ", seen)
            if i >= 3:  # warm-up: first pages, first statements
                form.append(shown - started)
                saved.append(done - enter)
            time.sleep(0.05)
    finally:
        term.close()
    return {"form": form, "saved": saved, "both": [f + s for f, s in zip(form, saved, strict=True)]}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(db: Path, *, now: str | None, config: Path | None, env: dict, reps: int, iters: int):
    """All TUI numbers on a writable copy of `db`."""
    work = Path(tempfile.mkdtemp()) / "tui-bench.db"
    shutil.copyfile(db, work)
    callq = str(Path(sys.executable).with_name("callq"))
    argv = [callq, "--db", str(work), "--rep", "asha"]
    if config:
        argv += ["--config", str(config)]
    if now:
        argv += ["--now", now]
    paints = first_paints(argv, env, reps)
    latency = outcome_latency(argv, env, iters)
    shutil.rmtree(work.parent, ignore_errors=True)
    return paints, latency


def summary(paints: dict, latency: dict) -> dict:
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    return {
        "first_paint_callq_ms": round(med(paints["callq"]) * 1000, 1),
        "first_paint_bare_ms": round(med(paints["bare"]) * 1000, 1),
        "first_paint_ratio": round(med(paints["callq"]) / med(paints["bare"]), 2),
        "rss_callq_mb": round(med(paints["callq_rss"]), 1),
        "rss_bare_mb": round(med(paints["bare_rss"]), 1),
        "rss_ratio": round(med(paints["callq_rss"]) / med(paints["bare_rss"]), 2),
        "key_to_form_p99_ms": round(quantile(latency["form"], 0.99) * 1000, 1),
        "enter_to_queue_p50_ms": round(quantile(latency["saved"], 0.5) * 1000, 1),
        "enter_to_queue_p99_ms": round(quantile(latency["saved"], 0.99) * 1000, 1),
        "outcome_keys_to_queue_p99_ms": round(quantile(latency["both"], 0.99) * 1000, 1),
        "samples": len(latency["saved"]),
    }


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
            iters=30 if ctx.quick else 100,
        )
        s = summary(paints, latency)
        return Result(
            measures=[
                Measure("first paint: bare Textual app", paints["bare"]),
                Measure("first paint: callq queue (100k db)", paints["callq"]),
                Measure("keys 1 -> outcome form on screen", latency["form"]),
                Measure("enter -> updated queue on screen", latency["saved"]),
            ],
            checks=[
                Check(
                    "TUI first paint vs bare",
                    "< 1.5x",
                    f"{s['first_paint_ratio']}x",
                    s["first_paint_ratio"] < 1.5,
                ),
                Check(
                    "outcome+enter -> queue p99",
                    "<= 33 ms",
                    f"{s['outcome_keys_to_queue_p99_ms']} ms",
                    s["outcome_keys_to_queue_p99_ms"] <= 33,
                ),
                Check("TUI RSS vs bare", "< 2x", f"{s['rss_ratio']}x", s["rss_ratio"] < 2),
            ],
            facts=s,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a demo database (copied first)")
    parser.add_argument("--now", help="the clock the demo was built for (ISO 8601)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=60)
    args = parser.parse_args()
    paints, latency = measure(
        args.db,
        now=args.now,
        config=None,
        env=dict(os.environ),
        reps=args.reps,
        iters=args.iterations,
    )
    print(json.dumps(summary(paints, latency), indent=2))


if __name__ == "__main__":
    main()
