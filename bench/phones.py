"""Simulated phones and a projector: asyncio Socket.IO clients, one event loop per worker process.

A phone does what a real one does: GET /j/<code> (reads the csrf_token from the HTML, gets the
session cookie), POST /j/<code> (consents; the new cookie carries its participant token), then
opens a Socket.IO connection over WebSocket with that cookie and ``auth={as: phone, workshop}``.
The orchestrator (run_bench.py) drives each worker through phases over a pipe:

- ``connect``: join and connect this worker's phones, a few at a time;
- ``burst``: each phone answers once at its own moment, spread evenly over the window, and
  waits for the acknowledgement (the send and ack times are recorded);
- ``flood``: every phone changes its answer again and again, back to back, until a deadline
  (sustained throughput);
- ``stop``: disconnect and report.

Times are ``time.monotonic()``, which on Linux is one clock for every process on the machine,
so send times here and tally times in the projector process can be compared.
"""

from __future__ import annotations

import asyncio
import re
import time
import traceback
from typing import Any

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
POSITIONS = ("consent", "unsure", "pass")  # positions that carry no free text


class Phone:
    def __init__(self, index: int, base: str) -> None:
        self.index, self.base = index, base
        self.http: Any = None
        self.sio: Any = None
        self.disconnected = False
        self.serial = 0

    async def join(self, code: str, workshop_id: int, timeout: float) -> None:
        import aiohttp
        import socketio

        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=aiohttp.ClientTimeout(total=timeout)
        )
        async with self.http.get(f"{self.base}/j/{code}") as r:
            html = await r.text()
            if r.status != 200:
                raise RuntimeError(f"GET /j/{code}: HTTP {r.status}")
        match = CSRF.search(html)
        if not match:
            raise RuntimeError("no csrf_token on the welcome page")
        token = match.group(1) or match.group(2)
        async with self.http.post(f"{self.base}/j/{code}", data={"csrf_token": token}, allow_redirects=False) as r:
            await r.read()
            if r.status != 302:
                raise RuntimeError(f"POST /j/{code}: HTTP {r.status}")
        cookie = "; ".join(f"{c.key}={c.value}" for c in self.http.cookie_jar)
        self.sio = socketio.AsyncClient(reconnection=False, http_session=self.http, request_timeout=timeout)

        @self.sio.event
        async def disconnect(*_args: Any) -> None:
            self.disconnected = True

        await self.sio.connect(
            self.base,
            headers={"Cookie": cookie},
            auth={"as": "phone", "workshop": workshop_id},
            transports=["websocket"],
            wait_timeout=timeout,
        )

    async def answer(self, step: int, timeout: float) -> dict[str, Any]:
        self.serial += 1
        position = POSITIONS[(self.index + self.serial) % len(POSITIONS)]
        client_id = f"b{self.index:06d}-{self.serial:05d}"
        return await self.sio.call(
            "answer", {"step": step, "client_id": client_id, "value": {"position": position}}, timeout=timeout
        )

    async def close(self) -> None:
        try:
            if self.sio is not None and self.sio.connected:
                await asyncio.wait_for(self.sio.disconnect(), 5)
        except Exception:
            pass
        if self.http is not None:
            await self.http.close()


async def _connect_all(phones: list[Phone], cfg: dict[str, Any]) -> dict[str, Any]:
    gate = asyncio.Semaphore(cfg["concurrency"])
    errors: list[str] = []
    connected = 0

    async def one(phone: Phone) -> None:
        nonlocal connected
        async with gate:
            for attempt in (1, 2, 3):
                try:
                    await phone.join(cfg["code"], cfg["workshop"], cfg["timeout"])
                    connected += 1
                    return
                except Exception as exc:
                    await phone.close()
                    if attempt == 3:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    else:
                        await asyncio.sleep(0.5 * attempt)

    started = time.monotonic()
    await asyncio.gather(*(one(p) for p in phones))
    return {"connected": connected, "failed": len(errors), "errors": errors[:5], "seconds": time.monotonic() - started}


async def _burst(phones: list[Phone], cmd: dict[str, Any]) -> dict[str, Any]:
    start, window, step = cmd["start"], cmd["window"], cmd["step"]
    # Only the first `answering` phones answer in the burst (all of them by default).
    total = cmd.get("answering") or cmd["total"]
    rows: list[tuple[int, float, float, bool, str]] = []

    async def one(phone: Phone) -> None:
        at = start + window * phone.index / total
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent = time.monotonic()
        try:
            ack = await phone.answer(step, cmd["timeout"])
            rows.append((phone.index, sent, time.monotonic(), bool(ack.get("ok")), str(ack.get("error") or "")))
        except Exception as exc:
            rows.append((phone.index, sent, time.monotonic(), False, f"{type(exc).__name__}: {exc}"))

    await asyncio.gather(*(one(p) for p in phones if p.sio is not None and p.sio.connected and p.index < total))
    late = [sent - (start + window * i / total) for i, sent, *_ in rows]
    return {"rows": rows, "late_max": max(late, default=0.0)}


