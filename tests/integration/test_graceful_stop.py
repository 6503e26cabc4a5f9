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
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.support import ROOT, LiveServer, free_port, server_env, start_server, wait_until_async

pytestmark = [pytest.mark.slow]

PHONES = 32
# Answers per phone sent at once: within one socket's fair-share burst (web/fairshare.py,
# 10 events), so none is refused for its rate and every one must be stored or told to retry.
BURST = 8
WAIT = 45.0
# gunicorn does not run run.py's main(): this migrates and makes the demo first, as main() does.
PREPARE = "import run\nfrom workshop.serve import prepare\nprepare(run.app)\n"


def _gunicorn(folder: Path, env: dict[str, str]) -> LiveServer:
    """gunicorn's gevent worker with ``gunicorn.conf.py``, its output in a log file like run.py's."""
    subprocess.run(  # noqa: S603 - our own code with this interpreter
        [sys.executable, "-c", PREPARE], cwd=ROOT, env=env, check=True, capture_output=True
    )
    port = free_port()
    log_path = folder / f"gunicorn-{port}.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own server with this interpreter
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "run:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return LiveServer(f"http://127.0.0.1:{port}", process, log_path, env["WORKSHOP_DATABASE_URL"])


@pytest.fixture(params=["run", "gunicorn"])
def kind(request: pytest.FixtureRequest) -> str:
    """Which server: ``python run.py`` ("run"), or gunicorn's gevent worker with ``gunicorn.conf.py``."""
    return str(request.param)


@pytest.fixture
def server(kind: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The real server: ``python run.py`` (the suite's launcher), or gunicorn's gevent worker."""
    env = server_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WORKSHOP_PUSH_INTERVAL="0.1")
    found = start_server(tmp_path, env) if kind == "run" else _gunicorn(tmp_path, env)
    try:
        found.wait_healthy()
        yield found
    finally:
        found.stop()


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


async def _burst(server: LiveServer) -> tuple[list[Phone], int, float]:
    wid, code, position, value = _open_first_question(server.database)
    cookies = [_join(server.base, code) for _ in range(PHONES)]
    phones: list[Phone] = []
    changed = asyncio.Event()  # set whenever an answer is acknowledged or given up
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

    def start(phone: Phone, after: bool = False) -> asyncio.Future[None]:
        task = asyncio.ensure_future(send(phone, after))
        task.add_done_callback(lambda _: changed.set())  # after the task is done, so the waits see it
        return task

    def acked() -> int:
        return sum(len(p.acks) for p in phones)

    def settled(tasks: list[asyncio.Future[None]]) -> str:
        return f"{sum(not t.done() for t in tasks)} of {len(tasks)} answers still waiting"

    # The whole burst goes out at once; a quarter acknowledged, the server gets SIGTERM while
    # the rest are still in flight; then each phone sends a few more, each once the one before
    # it has its answer (or was given up), as phones would.
    tasks = [start(phone) for _ in range(BURST) for phone in phones]
    try:
        await wait_until_async(
            lambda: acked() >= PHONES * BURST // 4,
            WAIT,
            "a quarter of the burst is acknowledged",
            changed=changed,
            last=lambda: f"{acked()} acknowledged",
        )
        total_before = sum(len(p.sent_before) for p in phones)
        in_flight = total_before - acked()
        ended: list[float] = []
        watcher = threading.Thread(
            target=lambda: (server.process.wait(timeout=30), ended.append(time.monotonic())), daemon=True
        )
        server.process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        watcher.start()
        for _ in range(5):
            round_ = [start(phone, after=True) for phone in phones if phone.client.connected]
            tasks += round_
            await wait_until_async(
                lambda round_=round_: all(t.done() for t in round_),
                WAIT,
                "the answers sent after the signal are acknowledged or given up",
                changed=changed,
                last=lambda round_=round_: settled(round_),
            )
        assert in_flight > 0, "every answer was acknowledged before the signal: nothing was in flight"
        await wait_until_async(
            lambda: all(t.done() for t in tasks),
            WAIT,
            "every answer sent is acknowledged or given up",
            changed=changed,
            last=lambda: settled(tasks),
        )
        await wait_until_async(lambda: ended, 30, "the server has exited after SIGTERM", last=lambda: server.log(20))
        exited = ended[0] - signalled
    finally:
        for phone in phones:
            if phone.client.connected:
                await phone.client.disconnect()
    assert total_before > 0
    return phones, in_flight, exited


def test_sigterm_mid_burst_acknowledges_every_answer_in_flight(kind: str, server: LiveServer) -> None:
    phones, in_flight, exited = asyncio.run(_burst(server))
    assert server.process.poll() is not None, "the server did not exit after SIGTERM:\n" + server.log(80)
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
        f"\ngraceful stop ({kind}): {len(sent_before)} answers sent before SIGTERM ({in_flight} still in flight), all acknowledged "
        f"({len(saved)} saved, {len(retried)} kept for resending); exited {exited:.2f} s after the signal"
    )
    if kind == "run":
        assert "Common Ground has stopped." in server.log(), server.log()
