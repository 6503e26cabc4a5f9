"""Fair share: every socket event and participant page has a budget per participant and per connection.

In-process token buckets (``workshop/web/fairshare.py``); the benchmark beside them is
``bench/fair_share.py``. Also here: a logged-out console stops receiving at once.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.support import Factory, Live
from workshop.extensions import db, socketio
from workshop.models import Response
from workshop.realtime import console_room
from workshop.web import fairshare

FAST = "Too many requests from this phone. Please wait a few seconds and try again."
FAST_ANSWER = "You are sending very fast. Please wait a few seconds. Your answer is kept and sent again."


def phone_socket(app: Flask, phone: Any, w: Live) -> Any:
    sock = socketio.test_client(app, flask_test_client=phone, auth={"as": "phone", "workshop": w.workshop_id})
    assert sock.is_connected()
    return sock


def test_a_bucket_allows_its_capacity_then_refills_at_its_rate() -> None:
    bucket = fairshare.Buckets(capacity=4, rate=2)
    assert [bucket.take("a", 1, now=0) for _ in range(4)] == [0, 0, 0, 0]
    assert bucket.take("a", 1, now=0) == pytest.approx(0.5)
    assert bucket.take("b", 1, now=0) == 0  # another key has its own bucket
    assert bucket.take("a", 1, now=0.5) == 0  # refilled one token in half a second
    assert bucket.take("a", 2, now=0.5) == pytest.approx(1.0)
    small = fairshare.Buckets(capacity=1, rate=1, max_keys=2)
    for n, key in enumerate("cdef"):
        small.take(key, 1, now=n * 10)
    assert len(small) <= 2  # bounded, and full buckets are forgotten


def test_a_flooding_phone_is_refused_plainly_and_others_are_not(app: Flask, factory: Factory) -> None:
    w = factory.workshop("alex", moderation="pre")
    flooder = phone_socket(app, factory.join(w), w)
    honest = phone_socket(app, factory.join(w), w)
    acks = [flooder.emit("sync", {}, callback=True) for _ in range(15)]
    refused = [a for a in acks if not a.get("ok")]
    capacity = fairshare.DEFAULT_BUDGETS["connection"][0]
    assert len(acks) - len(refused) <= capacity / fairshare.COSTS["sync"] + 1  # a few seconds' worth, not more
    assert refused and all(a["error"] == FAST and a["limited"] and a["retry"] >= 1 for a in refused)
    assert honest.emit("sync", {}, callback=True)["ok"] is True
    flooder.disconnect()
    honest.disconnect()


def test_refused_answers_are_not_stored_and_say_so_in_welsh(app: Flask, factory: Factory) -> None:
    app.config["FAIR_SHARE"] = {"connection": (3.0, 0.01), "participant": (3.0, 0.01)}
    w = factory.workshop("alex", moderation="post")
    step = factory.goto(w, prompt_type="scale")
    phone = factory.join(w)
    phone.get("/language/cy")
    sock = phone_socket(app, phone, w)
    acks = [
        sock.emit("answer", {"step": step, "client_id": uuid.uuid4().hex, "value": {"scale": 3}}, callback=True)
        for _ in range(5)
    ]
    assert [a["ok"] for a in acks] == [True, True, True, False, False]
    assert acks[-1]["limited"] and acks[-1]["error"] != FAST_ANSWER and "eiliadau" in acks[-1]["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1  # one answer, replaced
    sock.disconnect()


def test_a_socket_that_ignores_refusals_is_closed(app: Flask, factory: Factory) -> None:
    app.config["FAIR_SHARE"] = {"connection": (2.0, 0.01), "strikes": (5.0, 0.01)}
    w = factory.workshop("alex", moderation="pre")
    phone = factory.join(w)
    sock = phone_socket(app, phone, w)
    for _ in range(20):
        if not sock.is_connected():
            break
        sock.emit("preview", {"text": "hello"}, callback=True)
    assert not sock.is_connected()
    # Strikes are per participant: a new socket is closed at its first refused event.
    again = phone_socket(app, phone, w)
    acks = []
    while again.is_connected() and len(acks) < 10:
        acks.append(again.emit("preview", {"text": "hello"}, callback=True))
    assert not again.is_connected() and [a.get("limited", False) for a in acks] == [False, False, True]


def test_at_most_three_sockets_per_participant_and_connecting_is_limited(app: Flask, factory: Factory) -> None:
    w = factory.workshop("alex", moderation="pre")
    phone = factory.join(w)
    socks = [phone_socket(app, phone, w) for _ in range(fairshare.MAX_SOCKETS + 1)]
    assert not socks[0].is_connected()  # the oldest made way for the newest
    assert all(s.is_connected() for s in socks[1:])
    attempts = [socketio.test_client(app, flask_test_client=phone, auth={"as": "phone", "workshop": w.workshop_id})]
    for _ in range(10):
        attempts.append(
            socketio.test_client(app, flask_test_client=phone, auth={"as": "phone", "workshop": w.workshop_id})
        )
    assert not attempts[-1].is_connected()  # a reconnect storm from one participant is refused
    other = phone_socket(app, factory.join(w), w)  # another participant connects as usual
    assert other.emit("sync", {}, callback=True)["ok"]
    for s in [*socks, *attempts, other]:
        if s.is_connected():
            s.disconnect()


def test_participant_pages_are_limited_per_participant(app: Flask, factory: Factory) -> None:
    app.config["FAIR_SHARE"] = {"page": (5.0, 0.01)}
    w = factory.workshop("alex", moderation="pre")
    phone = factory.join(w)
    statuses = [phone.get(f"/w/{w.code}").status_code for _ in range(8)]
    assert 200 in statuses and statuses[-1] == 429
    page = phone.get(f"/w/{w.code}")
    assert FAST in page.get_data(as_text=True) and int(page.headers["Retry-After"]) >= 1
    other = factory.join(w)
    assert other.get(f"/w/{w.code}").status_code == 200


def test_logging_out_closes_the_console_at_once(app: Flask, factory: Factory) -> None:
    w = factory.workshop("alex", moderation="pre")
    browser = factory.login("alex")
    console = socketio.test_client(app, flask_test_client=browser, auth={"as": "console", "workshop": w.workshop_id})
    other_tab = socketio.test_client(app, flask_test_client=browser, auth={"as": "console", "workshop": w.workshop_id})
    assert console.is_connected() and other_tab.is_connected()
    assert browser.post("/logout").status_code == 302
    assert not console.is_connected() and not other_tab.is_connected()
    # Nothing of theirs is left in the console's room, so no result can reach it.
    assert list(socketio.server.manager.get_participants("/", console_room(w.workshop_id))) == []
    # A console socket opened with the old cookie copy is refused, and its events too.
    again = socketio.test_client(app, flask_test_client=browser, auth={"as": "console", "workshop": w.workshop_id})
    assert not again.is_connected()


def test_the_privacy_notes_state_the_limits_the_code_uses() -> None:
    from pathlib import Path

    from workshop.web import ratelimit

    doc = " ".join((Path(__file__).resolve().parents[2] / "docs" / "privacy.md").read_text().split())
    b, r = fairshare.DEFAULT_BUDGETS, ratelimit.DEFAULT_RULES
    expected = [
        f"a phone may spend {b['participant'][0]:g} tokens at once and {b['participant'][1]:g} a second",
        f"(a `sync` costs {fairshare.COSTS['sync']:g}, anything else 1)",
        f"one socket {b['connection'][0]:g} at once and {b['connection'][1]:g} a second",
        f"participant pages {b['page'][0]:g} at once and {b['page'][1]:g} a second",
        f"after {b['strikes'][0]:g} refusals has its sockets closed",
        f"may have {fairshare.MAX_SOCKETS} sockets open at once",
        f"one every {1 / b['connect'][1]:g} seconds after {b['connect'][0]:g} quick reconnections",
        f"({b['address'][0]:,g} at once, {b['address'][1]:g} a second: a whole room)",
        f"| {r['join'][0]} different wrong codes in {r['join'][1] / 60:g} minutes",
        f"| {r['receipt'][0]} a minute | address |",
        f"| {r['login_pair'][0]} in an hour;",
        f"up to {ratelimit.BACKOFF_MAX['login_pair'] / 60:g} minutes",
        f"| {r['login'][0]} in {r['login'][1] / 60:g} minutes,",
        f"| {r['answer'][0]} a minute | participant |",
    ]
    missing = [e for e in expected if e not in doc]
    assert not missing, missing
