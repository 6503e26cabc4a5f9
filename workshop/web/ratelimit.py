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
* The hash key changes every day (an HMAC of the date under a key made at start, or derived
  from the secret key with Redis), so yesterday's hashes cannot be linked to today's, and no
  count is held longer than 24 hours (in memory, stale keys are swept; in Redis, keys expire).
* Logins are throttled per pair (name typed, address), with exponential back-off after a few
  failures: a stranger elsewhere cannot lock a facilitator out, and a throttled name looks
  the same whether or not it exists. See :func:`login_wait`.
* Join codes (see :func:`join_gate`): a code someone here already joined with, or a browser
  that already holds a place in that workshop (to see its receipt, or after it ended), is
  never refused or counted; distinct wrong codes are counted per address with exponential
  back-off, and each successful join here earns one more try, so typos in a big room never
  add up to a lockout.
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

from ..domain.codes import normalise_join_code

log = logging.getLogger(__name__)

MESSAGE = "Too many tries. Please wait a minute and try again."


@dataclass(frozen=True)
class Rule:
    limit: int
    window: float  # seconds


# name -> (hits allowed, in this many seconds). Override with app.config["RATE_LIMITS"].
DEFAULT_RULES: dict[str, tuple[int, float]] = {
    # Distinct wrong join codes per client in ten minutes, before back-off starts (each
    # successful join from the same address adds one). 25**6 codes make guessing hopeless.
    "join": (30, 600.0),
    # Wrong presence codes (5 digits, two valid at a time) and invitation or tablet codes per client.
    "presence": (60, 60.0),
    "invitation": (20, 60.0),
    "tablet": (10, 60.0),
    # Wrong receipt codes per client.
    "receipt": (10, 60.0),
    # Failed logins per client across all names, for names that have not logged in from
    # there in the last day (a facilitator who has is never stopped by a stranger nearby).
    "login": (20, 600.0),
    # Failed logins per (name, client) pair in an hour before back-off starts.
    "login_pair": (5, 3600.0),
    # Answers per participant (a person answers a few times a minute at most).
    "answer": (60, 60.0),
    # Successful logins / joins remembered for a day (keyed hashes only).
    "known": (1, 86400.0),
    "join_ok": (1_000_000, 600.0),
    "seen_wrong": (1, 600.0),
}
# Back-off after a rule's free tries: 2 s, then doubling, never more than this.
BACKOFF_START = 2.0
BACKOFF_MAX = {"login_pair": 900.0, "join": 3600.0}
MAX_AGE = 86400.0  # nothing counted per address is kept longer than a day


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

    def recent(self, key: str, window: float, now: float) -> tuple[int, float]:
        """The number of hits in the window and the time of the latest (0 if none)."""
        with self._lock:
            hits = self._recent(key, window, now)
            return (len(hits), hits[-1]) if hits else (0, 0.0)

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def sweep(self, now: float, max_age: float = MAX_AGE) -> None:
        """Forget every key not hit in ``max_age`` seconds (keys are kept oldest first)."""
        with self._lock:
            while self._hits:
                key, hits = next(iter(self._hits.items()))
                if hits and hits[-1] > now - max_age:
                    break
                del self._hits[key]

    def hit(self, key: str, window: float, now: float) -> int:
        with self._lock:
            hits = self._recent(key, window, now)
            if hits is None:
                hits = self._hits[key] = deque()
            hits.append(now)
            self._hits.move_to_end(key)
            if len(self._hits) > 1 and next(iter(self._hits.values()))[-1] <= now - MAX_AGE:
                for old in [k for k, h in self._hits.items() if h[-1] <= now - MAX_AGE]:
                    del self._hits[old]
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

    def recent(self, key: str, window: float, now: float) -> tuple[int, float]:
        pipe = self._redis.pipeline()
        pipe.zremrangebyscore(key, 0, now - window)
        pipe.zcard(key)
        pipe.zrange(key, -1, -1, withscores=True)
        _, count, last = pipe.execute()
        return int(count), float(last[0][1]) if last else 0.0

    def clear(self, key: str) -> None:
        self._redis.delete(key)

    def sweep(self, now: float, max_age: float = MAX_AGE) -> None:
        """Nothing to do: every key expires by itself within a day."""

    def hit(self, key: str, window: float, now: float) -> int:
        pipe = self._redis.pipeline()
        pipe.zremrangebyscore(key, 0, now - window)
        pipe.zadd(key, {f"{now:.6f}:{uuid.uuid4().hex[:8]}": now})
        pipe.zcard(key)
        pipe.expire(key, min(int(MAX_AGE), max(1, int(window) + 1)))
        return int(pipe.execute()[2])

    def reset(self) -> None:
        for key in self._redis.scan_iter("cg:rl:*"):
            self._redis.delete(key)