async def _flood(phones: list[Phone], cmd: dict[str, Any]) -> dict[str, Any]:
    until, step = cmd["until"], cmd["step"]
    await asyncio.sleep(max(0.0, cmd["start"] - time.monotonic()))
    acks = failures = 0
    first_ack = last_ack = None
    latencies: list[float] = []
    errors: list[str] = []

    async def one(phone: Phone) -> None:
        nonlocal acks, failures, first_ack, last_ack
        sent_here = 0
        # The app allows 60 answers a minute per participant; stay under it (the burst sent one).
        while time.monotonic() < until and sent_here < cmd["max_per_phone"]:
            sent_here += 1
            sent = time.monotonic()
            try:
                ack = await phone.answer(step, cmd["timeout"])
            except Exception as exc:
                failures += 1
                errors.append(f"{type(exc).__name__}: {exc}")
                return
            now = time.monotonic()
            if ack.get("ok"):
                acks += 1
                first_ack = first_ack or now
                last_ack = now
                if len(latencies) < 20000:
                    latencies.append(now - sent)
            else:
                failures += 1
                errors.append(str(ack.get("error")))

    await asyncio.gather(*(one(p) for p in phones if p.sio is not None and p.sio.connected))
    return {
        "acks": acks,
        "failures": failures,
        "errors": errors[:5],
        "latencies": latencies,
        "first": first_ack,
        "last": last_ack,
    }


async def _watch_lag(lag: dict[str, float]) -> None:
    """Measure how late this event loop wakes up: a busy client would distort the figures."""
    while True:
        before = time.monotonic()
        await asyncio.sleep(0.05)
        lag["max"] = max(lag["max"], time.monotonic() - before - 0.05)


def phone_worker(conn: Any, cfg: dict[str, Any]) -> None:
    """Run one worker's phones; phones with global index i talk to server cfg['bases'][i % len]."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        lag = {"max": 0.0}
        watcher = asyncio.create_task(_watch_lag(lag))
        phones = [Phone(i, cfg["bases"][i % len(cfg["bases"])]) for i in cfg["indices"]]
        try:
            while True:
                cmd = await loop.run_in_executor(None, conn.recv)
                op = cmd["op"]
                if op == "connect":
                    conn.send(await _connect_all(phones, cfg))
                elif op == "status":
                    conn.send(
                        {
                            "connected": sum(1 for p in phones if p.sio is not None and p.sio.connected),
                            "dropped": sum(1 for p in phones if p.disconnected),
                        }
                    )
                elif op == "burst":
                    lag["max"] = 0.0
                    conn.send({**await _burst(phones, cmd), "loop_lag_max": lag["max"]})
                elif op == "flood":
                    lag["max"] = 0.0
                    conn.send({**await _flood(phones, cmd), "loop_lag_max": lag["max"]})
                elif op == "stop":
                    watcher.cancel()
                    await asyncio.gather(*(p.close() for p in phones))
                    conn.send({"stopped": True})
                    return
        except Exception:
            conn.send({"crash": traceback.format_exc()})
            await asyncio.gather(*(p.close() for p in phones))

    asyncio.run(main())


def projector_worker(conn: Any, cfg: dict[str, Any]) -> None:
    """Watch the projector: record (time, answered, step) for every ``tally`` it is sent."""

    async def main() -> None:
        import socketio

        loop = asyncio.get_running_loop()
        tallies: list[tuple[float, int, Any]] = []
        changed = asyncio.Event()
        sio = socketio.AsyncClient(reconnection=False, request_timeout=30)

        @sio.on("tally")
        async def on_tally(data: dict[str, Any]) -> None:
            tallies.append((time.monotonic(), int(data.get("answered") or 0), data.get("step")))
            changed.set()

        try:
            await sio.connect(
                cfg["base"],
                auth={"as": "projector", "workshop": cfg["workshop"], "token": cfg["token"]},
                transports=["websocket"],
                wait_timeout=30,
            )
            conn.send({"connected": True})
            while True:
                cmd = await loop.run_in_executor(None, conn.recv)
                if cmd["op"] == "wait_for":
                    deadline = time.monotonic() + cmd["timeout"]
                    while True:
                        changed.clear()
                        if (tallies and tallies[-1][1] >= cmd["answered"]) or time.monotonic() >= deadline:
                            break
                        try:
                            await asyncio.wait_for(changed.wait(), max(0.01, deadline - time.monotonic()))
                        except TimeoutError:
                            break
                    conn.send({"tallies": list(tallies), "connected": sio.connected})
                elif cmd["op"] == "stop":
                    await sio.disconnect()
                    conn.send({"stopped": True})
                    return
        except Exception:
            conn.send({"crash": traceback.format_exc()})

    asyncio.run(main())
