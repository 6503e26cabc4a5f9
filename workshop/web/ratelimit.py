"""Rate limits on guessing join codes and receipt codes, on logins and on answers.

Design decisions:

* A sliding window: a rule allows ``limit`` hits in any ``window`` seconds. Counts live in
  memory (one process) or in Redis when ``WORKSHOP_MESSAGE_QUEUE`` is a Redis URL, so several
  processes share them. Nothing is ever written to the database or to a file, and Redis
  keys expire after one window.
* A client's IP address is never stored, not even in memory: it is turned into a keyed hash
  (HMAC-SHA256) at once. In memory the key is random and made when the process starts; with
  Redis every process needs the same key, so it is derived from the app's secret key (held
  in memory only). Nothing here logs an address or a hash.
* Behind a reverse proxy on the same machine the client is the last ``X-Forwarded-For``
  entry (see :func:`client_address`); otherwise it is the connection's own address.
* Wrong guesses count; right ones do not. Once a client is over the limit even a right code
  is refused until the window has passed, so a guesser learns nothing while blocked.
* If Redis is down we let requests through (and log that, without addresses): a lost rate
  limit must not stop a workshop in the middle.

One function per rule (:func:`join_blocked`, :func:`answer_allowed` ...) is shared by every
path that needs it: the HTTP form and the socket event call the same one.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, NoReturn

import redis
from flask import Flask, abort, current_app, make_response, render_template, request

log = logging.getLogger(__name__)

MESSAGE = "Too many tries. Please wait a minute and try again."


@dataclass(frozen=True)
class Rule:
    limit: int
    window: float  # seconds


# name -> (hits allowed, in this many seconds). Override with app.config["RATE_LIMITS"].
DEFAULT_RULES: dict[str, tuple[int, float]] = {
    # Wrong join codes per client. A room full of phones on one Wi-Fi shares an address and
    # mostly scans the QR code, so 30 typos a minute is generous; 25**6 codes make guessing
    # hopeless at this rate.
    "join": (30, 60.0),
    # Wrong presence codes (5 digits, two valid at a time) and invitation or tablet codes per client.
    "presence": (60, 60.0),
    "invitation": (20, 60.0),
    "tablet": (10, 60.0),
    # Wrong receipt codes per client.
    "receipt": (10, 60.0),
    # Failed logins per client (each account also locks after repeated failures).
    "login": (10, 60.0),
    # Answers per participant (a person answers a few times a minute at most).
    "answer": (60, 60.0),
}


class MemoryBackend:
    """Sliding-window counters in this process's memory, bounded in size."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def _recent(self, key: str, window: float, now: float) -> deque[float] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        while hits and hits[0] <= now - window:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return None
        return hits

    def count(self, key: str, window: float, now: float) -> int:
        with self._lock:
            hits = self._recent(key, window, now)
            return len(hits) if hits else 0

    def hit(self, key: str, window: float, now: float) -> int:
        with self._lock:
            hits = self._recent(key, window, now)
            if hits is None:
                hits = self._hits[key] = deque()
            hits.append(now)
            self._hits.move_to_end(key)
            while len(self._hits) > self._max_keys:
                self._hits.popitem(last=False)  # forget the least recently seen client
            return len(hits)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class RedisBackend:
    """Sliding-window counters in Redis sorted sets that expire after one window."""

    def __init__(self, url: str, pool_size: int = 20) -> None:
        # A blocking pool: under a flood of answers the default pool opens a connection per
        # greenlet until Redis refuses ("Too many connections"); this one makes them queue.
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=max(2, pool_size), timeout=2, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        self._redis = redis.Redis(connection_pool=pool)

    def count(self, key: str, window: float, now: float) -> int:
        pipe = self._redis.pipeline()
        pipe.zremrangebyscore(key, 0, now - window)
        pipe.zcard(key)
        return int(pipe.execute()[1])

    def hit(self, key: str, window: float, now: float) -> int:
        pipe = self._redis.pipeline()
        pipe.zremrangebyscore(key, 0, now - window)
        pipe.zadd(key, {f"{now:.6f}:{uuid.uuid4().hex[:8]}": now})
        pipe.zcard(key)
        pipe.expire(key, max(1, int(window) + 1))
        return int(pipe.execute()[2])

    def reset(self) -> None:
        for key in self._redis.scan_iter("cg:rl:*"):
            self._redis.delete(key)


