"""Rate limits: join and receipt code guessing, logins per client, answers per participant."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.support import PASSWORD, Factory, make_app
from workshop.extensions import db, socketio
from workshop.models import Response
from workshop.web import ratelimit

ADDRESS = "203.0.113.77"
TOO_MANY = "Too many tries"
WAIT = "Please wait a minute and try again."


@pytest.fixture
def small_app(database_url: str, app: Flask) -> Iterator[Flask]:
    """The app with small limits, on the same database as ``app`` (so ``factory`` can fill it)."""
    limited = make_app(
        database_url, RATE_LIMITS={"join": (5, 60), "receipt": (3, 60), "login": (4, 60), "answer": (3, 60)}
    )
    yield limited
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def client_at(app: Flask, address: str = ADDRESS) -> Any:
    """A browser or phone from ``address`` (over HTTPS, as a hosted deployment is reached)."""
    return Factory(app).client(address)


ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def wrong_codes(avoid: str, n: int) -> list[str]:
    """``n`` distinct well-formed join codes, none of them ``avoid``."""
    codes = [f"QQ{ALPHABET[i // 25 % 25]}{ALPHABET[i % 25]}QQ" for i in range(n + 1)]
    return [c for c in codes if c != avoid][:n]


class Clock:
    def __init__(self, app: Flask) -> None:
        self.now = 1_800_000_000.0
        ratelimit.limiter(app).clock = lambda: self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_join_code_guessing_is_throttled_with_the_default_limit(app: Flask, factory: Factory) -> None:
    w = factory.workshop("alex", moderation="pre")
    clock = Clock(app)
    limit = ratelimit.DEFAULT_RULES["join"][0]
    guesser = client_at(app)
    for n, wrong in enumerate(wrong_codes(w.code, limit)):
        response = guesser.post("/", data={"code": wrong}) if n % 2 else guesser.get(f"/j/{wrong}")
        assert response.status_code in (400, 404)
    blocked = guesser.post("/", data={"code": "XXXXXX"})
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert TOO_MANY in page and WAIT in page and blocked.headers["Retry-After"] == "2"
    # In back-off, a code nobody here has used is not looked up, right or wrong: a guesser learns nothing.
    assert guesser.get(f"/j/{w.code}").status_code == 429
    assert guesser.post("/", data={"code": w.code}).status_code == 429
    # Exponential back-off: the next try is allowed after 2 s, then 4 s after that one.
    clock.advance(2.1)
    assert guesser.get("/j/XXXXXX").status_code == 404
    clock.advance(2.1)
    assert guesser.get("/j/YYYYYY").status_code == 429
    clock.advance(2.0)
    assert guesser.get("/j/YYYYYY").status_code == 404
    # Someone else in the world is not affected.
    other = client_at(app, "198.51.100.9")
    assert other.get(f"/j/{w.code}").status_code == 200


def test_the_same_wrong_code_typed_again_counts_once(small_app: Flask, factory: Factory) -> None:
    factory.workshop("alex", moderation="pre")
    client = client_at(small_app)
    for _ in range(20):  # someone retyping the same typo, or reloading its page
        assert client.get("/j/QQQQQQ").status_code == 404
    assert client.get("/j/QQQQQR").status_code == 404


def test_a_room_sharing_one_address_is_never_locked_out_by_a_guesser_among_it(
    small_app: Flask, factory: Factory
) -> None:
    w = factory.workshop("alex", moderation="pre")
    Clock(small_app)
    first = client_at(small_app)
    assert first.post("/", data={"code": w.code}).status_code == 302  # the first phone, before the guesser
    assert first.post(f"/j/{w.code}").status_code == 302
    guesser = client_at(small_app)
    refused = 0
    for wrong in wrong_codes(w.code, 40):
        refused += guesser.get(f"/j/{wrong}").status_code == 429
    assert refused >= 30  # the guesser is held back ...
    for _ in range(10):  # ... but every phone in the room typing the right code gets in
        phone = client_at(small_app)
        assert phone.post("/", data={"code": w.code.lower()}).status_code == 302
        assert phone.post(f"/j/{w.code}").status_code == 302
        assert phone.get(f"/w/{w.code}").status_code == 200


def test_successful_joins_earn_room_for_typos(small_app: Flask, factory: Factory) -> None:
    w = factory.workshop("alex", moderation="pre")
    Clock(small_app)
    limit = 5  # small_app's join limit
    for _ in range(3):
        assert client_at(small_app).post(f"/j/{w.code}").status_code == 302
    typist = client_at(small_app)
    statuses = [typist.get(f"/j/{c}").status_code for c in wrong_codes(w.code, limit + 4)]
    assert statuses[: limit + 3] == [404] * (limit + 3) and statuses[-1] == 429


def test_viewing_ones_own_receipt_never_counts_as_a_guess(small_app: Flask, factory: Factory) -> None:
    w = factory.workshop("alex", moderation="pre")
    Clock(small_app)
    phones = [client_at(small_app) for _ in range(3)]
    for phone in phones:
        assert phone.post(f"/j/{w.code}").status_code == 302
    factory.control(w, "end")
    for _ in range(10):  # after the workshop, people come back to their receipts, again and again
        for phone in phones:
            response = phone.get(f"/w/{w.code}/receipt")
            assert response.status_code == 200 and "receipt" in response.get_data(as_text=True).lower()
            assert phone.get(f"/w/{w.code}").status_code == 404  # the live page is gone, not a guess
    limiter = small_app.extensions["cg_ratelimit"]
    assert limiter.count("join", limiter.client_key(ADDRESS)) == 0


def test_right_codes_do_not_count(small_app: Flask, factory: Factory) -> None:
    w = factory.workshop("alex", moderation="pre")
    room = client_at(small_app)
    for _ in range(20):  # a room full of phones behind one address, all scanning the QR code
        assert room.get(f"/j/{w.code}").status_code == 200
        assert room.post("/", data={"code": w.code.lower()}).status_code == 302


def test_receipt_code_guessing_is_throttled(small_app: Flask) -> None:
    client = client_at(small_app)
    for _ in range(3):
        response = client.post("/receipt", data={"receipt": "ABCDE-FGHJK"})
        assert response.status_code == 400 and "could not find that receipt code" in response.get_data(as_text=True)
    response = client.post("/receipt", data={"receipt": "ABCDE-FGHJK"})
    assert response.status_code == 429 and WAIT in response.get_data(as_text=True)


def test_logins_are_throttled_per_client_across_names(small_app: Flask, factory: Factory) -> None:
    factory.facilitator("alex")
    client = client_at(small_app)
    for n in range(4):  # wrong passwords spread over several names, so no one pair backs off
        response = client.post("/login", data={"name": f"name{n}", "password": "wrong password"})
        assert response.status_code == 400
    response = client.post("/login", data={"name": "alex", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many tries. Please wait a minute and try again." in response.get_data(as_text=True)
    assert client.get("/f/").status_code == 302  # not logged in
    # Another client logs in fine.
    other = client_at(small_app, "198.51.100.9")
    assert other.post("/login", data={"name": "alex", "password": PASSWORD}).status_code == 302


def test_answers_are_throttled_per_participant_on_both_paths(small_app: Flask, factory: Factory) -> None:
    w = factory.workshop("alex", moderation="post")
    phone = small_app.test_client()
    assert phone.post(f"/j/{w.code}").status_code == 302
    step = factory.goto(w, prompt_type="scale")
    for n in range(3):
        response = phone.post(
            f"/w/{w.code}/answer", data={"step": step, "client_id": uuid.uuid4().hex, "scale": str(n + 1)}
        )
        assert response.status_code == 302
    response = phone.post(f"/w/{w.code}/answer", data={"step": step, "client_id": uuid.uuid4().hex, "scale": "5"})
    assert response.status_code == 400 and "Too many tries. Please wait a minute" in response.get_data(as_text=True)

    # The socket path shares the same count for the same participant.
    sock = socketio.test_client(small_app, flask_test_client=phone, auth={"as": "phone", "workshop": w.workshop_id})
    assert sock.is_connected()
    ack = sock.emit("answer", {"step": step, "client_id": uuid.uuid4().hex, "value": {"scale": 4}}, callback=True)
    assert ack["ok"] is False and ack["error"] == ratelimit.MESSAGE
    with small_app.app_context():
        saved = db.session.scalar(select(Response))
        assert saved.value == {"scale": 3}  # the refused answers changed nothing

    # Another participant is not affected.
    other = small_app.test_client()
    other.post(f"/j/{w.code}")
    sock2 = socketio.test_client(small_app, flask_test_client=other, auth={"as": "phone", "workshop": w.workshop_id})
    ack = sock2.emit("answer", {"step": step, "client_id": uuid.uuid4().hex, "value": {"scale": 4}}, callback=True)
    assert ack["ok"] is True
    with small_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 2
    sock.disconnect()
    sock2.disconnect()


def test_addresses_are_kept_only_as_keyed_hashes(small_app: Flask, factory: Factory, database_url: str) -> None:
    w = factory.workshop("alex", moderation="pre")
    client = client_at(small_app)
    client.get("/j/QQQQQQ")
    client.post("/login", data={"name": "nobody", "password": "wrong password"})
    client.get(f"/j/{w.code}")
    limiter = small_app.extensions["cg_ratelimit"]
    keys = list(limiter.backend._hits)
    assert keys and not any(ADDRESS in k for k in keys)
    assert limiter.client_key(ADDRESS) != ratelimit.build_limiter(small_app).client_key(ADDRESS)  # random per process
    today = limiter.client_key(ADDRESS)
    limiter.clock = lambda: ratelimit.time.time() + 86400
    assert limiter.client_key(ADDRESS) != today  # a new key every day: days cannot be linked
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for file in path.parent.glob(path.name + "*"):
            assert ADDRESS.encode() not in file.read_bytes()


def test_sliding_window() -> None:
    backend = ratelimit.MemoryBackend(max_keys=3)
    limiter = ratelimit.Limiter(backend, b"k" * 32, {"join": (2, 60)})
    assert limiter.hit("join", "a", now=0) and limiter.hit("join", "a", now=10)
    assert not limiter.hit("join", "a", now=20)
    assert limiter.blocked("join", "a", now=30)
    assert limiter.blocked("join", "a", now=69)  # the hit at 10 is still inside the window
    assert not limiter.blocked("join", "a", now=81)  # hits at 10 and 20 have left it
    for who in "bcde":
        limiter.hit("join", who, now=100)
    assert len(backend._hits) == 3  # bounded: the oldest clients are forgotten


def test_redis_backend_when_the_message_queue_is_redis() -> None:
    url = os.environ.get("WORKSHOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip("Redis is not running")
    fake = Flask("ratelimit-test")
    fake.config.update(MESSAGE_QUEUE=url, SECRET_KEY="same on every process", RATE_LIMITS={"login": (2, 5)})
    limiter = ratelimit.build_limiter(fake)
    assert isinstance(limiter.backend, ratelimit.RedisBackend)
    other_process = ratelimit.build_limiter(fake)
    who = limiter.client_key(ADDRESS) + uuid.uuid4().hex[:6]
    assert limiter.client_key(ADDRESS) == other_process.client_key(ADDRESS)  # processes agree
    assert limiter.hit("login", who) and other_process.hit("login", who)
    assert not limiter.hit("login", who) and other_process.blocked("login", who)
    client = redis.Redis.from_url(url)
    keys = [k.decode() for k in client.scan_iter("cg:rl:*")]
    assert keys and not any(ADDRESS in k for k in keys)
    assert 0 < client.ttl(f"cg:rl:login:{who}") <= 6  # gone after one window
    client.delete(f"cg:rl:login:{who}")


def test_redis_down_lets_people_through(caplog: pytest.LogCaptureFixture) -> None:
    limiter = ratelimit.Limiter(ratelimit.RedisBackend("redis://127.0.0.1:1/0"), b"k" * 32, {"join": (1, 60)})
    assert limiter.hit("join", "a") and limiter.hit("join", "a") and not limiter.blocked("join", "a")
    assert "not limiting" in caplog.text


def test_behind_a_local_proxy_the_forwarded_address_counts(small_app: Flask, factory: Factory) -> None:
    factory.workshop("alex", moderation="pre")
    proxy = client_at(small_app, "127.0.0.1")
    for wrong in wrong_codes("", 5):
        proxy.get(f"/j/{wrong}", headers={"X-Forwarded-For": f"10.9.9.9, {ADDRESS}"})
    # That client is blocked; another client behind the same proxy is not.
    assert proxy.get("/j/QQQQQQ", headers={"X-Forwarded-For": ADDRESS}).status_code == 429
    assert proxy.get("/j/QQQQQQ", headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 404
    # A client that is not a local proxy cannot dodge its limit by inventing forwarded addresses.
    direct = client_at(small_app, "198.51.100.20")
    for n, wrong in enumerate(wrong_codes("", 5)):
        direct.get(f"/j/{wrong}", headers={"X-Forwarded-For": f"192.0.2.{n}"})
    assert direct.get("/j/QQQQQQ", headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429
