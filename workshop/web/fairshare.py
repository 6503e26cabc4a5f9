"""Fair share: no phone, and no connection, can take more than its share of the server.

Design decisions:

* In-process token buckets, no Redis round trip on the hot path: each participant has one
  bucket shared by all of their sockets and their HTTP requests, and each socket has its own.
  An event costs what it costs the server (``COSTS``: a ``sync`` renders the step, a
  ``preview`` runs redaction). A bucket refills at a steady rate, so a person answering,
  typing (a preview every half second) and reconnecting never meets a limit; a script
  flooding one event is refused after a few seconds' worth.
* A refused event is acknowledged at once with a plain, translated message and ``retry``
  seconds, costing almost nothing; a socket that keeps sending after refusals is disconnected
  (``strikes``, counted per participant so a new socket does not start afresh), and
  reconnecting is itself limited per participant.
* At most ``MAX_SOCKETS`` sockets per participant in this process: a new one closes the
  oldest, so a phone reconnecting is never turned away, but four tabs cannot flood at once.
* Anonymous participant pages (the start page, joining) are limited per keyed hash of the
  address (see ``ratelimit``) with a budget big enough for a whole room behind one Wi-Fi.
  Buckets that would be full anyway are forgotten, and nothing is ever written anywhere.

With several processes each process keeps its own buckets, so a participant's budget is per
process; every process still protects its own phones.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, current_app, render_template, request, session
from flask_babel import gettext as _

from . import ratelimit

# name -> (capacity, refill per second). Override with app.config["FAIR_SHARE"].
DEFAULT_BUDGETS: dict[str, tuple[float, float]] = {
    # All of one participant's sockets together: a person answering, typing (a preview every
    # half second at most) and reconnecting uses well under this; a burst costs the server
    # at most a few milliseconds of work.
    "participant": (12.0, 3.0),
    "connection": (10.0, 3.0),  # one phone socket
    "screen": (120.0, 20.0),  # one console or projector socket
    # Refused events a participant's sockets (or a screen's socket) may send before being
    # closed; per participant, so reconnecting does not start the count again.
    "strikes": (20.0, 1.0),
    "connect": (6.0, 0.2),  # socket connections per participant (one every 5 s after 6)
    "page": (30.0, 2.0),  # participant pages per participant (keyed by a hash of their tokens)
    "address": (1200.0, 60.0),  # participant pages without a place yet, per hashed address (a room)
}
# What each socket event costs, in tokens.
COSTS: dict[str, float] = {"sync": 2.0, "preview": 1.0, "answer": 1.0, "me_too": 1.0, "control": 1.0}
MAX_SOCKETS = 3


class Buckets:
    """Token buckets keyed by string, bounded in number; full buckets are simply forgotten."""

    def __init__(self, capacity: float, rate: float, max_keys: int = 50_000) -> None:
        self.capacity, self.rate = float(capacity), float(rate)
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, time)
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def take(self, key: str, cost: float = 1.0, now: float | None = None) -> float:
        """Spend ``cost`` tokens; return 0 if allowed, else the seconds until it would be."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, stamp = self._state.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
            if tokens >= cost:
                tokens -= cost
                wait = 0.0
            else:
                wait = (cost - tokens) / self.rate if self.rate else 3600.0
            self._state[key] = (tokens, now)
            if len(self._state) > self._max_keys:
                self._forget(now)
            return wait

    def _forget(self, now: float) -> None:
        """Drop buckets that have refilled (they hold nothing), then the oldest if still too many."""
        full_after = self.capacity / self.rate if self.rate else float("inf")
        for key in [k for k, (_t, stamp) in self._state.items() if now - stamp >= full_after]:
            del self._state[key]
        while len(self._state) > self._max_keys:
            self._state.popitem(last=False)

    def forget(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)

    def __len__(self) -> int:
        return len(self._state)


