"""Malformed, oversized and out-of-order socket payloads: plain refusals, never a server error."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.support import Factory, Live
from workshop.extensions import db, socketio
from workshop.models import Comment, ControlEvent, MeToo, Response, Workshop
from workshop.realtime import EVENT_NAMES


def _deep(n: int) -> Any:
    value: Any = "bottom"
    for _ in range(n):
        value = {"a": [value]}
    return value


GARBAGE: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    10**40,
    1.5,
    "",
    "x" * 20_000,
    [],
    [1, "two", None],
    {},
    _deep(200),
    {"step": None},
    {"step": "0"},
    {"step": True},
    {"step": -1},
    {"step": 10**12},
    {"step": 10**30},
    {"step": 1.0},
    {"step": 0, "client_id": None},
    {"step": 0, "client_id": 12345678},
    {"step": 0, "client_id": "x" * 1000, "value": "not a mapping"},
    {"step": 0, "client_id": "a" * 16, "value": {"position": {"nested": [1]}}},
    {"step": 0, "client_id": "a" * 16, "value": {"position": "conditions", "conditions": ["x"] * 1000}},
    {"step": 0, "client_id": "a" * 16, "value": {"position": "object", "reason": "y" * 100_000}},
    {"step": 0, "client_id": "a" * 16, "value": {"scale": "NaN"}},
    {"step": 0, "client_id": "a" * 16, "value": {"choices": [[["x"]]]}},
    {"action": None},
    {"action": ["next"]},
    {"action": "nope", "argument": {"x": 1}},
    {"action": "goto", "argument": 10**30},
    {"action": "goto", "argument": -5},
    {"action": "start_timer", "argument": "60"},
    {"action": "start_timer", "argument": 10**9},
    {"action": "__class__"},
    {"action": "end" * 1000},
    {"text": None},
    {"text": ["x"]},
    {"text": "z" * 50_000},
    {"comment": "1"},
    {"comment": 10**30},
    {"comment": None},
    {"comment": True},
    {"comment": -1},
]
SERVER_EVENTS = EVENT_NAMES - {"answer", "sync", "control", "preview", "me_too"}


def _plain(ack: Any) -> None:
    """An acknowledgement is None (nothing listens) or a dict that refuses in plain words."""
    if ack is None:
        return
    assert isinstance(ack, dict), ack
    error = ack.get("error")
    if error is not None:
        assert isinstance(error, str) and error and len(error) < 200
        for word in ("Traceback", "Error", "Exception", "None", "{", "sqlalchemy"):
            assert word not in error, error


def _clients(app: Flask, factory: Factory, w: Live) -> dict[str, Any]:
    facilitator = factory.login("alex")
    phone = factory.join(w)
    return {
        "phone": socketio.test_client(app, flask_test_client=phone, auth={"as": "phone", "workshop": w.workshop_id}),
        "console": socketio.test_client(
            app, flask_test_client=facilitator, auth={"as": "console", "workshop": w.workshop_id}
        ),
        "projector": socketio.test_client(
            app, auth={"as": "projector", "workshop": w.workshop_id, "token": w.projector_token}
        ),
    }


def _no_server_errors(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [f"{r.name}: {r.getMessage()}" for r in bad]


def test_garbage_to_every_event_from_every_screen(
    app: Flask, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # This burst is about what garbage does to a handler, not about fair share (see
    # test_fair_share.py): budgets big enough that no event is refused for its rate.
    roomy = (1e9, 1e9)
    app.config["FAIR_SHARE"] = {k: roomy for k in ("participant", "connection", "screen", "strikes")}
    w = factory.workshop("alex", moderation="pre")
    factory.goto(w, prompt_type="position")
    clients = _clients(app, factory, w)
    assert all(c.is_connected() for c in clients.values())
    with app.app_context():
        versions = db.session.get(Workshop, w.workshop_id).state_version
    sent = 0
    for kind, client in clients.items():
        for event in sorted(EVENT_NAMES):
            for payload in GARBAGE:
                ack = client.emit(event, payload, callback=True)
                sent += 1
                if event in SERVER_EVENTS:
                    assert ack is None, (kind, event)  # nothing on the server listens to these
                else:
                    _plain(ack)
                    if event != "sync":
                        assert ack is not None and ack.get("ok") is False, (kind, event, payload, ack)
            # No argument at all, and too many arguments.
            _plain(client.emit(event, callback=True))
            _plain(client.emit(event, {"step": 0}, "extra", 3, callback=True))
        assert client.is_connected(), f"the {kind} was disconnected by garbage"
    assert sent >= len(EVENT_NAMES) * len(GARBAGE) * 3
    _no_server_errors(caplog)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
        assert db.session.get(Workshop, w.workshop_id).state_version == versions  # no control took effect
    for client in clients.values():
        client.disconnect()


def test_out_of_order_events(app: Flask, factory: Factory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    w = factory.workshop("alex", moderation="pre")
    clients = _clients(app, factory, w)
    phone, console, projector = clients["phone"], clients["console"], clients["projector"]
    answer = {"step": 0, "client_id": uuid.uuid4().hex, "value": {"position": "consent"}}

    # Before the workshop starts: nothing to answer.
    ack = phone.emit("answer", answer, callback=True)
    assert ack["ok"] is False and "not open" in ack["error"]
    # Phones and the projector cannot drive the workshop.
    for client in (phone, projector):
        ack = client.emit("control", {"action": "start"}, callback=True)
        assert ack == {"ok": False, "error": "Please log in again."}
    # The console and projector cannot answer or preview.
    for client in (console, projector):
        assert client.emit("answer", answer, callback=True)["ok"] is False
        assert client.emit("preview", {"text": "hello"}, callback=True) == {"ok": False}
        assert client.emit("me_too", {"comment": 1}, callback=True)["ok"] is False

    # An answer to a step that is not the current one; then to a closed step.
    position = factory.goto(w, prompt_type="position")
    ack = phone.emit("answer", {**answer, "step": position + 1}, callback=True)
    assert ack["ok"] is False
    assert console.emit("control", {"action": "close_answering"}, callback=True)["ok"] is True
    ack = phone.emit("answer", {**answer, "step": position}, callback=True)
    assert ack["ok"] is False and "closed" in ack["error"]

    # "Me too" on a comment that is still waiting to be checked (pre-moderation).
    text = factory.goto(w, prompt_type="text")
    other = factory.join(w)
    other_sock = socketio.test_client(app, flask_test_client=other, auth={"as": "phone", "workshop": w.workshop_id})
    ack = other_sock.emit(
        "answer", {"step": text, "client_id": uuid.uuid4().hex, "value": {"text": "a comment"}}, callback=True
    )
    assert ack["ok"] is True
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    ack = phone.emit("me_too", {"comment": comment_id}, callback=True)
    assert ack["ok"] is False and ack["error"] == "That comment is not available."

    # After the end: everything refused, politely.
    assert console.emit("control", {"action": "end"}, callback=True)["ok"] is True
    ack = phone.emit("answer", {**answer, "step": text, "value": {"text": "late"}}, callback=True)
    assert ack["ok"] is False and "ended" in ack["error"]
    ack = console.emit("control", {"action": "next"}, callback=True)
    assert ack["ok"] is False and "ended" in ack["error"]
    _no_server_errors(caplog)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MeToo)) == 0
        assert db.session.scalar(select(func.count()).select_from(ControlEvent)) >= 3
    for client in (*clients.values(), other_sock):
        client.disconnect()


def test_bad_connections_are_refused(app: Flask, factory: Factory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    w = factory.workshop("alex", moderation="pre")
    stranger = app.test_client()
    for auth in (
        None,
        "x",
        1,
        [],
        {},
        {"as": "phone"},
        {"as": "phone", "workshop": "1"},
        {"as": "phone", "workshop": w.workshop_id},
        {"as": "console", "workshop": w.workshop_id},
        {"as": "projector", "workshop": w.workshop_id, "token": None},
        {"as": "projector", "workshop": w.workshop_id, "token": "x" * 10_000},
        {"as": "god", "workshop": w.workshop_id},
        {"as": "phone", "workshop": 10**30},
        {"as": "phone", "workshop": True},
    ):
        client = socketio.test_client(app, flask_test_client=stranger, auth=auth)
        assert not client.is_connected(), auth
    _no_server_errors(caplog)