class Limiter:
    """Rules, a backend and the key that hashes client addresses (a new one each day)."""

    def __init__(self, backend: MemoryBackend | RedisBackend, hash_key: bytes, rules: dict[str, tuple[int, float]]):
        self.backend = backend
        self._hash_key = hash_key
        self._daily: tuple[str, bytes] = ("", b"")
        self.clock = time.time  # tests move it forward instead of sleeping
        self.rules = {name: Rule(int(n), float(w)) for name, (n, w) in rules.items()}

    def daily_key(self, now: float | None = None) -> bytes:
        """Today's hashing key (UTC date), so hashes from different days cannot be linked."""
        day = time.strftime("%Y-%m-%d", time.gmtime(self.clock() if now is None else now))
        if self._daily[0] != day:
            self._daily = (day, hmac.new(self._hash_key, day.encode(), hashlib.sha256).digest())
        return self._daily[1]

    def client_key(self, address: str | None, *more: str) -> str:
        """Return a keyed hash of a client's address, with anything else that must not be kept plainly."""
        data = "\0".join((address or "unknown", *more)).encode("utf-8", "replace")
        return "c" + hmac.new(self.daily_key(), data, hashlib.sha256).hexdigest()[:32]

    def _key(self, rule: str, who: str) -> str:
        return f"cg:rl:{rule}:{who}"

    def blocked(self, rule: str, who: str, now: float | None = None) -> bool:
        """True if ``who`` has used up ``rule`` in the current window (does not count a hit)."""
        r = self.rules[rule]
        try:
            return self.backend.count(self._key(rule, who), r.window, self.clock() if now is None else now) >= r.limit
        except Exception as exc:  # Redis down: let people through rather than stop a workshop
            log.warning("rate limit store unavailable (%s); not limiting", type(exc).__name__)
            return False

    def hit(self, rule: str, who: str, now: float | None = None) -> bool:
        """Count one hit; return True if it is still within the limit."""
        r = self.rules[rule]
        try:
            return self.backend.hit(self._key(rule, who), r.window, self.clock() if now is None else now) <= r.limit
        except Exception as exc:
            log.warning("rate limit store unavailable (%s); not limiting", type(exc).__name__)
            return True

    def wait(self, rule: str, who: str, now: float | None = None, extra: int = 0) -> float:
        """Seconds ``who`` must wait under ``rule`` with back-off (0: go ahead).

        ``limit`` (+ ``extra``) tries are free in each window; after that each further try must
        wait 2 s, 4 s, 8 s ... after the previous one, up to the rule's maximum.
        """
        r = self.rules[rule]
        now = self.clock() if now is None else now
        try:
            count, last = self.backend.recent(self._key(rule, who), r.window, now)
        except Exception as exc:
            log.warning("rate limit store unavailable (%s); not limiting", type(exc).__name__)
            return 0.0
        over = count - (r.limit + extra)
        if over < 0:
            return 0.0
        delay = min(BACKOFF_START * 2.0 ** min(over, 30), BACKOFF_MAX.get(rule, r.window))
        return max(0.0, last + delay - now)

    def count(self, rule: str, who: str, now: float | None = None) -> int:
        r = self.rules[rule]
        try:
            return self.backend.count(self._key(rule, who), r.window, self.clock() if now is None else now)
        except Exception as exc:
            log.warning("rate limit store unavailable (%s); not limiting", type(exc).__name__)
            return 0

    def clear(self, rule: str, who: str) -> None:
        try:
            self.backend.clear(self._key(rule, who))
        except Exception as exc:
            log.warning("rate limit store unavailable (%s)", type(exc).__name__)


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


