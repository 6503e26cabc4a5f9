"""Two real server processes on PostgreSQL and Redis serve one workshop and stay consistent.

Starts ``python run.py`` twice (different ports, the same secret key, database and Redis
channel) on a fresh PostgreSQL database, logs the facilitator in on process 1, puts the
projector on process 2 and phones on both, and checks that every control reaches every
phone, that answers are stored once (resends and changes included), and that the projector,
on the process the console is NOT on, shows the right counts before and after the reveal.

Without PostgreSQL or Redis this skips with the reason, except in CI (``CI=true``), where
that is a failure. Every wait is on a condition with a timeout, and on what a screen shows
now (its latest event), for the exact state wanted: never the first event that happens to match.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT, LiveServer, server_env, start_server, wait_until_async

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("WORKSHOP_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = os.environ.get("WORKSHOP_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
WAIT = 30.0  # seconds any one thing may take

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test (dropped afterwards); its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if not PG_URL.startswith("postgresql"):
        _unavailable(f"WORKSHOP_TEST_DATABASE_URL is not a PostgreSQL URL: {PG_URL}")
    admin = create_engine(
        make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = "cg_two_" + secrets.token_hex(5)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        _unavailable(f"PostgreSQL is not reachable at {PG_URL}: {type(exc).__name__}: {exc}")
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:
        _unavailable(f"Redis is not reachable at {REDIS_URL}: {type(exc).__name__}: {exc}")
    return REDIS_URL


@pytest.fixture
def two_servers(database: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[list[LiveServer], dict[str, Any]]]:
    env = server_env(
        database,
        WORKSHOP_MESSAGE_QUEUE=redis_url,
        WORKSHOP_MESSAGE_QUEUE_CHANNEL="cg-test-" + secrets.token_hex(4),
    )
    _flask(env, "db", "upgrade")
    made = _flask(env, "demo")
    password = re.search(r"password: (\S+)", made)
    assert password, made
    info = _workshop_info(database)
    info["password"] = password.group(1)
    servers: list[LiveServer] = []
    try:
        for i in (1, 2):  # both start at once; then each is waited for
            servers.append(start_server(tmp_path, env, name=f"server-{i}"))
        for server in servers:
            server.wait_healthy()
        yield servers, info
    finally:
        for server in servers:
            server.stop()


def _flask(env: dict[str, str], *command: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "workshop", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _workshop_info(database: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            wid, code, token = conn.execute(text("SELECT id, join_code, projector_token FROM workshop")).one()
            position = conn.execute(
                text(
                    "SELECT position FROM workshop_step WHERE workshop_id = :w AND prompt_type = 'position' "
                    "ORDER BY position LIMIT 1"
                ),
                {"w": wid},
            ).scalar_one()
    finally:
        engine.dispose()
    return {"workshop": wid, "code": code, "token": token, "position": position, "database": database}


def _stored(database: str, workshop_id: int, position: int) -> tuple[int, int, dict[str, int]]:
    """Response rows for the step, distinct participants, and rows per answer key, straight from the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT r.participant_id, r.key FROM response r JOIN workshop_step s ON s.id = r.step_id "
                    "WHERE s.workshop_id = :w AND s.position = :p"
                ),
                {"w": workshop_id, "p": position},
            ).all()
    finally:
        engine.dispose()
    keys: dict[str, int] = {}
    for _, key in rows:
        keys[key] = keys.get(key, 0) + 1
    return len(rows), len({p for p, _ in rows}), keys