class Limiter:
    """Rules, a backend and the key that hashes client addresses."""

    def __init__(self, backend: MemoryBackend | RedisBackend, hash_key: bytes, rules: dict[str, tuple[int, float]]):
        self.backend = backend
        self._hash_key = hash_key
        self.rules = {name: Rule(int(n), float(w)) for name, (n, w) in rules.items()}

    def client_key(self, address: str | None) -> str:
        """Return a keyed hash of a client's address (the address itself is never kept)."""
        digest = hmac.new(self._hash_key, (address or "unknown").encode(), hashlib.sha256).hexdigest()
        return "c" + digest[:32]

    def _key(self, rule: str, who: str) -> str:
        return f"cg:rl:{rule}:{who}"

    def blocked(self, rule: str, who: str, now: float | None = None) -> bool:
        """True if ``who`` has used up ``rule`` in the current window (does not count a hit)."""
        r = self.rules[rule]
        try:
            return self.backend.count(self._key(rule, who), r.window, time.time() if now is None else now) >= r.limit
        except Exception as exc:  # Redis down: let people through rather than stop a workshop
            log.warning("rate limit store unavailable (%s); not limiting", type(exc).__name__)
            return False

    def hit(self, rule: str, who: str, now: float | None = None) -> bool:
        """Count one hit; return True if it is still within the limit."""
        r = self.rules[rule]
        try:
            return self.backend.hit(self._key(rule, who), r.window, time.time() if now is None else now) <= r.limit
        except Exception as exc:
            log.warning("rate limit store unavailable (%s); not limiting", type(exc).__name__)
            return True


def build_limiter(app: Flask) -> Limiter:
    """Make the limiter for an app: Redis if the message queue is Redis, memory otherwise."""
    rules = dict(DEFAULT_RULES)
    rules.update(app.config.get("RATE_LIMITS") or {})
    url = str(app.config.get("MESSAGE_QUEUE") or "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        # Every process must hash an address the same way, so derive the key from the secret.
        key = hmac.new(str(app.config["SECRET_KEY"]).encode(), b"common-ground rate limits", hashlib.sha256).digest()
        return Limiter(RedisBackend(url, int(app.config.get("REDIS_POOL_SIZE") or 20)), key, rules)
    return Limiter(MemoryBackend(), secrets.token_bytes(32), rules)


_build_lock = threading.Lock()


def limiter(app: Flask | None = None) -> Limiter:
    """Return the app's limiter, making it on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("cg_ratelimit")
    if found is None:
        with _build_lock:
            found = app.extensions.get("cg_ratelimit")
            if found is None:
                found = app.extensions["cg_ratelimit"] = build_limiter(app)
    return found  # type: ignore[no-any-return]


def client_address() -> str | None:
    """The client's address, for hashing: behind a reverse proxy on this machine, the proxy's view.

    A request from a loopback address that carries ``X-Forwarded-For`` came through a proxy on
    this machine (docs/nginx.conf); its *last* entry is the address the proxy saw, which a
    client cannot forge (it can only add entries in front). From anywhere else the header is
    ignored, so a phone cannot dodge a limit by inventing addresses.
    """
    address = request.remote_addr
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and address:
        try:
            local = ipaddress.ip_address(address).is_loopback
        except ValueError:
            local = False
        last = forwarded.split(",")[-1].strip()
        if local and last:
            return last[:64]
    return address


def _client() -> str:
    return limiter().client_key(client_address())


# One function per rule, shared by every path that needs it.


def code_guess_blocked(rule: str = "join") -> bool:
    """True if this client has guessed too many wrong codes (join or receipt) lately."""
    return limiter().blocked(rule, _client())


def wrong_code_guessed(rule: str = "join") -> None:
    """Count a wrong join or receipt code from this client."""
    limiter().hit(rule, _client())


def login_blocked() -> bool:
    return limiter().blocked("login", _client())


def login_failed() -> None:
    limiter().hit("login", _client())


def answer_allowed(participant_id: int) -> bool:
    """Count an answer from a participant; False if they are sending too many (socket and form)."""
    return limiter().hit("answer", f"p{participant_id}")


def too_many() -> Any:
    """The plain-English 429 page."""
    body = render_template("error.html", code=429, title="Too many tries", detail="Please wait a minute and try again.")
    return make_response(body, 429, {"Retry-After": "60"})


def refuse() -> NoReturn:
    """Stop this request with the 429 page."""
    abort(too_many())
