"""A real `callq serve` process on a free port, its rules file with hooks, a URL receiver."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from backends import BACKENDS, PG_URL, drop_postgres, fresh_postgres_url

TOKEN = "test-intake-token"
GOOGLE_KEY = "google-form-key"
HOOK_SECRET = "hook-signing-secret"
LOGGED_EVENTS = ["lead_created", "lead_merged", "lead_reopened", "outcome_logged"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """A local HTTP endpoint for URL hooks: records each request's headers and body."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def rules_text(log: Path, receiver_url: str | None) -> str:
    """Team rules with a logging command hook, a failing one and (optionally) a URL hook."""
    append = f"cat >> '{log}'; echo >> '{log}'"
    text = f"""
[team]
timezone = "Asia/Kolkata"
region = "IN"
reps = ["asha", "ben"]

[intake]
google_key = "{GOOGLE_KEY}"

[[hooks]]
name = "log"
on = {json.dumps(LOGGED_EVENTS)}
command = ["sh", "-c", {json.dumps(append)}]
"""
    if receiver_url:
        text += f"""
[[hooks]]
name = "broken"
on = ["lead_created"]
command = ["sh", "-c", "echo 'crm is down' >&2; exit 3"]

[[hooks]]
name = "signed"
on = ["lead_created"]
url = "{receiver_url}"
secret = "{HOOK_SECRET}"
"""
    return text


class Server:
    """`callq serve` in its own process: start, kill -9, restart; an httpx client to it."""

    def __init__(self, db_target: str, directory: Path, receiver_url: str | None) -> None:
        self.db_target = db_target
        self.directory = directory
        self.log = directory / "hook.log"
        self.config = directory / "callq.toml"
        self.config.write_text(rules_text(self.log, receiver_url))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CALLQ_DB": db_target,
            "CALLQ_INTAKE_TOKEN": TOKEN,
            "CALLQ_REP": "intake",
            "CALLQ_CONFIG": str(self.config),
            "XDG_CONFIG_HOME": str(directory / "xdg-config"),
            "XDG_DATA_HOME": str(directory / "xdg-data"),
            "HOME": str(directory / "home"),
        }
        self.env.pop("CALLQ_NOW", None)
        self.process: subprocess.Popen | None = None
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "callq", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.directory / "serve.err", "ab"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.directory / "serve.err").read_text())
            try:
                if self.client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("callq serve did not start within 60 s")

    def kill(self) -> None:
        """kill -9: no shutdown, no last commit, nothing flushed."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def post(self, path: str = "/leads", *, token: str | None = TOKEN, **kwargs) -> httpx.Response:  # noqa: ANN003
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.post(path, headers=headers, **kwargs)

    def hook_events(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def run_cli(self, *args: str, **env: str):  # noqa: ANN201
        """`callq ARGS` on the server's database and rules, in-process (a click Result)."""
        from typer.testing import CliRunner

        import callq.cli

        keys = ("CALLQ_DB", "CALLQ_CONFIG", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME")
        # COLUMNS: tables as wide as they need, whatever the test run's terminal.
        environment = {key: self.env[key] for key in keys} | {
            "CALLQ_REP": "asha",
            "COLUMNS": "200",
            **env,
        }
        return CliRunner().invoke(callq.cli.app, list(args), env=environment)


def wait_for(condition, timeout: float = 10.0, every: float = 0.05):  # noqa: ANN001, ANN201
    """Poll `condition()` until it is truthy (returned) or `timeout` passes (AssertionError)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(every)


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    receiving = Receiver()
    yield receiving
    receiving.close()


def make_target(backend: str, directory: Path) -> str:
    if backend == "postgresql":
        if not PG_URL:
            pytest.skip("PostgreSQL: set CALLQ_TEST_PG")
        return fresh_postgres_url()
    return str(directory / "callq.db")


def drop_target(backend: str, target: str) -> None:
    if backend == "postgresql":
        drop_postgres(target)


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, receiver: Receiver) -> Iterator[Server]:
    """One server per backend for these tests (its start is most of a test's cost)."""
    directory = Path(tempfile.mkdtemp(prefix="callq-serve-"))
    target = make_target(request.param, directory)
    running = Server(target, directory, receiver.url)
    running.start()
    yield running
    running.stop()
    running.client.close()
    drop_target(request.param, target)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def served_db(server: Server) -> Iterator:
    """The server's database, opened in the test process as any other front end would."""
    from callq.store.db import open_database

    database = open_database(server.db_target)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def served_rules(server: Server):  # noqa: ANN201
    from callq.config.loading import load_rules

    return load_rules(server.config)


@pytest.fixture(scope="session")
def backend_of():  # noqa: ANN201
    return lambda server: "sqlite" if "://" not in server.db_target else "postgresql"
