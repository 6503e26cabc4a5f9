"""Socket.IO handlers: validate -> service -> commit -> publish.

Identity is settled over HTTP before a socket connects: a phone's participant token and a
facilitator's login live in the signed session cookie, and the socket sees a copy of it
taken at connect time. Each handler's docstring says who sends the event and who hears
about it. Every reply is an acknowledgement to the sender only.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, disconnect, join_room
from sqlalchemy.exc import IntegrityError

from ..domain.redaction import redact
from ..extensions import db, socketio
from ..models import Participant, Workshop
from ..realtime import (
    announce_queue,
    console_room,
    facilitator_room,
    phone_variant_room,
    phones_room,
    projector_room,
    render_phone_step,
    state_payload,
)
from ..services import NotFound, Refused, live
from ..services import consultations as cs
from ..services import workshops as ws
from ..services.participation import (
    NeedsFullPath,
    NotJoined,
    Screener,
    Submitted,
    answer_context,
    answer_quickly,
    me_too,
    submit_answer,
)
from ..shutdown import RESTARTING, drain_of
from . import fairshare, ratelimit
from .auth import current_facilitator
from .control import run_control
from .localonly import facilitator_reachable
from .validation import payload_ok

log = logging.getLogger(__name__)

GENERIC_ERROR = "Sorry, that did not work. Please try again."
# Ids are database integers: anything bigger is not one of ours (and would overflow the driver).
MAX_ID = 2**31
BAD_INPUT = "We could not read that. Please reload the page and try again."
# Handlers take ``*_extra`` so a client sending too many (or no) arguments gets a plain refusal,
# not a TypeError.
HANDLED: set[str] = set()


def event(name: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    """Register a handler behind the two checks every event gets, before the handler runs.

    1. It is charged to its connection and participant (``fairshare``): over budget, the sender
       gets a translated refusal with ``retry`` seconds, and a socket that keeps sending
       after many refusals is disconnected.
    2. Its arguments must be plain, safe JSON values (``validation.payload_ok``): NUL bytes,
       lone surrogates, control characters and huge numbers get a plain refusal.
    """

    def register(handler: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        @functools.wraps(handler)
        def checked(*args: Any) -> dict[str, Any]:
            # Let every other socket's waiting event go first: a socket with many events
            # buffered would otherwise be served all of them before anyone else.
            socketio.sleep(0)
            sid = getattr(request, "sid", "")
            # The budget first: a refusal must cost almost nothing.
            wait = fairshare.event_wait(name, _who(), sid)
            if wait:
                _strike(sid)
                return fairshare.refusal(wait, answer=name == "answer")
            if not all(payload_ok(a) for a in args):
                _strike(sid)
                return {"ok": False, "error": BAD_INPUT}
            return handler(*args)

        HANDLED.add(name)
        socketio.on(name)(checked)
        return checked

    return register


def _strike(sid: str) -> None:
    if fairshare.struck_out(_who(), sid):
        log.info("socket closed: it kept sending after being refused")
        disconnect()


def _publisher() -> Any:
    return current_app.extensions["cg_publisher"]


def _workshop_id(auth: Any) -> int:
    raw = auth.get("workshop") if isinstance(auth, dict) else None
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 < raw < MAX_ID:
        raise ConnectionRefusedError("unknown workshop")
    return raw


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    """Sent by every screen on (re)connect: ``auth = {as: phone|console|projector, workshop, token?}``."""
    if not payload_ok(auth):
        raise ConnectionRefusedError("bad request")
    kind = auth.get("as") if isinstance(auth, dict) else None
    workshop_id = _workshop_id(auth)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise ConnectionRefusedError("unknown workshop")
    if kind == "phone":
        token = (session.get("p") or {}).get(str(workshop_id))
        participant = (
            db.session.scalar(
                db.select(Participant.id).where(Participant.token == token, Participant.workshop_id == workshop_id)
            )
            if token
            else None
        )
        if participant is None:
            raise ConnectionRefusedError("not joined")
        if fairshare.connect_wait(participant):
            raise ConnectionRefusedError("too many connections: please wait a few seconds")
        for older in fairshare.fair_share().opened(participant, request.sid):  # type: ignore[attr-defined]
            socketio.server.disconnect(older, namespace="/")  # at most MAX_SOCKETS per participant
        language = session.get("lang", "en") if session.get("lang") in ("en", "cy") else "en"
        session["sock"] = {"as": "phone", "w": workshop_id, "p": participant}
        join_room(phones_room(workshop_id))
        join_room(phone_variant_room(workshop_id, language, bool(session.get("easy"))))
    elif kind == "console":
        found = current_facilitator() if facilitator_reachable() else None  # never over the room's plain Wi-Fi
        fid = found.id if found is not None else None
        try:
            if fid is None:
                raise NotFound("login")
            cs.get_consultation(db.session, fid, workshop.consultation_id)
        except NotFound:
            raise ConnectionRefusedError("not allowed") from None
        session["sock"] = {"as": "console", "w": workshop_id, "f": fid}
        join_room(console_room(workshop_id))
        join_room(facilitator_room(fid))  # so logging out closes this socket at once
    elif kind == "projector":
        token = auth.get("token")
        if not isinstance(token, str) or not hmac.compare_digest(token.encode(), workshop.projector_token.encode()):
            raise ConnectionRefusedError("not allowed")
        session["sock"] = {"as": "projector", "w": workshop_id}
        join_room(projector_room(workshop_id))
    else:
        raise ConnectionRefusedError("unknown screen")
    log.debug("socket connected: %s for workshop %s", kind, workshop_id)


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    """Any screen going away: forget its buckets (and its place among its participant's sockets)."""
    who = _who()
    fairshare.fair_share().closed(who.get("p") if who.get("as") == "phone" else None, request.sid)  # type: ignore[attr-defined]


def _who() -> dict[str, Any]:
    sock = session.get("sock")
    return sock if isinstance(sock, dict) else {}


def _console_still_logged_in(who: dict[str, Any]) -> bool:
    """Re-check a console's login on every event: a logged-out tab must not keep working."""
    found = current_facilitator()
    return who.get("as") == "console" and found is not None and found.id == who.get("f")


def _store_answer(who: dict[str, Any], data: dict[str, Any], client_id: Any, screener: Screener) -> Submitted:
    """Store one answer and commit: a plain transaction on the hot path, the session for free text."""
    try:
        # The handler owns the transaction: begin() commits on success and rolls back on any error.
        with db.engine.begin() as conn:
            return answer_quickly(conn, who["w"], who["p"], data["step"], client_id, data.get("value"))
    except NeedsFullPath:
        pass
    workshop, participant, step = answer_context(db.session, who["w"], who["p"], data["step"])
    if workshop is None or participant is None:
        raise NotJoined("You are no longer part of this workshop.")
    result = submit_answer(db.session, workshop, participant, step, client_id, data.get("value"), screener)
    db.session.commit()
    return result


@event("answer")
def on_answer(data: Any = None, *_extra: Any) -> dict[str, Any]:
    """Sent by a phone with ``{step, client_id, value}``; acknowledged to that phone only.

    The console and projector hear about it later, through the coalesced ``tally``. While the
    server is stopping, new answers are refused with ``retry`` (the phone keeps them queued)
    and the ones already being stored are finished and acknowledged first.
    """
    stopping = drain_of(current_app)
    stopping.arrived()
    if stopping.closing:
        client_id = data.get("client_id") if isinstance(data, dict) else None
        return {"ok": False, "client_id": client_id, "retry": True, "error": RESTARTING}
    with stopping.answering():
        return _answer(data)


def _answer(data: Any) -> dict[str, Any]:
    who = _who()
    client_id = data.get("client_id") if isinstance(data, dict) else None
    if who.get("as") != "phone":
        return {"ok": False, "client_id": client_id, "error": "Please join the workshop first."}
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("step"), int)
        or isinstance(data.get("step"), bool)
        or not 0 <= data["step"] < MAX_ID
    ):
        return {"ok": False, "client_id": client_id, "error": "We could not read your answer. Please try again."}
    if not ratelimit.answer_allowed(who["p"]):
        return {"ok": False, "client_id": client_id, "error": ratelimit.MESSAGE}
    screener: Screener = current_app.extensions["cg_screener"]
    for attempt in (1, 2):
        try:
            result = _store_answer(who, data, client_id, screener)
        except Refused as exc:
            db.session.rollback()
            return {"ok": False, "client_id": client_id, "error": str(exc)}
        except IntegrityError:
            # The same phone sent twice at once: the other copy won; take it from the top.
            db.session.rollback()
            if attempt == 2:
                return {"ok": False, "client_id": client_id, "error": GENERIC_ERROR}
            continue
        break
    if not result.duplicate:
        # who["w"], not workshop.id: after the commit that would reload the whole row.
        _publisher().mark(who["w"])
        if result.pending_moderation or result.held_for_safeguarding:
            announce_queue(who["w"])
    return {
        "ok": True,
        "client_id": client_id,
        "duplicate": result.duplicate,
        "held": result.held_for_safeguarding,
        "redacted": result.redacted,
        "pending": bool(result.pending_moderation),
    }


