"""Fuzz every route and every socket event with crafted input: never a 500, never a traceback.

Seeded and bounded (a few thousand requests, well under two minutes on SQLite or
PostgreSQL). Every rule in ``app.url_map`` is sent GET and POST, anonymously, logged in as
the facilitator who owns the factory workshop and as a joined phone, with valid ids (so the
request reaches the view's own code) and then with crafted values in the path, the query
string and the form: NUL bytes, invalid UTF-8 percent-escapes, 400-digit numbers, control
characters and line breaks (in ``next=`` too), zero-width text and huge strings. Every socket
event is sent the same from every kind of screen. The early check that refuses these is
``workshop/web/validation.py``.
"""

from __future__ import annotations

import logging
import random
import re
from typing import Any
from urllib.parse import quote

import engineio.json
import engineio.packet
import pytest
from flask import Flask
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from tests.support import Factory, Live
from workshop.extensions import db, socketio
from workshop.models import Participant
from workshop.realtime import EVENTS
from workshop.web import forms
from workshop.web.sockets import HANDLED
from workshop.web.validation import payload_ok

SEED = 20261204
CASES_PER_ROUTE = 3
# Already percent-encoded, to go into a URL as they are.
RAW = [
    "%00",
    "a%00b",
    "%ff%fe",
    "%c3%28",
    "%ed%a0%80",  # an encoded lone surrogate: not valid UTF-8
    "9" * 400,
    "-" + "9" * 400,
    "%0d%0aSet-Cookie:%20x=1",
    "/%09/evil.example/x",
    "/%5c/evil.example",
    "%e2%80%8b%e2%80%8b",
    "x" * 3000,
    "%01%02%1b[31m",
    "1e400",
    "..%2f..%2fetc%2fpasswd",
]
# Plain strings, for form fields (the test client encodes them as UTF-8).
TEXT = [
    "\x00",
    "a\x00b",
    "9" * 400,
    "-" + "9" * 400,
    "line\r\nbreak",
    "\u200b\u200b\u2060",
    " \t ",
    "\x01\x02\x1b[31m",
    "x" * 5000,
    "//evil.example",
    "/\t/evil.example/x",
    "\u202eevil",
    "\ufffd",
]
# Raw urlencoded bodies that are not valid UTF-8.
BODIES = [b"name=%ff%fe&password=x", b"code=%c3%28", b"text=%ed%a0%80&step=1", b"%ff=1", b"comment=%00"]
EXTRA_FIELDS = [
    "step",
    "client_id",
    "position",
    "reason",
    "ground",
    "scale",
    "text",
    "choices",
    "values",
    "conditions",
    "comment",
    "withdraw",
    "next",
    "language",
    "items",
    "status",
    "response",
]


def form_fields() -> list[str]:
    """Every field name of every form the app has, and the answer payload's keys."""
    names = set(EXTRA_FIELDS)
    for value in vars(forms).values():
        if isinstance(value, type) and issubclass(value, FlaskForm):
            for cls in value.__mro__:
                names.update(k for k, v in vars(cls).items() if isinstance(v, UnboundField))
    return sorted(names)


@pytest.fixture
def factory(app: Flask, factory: Factory) -> Factory:
    # Fuzz what a handler does with crafted input, not the rate limits (they have their own
    # tests): budgets big enough that nothing is refused for its rate.
    roomy = (1e9, 1e9)
    app.config["FAIR_SHARE"] = {k: roomy for k in ("participant", "connection", "screen", "strikes", "page", "address")}
    app.config["RATE_LIMITS"] = {"join": (10**9, 600), "receipt": (10**9, 60), "login": (10**9, 60)}
    return factory


def _values(app: Flask, factory: Factory) -> tuple[Live, dict[str, Any]]:
    w = factory.workshop("alex", moderation="post")
    factory.goto(w, prompt_type="position")
    with app.app_context():
        from workshop.models import Consultation

        pid = db.session.scalar(select(Participant.id).limit(1)) or 1
        public = db.session.get(Consultation, w.consultation_id).public_token
    values = {
        "consultation_id": w.consultation_id,
        "workshop_id": w.workshop_id,
        "use_case_id": w.use_case_id,
        "participant_id": pid,
        "position": 1,
        "item_id": 1,
        "comment_id": 1,
        "alert_id": 1,
        "code": w.code,
        "export_format": "csv",
        "setting": "on",
        "lang": "cy",
        "filename": "css/paper.css",
    }
    return w, {**values, "_public": public}


def _url(rule: Any, values: dict[str, Any], replace: str | None = None, raw: str = "") -> str:
    """The rule's path with valid values, one argument replaced by a raw (encoded) value if asked."""
    path = rule.rule
    for name in rule.arguments:
        if name == "token":
            value = values["_public"] if rule.endpoint.startswith("public") else values["_projector"]
        else:
            value = values.get(name, 1)
        text = raw if name == replace else quote(str(value), safe="/")
        path = re.sub(r"<(?:[^:<>]+:)?" + name + ">", text, path)
    return path