# --- clients ----------------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Screen:
    """One Socket.IO client (phone, console or projector) that records every state and tally it is sent."""

    def __init__(self, name: str, base: str) -> None:
        import aiohttp
        import socketio

        self.name, self.base = name, base
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=aiohttp.ClientTimeout(total=WAIT)
        )
        self.sio = socketio.AsyncClient(reconnection=False, http_session=self.http, request_timeout=WAIT)
        self.events: dict[str, list[dict[str, Any]]] = {"state": [], "tally": []}
        self.changed = asyncio.Event()
        for event in self.events:
            self.sio.on(event, self._recorder(event))

    def _recorder(self, event: str) -> Callable[[Any], Any]:
        async def record(data: Any) -> None:
            self.events[event].append(data)
            self.changed.set()

        return record

    async def form(self, path: str, data: dict[str, str]) -> int:
        """GET a page, then POST its form with the page's CSRF token, as a browser does."""
        async with self.http.get(self.base + path) as r:
            html = await r.text()
            assert r.status == 200, f"{self.name}: GET {path} gave {r.status}"
        match = CSRF.search(html)
        assert match, f"{self.name}: no CSRF token on {path}"
        async with self.http.post(
            self.base + path, data={"csrf_token": match.group(1) or match.group(2), **data}, allow_redirects=False
        ) as r:
            return r.status

    async def connect(self, auth: dict[str, Any]) -> None:
        cookie = "; ".join(f"{c.key}={c.value}" for c in self.http.cookie_jar)
        await self.sio.connect(
            self.base,
            headers={"Cookie": cookie} if cookie else {},
            auth=auth,
            transports=["websocket"],
            wait_timeout=WAIT,
        )

    async def showing(self, event: str, test: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """Wait until the latest event of this kind (what the screen shows now) satisfies ``test``.

        Only the latest counts: an older event that happens to match is not what the screen
        shows, and a loose test on any event would accept a state before the one wanted.
        """

        def latest() -> dict[str, Any] | None:
            items = self.events[event]
            return items[-1] if items and test(items[-1]) else None

        found = await wait_until_async(
            latest,
            WAIT,
            f"{self.name} ({self.base}) shows a {event} with {what}",
            changed=self.changed,
            last=lambda: self.events[event][-1:],
        )
        assert found is not None
        return found

    async def close(self) -> None:
        try:
            if self.sio.connected:
                await asyncio.showing(self.sio.disconnect(), 5)
        finally:
            await self.http.close()


async def _scenario(servers: list[LiveServer], info: dict[str, Any]) -> None:
    one, two = servers[0].base, servers[1].base
    wid, position = info["workshop"], info["position"]
    console = Screen("console", one)
    projector = Screen("projector", two)
    phones = [Screen(f"phone {i}", (one, two)[i % 2]) for i in range(6)]
    screens = [console, projector, *phones]
    try:
        assert await console.form("/login", {"name": "demo", "password": info["password"]}) == 302
        await console.connect({"as": "console", "workshop": wid})
        await projector.connect({"as": "projector", "workshop": wid, "token": info["token"]})
        for phone in phones:
            assert await phone.form(f"/j/{info['code']}", {}) == 302, f"{phone.name} could not join"
            await phone.connect({"as": "phone", "workshop": wid})

        async def control(action: str, argument: Any = None) -> None:
            ack = await console.sio.call("control", {"action": action, "argument": argument}, timeout=WAIT)
            assert ack["ok"], f"{action}: {ack}"

        # Steps: the console on process 1 moves the workshop; phones on both processes follow.
        await control("start")
        await control("goto", position)
        for phone in phones:
            state = await phone.showing(
                "state", lambda s: s["step"] == position and s["answering_open"], f"step {position} open"
            )
            assert state["status"] == "live" and state["kind"] == "prompt" and state.get("html")

        # Answers, from phones on both processes; resends and a change of mind are not counted twice.
        chosen = ["consent", "consent", "unsure", "pass", "consent", "unsure"]
        for i, phone in enumerate(phones):
            message = {"step": position, "client_id": f"two-proc-{i:02d}-a", "value": {"position": chosen[i]}}
            ack = await phone.sio.call("answer", message, timeout=WAIT)
            assert ack["ok"] and not ack["duplicate"], f"{phone.name}: {ack}"
            again = await phone.sio.call("answer", message, timeout=WAIT)
            assert again["ok"] and again["duplicate"], f"{phone.name} resend: {again}"
        changed = await phones[0].sio.call(
            "answer", {"step": position, "client_id": "two-proc-00-b", "value": {"position": "pass"}}, timeout=WAIT
        )
        assert changed["ok"] and not changed["duplicate"]
        expected = {"consent": 2, "unsure": 2, "pass": 2}

        def counts(tally: dict[str, Any]) -> dict[str, int]:
            return {o["key"]: o["count"] for o in tally["results"]["options"] if o["count"]}

        # The console shows exactly the final counts: phone 1's change of mind included, not the
        # first tally that happened to have six answers in it.
        await console.showing(
            "tally",
            lambda t: (
                t.get("step") == position and t.get("answered") == 6 and t.get("results") and counts(t) == expected
            ),
            f"answered == 6 and counts == {expected}",
        )
        # The projector is on the process the console is NOT on, and sees the count but no results yet.
        shown = await projector.showing(
            "tally", lambda t: t.get("step") == position and t.get("answered") == 6, "answered == 6"
        )
        assert shown["results"] is None, "results reached the projector before the reveal"

        # Reveal: every phone hears of it, and the projector now gets the same counts.
        await control("reveal")
        for phone in phones:
            await phone.showing("state", lambda s: s["step"] == position and s["revealed"], "revealed")
        await projector.showing(
            "tally",
            lambda t: (
                t.get("step") == position and t.get("answered") == 6 and t.get("results") and counts(t) == expected
            ),
            f"results after the reveal, answered == 6 and counts == {expected}",
        )

        # Nothing lost, nothing doubled: one row per phone in the shared database.
        rows, participants, keys = _stored(info["database"], wid, position)
        assert (rows, participants, keys) == (6, 6, expected)

        # And the next step reaches both processes too.
        await control("next")
        for phone in phones:
            await phone.showing("state", lambda s: s["step"] == position + 1, f"step {position + 1}")
        await projector.showing("state", lambda s: s["step"] == position + 1, f"step {position + 1}")
    finally:
        await asyncio.gather(*(s.close() for s in screens), return_exceptions=True)


def test_two_processes_serve_one_workshop_consistently(two_servers: tuple[list[LiveServer], dict[str, Any]]) -> None:
    servers, info = two_servers
    try:
        asyncio.run(_scenario(servers, info))
    except AssertionError as exc:
        logs = "\n".join(f"--- {s.base} ---\n{s.log(25)}" for s in servers)
        raise AssertionError(f"{exc}\n{logs}") from None
