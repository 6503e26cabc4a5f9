"""Load-test Common Ground against the bare Flask-SocketIO ceiling: ``python bench/run_bench.py``.

For each number of phones N it starts a server in its production configuration (``python
run.py``, or gunicorn's gevent worker with ``--server gunicorn``) on a fresh database, makes
the demo workshop live on its first position question, and drives it from separate worker
processes (bench/phones.py): N phones join over HTTP (CSRF form, cookie) and connect over
Socket.IO; a projector records every ``tally``; then

1. burst: every phone answers once, at moments spread evenly over the window (default 5 s);
2. flood: every phone changes its answer back to back for a while (sustained throughput).

It then checks that nothing was lost or doubled (acks == Response rows == N) and does the same
against bench/bare_server.py, whose handler only counts and acknowledges. Every phase has a
timeout, and every server and worker it started is stopped on the way out.

Answer -> projector latency: sort the burst's acknowledged answers by ack time; for the k-th,
it is the time from its send to the first ``tally`` received at or after that send whose
``answered`` is at least k (the projector sees a count, not individual answers).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import multiprocessing as mp
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phones

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


# --- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(x) for x in f.read().split()]
    return found


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += _children(p)
    return pids


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def machine_busy_seconds() -> float:
    """CPU time spent by every process on the machine so far (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def rss_mb(pids: list[int], field_name: str = "VmRSS") -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    total += int(line.split()[1])
    return total / 1024


class Server:
    """One server process (and its children), logged to a file, stopped for sure."""

    def __init__(self, label: str, argv: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.label, self.argv, self.env, self.port, self.log_path = label, argv, env, port, log
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> None:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"{self.label} did not answer within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def pids(self) -> list[int]:
        return tree(self.proc.pid) if self.proc and self.proc.poll() is None else []

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


class Worker:
    """A worker process on the end of a pipe; every reply is awaited with a timeout."""

    def __init__(self, ctx: Any, target: Any, cfg: dict[str, Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=target, args=(child, cfg), daemon=True)
        self.proc.start()

    def send(self, cmd: dict[str, Any]) -> None:
        self.conn.send(cmd)

    def recv(self, timeout: float) -> dict[str, Any]:
        if not self.conn.poll(timeout):
            raise TimeoutError(f"worker {self.proc.pid} gave no answer within {timeout:.0f} s")
        reply: dict[str, Any] = self.conn.recv()
        if "crash" in reply:
            raise RuntimeError("worker crashed:\n" + reply["crash"])
        return reply

    def ask(self, cmd: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.send(cmd)
        return self.recv(timeout)

    def stop(self) -> None:
        if self.proc.is_alive():
            with contextlib.suppress(Exception):
                self.ask({"op": "stop"}, 30)
            self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)


# --- the system under test --------------------------------------------------------------------


@dataclass
class Target:
    label: str
    servers: list[Server]
    workshop: int = 0
    code: str = "BENCH"
    token: str = ""
    step: int = 0
    step_id: int | None = None
    database_url: str | None = None
    cleanup: list[Any] = field(default_factory=list)

    def pids(self) -> list[int]:
        return [p for s in self.servers for p in s.pids()]


def _run(argv: list[str], env: dict[str, str], timeout: float = 180) -> str:
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _server_argv(kind: str, port: int, command: str = "") -> list[str]:
    if command:
        return [sys.executable if part == "python" else part.replace("{port}", str(port)) for part in command.split()]
    if kind == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "-k",
            "gevent",
            "-w",
            "1",
            "--worker-connections",
            "20000",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "run:app",
        ]
    return [sys.executable, "run.py", "--port", str(port)]


def make_app_target(args: argparse.Namespace, n: int, tmp: Path) -> Target:
    """Fresh database (SQLite file, or a new PostgreSQL database), demo workshop live, servers up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_")}
    env["WORKSHOP_SECRET_KEY"] = secrets.token_urlsafe(32)
    cleanup: list[Any] = []
    if args.mode == "postgres":
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = "cg_bench_" + secrets.token_hex(4)
        admin = create_engine(make_url(args.pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))

        def drop() -> None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        cleanup.append(drop)
        url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
        env["WORKSHOP_MESSAGE_QUEUE"] = args.redis_url
        env["WORKSHOP_MESSAGE_QUEUE_CHANNEL"] = "cg-bench-" + secrets.token_hex(4)
        processes = args.processes
    else:
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        processes = 1
    env["WORKSHOP_DATABASE_URL"] = url
    flask = [sys.executable, "-m", "flask", "--app", "workshop"]
    _run([*flask, "db", "upgrade"], env)
    _run([*flask, "demo"], env)
    info = json.loads(_run([sys.executable, "bench/setup_workshop.py"], env).strip().splitlines()[-1])
    servers = []
    for i in range(processes):
        port = free_port()
        argv = _server_argv(args.server, port, args.server_command)
        servers.append(Server(f"app-{i + 1}", argv, env, port, tmp / f"app-{i + 1}.log"))
    label = f"app ({args.mode}, {processes} process{'es' if processes > 1 else ''}, {args.server})"
    return Target(
        label, servers, info["workshop"], info["code"], info["token"], info["step"], info["step_id"], url, cleanup
    )


def make_bare_target(args: argparse.Namespace, tmp: Path) -> Target:
    port = free_port()
    server = Server(
        "bare", [sys.executable, "bench/bare_server.py", "--port", str(port)], dict(os.environ), port, tmp / "bare.log"
    )
    return Target("bare Flask-SocketIO (gevent, 1 process)", [server])


def count_responses(target: Target) -> tuple[int, int] | None:
    if not target.database_url:
        return None
    from sqlalchemy import create_engine, text

    engine = create_engine(target.database_url)
    try:
        with engine.connect() as c:
            rows = c.execute(
                text("SELECT count(*), count(DISTINCT participant_id) FROM response WHERE step_id = :s"),
                {"s": target.step_id},
            ).one()
    finally:
        engine.dispose()
    return int(rows[0]), int(rows[1])


# --- measuring ------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def projector_latencies(
    rows: list[tuple[int, float, float, bool, str]], tallies: list[tuple[float, int, Any]]
) -> tuple[list[float], int]:
    """For the k-th acknowledged answer: time from its send to the first tally after it with answered >= k."""
    acked = sorted((r for r in rows if r[3]), key=lambda r: r[2])
    times = [t for t, _, _ in tallies]
    running, best = [], 0
    for _, answered, _ in tallies:
        best = max(best, answered)
        running.append(best)
    out, unseen = [], 0
    for k, row in enumerate(acked, start=1):
        i = max(bisect.bisect_left(running, k), bisect.bisect_left(times, row[1]))
        if i < len(times):
            out.append(times[i] - row[1])
        else:
            unseen += 1
    return out, unseen


def ms(x: float | None) -> str:
    return "-" if x is None else f"{x * 1000:.0f}"


def run_one(args: argparse.Namespace, target: Target, n: int, ctx: Any, tmp: Path) -> dict[str, Any]:
    """Start the target's servers, drive N phones through connect, burst and flood; always stop everything."""
    result: dict[str, Any] = {"target": target.label, "phones": n}
    workers: list[Worker] = []
    projector: Worker | None = None
    spy: subprocess.Popen[bytes] | None = None
    try:
        for server in target.servers:
            server.start()
            print(f"   {server.label}: pid {server.proc.pid}, {server.base}", flush=True)
        bases = [s.base for s in target.servers]
        projector = Worker(
            ctx, phones.projector_worker, {"base": bases[-1], "workshop": target.workshop, "token": target.token}
        )
        projector.recv(60)
        time.sleep(1)  # let the server settle after start-up before taking its idle figures
        pids = target.pids()
        result["rss_idle_mb"] = rss_mb(pids)
        cpu0 = cpu_seconds(pids)

        # Connect.
        per = [list(range(w, n, args.workers)) for w in range(args.workers)]
        for indices in per:
            workers.append(
                Worker(
                    ctx,
                    phones.phone_worker,
                    {
                        "indices": indices,
                        "bases": bases,
                        "code": target.code,
                        "workshop": target.workshop,
                        "timeout": 60,
                        "concurrency": args.concurrency,
                    },
                )
            )
        started = time.monotonic()
        for w in workers:
            w.send({"op": "connect"})
        replies = [w.recv(args.connect_timeout) for w in workers]
        result["connect_seconds"] = time.monotonic() - started
        result["connected"] = sum(r["connected"] for r in replies)
        result["connect_errors"] = [e for r in replies for e in r["errors"]][:5]
        pids = target.pids()
        cpu1 = cpu_seconds(pids)
        result["rss_connected_mb"] = rss_mb(pids)
        result["connect_cpu_s"] = cpu1 - cpu0
        time.sleep(args.idle_seconds)
        cpu2 = cpu_seconds(pids)
        result["idle_cpu_pct"] = (cpu2 - cpu1) / args.idle_seconds * 100
        if result["connected"] == 0:
            raise RuntimeError("no phone could connect: " + "; ".join(result["connect_errors"]))

        if args.profile and target.database_url:
            RESULTS.mkdir(exist_ok=True)
            out = RESULTS / f"profile-{args.mode}-{n}.txt"
            spy = subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    "--pid",
                    str(target.servers[0].proc.pid),
                    "--format",
                    "raw",
                    "--rate",
                    "100",
                    "--nonblocking",
                    "-o",
                    str(out),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            result["profile"] = str(out)
            time.sleep(1)

        # Burst: every connected phone answers once within the window.
        client_pids = [w.proc.pid for w in workers]
        ccpu0, tc0 = cpu_seconds(client_pids), time.monotonic()
        ours = [*client_pids, *pids, *tree(projector.proc.pid), os.getpid()]
        ours0, busy0 = cpu_seconds(ours), machine_busy_seconds()
        cpu3 = cpu_seconds(pids)
        start = time.monotonic() + 1.0
        for w in workers:
            w.send(
                {
                    "op": "burst",
                    "start": start,
                    "window": args.window,
                    "total": n,
                    "answering": min(args.burst or n, n),
                    "step": target.step,
                    "timeout": 60,
                }
            )
        bursts = [w.recv(args.window + 120) for w in workers]
        rows = [row for b in bursts for row in b["rows"]]
        result["client_send_late_max"] = max(b["late_max"] for b in bursts)
        result["client_loop_lag_burst"] = max(b["loop_lag_max"] for b in bursts)
        done = time.monotonic()
        acked = [r for r in rows if r[3]]
        result["burst_sent"] = len(rows)
        result["burst_acked"] = len(acked)
        result["burst_errors"] = sorted({r[4] for r in rows if not r[3]})[:5]
        last_ack = max((r[2] for r in acked), default=done)
        result["burst_seconds"] = last_ack - start
        watched = projector.ask({"op": "wait_for", "answered": len(acked), "timeout": 30}, 60)
        cpu4 = cpu_seconds(pids)
        result["burst_cpu_pct"] = (cpu4 - cpu3) / max(0.001, last_ack - start) * 100
        ack_lat = [r[2] - r[1] for r in acked]
        result["ack_p50"], result["ack_p95"], result["ack_p99"] = (pct(ack_lat, q) for q in (50, 95, 99))
        proj_lat, unseen = projector_latencies(rows, watched["tallies"])
        result["proj_p50"], result["proj_p95"], result["proj_p99"] = (pct(proj_lat, q) for q in (50, 95, 99))
        result["proj_unseen"] = unseen
        result["projector_final"] = watched["tallies"][-1][1] if watched["tallies"] else 0

        # Flood: sustained throughput with every phone changing its answer back to back.
        start = time.monotonic() + 1.0
        cpu5 = cpu_seconds(pids)
        for w in workers:
            w.send(
                {
                    "op": "flood",
                    "start": start,
                    "until": start + args.flood_seconds,
                    "step": target.step,
                    "timeout": 60,
                    "max_per_phone": 50,
                }
            )
        floods = [w.recv(args.flood_seconds + 120) for w in workers]
        cpu6 = cpu_seconds(pids)
        ccpu1 = cpu_seconds(client_pids)
        acks = sum(f["acks"] for f in floods)
        result["client_loop_lag_flood"] = max(f["loop_lag_max"] for f in floods)
        last = max((f["last"] for f in floods if f["last"]), default=start + args.flood_seconds)
        result["flood_acks"] = acks
        result["flood_failures"] = sum(f["failures"] for f in floods)
        result["flood_errors"] = [e for f in floods for e in f["errors"]][:5]
        result["flood_rate"] = acks / max(0.001, last - start)
        result["flood_cpu_ms_per_answer"] = (cpu6 - cpu5) / max(1, acks) * 1000
        flat = [x for f in floods for x in f["latencies"]]
        result["flood_p50"], result["flood_p95"] = pct(flat, 50), pct(flat, 95)
        result["client_cpu_pct"] = (ccpu1 - ccpu0) / max(0.001, time.monotonic() - tc0) * 100
        ours1, busy1 = cpu_seconds(ours), machine_busy_seconds()
        # Other people's work on the same cores during burst and flood (100 = one whole core).
        elapsed = max(0.001, time.monotonic() - tc0)
        result["other_load_pct"] = max(0.0, (busy1 - busy0) - (ours1 - ours0)) / elapsed * 100
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(30)

        final = projector.ask({"op": "wait_for", "answered": len(acked), "timeout": 10}, 30)
        result["projector_after_flood"] = final["tallies"][-1][1] if final["tallies"] else 0
        status = [w.ask({"op": "status"}, 30) for w in workers]
        result["still_connected"] = sum(s["connected"] for s in status)
        result["dropped"] = sum(s["dropped"] for s in status)
        result["rss_peak_mb"] = rss_mb(target.pids(), "VmHWM")
        result["rss_end_mb"] = rss_mb(target.pids())
        stored = count_responses(target)
        if stored is not None:
            result["stored"], result["stored_participants"] = stored
        per_k = max(1, result["connected"]) / 1000
        result["rss_per_1000_mb"] = (result["rss_connected_mb"] - result["rss_idle_mb"]) / per_k
        result["rss_total_per_1000_mb"] = result["rss_connected_mb"] / per_k
        result["connect_cpu_s_per_1000"] = result["connect_cpu_s"] / per_k
    finally:
        if spy is not None and spy.poll() is None:
            spy.kill()
        for w in workers:
            w.stop()
        if projector is not None:
            projector.stop()
        for server in target.servers:
            server.stop()
        logs = {s.label: s.tail(15) for s in target.servers}
        result["server_log_tail"] = logs
        if args.keep_logs:
            RESULTS.mkdir(exist_ok=True)
            for s in target.servers:
                shutil.copy(s.log_path, RESULTS / f"{s.label}-{args.mode}-{n}.log")
    return result


# --- reporting ---------------------------------------------------------------------------------


def num(key: str, spec: str = ".0f") -> Any:
    return lambda r: format(r[key], spec) if r.get(key) is not None else "-"


def trio(*keys: str, scale: float = 1.0) -> Any:
    return lambda r: "/".join(format(r[k] * scale, ".0f") if r.get(k) is not None else "-" for k in keys)


COLUMNS = [
    ("phones", "phones", num("phones", ",")),
    ("connected", "connected", num("connected", ",")),
    ("joins", "joins/s", lambda r: f"{r['connected'] / r['connect_seconds']:.0f}" if r.get("connect_seconds") else "-"),
    ("acked", "burst acked", num("burst_acked", "")),
    ("stored", "stored (rows)", lambda r: f"{r['stored']}" if "stored" in r else "n/a"),
    ("burst", "burst took s", num("burst_seconds", ".1f")),
    ("ack", "ack p50/p95/p99 ms", trio("ack_p50", "ack_p95", "ack_p99", scale=1000)),
    ("proj", "answer->projector p50/p95/p99 ms", trio("proj_p50", "proj_p95", "proj_p99", scale=1000)),
    ("flood", "sustained acks/s", num("flood_rate")),
    ("ratio", "vs bare", num("ratio", ".2f")),
    ("cpu", "server CPU ms/answer", num("flood_cpu_ms_per_answer", ".2f")),
    ("burstcpu", "server CPU % in burst", num("burst_cpu_pct")),
    ("conncpu", "CPU s per 1,000 joins", num("connect_cpu_s_per_1000", ".1f")),
    ("idle", "idle CPU %", num("idle_cpu_pct", ".1f")),
    ("rss", "RSS idle/connected/peak MB", trio("rss_idle_mb", "rss_connected_mb", "rss_peak_mb")),
    ("per1000", "MB per 1,000 phones (over idle)", num("rss_per_1000_mb")),
    ("other", "other load % (not ours)", num("other_load_pct")),
]


def table(results: list[dict[str, Any]]) -> str:
    lines = []
    for label in dict.fromkeys(r["target"] for r in results):
        lines.append(f"\n{label}\n")
        lines.append("| " + " | ".join(h for _, h, _ in COLUMNS) + " |")
        lines.append("|" + "---|" * len(COLUMNS))
        for r in results:
            if r["target"] == label:
                lines.append(
                    "| "
                    + " | ".join(fmt(r) if "error" not in r or k == "phones" else "" for k, _, fmt in COLUMNS)
                    + " |"
                )
                if "error" in r:
                    lines.append(f"\n  FAILED: {r['error']}")
    return "\n".join(lines)


def verdicts(r: dict[str, Any], args: argparse.Namespace) -> list[str]:
    """The issue's targets, checked for one app run."""
    n = r["phones"]
    out = []

    def check(ok: bool, text: str) -> None:
        out.append(("met    " if ok else "MISSED ") + text)

    check(r.get("connected") == n and r.get("still_connected") == n, f"{n:,} phones connected and stayed connected")
    b = min(args.burst or n, n)
    check(
        r.get("burst_acked") == r.get("burst_sent") == b and r.get("stored") == n == r.get("stored_participants"),
        f"burst of {b:,} answers: all acknowledged; every phone's answer stored once after the flood (acked "
        f"{r.get('burst_acked')}, rows {r.get('stored')})",
    )
    check(
        r.get("burst_seconds", 99) <= args.window + 1,
        f"burst answered within {args.window:.0f} s (+1 s slack; took {r.get('burst_seconds', 0):.1f} s)",
    )
    check((r.get("proj_p95") or 9) <= 0.25, f"answer->projector p95 <= 250 ms ({ms(r.get('proj_p95'))} ms)")
    if r.get("ratio"):
        check(r["ratio"] >= 0.5, f"sustained throughput >= half the bare server's ({r['ratio']:.2f})")
    check(
        r.get("rss_per_1000_mb", 999) <= 80,
        f"<= 80 MB RSS per 1,000 phones ({r.get('rss_per_1000_mb', 0):.0f} "
        f"over idle; {r.get('rss_total_per_1000_mb', 0):.0f} counting the idle process)",
    )
    check(
        r.get("projector_after_flood") == n,
        f"projector shows answered == {n:,} at the end ({r.get('projector_after_flood')})",
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phones", default="1000,2000,5000", help="comma-separated numbers of phones")
    parser.add_argument(
        "--mode",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="sqlite: one process, embedded DB; postgres: several processes on PostgreSQL and Redis",
    )
    parser.add_argument("--processes", type=int, default=2, help="app processes in postgres mode")
    parser.add_argument(
        "--server", choices=("run", "gunicorn"), default="run", help="python run.py, or gunicorn -k gevent -w 1"
    )
    parser.add_argument("--workers", type=int, default=4, help="client worker processes")
    parser.add_argument("--concurrency", type=int, default=25, help="joins in flight per worker")
    parser.add_argument("--window", type=float, default=5.0, help="burst window in seconds")
    parser.add_argument(
        "--burst",
        type=int,
        default=0,
        help="phones that answer in the burst (default: all; the issue's target is 2000)",
    )
    parser.add_argument("--flood-seconds", type=float, default=10.0)
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    parser.add_argument("--connect-timeout", type=float, default=600.0)
    parser.add_argument("--targets", default="bare,app", help="which servers to measure: bare, app or both")
    parser.add_argument("--profile", action="store_true", help="record the app server with py-spy (bench/results/)")
    parser.add_argument(
        "--server-command",
        default="",
        help="run the app with this command instead (for diagnosis), e.g. 'python x.py --port {port}'",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="scheduling priority for servers and clients (negative needs root): on a shared machine, "
        "-10 keeps other people's work from distorting the figures",
    )
    parser.add_argument("--keep-logs", action="store_true", help="copy the server logs to bench/results/")
    parser.add_argument(
        "--gevent-monitor",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="log every stall of a server's event loop longer than this (gevent's monitor thread)",
    )
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args()

    if args.nice:
        os.nice(args.nice)  # inherited by every server and worker started from here
    if args.gevent_monitor:
        os.environ["GEVENT_MONITOR_THREAD_ENABLE"] = "true"
        os.environ["GEVENT_MAX_BLOCKING_TIME"] = str(args.gevent_monitor)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536 if hard == resource.RLIM_INFINITY else min(65536, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    ctx = mp.get_context("spawn")
    results: list[dict[str, Any]] = []
    counts = [int(x) for x in args.phones.split(",")]
    print(
        f"Common Ground bench: phones {counts}, mode {args.mode}, server {args.server}, "
        f"{args.workers} client workers, burst window {args.window:.0f} s, flood {args.flood_seconds:.0f} s, "
        f"{os.cpu_count()} cores",
        flush=True,
    )
    for n in counts:
        pair: dict[str, dict[str, Any]] = {}
        for kind in [k for k in ("bare", "app") if k in args.targets.split(",")]:
            tmp = Path(tempfile.mkdtemp(prefix=f"cg-bench-{kind}-{n}-"))
            target = None
            try:
                target = make_bare_target(args, tmp) if kind == "bare" else make_app_target(args, n, tmp)
                print(f"-- {target.label}: {n:,} phones", flush=True)
                pair[kind] = run_one(args, target, n, ctx, tmp)
            except Exception as exc:
                pair[kind] = {
                    "target": target.label if target else kind,
                    "phones": n,
                    "error": f"{type(exc).__name__}: {exc}",
                }
                print(f"   FAILED: {exc}", flush=True)
            finally:
                for fn in target.cleanup if target else []:
                    with contextlib.suppress(Exception):
                        fn()
                shutil.rmtree(tmp, ignore_errors=True)
            r = pair[kind]
            print(
                "   "
                + ", ".join(
                    f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in r.items()
                    if k != "server_log_tail"
                ),
                flush=True,
            )
        if "bare" in pair and "app" in pair and pair["bare"].get("flood_rate") and pair["app"].get("flood_rate"):
            pair["app"]["ratio"] = pair["app"]["flood_rate"] / pair["bare"]["flood_rate"]
            pair["app"]["bare_flood_rate"] = pair["bare"]["flood_rate"]
        results += pair.values()

    print(table(results))
    print()
    for r in results:
        if r["target"].startswith("app") and "error" not in r:
            print(f"Targets, {r['phones']:,} phones:")
            for line in verdicts(r, args):
                print("  " + line)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{args.mode}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"args": vars(args), "results": results}, indent=1, default=str))
    print(f"\nRaw figures: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
