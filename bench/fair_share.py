"""Fair share: does one flooding phone slow the others? ``python bench/fair_share.py``.

Starts the app as in production (``python run.py``, gevent, SQLite) on a fresh database with
the demo workshop live on its first position question, then, over loopback only:

* 30 honest phones join (HTTP, CSRF, cookie) and connect over Socket.IO, and each answers at a
  human rate (one answer every ``--every`` seconds, jittered) for ``--seconds``, recording
  each answer's save time (send -> acknowledgement);
* one flooding phone joins once and opens four sockets with its cookie, each of which keeps
  ``--window`` calls in flight, cycling ``sync``, ``preview`` (1,500 characters to redact),
  ``me_too`` and ``answer`` as fast as the server answers, reconnecting when it is closed
  (at most ``--reconnects`` times a socket).

Three kinds of run, repeated (``--repeat``, interleaved, medians reported): honest phones alone; beside the flooder bound to a different loopback address
(127.0.0.2 flooder, 127.0.0.3 phones: aiohttp ``local_addr``); and all on one address. The
flooder and the honest phones run in separate processes, so the flooder's own CPU is not
charged to the phones' clocks. Every loop is bounded by a deadline; every process started
here is stopped on the way out. Prints a table and writes bench/results/fair_share.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from phones import CSRF
from run_bench import RESULTS, make_app_target, pct

PREVIEW = ("My social worker Mrs Jones at Hill Street School rang 07700 900123 about it. " * 20)[:1500]


class Client:
    """One participant over HTTP (bound to ``address``) and any number of sockets sharing its cookie."""

    def __init__(self, base: str, address: str, timeout: float) -> None:
        self.base, self.address, self.timeout = base, address, timeout
        self.http: Any = None
        self.cookie = ""

    async def join(self, code: str) -> None:
        import aiohttp

        connector = aiohttp.TCPConnector(local_addr=(self.address, 0), limit=0)
        self.http = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        )
        async with self.http.get(f"{self.base}/j/{code}") as r:
            html = await r.text()
            if r.status != 200:
                raise RuntimeError(f"GET /j/{code}: HTTP {r.status}")
        match = CSRF.search(html)
        if not match:
            raise RuntimeError("no csrf_token on the welcome page")
        data = {"csrf_token": match.group(1) or match.group(2)}
        async with self.http.post(f"{self.base}/j/{code}", data=data, allow_redirects=False) as r:
            await r.read()
            if r.status != 302:
                raise RuntimeError(f"POST /j/{code}: HTTP {r.status}")
        self.cookie = "; ".join(f"{c.key}={c.value}" for c in self.http.cookie_jar)

    async def socket(self, workshop: int) -> Any:
        import socketio

        sio = socketio.AsyncClient(reconnection=False, http_session=self.http, request_timeout=self.timeout)
        await sio.connect(
            self.base,
            headers={"Cookie": self.cookie},
            auth={"as": "phone", "workshop": workshop},
            transports=["websocket"],
            wait_timeout=self.timeout,
        )
        return sio

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()


async def _honest(cfg: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(cfg["seed"])
    clients = [Client(cfg["base"], cfg["address"], 20) for _ in range(cfg["phones"])]
    socks: list[Any] = []
    for client in clients:
        await client.join(cfg["code"])
        sio = await client.socket(cfg["workshop"])
        await sio.call("sync", {}, timeout=20)  # as a real phone does on connecting
        socks.append(sio)
    saves: list[float] = []
    when: list[float] = []  # seconds into the run each saved answer was sent
    failed: list[str] = []
    start_at = cfg["start_at"]
    await asyncio.sleep(max(0.0, start_at - time.time()))
    deadline = time.monotonic() + cfg["seconds"]

    async def phone(i: int, sio: Any) -> None:
        serial = 0
        await asyncio.sleep(rng.uniform(0, cfg["every"]))
        while time.monotonic() < deadline:
            serial += 1
            value = {"position": ("consent", "unsure", "pass")[(i + serial) % 3]}
            sent = time.monotonic()
            try:
                ack = await sio.call(
                    "answer", {"step": cfg["step"], "client_id": f"h{i:03d}-{serial:05d}", "value": value}, timeout=15
                )
            except Exception as exc:
                failed.append(type(exc).__name__)
            else:
                if ack and ack.get("ok"):
                    saves.append((time.monotonic() - sent) * 1000)
                    when.append(round(sent - deadline + cfg["seconds"], 2))
                else:
                    failed.append(str((ack or {}).get("error"))[:60])
            await asyncio.sleep(max(0.0, cfg["every"] * rng.uniform(0.7, 1.3) - (time.monotonic() - sent)))

    await asyncio.gather(*(phone(i, s) for i, s in enumerate(socks)))
    for sio in socks:
        if sio.connected:
            await sio.disconnect()
    for client in clients:
        await client.close()
    return {"saves": saves, "when": when, "failed": failed}


async def _flooder(cfg: dict[str, Any]) -> dict[str, Any]:
    client = Client(cfg["base"], cfg["address"], 20)
    await client.join(cfg["code"])
    counts: dict[str, Any] = {"ok": 0, "refused": 0, "errors": 0, "lost": 0, "closed": 0, "reconnect_refused": 0}
    per_second: dict[str, int] = {}  # answered events in each second of the run
    await asyncio.sleep(max(0.0, cfg["start_at"] - 0.5 - time.time()))
    deadline = time.monotonic() + cfg["seconds"] + 0.5
    events = [
        ("sync", {}),
        ("preview", {"text": PREVIEW}),
        ("me_too", {"comment": 1}),
        ("answer", {"step": cfg["step"], "client_id": "", "value": {"position": "object", "ground": "other"}}),
    ]

    async def flood(n: int) -> None:
        serial = 0
        for _attempt in range(cfg["reconnects"] + 1):
            if time.monotonic() >= deadline:
                return
            try:
                sio = await client.socket(cfg["workshop"])
            except Exception as exc:
                counts["reconnect_refused"] += 1
                counts.setdefault("why", str(exc)[:80])
                await asyncio.sleep(1.0)
                continue
            gate = asyncio.Semaphore(cfg["window"])

            async def one(name: str, payload: dict[str, Any], sio: Any = sio, gate: Any = gate) -> None:
                try:
                    ack = await sio.call(name, payload, timeout=2)
                except asyncio.CancelledError:
                    counts["lost"] += 1
                    raise
                except Exception:
                    counts["errors"] += 1
                else:
                    counts["ok" if ack and ack.get("ok") else "refused"] += 1
                    second = str(int(time.monotonic() - deadline + cfg["seconds"] + 0.5))
                    per_second[second] = per_second.get(second, 0) + 1
                finally:
                    gate.release()

            tasks = []
            while time.monotonic() < deadline and sio.connected:
                await gate.acquire()
                serial += 1
                name, payload = events[serial % len(events)]
                if name == "answer":
                    payload = {**payload, "client_id": f"f{n}-{serial:07d}"}
                tasks.append(asyncio.ensure_future(one(name, payload)))
                if len(tasks) > 1000:
                    tasks = [t for t in tasks if not t.done()]
            if not sio.connected:  # closed by the server: what is in flight will never be answered
                for task in tasks:
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if not sio.connected:
                counts["closed"] += 1
            else:
                await sio.disconnect()
                return

    await asyncio.gather(*(flood(n) for n in range(cfg["sockets"])))
    await client.close()
    return {**counts, "answered_per_second": per_second}


def _process(kind: str, cfg: dict[str, Any], out: Any) -> None:
    try:
        result = asyncio.run(_honest(cfg) if kind == "honest" else _flooder(cfg))
    except Exception as exc:  # report, so the parent does not wait for nothing
        result = {"crash": f"{type(exc).__name__}: {exc}"}
    out.send(result)
    out.close()


def run_once(target: Any, args: argparse.Namespace, honest_at: str, flooder_at: str | None) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    start_at = time.time() + 8 + args.phones * 0.05
    common = {
        "base": target.servers[0].base,
        "code": target.code,
        "workshop": target.workshop,
        "step": target.step,
        "seconds": args.seconds,
        "start_at": start_at,
    }
    procs = []
    pipes = []
    plan = [("honest", {**common, "address": honest_at, "phones": args.phones, "every": args.every, "seed": 7})]
    if flooder_at:
        plan.append(
            (
                "flooder",
                {**common, "address": flooder_at, "sockets": 4, "window": args.window, "reconnects": args.reconnects},
            )
        )
    for kind, cfg in plan:
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=_process, args=(kind, cfg, theirs), daemon=True)
        proc.start()
        procs.append(proc)
        pipes.append(mine)
    results = []
    try:
        for pipe in pipes:
            if not pipe.poll(start_at - time.time() + args.seconds + 90):
                raise TimeoutError("a load process gave no answer")
            results.append(pipe.recv())
    finally:
        for proc in procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
    for r in results:
        if "crash" in r:
            raise RuntimeError(r["crash"])
    honest = results[0]
    saves = honest["saves"]
    return {
        "honest_address": honest_at,
        "flooder_address": flooder_at,
        "answers_saved": len(saves),
        "answers_failed": len(honest["failed"]),
        "failures": sorted(set(honest["failed"]))[:5],
        "median_ms": statistics.median(saves) if saves else None,
        "p95_ms": pct(saves, 95),
        "flooder": results[1] if len(results) > 1 else None,
        "slowest": sorted(zip(saves, honest["when"], strict=True), reverse=True)[:8],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between one honest phone's answers")
    parser.add_argument("--window", type=int, default=32, help="calls each flooding socket keeps in flight")
    parser.add_argument("--reconnects", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind, interleaved; medians reported")
    args = parser.parse_args()
    setup = argparse.Namespace(mode="sqlite", server="run", server_command="", processes=1, pg_url="", redis_url="")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        target = make_app_target(setup, args.phones, Path(tmp))
        try:
            for server in target.servers:
                server.start()
            for repeat in range(args.repeat):
                for label, honest_at, flooder_at in (
                    ("alone", "127.0.0.3", None),
                    ("beside the flooder, other address", "127.0.0.3", "127.0.0.2"),
                    ("beside the flooder, same address", "127.0.0.2", "127.0.0.2"),
                ):
                    row = run_once(target, args, honest_at, flooder_at)
                    row["run"], row["repeat"] = label, repeat
                    rows.append(row)
                    print(json.dumps(row), flush=True)
        finally:
            for server in target.servers:
                server.stop()
            for step in target.cleanup:
                step()
    # Each repeat's rise is against the honest phones alone in the same repeat (the machine's
    # other load drifts); the table gives the median over repeats.
    alone = {r["repeat"]: r["p95_ms"] or 0.0 for r in rows if r["run"] == "alone"}
    print(
        f"\nMedian of {args.repeat} repeats ({args.phones} honest phones, one answer each every {args.every:g} s, {args.seconds:g} s a run)"
    )
    print(
        "\n| run | answers saved | failed | median save (ms) | p95 save (ms) | p95 rise (ms) | flooder ok / refused / closed |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    summary = []
    for label in dict.fromkeys(r["run"] for r in rows):
        mine = [r for r in rows if r["run"] == label]

        def med(key: str, mine: list[dict[str, Any]] = mine) -> float:
            return statistics.median(r[key] or 0.0 for r in mine)

        rise = statistics.median((r["p95_ms"] or 0.0) - alone[r["repeat"]] for r in mine)
        f = [r["flooder"] for r in mine if r["flooder"]]
        flood = "-"
        if f:
            flood = " / ".join(str(int(statistics.median(x.get(k, 0) for x in f))) for k in ("ok", "refused", "closed"))
        saved = sum(r["answers_saved"] for r in mine)
        failed = sum(r["answers_failed"] for r in mine)
        print(
            f"| {label} | {saved} | {failed} | {med('median_ms'):.1f} | {med('p95_ms'):.1f} | {rise:+.1f} | {flood} |"
        )
        summary.append({"run": label, "median_ms": med("median_ms"), "p95_ms": med("p95_ms"), "p95_rise_ms": rise})
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "fair_share.json").write_text(
        json.dumps({"args": vars(args), "summary": summary, "runs": rows}, indent=2)
    )


if __name__ == "__main__":
    main()
