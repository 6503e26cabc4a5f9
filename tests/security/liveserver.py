"""Run the real app (``python run.py``) in a subprocess on a free port, for the security tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from workshop.config import TestConfig

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    base: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def log(self) -> str:
        return "".join(self.output)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _drain(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)


def wait_until(condition: object, timeout: float, what: str) -> None:
    """Poll ``condition()`` until it is true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)  # poll interval while waiting on a condition
    raise AssertionError(f"timed out waiting for {what}")


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310 - local server
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def run_server(database_url: str, timeout: float = 45.0) -> Iterator[Server]:
    """Start run.py on ``database_url`` with the test secret key; stop it afterwards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_")}
    env.update(WORKSHOP_DATABASE_URL=database_url, WORKSHOP_SECRET_KEY=str(TestConfig.SECRET_KEY), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(  # noqa: S603 - our own run.py with this interpreter
        [sys.executable, "run.py", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    threading.Thread(target=_drain, args=(process, server.output), daemon=True).start()
    try:
        deadline = time.monotonic() + timeout
        while not healthy(server.base):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start:\n" + server.log())
            time.sleep(0.1)  # poll interval while waiting on a condition
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
