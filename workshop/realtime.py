"""Real-time transport: the one owner of room names, event names and payload shapes.

Design for thousands of phones in one room:
- an answer is acknowledged to its sender only; phones never receive each other's answers;
- a control change (next step, pause, reveal...) is one broadcast per workshop;
- console and projector aggregates are *coalesced*: answers only mark a workshop dirty, and
  a background task sends at most one update per ``PUSH_INTERVAL`` per workshop, computed
  from the database with one grouped query. With several processes on Redis, whichever
  process took the answer sends the update, and the database keeps every process in step.

``EVENTS`` is the event catalogue; the README lists the same events (a test checks).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask, render_template
from flask_babel import force_locale

from .extensions import db, socketio
from .services import live

log = logging.getLogger(__name__)

# What phones show while the server restarts (the ``restarting`` event, and a refused answer).
RESTARTING = "The server is restarting. Your answer is kept on this phone and will be sent again in a moment."


@dataclass(frozen=True)
class Event:
    name: str
    sender: str
    receiver: str
    payload: str


# Client -> server events (handled in sockets.py), then server -> client events.
EVENTS: tuple[Event, ...] = (
    Event(
        "answer",
        "phone",
        "server (ack to sender only)",
        "{step, client_id, value} -> ack {ok, client_id, duplicate, error, held, redacted, retry?}",
    ),
    Event(
        "sync",
        "phone, console or projector",
        "server (ack to sender only)",
        "{} -> ack: the current `state` payload (used after a reconnect)",
    ),
    Event(
        "control",
        "console",
        "server (ack to sender only)",
        "{action, argument} -> ack {ok, error}; action is one of services.workshops.CONTROL_ACTIONS",
    ),
    Event(
        "preview",
        "phone",
        "server (ack to sender only)",
        "{text} -> ack {text, changed, counts}: what redaction would do, nothing stored",
    ),
    Event("me_too", "phone", "server (ack to sender only)", "{comment} -> ack {ok, count, error}"),
    Event(
        "state",
        "server",
        "phones, console and projector of one workshop",
        "{v, status, step, total, kind, answering_open, revealed, paused, timer_ends_at, html?}",
    ),
    Event(
        "tally",
        "server",
        "console and projector of one workshop (coalesced)",
        "{step, answered, joined, results?}; projector also {answered_display, hidden, k, notice, results_of}, and"
        " answered and results are null while fewer than k answered, and results move only once k answers differ"
        " (results_of: how many answers the results shown are from, while they are earlier ones); console only:"
        " exact counts, roles (suppressed), queue",
    ),
    Event("moderation", "server", "console of one workshop", "{pending, alerts}: the queue changed"),
    Event(
        "restarting",
        "server",
        "every phone, console and projector of this process",
        "{message}: the server is stopping; unacknowledged answers stay queued and are sent after reconnecting",
    ),
)
EVENT_NAMES = frozenset(e.name for e in EVENTS)


def phones_room(workshop_id: int, language: str | None = None) -> str:
    return f"w{workshop_id}:phones" + (f":{language}" if language else "")


def console_room(workshop_id: int) -> str:
    return f"w{workshop_id}:console"


def facilitator_room(facilitator_id: int) -> str:
    """Every console socket of one facilitator, so logging out can close them all."""
    return f"f:{facilitator_id}"


def close_facilitator_sockets(facilitator_id: int) -> int:
    """Disconnect every console socket of a facilitator in this process (on logout); return how many."""
    server = socketio.server
    if server is None:
        return 0
    room = facilitator_room(facilitator_id)
    sids = [sid for sid, _eio in server.manager.get_participants("/", room)]
    for sid in sids:
        server.disconnect(sid, namespace="/")
    return len(sids)


def projector_room(workshop_id: int) -> str:
    return f"w{workshop_id}:projector"


LANGUAGES = ("en", "cy")


def state_payload(workshop: Any, step: Any) -> dict[str, Any]:
    """The public live state of a workshop: what every screen needs to follow along."""
    return {
        "workshop": workshop.id,
        "v": workshop.state_version,
        "status": workshop.status,
        "step": workshop.current_step,
        "total": len(workshop.steps),
        "kind": step.kind if step is not None else None,
        "prompt_type": step.prompt_type if step is not None else None,
        "answering_open": workshop.answering_open,
        "revealed": workshop.revealed,
        "paused": workshop.paused,
        "joining_open": workshop.joining_open,
        "timer_ends_at": workshop.timer_ends_at.isoformat() if workshop.timer_ends_at else None,
    }


def phone_variants() -> list[tuple[str, bool]]:
    """Each way a phone page can be shown: language x easy read."""
    return [(language, easy) for language in LANGUAGES for easy in (False, True)]


def phone_variant_room(workshop_id: int, language: str, easy: bool) -> str:
    return phones_room(workshop_id, language + ("-easy" if easy else ""))


def render_phone_step(workshop: Any, step: Any, language: str, easy: bool = False) -> str:
    """Render the phone's step panel once for everyone reading it the same way."""
    with force_locale(language):
        return render_template(
            "participant/_step.html",
            workshop=workshop,
            step=step,
            language=language,
            answer=None,
            texts=[],
            live=True,
            easy_read=easy,
        )


def broadcast_state(workshop: Any, step: Any) -> None:
    """Tell every screen of a workshop that its state changed (one emit per room)."""
    payload = state_payload(workshop, step)
    socketio.emit("state", payload, to=console_room(workshop.id))
    socketio.emit("state", payload, to=projector_room(workshop.id))
    for language, easy in phone_variants():
        html = render_phone_step(workshop, step, language, easy)
        socketio.emit("state", {**payload, "html": html}, to=phone_variant_room(workshop.id, language, easy))


def announce_queue(workshop_id: int) -> None:
    """Tell a workshop's console that its moderation queue or safeguarding alerts changed."""
    socketio.emit("moderation", live.queue_counts(db.session, workshop_id), to=console_room(workshop_id))


def announce_restart() -> None:
    """Tell every connected screen that this server is stopping and will be back (one broadcast)."""
    socketio.emit("restarting", {"message": RESTARTING})


class Publisher:
    """Coalesce console and projector updates: at most one per interval per workshop."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval
        self._dirty: set[int] = set()
        self._lock = threading.Lock()
        self._started = False

    def mark(self, workshop_id: int) -> None:
        """Note that a workshop's aggregate changed; it is sent on the next tick."""
        if self.interval <= 0:
            self.flush_one(workshop_id)
            return
        with self._lock:
            self._dirty.add(workshop_id)
            if not self._started:
                self._started = True
                socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            socketio.sleep(self.interval)
            with self._lock:
                dirty, self._dirty = self._dirty, set()
            for workshop_id in dirty:
                try:
                    self.flush_one(workshop_id)
                except Exception:  # keep the loop alive; the next answer marks it again
                    log.exception("could not publish the aggregate for workshop %s", workshop_id)

    def flush_one(self, workshop_id: int) -> None:
        """Compute and send one workshop's aggregate to its console and projector."""
        with self.app.app_context():
            try:
                view = live.aggregate(db.session, workshop_id)
                db.session.commit()  # keeps the results the big screen now shows (services.live)
            finally:
                db.session.remove()
        if view is None:
            return
        socketio.emit("tally", view.projector, to=projector_room(workshop_id))
        socketio.emit("tally", view.console, to=console_room(workshop_id))