@event("sync")
def on_sync(_data: Any = None, *_extra: Any) -> dict[str, Any]:
    """Sent by any screen after (re)connecting; the current state comes back to it only."""
    if _data is not None and not isinstance(_data, dict):
        return {"ok": False, "error": GENERIC_ERROR}
    who = _who()
    if who.get("as") == "console" and not _console_still_logged_in(who):
        disconnect()
        return {"ok": False, "error": "Please log in again."}
    workshop = db.session.get(Workshop, who.get("w")) if who else None
    if workshop is None:
        return {"ok": False, "error": "Please reload the page."}
    step = ws.get_step(db.session, workshop.id, workshop.current_step)
    payload = state_payload(workshop, step)
    if who.get("as") == "phone":
        language = session.get("lang", "en") if session.get("lang") in ("en", "cy") else "en"
        payload["html"] = _phone_html(workshop, step, language, bool(session.get("easy")))
    else:
        _publisher().mark(workshop.id)
    return {"ok": True, **payload}


def _phone_html(workshop: Workshop, step: Any, language: str, easy: bool) -> str:
    """The phone's step panel, rendered once per state and way of reading, not once per ``sync``.

    The live panel holds nothing personal (no form token, no answer), so every phone reading
    the same state the same way gets the same HTML; a reconnect storm, or one phone sending
    ``sync`` again and again, costs a dictionary look-up.
    """
    cache: OrderedDict[tuple[Any, ...], str] = current_app.extensions.setdefault("cg_phone_html", OrderedDict())
    key = (
        workshop.id,
        workshop.state_version,
        workshop.current_step,
        workshop.status,
        workshop.answering_open,
        workshop.revealed,
        workshop.paused,
        workshop.timer_ends_at,
        workshop.title,
        getattr(step, "id", None),
        language,
        easy,
    )
    html = cache.get(key)
    if html is None:
        html = cache[key] = render_phone_step(workshop, step, language, easy)
        while len(cache) > 64:
            cache.popitem(last=False)
    return html


