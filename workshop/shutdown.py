"""A graceful stop: finish the answers in flight, acknowledge them, tell every screen, then exit.

On SIGTERM (``run.py``, or gunicorn's gevent worker through ``gunicorn.conf.py``) the server:

1. stops taking new answers: an answer arriving now is refused with ``retry: true``, so the
   phone keeps it queued and sends it again once it has reconnected (nothing is lost);
2. tells every phone, console and projector it is restarting (the ``restarting`` event);
3. waits until every answer already being stored has been committed and acknowledged, until
   no answer has arrived for ``STOP_QUIET`` seconds (answers already on their way when the
   signal came are still read and told to retry, not dropped with the socket), and until the
   acknowledgements have left this process;
4. closes every socket (phones reconnect by themselves) and stops the server.

The whole stop is bounded by ``STOP_TIMEOUT`` seconds (gunicorn's own graceful timeout still
applies on top).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask

from .extensions import socketio
from .realtime import RESTARTING, announce_restart

__all__ = ["RESTARTING", "Drain", "close_sockets", "drain", "drain_of", "stop_gracefully"]

log = logging.getLogger(__name__)


class Drain:
    """Whether this process is stopping, and how many answers it is still storing."""

    def __init__(self) -> None:
        self.closing = False
        self.inflight = 0
        self.last_arrival = 0.0

    def arrived(self) -> None:
        """An answer event reached this process (stored, or refused while stopping)."""
        self.last_arrival = time.monotonic()

    @contextmanager
    def answering(self) -> Iterator[None]:
        self.inflight += 1
        try:
            yield
        finally:
            self.inflight -= 1


def drain_of(app: Flask) -> Drain:
    return app.extensions["cg_drain"]  # type: ignore[no-any-return]


def _queued_packets(socketio: Any) -> int:
    """Packets (acknowledgements, mostly) still waiting to leave this process."""
    total = 0
    for sock in list(getattr(socketio.server.eio, "sockets", {}).values()):
        queue = getattr(sock, "queue", None)
        if queue is not None and not getattr(sock, "closed", False):
            total += queue.qsize()
    return total


def drain(app: Flask, timeout: float | None = None) -> dict[str, Any]:
    """Stop taking answers, announce the restart, and wait for answers in flight (at most ``timeout`` s)."""
    timeout = float(app.config.get("STOP_TIMEOUT", 5.0) if timeout is None else timeout)
    started = time.monotonic()
    state = drain_of(app)
    state.closing = True
    with app.app_context():
        announce_restart()
    quiet = float(app.config.get("STOP_QUIET", 0.3))
    deadline = started + timeout

    def busy() -> bool:
        return bool(state.inflight) or time.monotonic() - max(state.last_arrival, started) < quiet

    while busy() and time.monotonic() < deadline:
        socketio.sleep(0.01)
    # Let the acknowledgements (and the "restarting" notice) leave before the sockets close.
    while _queued_packets(socketio) and time.monotonic() < deadline:
        socketio.sleep(0.01)
    result = {"unfinished": state.inflight, "seconds": round(time.monotonic() - started, 3)}
    log.info("graceful stop: answers drained in %.3f s (%s unfinished)", result["seconds"], result["unfinished"])
    return result


def close_sockets() -> int:
    """Close every Socket.IO connection of this process; phones reconnect by themselves."""
    sockets = list(getattr(socketio.server.eio, "sockets", {}).values())
    for sock in sockets:
        try:
            sock.close(wait=False, abort=False)
        except Exception:  # a socket already going away: nothing to do
            log.debug("socket already closed", exc_info=True)
    return len(sockets)


def stop_gracefully(app: Flask, stop_server: Callable[[], None]) -> None:
    """Drain, close the sockets, then call ``stop_server`` (run in its own greenlet)."""
    try:
        drain(app)
        close_sockets()
    finally:
        stop_server()
