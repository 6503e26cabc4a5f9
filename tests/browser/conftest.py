"""Fixtures for the real-browser tests: the real app server and Debian's Chromium.

``live_server`` starts ``python run.py`` in a subprocess on a free port with its own SQLite
file, reads the demo password and join code it prints, and waits for ``/healthz``. The
``browser`` fixture launches /usr/bin/chromium through Playwright (never a downloaded
browser). Without Chromium the tests are skipped, except in CI (``CI=true``), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import secrets
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
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 45.0  # seconds for migrations, the demo seed and the first /healthz


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """A running ``run.py``: where it is, what it printed, and its database file."""

    base_url: str
    password: str
    join_code: str
    database: Path
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def log(self) -> str:
        return "".join(self.output[-200:])


def _drain(process: subprocess.Popen[str], lines: list[str], ready: threading.Event) -> None:
    """Keep reading the server's output so its pipe never fills up and blocks it."""
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if line.startswith("Press Ctrl+C"):
            ready.set()
    ready.set()  # the process ended: stop waiting


def _wait_healthy(url: str, process: subprocess.Popen[str], lines: list[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped while starting:\n" + "".join(lines))
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.1)  # poll interval while waiting on a condition, not a fixed wait
    raise RuntimeError(f"/healthz did not answer within {START_TIMEOUT}s ({last}):\n" + "".join(lines))


@contextmanager
def run_live_server(folder: Path, **extra_env: str) -> Iterator[LiveServer]:
    """Start ``python run.py`` with its own SQLite file in ``folder`` (plus any WORKSHOP_* settings)."""
    _need_chromium()
    port = _free_port()
    database = folder / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_")}
    env.update(
        WORKSHOP_DATABASE_URL=f"sqlite:///{database}",
        WORKSHOP_SECRET_KEY=secrets.token_urlsafe(32),
        WORKSHOP_PUSH_INTERVAL="0.1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env)
    process = subprocess.Popen(  # noqa: S603 - our own run.py with the current interpreter
        [sys.executable, "run.py", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    ready = threading.Event()
    threading.Thread(target=_drain, args=(process, lines, ready), daemon=True).start()
    try:
        if not ready.wait(START_TIMEOUT):
            raise RuntimeError("the server printed no start-up lines in time:\n" + "".join(lines))
        text = "".join(lines)
        password = re.search(r"^Password:\s+(\S+)", text, re.M)
        code = re.search(r"^Join code:\s+(\S+)", text, re.M)
        if not password or not code:
            raise RuntimeError("no demo password or join code in the server's output:\n" + text)
        base_url = f"http://127.0.0.1:{port}"
        _wait_healthy(base_url + "/healthz", process, lines)
        yield LiveServer(base_url, password.group(1), code.group(1), database, process, lines)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with run_live_server(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