@event("control")
def on_control(data: Any = None, *_extra: Any) -> dict[str, Any]:
    """Sent by the console with ``{action, argument}``; every screen gets the new ``state``."""
    who = _who()
    if not _console_still_logged_in(who):
        if who.get("as") == "console":
            disconnect()
        return {"ok": False, "error": "Please log in again."}
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        return {"ok": False, "error": GENERIC_ERROR}
    workshop = db.session.get(Workshop, who["w"])
    if workshop is None:
        return {"ok": False, "error": GENERIC_ERROR}
    error = run_control(workshop, data["action"], data.get("argument"), who["f"])
    return {"ok": error is None, "error": error}


@event("preview")
def on_preview(data: Any = None, *_extra: Any) -> dict[str, Any]:
    """Sent by a phone with ``{text}`` before it sends; returns the redacted text. Nothing is stored or logged."""
    who = _who()
    text = data.get("text") if isinstance(data, dict) else None
    if who.get("as") != "phone" or not isinstance(text, str) or len(text) > 2000:
        return {"ok": False}
    workshop = db.session.get(Workshop, who["w"])
    if workshop is None:
        return {"ok": False}
    clean = redact(text, tuple(workshop.redaction_names))
    return {"ok": True, "text": clean.text, "changed": clean.changed, "counts": clean.counts()}


@event("me_too")
def on_me_too(data: Any = None, *_extra: Any) -> dict[str, Any]:
    """Sent by a phone with ``{comment}``; the new count comes back to that phone only.

    The count is ``None`` while fewer than k people have answered the comment's question
    (``services.live.comment_support``): a phone sees no tally of fewer than k answers.
    """
    who = _who()
    if who.get("as") != "phone":
        return {"ok": False, "error": "Please join the workshop first."}
    workshop = db.session.get(Workshop, who["w"])
    participant = db.session.get(Participant, who["p"])
    if workshop is None or participant is None:
        return {"ok": False, "error": "You are no longer part of this workshop."}
    comment_id = data.get("comment") if isinstance(data, dict) else None
    try:
        count = me_too(db.session, workshop, participant, comment_id)
        shown = live.comment_support(db.session, comment_id, count, workshop.consultation.k_threshold)
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        return {"ok": False, "error": str(exc)}
    except IntegrityError:  # the same phone pressed twice at once: the other press counted
        db.session.rollback()
        return {"ok": True, "count": None}
    return {"ok": True, "count": shown}


@socketio.on_error_default
def on_error(exc: Exception) -> dict[str, Any]:
    """Any unexpected error in a handler: log it with context, tell the sender plainly."""
    db.session.rollback()
    event = getattr(request, "event", {}).get("message", "?")
    log.exception("socket handler failed (event %s)", event)
    if event == "connect":
        return False  # type: ignore[return-value]  # refuse: any other return value would let the socket in
    return {"ok": False, "error": GENERIC_ERROR}