def code_guess_blocked(rule: str = "receipt") -> bool:
    """True if this client has guessed too many wrong receipt codes lately."""
    return limiter().blocked(rule, _client())


def wrong_code_guessed(rule: str = "receipt") -> None:
    """Count a wrong receipt code from this client."""
    limiter().hit(rule, _client())


def _code_key(code: str) -> str:
    return normalise_join_code(code) or code.strip().upper()[:20]


def join_wait(code: str) -> float:
    """Seconds this client must wait before another join code of theirs is looked up (0: go ahead).

    Never for a code someone at this address joined with (or used rightly) in the last day, so
    a room behind one address is not locked out by a guesser among it. Otherwise the distinct
    wrong codes from this address in ten minutes are counted, with one free try per
    successful join here, and exponential back-off after that.
    """
    lim = limiter()
    address = client_address()
    if lim.count("known", lim.client_key(address, "join", _code_key(code))):
        return 0.0
    who = lim.client_key(address)
    return lim.wait("join", who, extra=lim.count("join_ok", who))


def wrong_join_code(code: str) -> None:
    """Count a wrong join code from this client (the same wrong code twice counts once)."""
    lim = limiter()
    address = client_address()
    seen = lim.client_key(address, "wrong", _code_key(code))
    if not lim.count("seen_wrong", seen):
        lim.hit("seen_wrong", seen)
        lim.hit("join", lim.client_key(address))


def right_join_code(code: str) -> None:
    """Remember (as a keyed hash, for a day) that this client used a right join code."""
    lim = limiter()
    key = lim.client_key(client_address(), "join", _code_key(code))
    if not lim.count("known", key):
        lim.hit("known", key)


def joined_here() -> None:
    """A participant joined from this client: one more wrong code may be typed here without back-off."""
    lim = limiter()
    lim.hit("join_ok", lim.client_key(client_address()))


def _pair(name: str) -> str:
    lim = limiter()
    return lim.client_key(client_address(), "login", name.strip().casefold()[:200])


def login_wait(name: str) -> float:
    """Seconds before this (name, client) pair may try to log in again (0: go ahead).

    Keyed on the name as typed, whether or not such a facilitator exists, so being throttled
    tells nobody whether a name is real. A name that logged in from this client in the last
    day is never held back by other names' failures from the same address.
    """
    lim = limiter()
    pair = _pair(name)
    wait = lim.wait("login_pair", pair)
    if wait:
        return wait
    if not lim.count("known", pair) and lim.blocked("login", _client()):
        return 60.0
    return 0.0


def login_failed(name: str) -> None:
    lim = limiter()
    lim.hit("login_pair", _pair(name))
    lim.hit("login", _client())


def login_succeeded(name: str) -> None:
    lim = limiter()
    pair = _pair(name)
    lim.clear("login_pair", pair)
    if not lim.count("known", pair):
        lim.hit("known", pair)


def answer_allowed(participant_id: int) -> bool:
    """Count an answer from a participant; False if they are sending too many (socket and form)."""
    return limiter().hit("answer", f"p{participant_id}")


def minutes(seconds: float) -> int:
    return max(1, int(seconds + 59) // 60)


def too_many(wait: float = 60.0) -> Any:
    """The plain-English 429 page."""
    detail = "Please wait a minute and try again."
    if wait > 60:
        detail = f"Please wait {minutes(wait)} minutes and try again."
    body = render_template("error.html", code=429, title="Too many tries", detail=detail)
    return make_response(body, 429, {"Retry-After": str(max(1, int(wait + 0.999)))})


def refuse(wait: float = 60.0) -> NoReturn:
    """Stop this request with the 429 page."""
    abort(too_many(wait))