def _bad(response: Any) -> str | None:
    body = response.get_data().decode("utf-8", "replace") if response.mimetype.startswith("text/") else ""
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    if "Traceback" in body or "sqlalchemy" in body.lower():
        return "a traceback or database error in the page"
    return None


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()[:200]}" for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_every_route_survives_crafted_input(app: Flask, factory: Factory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    w, values = _values(app, factory)
    values["_projector"] = w.projector_token
    rng = random.Random(SEED)
    fields = form_fields()
    identities = {
        "anonymous": lambda: app.test_client(),
        "facilitator": lambda: factory.login("alex"),
        "phone": lambda: factory.join(w),
    }
    rules = [r for r in app.url_map.iter_rules()]
    assert len(rules) > 50
    failures: list[str] = []
    sent = 0
    for who, make in identities.items():
        client = make()
        for rule in rules:
            for method in ("GET", "POST"):
                if who == "facilitator" and rule.endpoint == "auth.logout":
                    continue  # it would end the login the rest of this pass needs
                urls = [_url(rule, values)]  # valid ids first: reach the view's own code
                for n in range(CASES_PER_ROUTE):
                    raw = RAW[(sent + n) % len(RAW)] if n else rng.choice(RAW)
                    if rule.arguments and n != 1:
                        urls.append(_url(rule, values, replace=rng.choice(sorted(rule.arguments)), raw=raw))
                    else:
                        query = f"next={raw}&{rng.choice(fields)}={rng.choice(RAW)}"
                        urls.append(_url(rule, values) + "?" + query)
                for n, url in enumerate(urls):
                    if method == "GET":
                        response = client.get(url)
                    elif n % 2:
                        response = client.post(
                            url, data=rng.choice(BODIES), content_type="application/x-www-form-urlencoded"
                        )
                    else:
                        data = {name: rng.choice(TEXT) for name in rng.sample(fields, 4)}
                        response = client.post(url, data=data)
                    sent += 1
                    problem = _bad(response)
                    if problem:
                        failures.append(f"{who} {method} {url[:120]}: {problem}")
    assert sent > 1000
    assert not failures, failures[:20]
    assert not _errors(caplog), _errors(caplog)[:20]


def test_crafted_input_gets_a_plain_400_not_a_500(app: Flask, factory: Factory) -> None:
    w, _ = _values(app, factory)
    client = app.test_client()
    for url in ("/p/%00", f"/w/{w.code}%00", "/j/%ff%fe", "/?x=%00", "/glossary?n=" + "9" * 400):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "Something in that request was not right" in response.get_data(as_text=True)
    assert client.post("/login", data={"name": "a\x00b", "password": "pw"}).status_code == 400
    assert client.post("/", data=b"code=%ff%fe", content_type="application/x-www-form-urlencoded").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/easy-read/on?next=//evil.example/x",
        "/easy-read/on?next=/%5cevil.example",
        "/easy-read/on?next=https://evil.example/",
        "/language/cy?next=//evil.example",
        "/language/cy?next=/\\evil.example",
        "/login?next=//evil.example",
    ],
)
def test_redirects_stay_on_this_site(app: Flask, factory: Factory, url: str) -> None:
    factory.facilitator("alex")
    client = app.test_client()
    if url.startswith("/login"):
        response = client.post(url, data={"name": "alex", "password": "correct horse battery"})
    else:
        response = client.get(url)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_a_tab_in_next_is_refused_outright(app: Flask) -> None:
    assert app.test_client().get("/easy-read/on?next=/%09/evil/x").status_code == 400


SOCKET_GARBAGE: list[Any] = [
    {"step": 10**400, "client_id": "c" * 16, "value": {"position": "consent"}},
    {"step": 1, "client_id": "c\x00" * 8, "value": {"position": "consent"}},
    {"step": 1, "client_id": "c" * 16, "value": {"text": "\x00"}},
    {"step": 1, "client_id": "c" * 16, "value": {"text": "\ud800"}},
    {"text": "\x00" * 50},
    {"text": "\u200b" * 50},
    {"comment": 10**400},
    {"comment": float("inf")},
    {"action": "goto\x00", "argument": 10**400},
    {"action": "goto", "argument": "9" * 400},
    {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}},
    ["x"] * 500,
    "\x00",
    10**400,
    -(10**400),
    1e308 * 10,
    b"\xff\xfe",
    None,
]


def test_every_socket_event_survives_crafted_input(
    app: Flask, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    w, _ = _values(app, factory)
    # Every event a screen may send is handled (the server's own events, such as "state" and
    # "restarting", are sent by the server only).
    sent_by_screens = {e.name for e in EVENTS if e.sender != "server"}
    assert {"answer", "sync", "control"} <= sent_by_screens <= HANDLED
    # The lenient decoder is for Socket.IO packets only: Engine.IO needs the strict one (a
    # WebSocket upgrade's "probe" must stay text), as the browser tests found.
    assert engineio.packet.Packet.json is engineio.json
    phone = factory.join(w)
    screens = {
        "phone": socketio.test_client(app, flask_test_client=phone, auth={"as": "phone", "workshop": w.workshop_id}),
        "console": socketio.test_client(
            app, flask_test_client=factory.login("alex"), auth={"as": "console", "workshop": w.workshop_id}
        ),
        "projector": socketio.test_client(
            app, auth={"as": "projector", "workshop": w.workshop_id, "token": w.projector_token}
        ),
    }
    assert all(s.is_connected() for s in screens.values())
    for kind, sock in screens.items():
        for name in sorted(HANDLED):
            for payload in SOCKET_GARBAGE:
                ack = sock.emit(name, payload, callback=True)
                assert ack is None or isinstance(ack, dict), (kind, name, ack)
                if isinstance(ack, dict) and ack.get("error"):
                    assert "Traceback" not in ack["error"] and "Error" not in ack["error"], ack
                must_refuse = not payload_ok(payload) or name in ("answer", "me_too", "control")
                if payload is not None and must_refuse:
                    assert ack and ack.get("ok") is False, (kind, name, payload, ack)
        assert sock.is_connected(), kind
    # Crafted connection payloads are refused, not crashed on.
    for auth in (
        {"as": "phone", "workshop": 10**400},
        {"as": "\x00", "workshop": 1},
        {"as": "projector", "workshop": w.workshop_id, "token": "\ud800"},
    ):
        assert not socketio.test_client(app, auth=auth).is_connected()
    assert not _errors(caplog), _errors(caplog)[:20]
