"""`callq serve` under load, in one run: intake against a bare Starlette endpoint, hook
latency on an idle queue, and kill -9 while 2,000 leads arrive (SQLite and PostgreSQL).

Run alone: `python bench/serve.py [--requests 2000] [--clients 20] [--pg URL] [--skip-kill]`.

- intake: POST /leads at `--clients` concurrent clients against `callq serve` (one `log`
  hook subscribed, so every lead also writes its outbox row), and against a bare Starlette
  app on the same uvicorn settings whose endpoint parses the JSON and inserts one row into
  a SQLite file (WAL, synchronous=NORMAL). Budget: throughput >= 0.3x, p99 <= 3x the bare one.
- hook latency: a URL hook to a receiver in this process; from the POST's answer to the
  hook's arrival, leads one at a time (idle queue). Budget: p50 < 1 s.
- kill: 2,000 POSTs from 20 clients, kill -9 of serve half-way; every lead answered 200/201
  is stored, `doctor` passes, every lead has its event, all delivered after a restart.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"

BARE_APP = """
import json, sqlite3, sys, threading
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.concurrency import run_in_threadpool
import uvicorn

PATH = sys.argv[1]
local = threading.local()

def connection():
    if not hasattr(local, "db"):
        db = sqlite3.connect(PATH, timeout=5, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        local.db = db
    return local.db

def insert(fields):
    db = connection()
    db.execute("BEGIN IMMEDIATE")
    cursor = db.execute("INSERT INTO lead (name, phone) VALUES (?, ?)",
                        (fields.get("name", ""), fields.get("phone", "")))
    db.execute("COMMIT")
    return cursor.lastrowid

async def leads(request):
    fields = json.loads(await request.body())
    lead_id = await run_in_threadpool(insert, fields)
    return JSONResponse({"id": lead_id, "status": "created"}, status_code=201)

setup = sqlite3.connect(PATH)
setup.execute("PRAGMA journal_mode=WAL")
setup.execute("CREATE TABLE IF NOT EXISTS lead (id INTEGER PRIMARY KEY, name TEXT, phone TEXT)")
setup.close()
app = Starlette(routes=[Route("/leads", leads, methods=["POST"]),
                        Route("/health", lambda r: JSONResponse({"ok": True}))])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            access_log=False, server_header=False)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """URL hook target: notes when each event arrived, by lead id."""

    def __init__(self) -> None:
        arrived = self.arrived = {}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                arrived.setdefault(json.loads(body)["lead_id"], time.perf_counter())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def rules_file(directory: Path, hook: str) -> Path:
    """Rules with one hook subscribed to lead_created: a command appending to a log, or a URL."""
    log = directory / "hook.log"
    if hook.startswith("http"):
        target = f'url = "{hook}"\nsecret = "bench"'
    else:
        target = f"command = {json.dumps(['sh', '-c', f'cat >> {log}; echo >> {log}'])}"
    path = directory / "callq.toml"
    path.write_text(
        '[team]\nregion = "IN"\nreps = ["asha", "ben"]\n\n'
        f'[[hooks]]\nname = "bench"\non = ["lead_created"]\n{target}\n'
    )
    return path


