"""SIGTERM mid-burst: every answer in flight is acknowledged before the server exits.

Starts the real server (``python run.py``, gevent) on a free port with its own SQLite file,
opens the demo workshop's first question for answers, joins several phones over HTTP, and
has each send a burst of answers over Socket.IO without waiting for replies. Once the server
has acknowledged a part of them it gets SIGTERM. The test then checks that:

* every answer sent before the signal was acknowledged (stored, or refused with ``retry`` so
  the phone keeps it), and every phone heard ``restarting``;
* every answer acknowledged as saved is in the database (the last one per phone counts);
* any answer sent after the signal was acknowledged or is still the phone's to send again;
* the process exited on its own, within a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PHONES = 8
BURST = 40  # answers per phone, under the per-participant answer limit (60 a minute)
WAIT = 45.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)  # poll interval while waiting on a condition
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Server:
    base: str
    database: Path
    process: subprocess.Popen[str]
    kind: str
    lines: list[str] = field(default_factory=list)

    def log(self) -> str:
        return "".join(self.lines[-80:])


@pytest.fixture(params=["run.py", "gunicorn"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """The real server: ``python run.py``, or gunicorn's gevent worker with ``gunicorn.conf.py``."""
    port = _free_port()
    database = tmp_path / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_")}
    env.update(
        WORKSHOP_DATABASE_URL=f"sqlite:///{database}",
        WORKSHOP_SECRET_KEY=secrets.token_urlsafe(32),
        WORKSHOP_PUSH_INTERVAL="0.1",
        PYTHONUNBUFFERED="1",
    )
    if request.param == "run.py":
        command = [sys.executable, "run.py", "--host", "127.0.0.1", "--port", str(port)]
    else:
        # gunicorn does not run run.py's main(): migrate and make the demo first.
        subprocess.run(  # noqa: S603 - our own code
            [sys.executable, "-c", "import run; run.prepare()"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "run:app"]
    process = subprocess.Popen(  # noqa: S603 - our own server
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    found = Server(f"http://127.0.0.1:{port}", database, process, request.param)

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            found.lines.append(line)

    threading.Thread(target=drain, daemon=True).start()

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError("the server stopped while starting:\n" + found.log())
        try:
            with urllib.request.urlopen(found.base + "/healthz", timeout=2) as response:  # noqa: S310 - local
                return bool(response.status == 200)
        except OSError:
            return False

    try:
        _wait(healthy, WAIT, "the server to start")
        yield found
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _open_first_question(database: Path) -> tuple[int, str, int, dict[str, Any]]:
    """Put the demo workshop live on a scale or position question, answering open (as the console would)."""
    with sqlite3.connect(database) as conn:
        wid, code = conn.execute("SELECT id, join_code FROM workshop ORDER BY id LIMIT 1").fetchone()
        position, kind = conn.execute(
            "SELECT position, prompt_type FROM workshop_step WHERE workshop_id = ? AND kind = 'prompt' "
            "AND prompt_type IN ('scale', 'position') ORDER BY position LIMIT 1",
            (wid,),
        ).fetchone()
        conn.execute(
            "UPDATE workshop SET status = 'live', current_step = ?, answering_open = 1, state_version = state_version + 1 "
            "WHERE id = ?",
            (position, wid),
        )
    return wid, code, position, ({"scale": 3} if kind == "scale" else {"position": "consent"})


def _join(base: str, code: str) -> str:
    """Join over HTTP like a phone; return the session cookie."""
    browser = requests.Session()
    page = browser.get(f"{base}/j/{code}", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, page[:400]
    joined = browser.post(f"{base}/j/{code}", data={"csrf_token": token.group(1)}, allow_redirects=False, timeout=10)
    assert joined.status_code == 302, joined.text[:400]
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


@dataclass
class Phone:
    client: socketio.AsyncClient
    participant: int = 0
    sent_before: list[str] = field(default_factory=list)
    sent_after: list[str] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    restarting: bool = False


async def _burst(server: Server) -> tuple[list[Phone], int, float]:
    wid, code, position, value = _open_first_question(server.database)
    cookies = [_join(server.base, code) for _ in range(PHONES)]
    phones: list[Phone] = []
    for cookie in cookies:
        client = socketio.AsyncClient(reconnection=False)
        phone = Phone(client)

        def heard(_data: Any, phone: Phone = phone) -> None:
            phone.restarting = True

        client.on("restarting", heard)
        await client.connect(
            server.base, headers={"Cookie": cookie}, auth={"as": "phone", "workshop": wid}, transports=["websocket"]
        )
        phones.append(phone)

    async def send(phone: Phone, after: bool = False) -> None:
        client_id = uuid.uuid4().hex
        (phone.sent_after if after else phone.sent_before).append(client_id)
        try:
            ack = await phone.client.call(
                "answer", {"step": position, "client_id": client_id, "value": value}, timeout=15
            )
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError, ConnectionError):
            return  # no acknowledgement: still the phone's to send again
        phone.acks[client_id] = ack

    # The whole burst goes out at once; a quarter acknowledged, the server gets SIGTERM while
    # the rest are still in flight; then each phone sends a few more, as phones would.
    tasks = [asyncio.ensure_future(send(phone)) for _ in range(BURST) for phone in phones]
    deadline = time.monotonic() + WAIT
    while sum(len(p.acks) for p in phones) < PHONES * BURST // 4 and time.monotonic() < deadline:
        await asyncio.sleep(0.005)  # waiting on a condition, with a deadline
    total_before = sum(len(p.sent_before) for p in phones)
    in_flight = total_before - sum(len(p.acks) for p in phones)
    ended: list[float] = []
    watcher = threading.Thread(
        target=lambda: (server.process.wait(timeout=30), ended.append(time.monotonic())), daemon=True
    )
    server.process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    watcher.start()
    for _ in range(5):
        tasks += [asyncio.ensure_future(send(phone, after=True)) for phone in phones if phone.client.connected]
        await asyncio.sleep(0.01)
    assert in_flight > 0, "every answer was acknowledged before the signal: nothing was in flight"
    await asyncio.wait(tasks, timeout=WAIT)
    watcher.join(timeout=30)
    exited = (ended[0] if ended else float("inf")) - signalled
    for phone in phones:
        if phone.client.connected:
            await phone.client.disconnect()
    assert total_before > 0
    return phones, in_flight, exited


def test_sigterm_mid_burst_acknowledges_every_answer_in_flight(server: Server) -> None:
    phones, in_flight, exited = asyncio.run(_burst(server))
    assert server.process.poll() is not None, "the server did not exit after SIGTERM:\n" + server.log()
    assert exited < 8.0, f"the server took {exited:.1f} s to stop"
    assert server.process.returncode == 0, server.log()
    sent_before = [c for p in phones for c in p.sent_before]
    unacked_before = [c for p in phones for c in p.sent_before if c not in p.acks]
    assert not unacked_before, f"{len(unacked_before)} of {len(sent_before)} answers in flight got no acknowledgement"
    assert all(p.restarting for p in phones), "a phone was not told the server is restarting"
    saved = {c for p in phones for c, ack in p.acks.items() if ack.get("ok")}
    retried = {c for p in phones for c, ack in p.acks.items() if ack.get("retry")}
    refused_otherwise = [a for p in phones for a in p.acks.values() if not a.get("ok") and not a.get("retry")]
    assert not refused_otherwise, refused_otherwise[:3]
    assert saved, "no answer was saved before the stop"
    # Every phone's stored answer is one the server acknowledged as saved.
    with sqlite3.connect(server.database) as conn:
        stored = {row[0] for row in conn.execute("SELECT client_id FROM response")}
    assert len(stored) == len(phones)
    assert stored <= saved
    print(  # the figures for the report (pytest -s)
        f"\ngraceful stop ({server.kind}): {len(sent_before)} answers sent before SIGTERM ({in_flight} still in flight), all acknowledged "
        f"({len(saved)} saved, {len(retried)} kept for resending); exited {exited:.2f} s after the signal"
    )
    if server.kind == "run.py":
        assert "Common Ground has stopped." in server.log()