class FairShare:
    """Every bucket of one app, and the sockets each participant has open in this process."""

    def __init__(self, budgets: dict[str, tuple[float, float]]) -> None:
        self.buckets = {name: Buckets(*budget) for name, budget in budgets.items()}
        self._sockets: dict[int, list[str]] = {}
        self._lock = threading.Lock()

    def take(self, budget: str, key: str, cost: float = 1.0) -> float:
        return self.buckets[budget].take(key, cost)

    def opened(self, participant_id: int, sid: str) -> list[str]:
        """Note a participant's new socket; return the older ones to close (beyond ``MAX_SOCKETS``)."""
        with self._lock:
            sids = [s for s in self._sockets.get(participant_id, []) if s != sid] + [sid]
            extra, self._sockets[participant_id] = sids[:-MAX_SOCKETS], sids[-MAX_SOCKETS:]
            return extra

    def closed(self, participant_id: int | None, sid: str) -> None:
        for name in ("connection", "screen", "strikes"):
            self.buckets[name].forget(sid)
        if participant_id is None:
            return
        with self._lock:
            sids = [s for s in self._sockets.get(participant_id, []) if s != sid]
            if sids:
                self._sockets[participant_id] = sids
            else:
                self._sockets.pop(participant_id, None)

    def sockets_of(self, participant_id: int) -> list[str]:
        with self._lock:
            return list(self._sockets.get(participant_id, []))


def fair_share(app: Flask | None = None) -> FairShare:
    """Return the app's buckets, making them on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("cg_fairshare")
    if found is None:
        budgets = dict(DEFAULT_BUDGETS)
        budgets.update(app.config.get("FAIR_SHARE") or {})
        found = app.extensions.setdefault("cg_fairshare", FairShare(budgets))
    return found  # type: ignore[no-any-return]


def event_wait(event: str, who: dict[str, Any], sid: str) -> float:
    """Charge one socket event to its connection (and participant); 0 if allowed, else seconds to wait."""
    share = fair_share()
    cost = COSTS.get(event, 1.0)
    if who.get("as") == "phone":
        wait = share.take("connection", sid, cost)
        return wait or share.take("participant", f"p{who['p']}", cost)
    return share.take("screen", sid, cost)


def struck_out(who: dict[str, Any], sid: str) -> bool:
    """Count a refused event; True once its sender has ignored so many refusals it should be closed."""
    key = f"p{who['p']}" if who.get("as") == "phone" else sid
    return fair_share().take("strikes", key) > 0


def connect_wait(participant_id: int) -> float:
    return fair_share().take("connect", f"p{participant_id}")


_REFUSALS: dict[tuple[str, bool], str] = {}


def _refusal_text(answer: bool) -> str:
    """The refusal in the phone's language, translated once per language (refusals must be cheap)."""
    lang = session.get("lang") if session.get("lang") in ("en", "cy") else "en"
    key = (str(lang), answer)
    if key not in _REFUSALS:
        if answer:
            text = _("You are sending very fast. Please wait a few seconds. Your answer is kept and sent again.")
        else:
            text = _("Too many requests from this phone. Please wait a few seconds and try again.")
        _REFUSALS[key] = str(text)
    return _REFUSALS[key]


def refusal(wait: float, *, answer: bool = False) -> dict[str, Any]:
    """The acknowledgement for a refused event: plain words the phone shows, and when to retry."""
    return {"ok": False, "error": _refusal_text(answer), "limited": True, "retry": max(1, int(wait + 0.999))}


def _page_limit() -> Any:
    """Before each participant page: charge it to the participant (or to the address if not joined)."""
    if request.blueprint != "participant" or request.endpoint == "static":
        return None
    tokens = sorted(str(t) for t in (session.get("p") or {}).values())
    if tokens:
        wait = fair_share().take("page", "t" + ratelimit.limiter().client_key("", *tokens[:20]))
    else:
        wait = fair_share().take("address", ratelimit.limiter().client_key(ratelimit.client_address(), "pages"))
    if not wait:
        return None
    body = render_template(
        "error.html",
        code=429,
        title=_("Too many tries"),
        detail=_("Too many requests from this phone. Please wait a few seconds and try again."),
    )
    return body, 429, {"Retry-After": str(max(1, int(wait + 0.999)))}


def register(app: Flask) -> None:
    """Limit every participant page (the socket events are limited in ``sockets.event``)."""
    app.before_request(_page_limit)