class Serve:
    def __init__(self, target: str, config: Path, directory: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.directory = directory
        self.env = {
            **os.environ,
            "CALLQ_DB": target,
            "CALLQ_CONFIG": str(config),
            "CALLQ_INTAKE_TOKEN": TOKEN,
            "CALLQ_REP": "intake",
            "HOME": str(directory),
            "XDG_CONFIG_HOME": str(directory / "xdg"),
        }
        self.env.pop("CALLQ_NOW", None)
        self.process = None

    def start(self, argv: list[str] | None = None) -> "Serve":
        command = argv or [sys.executable, "-m", "callq", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health").status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self, kill: bool = False) -> None:
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        self.process.wait(timeout=30)


async def load(url: str, requests: int, clients: int, first_phone: int) -> dict:
    """`requests` POSTs from `clients` concurrent clients: throughput and latencies."""
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}
    numbers = iter(range(requests))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for number in numbers:
                body = {"name": f"Bench {number}", "phone": f"9{first_phone + number:09d}"}
                started = time.perf_counter()
                try:
                    response = await client.post("/leads", json=body, headers=headers)
                    status = response.status_code
                except httpx.TransportError as error:  # counted, not hidden
                    status = type(error).__name__
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[status] = statuses.get(status, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": requests,
        "per_second": round(requests / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "statuses": statuses,
    }


def intake_ratio(requests: int, clients: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        bare_port = free_port()
        bare = Serve(str(directory / "bare.db"), directory / "none", directory)
        bare.url = f"http://127.0.0.1:{bare_port}"
        bare.start([sys.executable, "-c", BARE_APP, str(directory / "bare.db"), str(bare_port)])
        serve = Serve(str(directory / "serve.db"), rules_file(directory, "log"), directory).start()
        try:
            asyncio.run(load(bare.url, 200, clients, 100_000_000))  # warm both up
            asyncio.run(load(serve.url, 200, clients, 200_000_000))
            bare_result = asyncio.run(load(bare.url, requests, clients, 300_000_000))
            serve_result = asyncio.run(load(serve.url, requests, clients, 400_000_000))
        finally:
            bare.stop()
            serve.stop()
    return {
        "bare_starlette": bare_result,
        "callq_serve": serve_result,
        "throughput_ratio": round(serve_result["per_second"] / bare_result["per_second"], 2),
        "p99_ratio": round(serve_result["p99_ms"] / bare_result["p99_ms"], 2),
    }


def hook_latency(leads: int = 30) -> dict:
    receiver = Receiver()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        serve = Serve(str(directory / "hook.db"), rules_file(directory, receiver.url), directory)
        serve.start()
        delays = []
        try:
            with httpx.Client(base_url=serve.url, timeout=30) as client:
                for number in range(leads):
                    body = {"name": f"Hook {number}", "phone": f"98{number:08d}"}
                    response = client.post(
                        "/leads", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
                    )
                    answered = time.perf_counter()
                    lead_id = response.json()["id"]
                    deadline = answered + 10
                    while lead_id not in receiver.arrived and time.perf_counter() < deadline:
                        time.sleep(0.001)
                    delays.append((receiver.arrived.get(lead_id, deadline) - answered) * 1000)
                    time.sleep(0.2)  # idle between leads
        finally:
            serve.stop()
    delays.sort()
    return {
        "leads": leads,
        "p50_ms": round(statistics.median(delays), 1),
        "max_ms": round(delays[-1], 1),
    }


def kill_test(target: str, requests: int, clients: int) -> dict:
    """kill -9 half-way through `requests` POSTs; then check and restart."""
    from sqlalchemy import select

    from callq.services.doctor import check
    from callq.store.db import open_database
    from callq.store.models import Lead, outbox_table

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        serve = Serve(target, rules_file(directory, "log"), directory).start()
        answered: dict[int, int] = {}
        headers = {"Authorization": f"Bearer {TOKEN}"}

        def post(client: httpx.Client, number: int) -> None:
            body = {"name": f"Kill {number}", "phone": f"97{number:08d}"}
            try:
                response = client.post("/leads", json=body, headers=headers)
            except httpx.TransportError:
                return
            if response.status_code in (200, 201):
                answered[number] = response.json()["id"]

        from concurrent.futures import ThreadPoolExecutor

        with httpx.Client(base_url=serve.url, timeout=30) as client:
            with ThreadPoolExecutor(max_workers=clients) as pool:
                for number in range(requests):
                    pool.submit(post, client, number)
                while len(answered) < requests // 2:
                    time.sleep(0.005)
                serve.stop(kill=True)
        db = open_database(target)
        with db.read() as session:
            leads = dict(session.execute(select(Lead.id, Lead.name)).all())
            with_event = set(
                session.execute(
                    select(outbox_table.c.lead_id).where(outbox_table.c.type == "lead_created")
                ).scalars()
            )
        lost = [n for n, lead_id in answered.items() if leads.get(lead_id) != f"Kill {n}"]
        doctor_ok = check(db).ok
        serve.start()
        delivered_all = False
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not delivered_all:
            with db.read() as session:
                delivered_all = not session.execute(
                    select(outbox_table.c.id).where(outbox_table.c.delivered_at.is_(None)).limit(1)
                ).first()
            time.sleep(0.2)
        logged = set()
        log = directory / "hook.log"
        if log.exists():
            logged = {json.loads(line)["lead_id"] for line in log.read_text().splitlines() if line}
        serve.stop()
        db.dispose()
    return {
        "requests": requests,
        "answered_before_kill": len(answered),
        "stored": len(leads),
        "answered_but_lost": len(lost),
        "doctor_ok": doctor_ok,
        "leads_without_event": len(set(leads) - with_event),
        "all_delivered_after_restart": delivered_all and set(leads) <= logged,
    }


def _pg_database(server: str) -> tuple[str, callable]:
    import psycopg

    name = f"callq_bench_serve_{os.getpid()}"
    admin = server.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{server.rpartition('/')[0]}/{name}", drop


def run(requests: int, clients: int, pg: str | None, skip_kill: bool) -> dict:
    results = {"intake": intake_ratio(requests, clients), "hook_latency": hook_latency()}
    if not skip_kill:
        with tempfile.TemporaryDirectory() as tmp:
            results["kill_sqlite"] = kill_test(str(Path(tmp) / "kill.db"), requests, clients)
        server = pg or os.environ.get("CALLQ_TEST_PG")
        if server:
            target, drop = _pg_database(server)
            try:
                results["kill_postgresql"] = kill_test(target, requests, clients)
            finally:
                drop()
    return results


try:  # hook into bench/run.py when its registry is there
    from harness import Check, Result, bench  # type: ignore[import-not-found]
except ImportError:  # run alone
    bench = None

if bench is not None:

    @bench("serve")
    def serve_benchmark(ctx) -> "Result":  # noqa: ANN001
        """`callq serve`: intake vs bare Starlette, hook latency, kill -9 (SQLite, PostgreSQL)."""
        requests = 500 if ctx.quick else 2000
        results = run(requests, 20, None, skip_kill=False)
        print(json.dumps(results, indent=2))
        intake, hook = results["intake"], results["hook_latency"]
        checks = [
            Check(
                "intake throughput vs bare",
                ">= 0.3x",
                f"{intake['throughput_ratio']}x",
                intake["throughput_ratio"] >= 0.3,
            ),
            Check(
                "intake p99 vs bare", "<= 3x", f"{intake['p99_ratio']}x", intake["p99_ratio"] <= 3
            ),
            Check("hook latency p50", "< 1000 ms", f"{hook['p50_ms']} ms", hook["p50_ms"] < 1000),
        ]
        for name in ("kill_sqlite", "kill_postgresql"):
            if name in results:
                kill = results[name]
                kept = (
                    kill["answered_but_lost"] == 0
                    and kill["doctor_ok"]
                    and kill["leads_without_event"] == 0
                    and kill["all_delivered_after_restart"]
                )
                actual = (
                    f"lost {kill['answered_but_lost']}, doctor {kill['doctor_ok']}, "
                    f"no event {kill['leads_without_event']}, "
                    f"delivered {kill['all_delivered_after_restart']}"
                )
                checks.append(Check(f"{name.replace('_', ' -9 ')}", "nothing lost", actual, kept))
        return Result(checks=checks, facts=results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--pg", default=None)
    parser.add_argument("--skip-kill", action="store_true")
    args = parser.parse_args()
    results = run(args.requests, args.clients, args.pg, args.skip_kill)
    out = ROOT / "bench" / "out" / "serve.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    intake = results["intake"]
    hook_p50 = results["hook_latency"]["p50_ms"]
    print(
        f"intake: {intake['throughput_ratio']}x throughput (>= 0.3), "
        f"{intake['p99_ratio']}x p99 (<= 3); hook p50 {hook_p50} ms (< 1000)"
    )


if __name__ == "__main__":
    main()
