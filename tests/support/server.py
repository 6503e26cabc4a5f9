"""The one live-server launcher: the real app (``python run.py``) in its own process.

Browser, security and services tests all start the server this way, so it starts the way a
person starts it (migrations and the demo seed on an empty database, gevent, the production
configuration) and stops for sure. What it does, in order:

- picks a free port on 127.0.0.1 (several people's servers run on one machine at once);
- builds the environment from scratch: every inherited ``WORKSHOP_*`` variable is dropped,
  then the database URL, a secret key (random unless given) and any extra settings are set;
- writes everything the server prints to a log file in the given folder, so a failure can
  quote it (``LiveServer.log()``) and a full pipe can never block the server;
- waits, with a deadline, until ``/healthz`` answers 200, and fails at once (with the log)
  if the process ends first;
- reads the demo password and join code that ``run.py`` prints on an empty database;
- on the way out terminates the process (then kills it if it will not stop).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .waits import wait_until

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0  # seconds for migrations, the demo seed and the first /healthz on a busy machine
STOP_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, *, secret_key: str | None = None, **settings: str) -> dict[str, str]:
    """The environment for the app: this one's, minus any WORKSHOP_* setting, plus these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_")}
    env.update(
        WORKSHOP_DATABASE_URL=database_url,
        WORKSHOP_SECRET_KEY=secret_key or secrets.token_urlsafe(32),
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


@dataclass
class LiveServer:
    """A running ``run.py``: where it is, its process, its log, and what it printed."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    database_url: str
    password: str | None = None
    join_code: str | None = None

    @property
    def base(self) -> str:
        return self.base_url

    @property
    def database(self) -> Path:
        """The SQLite file the server uses (for tests that read what it stored)."""
        assert self.database_url.startswith("sqlite:///"), f"not a SQLite database: {self.database_url}"
        return Path(self.database_url.removeprefix("sqlite:///"))

    def log(self, lines: int = 200) -> str:
        """The last ``lines`` lines the server printed."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def healthy(self) -> bool:
        """True if ``/healthz`` answers 200 now; an error if the process has ended."""
        if self.process.poll() is not None:
            raise RuntimeError(f"the server at {self.base_url} stopped (exit {self.process.returncode}):\n{self.log()}")
        try:
            with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as response:  # noqa: S310 - our server
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        wait_until(self.healthy, timeout, f"{self.base_url}/healthz answers 200", last=lambda: self.log(40))
        printed = self.log(lines=10_000)
        password = re.search(r"^Password:\s+(\S+)", printed, re.M)
        code = re.search(r"^Join code:\s+(\S+)", printed, re.M)
        self.password = password.group(1) if password else None
        self.join_code = code.group(1) if code else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT)


def start_server(folder: Path, env: Mapping[str, str], *, name: str = "server") -> LiveServer:
    """Start ``run.py`` with this environment (see :func:`server_env`); do not wait for it."""
    port = free_port()
    log_path = folder / f"{name}-{port}.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own run.py with this interpreter
            [sys.executable, "run.py", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return LiveServer(f"http://127.0.0.1:{port}", process, log_path, env["WORKSHOP_DATABASE_URL"])


@contextmanager
def run_server(
    folder: Path,
    *,
    database_url: str | None = None,
    secret_key: str | None = None,
    timeout: float = START_TIMEOUT,
    **settings: str,
) -> Iterator[LiveServer]:
    """Run the app until the block ends: on ``database_url``, or a new SQLite file in ``folder``.

    ``settings`` are extra environment variables (``WORKSHOP_PROMPTS_DIR="..."``). On an
    empty database the server makes the demo, and ``password`` and ``join_code`` are set.
    """
    url = database_url or f"sqlite:///{folder / 'live.sqlite3'}"
    server = start_server(folder, server_env(url, secret_key=secret_key, **settings))
    try:
        server.wait_healthy(timeout)
        yield server
    finally:
        server.stop()


def run_init(env: Mapping[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python run.py --init`` (make the secret key, migrate, no demo, no server) and return how it went."""
    return subprocess.run(  # noqa: S603 - our own run.py with this interpreter
        [sys.executable, "run.py", "--init"], cwd=ROOT, env=dict(env), capture_output=True, text=True, timeout=timeout
    )


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    """GET a URL on this machine; return the status and body (an HTTP error status is returned, not raised)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
