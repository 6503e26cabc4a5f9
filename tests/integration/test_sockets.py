"""The live workshop over Socket.IO (and its no-JavaScript twin): answers, controls, rooms, refusals."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support import Factory, Live, answer, received
from workshop.extensions import db, socketio
from workshop.models import Comment, ControlEvent, Response
from workshop.services.workshops import CONTROL_ACTIONS

CLOSED = "This question is closed now, so your answer was not saved."
PAUSED = "The workshop is on a break. Please try again when it starts again."
ENDED = "This workshop has ended. Thank you for taking part."


def _responses(app: Flask, workshop_id: int) -> list[tuple[int, str | None, dict[str, Any]]]:
    with app.app_context():
        rows = db.session.scalars(select(Response).where(Response.workshop_id == workshop_id).order_by(Response.id))
        return [(r.participant_id, r.key, r.value) for r in rows]


def _ctl(sock: Any, action: str, argument: Any = None) -> Any:
    return sock.emit("control", {"action": action, "argument": argument}, callback=True)


def _counts(results: dict[str, Any]) -> dict[str, int]:
    return {o["key"]: o["count"] for o in results["options"]}


def test_several_participants_answer(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    scale = factory.position(live, "scale")
    con = factory.console(client, live)
    phones = [factory.phone(live)[1] for _ in range(3)]
    assert _ctl(con, "goto", scale) == {"ok": True, "error": None}
    for sock in phones:
        [state] = received(sock, "state")
        assert state["step"] == scale and state["answering_open"] is True and state["kind"] == "prompt"
        assert 'name="scale"' in state["html"]

    for sock, value in zip(phones, (1, 3, 3), strict=True):
        ack = answer(sock, scale, {"scale": value})
        assert ack["ok"] is True and ack["duplicate"] is False and ack["held"] is False

    tallies = received(con, "tally")
    assert [t["answered"] for t in tallies][-1] == 3
    last = tallies[-1]
    assert _counts(last["results"]) == {"1": 1, "2": 0, "3": 2, "4": 0, "5": 0}
    assert last["results"]["mean"] == pytest.approx(2.33, abs=0.01)
    assert last["joined"] == 3
    assert len(_responses(app, live.workshop_id)) == 3


def test_two_workshops_are_kept_apart(app: Flask, client: Any, owner: int, factory: Factory) -> None:
    a = factory.workshop(owner, title="Workshop A")
    b = factory.workshop(owner, title="Workshop B")
    scale_b = factory.position(b, "scale")
    phone_a_client, phone_a = factory.phone(a)
    _, phone_b = factory.phone(b)
    con_a, con_b = factory.console(client, a), factory.console(client, b)
    proj_a = factory.projector(a)

    assert _ctl(con_b, "goto", scale_b)["ok"] is True
    assert answer(phone_b, scale_b, {"scale": 4})["ok"] is True
    assert received(phone_b, "state") and received(con_b, "tally")
    # Nothing of B reached A's phone, console or projector.
    assert received(phone_a) == []
    assert received(con_a) == []
    assert received(proj_a) == []

    # A's phone cannot answer B's open step: its answers go to its own (closed) workshop...
    ack = answer(phone_a, scale_b, {"scale": 1})
    assert ack["ok"] is False and ack["error"] == CLOSED
    # ...and it cannot connect to B's room with A's cookie.
    intruder = socketio.test_client(
        app, flask_test_client=phone_a_client, auth={"as": "phone", "workshop": b.workshop_id}
    )
    assert not intruder.is_connected()
    assert [(k, v) for _, k, v in _responses(app, b.workshop_id)] == [("4", {"scale": 4})]
    assert _responses(app, a.workshop_id) == []


def test_results_reach_the_projector_only_when_revealed(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    position = factory.position(live, "position")
    con, proj = factory.console(client, live), factory.projector(live)
    phones = [factory.phone(live)[1] for _ in range(5)]  # k = 5: results can be shown
    _ctl(con, "goto", position)
    for sock in phones:
        assert answer(sock, position, {"position": "consent"})["ok"] is True

    projected = received(proj, "tally")
    assert projected, "the projector gets live counts"
    assert all(t["results"] is None for t in projected)
    assert projected[-1]["answered"] == 5
    assert all("roles" not in t and "queue" not in t for t in projected)
    consoled = received(con, "tally")
    assert _counts(consoled[-1]["results"])["consent"] == 5
    assert "roles" in consoled[-1] and "queue" in consoled[-1]

    assert _ctl(con, "reveal")["ok"] is True
    items = received(proj)
    [state] = [i["args"][0] for i in items if i["name"] == "state"]
    assert state["revealed"] is True
    shown = [i["args"][0] for i in items if i["name"] == "tally"][-1]
    assert _counts(shown["results"])["consent"] == 5
    assert "roles" not in shown

    assert _ctl(con, "hide_results")["ok"] is True
    assert received(proj, "tally")[-1]["results"] is None


def test_projector_page_hides_results_until_revealed(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    position = factory.position(live, "position")
    factory.goto(live, position)
    for _ in range(5):  # k = 5: fewer would show no chart even once revealed
        answer(factory.phone(live)[1], position, {"position": "object"})
    hidden = app.test_client().get(f"/p/{live.projector_token}/panel").get_data(as_text=True)
    factory.control(live, "reveal")
    shown = app.test_client().get(f"/p/{live.projector_token}/panel").get_data(as_text=True)
    assert "<svg" in shown and "<svg" not in hidden.replace('<svg role="img" aria-label="QR', "")


def test_a_resend_is_stored_once(app: Flask, live: Live, factory: Factory) -> None:
    scale = factory.position(live, "scale")
    factory.goto(live, scale)
    _, sock = factory.phone(live)
    client_id = uuid.uuid4().hex
    first = answer(sock, scale, {"scale": 2}, client_id)
    again = answer(sock, scale, {"scale": 2}, client_id)
    assert first["ok"] is True and first["duplicate"] is False
    assert again == {**again, "ok": True, "duplicate": True, "client_id": client_id}
    assert [(k, v) for _, k, v in _responses(app, live.workshop_id)] == [("2", {"scale": 2})]


def test_a_changed_answer_replaces_the_old_one(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    scale = factory.position(live, "scale")
    con = factory.console(client, live)
    _ctl(con, "goto", scale)
    _, sock = factory.phone(live)
    assert answer(sock, scale, {"scale": 2})["ok"] is True
    assert answer(sock, scale, {"scale": 5})["ok"] is True
    assert [(k, v) for _, k, v in _responses(app, live.workshop_id)] == [("5", {"scale": 5})]
    assert _counts(received(con, "tally")[-1]["results"]) == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}


def test_a_changed_answer_replaces_its_comments(app: Flask, live: Live, factory: Factory) -> None:
    position = factory.position(live, "position")
    factory.goto(live, position)
    _, sock = factory.phone(live)
    ack = answer(sock, position, {"position": "conditions", "conditions": ["only if families are told", ""]})
    assert ack["ok"] is True
    assert answer(sock, position, {"position": "object", "reason": "It treats poor families unfairly"})["ok"] is True
    with app.app_context():
        comments = db.session.scalars(select(Comment).where(Comment.workshop_id == live.workshop_id)).all()
        assert [(c.kind, c.text) for c in comments] == [("objection", "It treats poor families unfairly")]


def test_answer_to_a_closed_step_is_refused(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    scale = factory.position(live, "scale")
    con = factory.console(client, live)
    _ctl(con, "goto", scale)
    _, sock = factory.phone(live)
    assert _ctl(con, "close_answering")["ok"] is True
    ack = answer(sock, scale, {"scale": 3})
    assert ack["ok"] is False and ack["error"] == CLOSED
    # An answer to a step that is not the current one is refused the same way.
    _ctl(con, "open_answering")
    other = factory.position(live, "position")
    ack = answer(sock, other, {"position": "consent"})
    assert ack["ok"] is False and ack["error"] == CLOSED
    # A step that takes no answers, or does not exist.
    info = factory.position(live, kind="info")
    assert answer(sock, info, {"text": "hi"})["error"] == "This question is not open for answers."
    assert answer(sock, 999, {"scale": 1})["error"] == "This question is not open for answers."
    assert _responses(app, live.workshop_id) == []


def test_answer_while_paused_is_refused(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    scale = factory.position(live, "scale")
    con = factory.console(client, live)
    _ctl(con, "goto", scale)
    _, sock = factory.phone(live)
    _ctl(con, "pause")
    [state] = received(sock, "state")
    assert state["paused"] is True and "break" in state["html"]
    ack = answer(sock, scale, {"scale": 3})
    assert ack["ok"] is False and ack["error"] == PAUSED
    assert _responses(app, live.workshop_id) == []
    _ctl(con, "resume")
    assert answer(sock, scale, {"scale": 3})["ok"] is True


def test_answers_after_the_end_are_refused(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    scale = factory.position(live, "scale")
    con = factory.console(client, live)
    _ctl(con, "goto", scale)
    _, sock = factory.phone(live)
    assert answer(sock, scale, {"scale": 1})["ok"] is True
    assert _ctl(con, "end")["ok"] is True
    [state] = received(sock, "state")
    assert state["status"] == "ended" and state["answering_open"] is False
    ack = answer(sock, scale, {"scale": 5})
    assert ack["ok"] is False and ack["error"] == ENDED
    assert [k for _, k, _ in _responses(app, live.workshop_id)] == ["1"]
    refused = _ctl(con, "next")
    assert refused == {"ok": False, "error": "This workshop has ended. Its controls are locked."}


def test_wrong_answers_are_refused_plainly(app: Flask, live: Live, factory: Factory) -> None:
    scale = factory.position(live, "scale")
    factory.goto(live, scale)
    _, sock = factory.phone(live)
    assert answer(sock, scale, {"scale": 9})["error"] == "Please choose a number from 1 to 5."
    assert answer(sock, scale, {"position": "consent"})["error"] == "Please choose a number from 1 to 5."
    assert _responses(app, live.workshop_id) == []


def test_console_needs_a_login_for_this_workshop(
    app: Flask, client: Any, auth: Any, live: Live, factory: Factory
) -> None:
    anonymous = app.test_client()
    sock = socketio.test_client(app, flask_test_client=anonymous, auth={"as": "console", "workshop": live.workshop_id})
    assert not sock.is_connected()

    auth.create("other", "another long password")
    other = app.test_client()
    assert auth.login("other", "another long password", client=other).status_code == 302
    sock = socketio.test_client(app, flask_test_client=other, auth={"as": "console", "workshop": live.workshop_id})
    assert not sock.is_connected()

    # The owner's console connects; once the login has expired, a new connection is refused.
    assert factory.console(client, live).is_connected()
    with client.session_transaction() as session:
        session["auth_at"] = 0
    sock = socketio.test_client(app, flask_test_client=client, auth={"as": "console", "workshop": live.workshop_id})
    assert not sock.is_connected()


def test_phone_must_join_first(app: Flask, live: Live) -> None:
    sock = socketio.test_client(
        app, flask_test_client=app.test_client(), auth={"as": "phone", "workshop": live.workshop_id}
    )
    assert not sock.is_connected()


@pytest.mark.parametrize(
    "auth_data",
    [
        None,
        "phone",
        [],
        {},
        {"as": "phone"},
        {"as": "phone", "workshop": "1"},
        {"as": "phone", "workshop": True},
        {"as": "projector", "workshop": 10**30, "token": "x"},
        {"as": "admin", "workshop": 1},
        {"workshop": 1},
    ],
)
def test_bad_connect_data_is_refused(app: Flask, live: Live, auth_data: Any) -> None:
    sock = socketio.test_client(app, auth=auth_data)
    assert not sock.is_connected()


def test_projector_needs_its_token(app: Flask, owner: int, factory: Factory) -> None:
    a, b = factory.workshop(owner), factory.workshop(owner)
    for token in ("wrong", "", None, 12345, b.projector_token, a.projector_token.upper()):
        sock = socketio.test_client(app, auth={"as": "projector", "workshop": a.workshop_id, "token": token})
        assert not sock.is_connected(), token
    assert factory.projector(a).is_connected()
    assert app.test_client().get("/p/not-the-token-of-any-workshop").status_code == 404


def test_phones_never_receive_tallies(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    scale = factory.position(live, "scale")
    con = factory.console(client, live)
    phones = [factory.phone(live)[1] for _ in range(3)]
    _ctl(con, "goto", scale)
    for n, sock in enumerate(phones):
        answer(sock, scale, {"scale": n + 1})
    _ctl(con, "reveal")
    for sock in phones:
        sock.emit("sync", {}, callback=True)
    _ctl(con, "next")
    for sock in phones:
        names = [item["name"] for item in received(sock)]
        assert names and set(names) == {"state"}
    assert received(con, "tally")


# Each control: (argument, set-up actions before it, check of the workshop afterwards).
CONTROL_CASES: dict[str, tuple[Any, list[tuple[str, Any]], Any]] = {
    "start": (None, [], lambda w, s: w["status"] == "live" and w["started_at"] is not None),
    "next": (None, [], lambda w, s: w["current_step"] == 1 and w["status"] == "live"),
    "previous": (None, [("goto", 2)], lambda w, s: w["current_step"] == 1),
    "goto": ("scale", [], lambda w, s: w["current_step"] == s and w["answering_open"] is True),
    "open_answering": (None, [("goto", "scale"), ("close_answering", None)], lambda w, s: w["answering_open"] is True),
    "close_answering": (None, [("goto", "scale")], lambda w, s: w["answering_open"] is False),
    "reveal": (None, [("goto", "scale")], lambda w, s: w["revealed"] is True),
    "hide_results": (None, [("goto", "scale"), ("reveal", None)], lambda w, s: w["revealed"] is False),
    "start_timer": (
        90,
        [("start", None)],
        lambda w, s: (
            w["timer_ends_at"] is not None
            and timedelta(seconds=80) < w["timer_ends_at"] - datetime.now(UTC) <= timedelta(seconds=90)
        ),
    ),
    "clear_timer": (None, [("start_timer", 60)], lambda w, s: w["timer_ends_at"] is None),
    "pause": (None, [("start", None)], lambda w, s: w["paused"] is True),
    "resume": (None, [("pause", None)], lambda w, s: w["paused"] is False),
    "open_joining": (None, [("close_joining", None)], lambda w, s: w["joining_open"] is True),
    "close_joining": (None, [], lambda w, s: w["joining_open"] is False),
    "end": (
        None,
        [("start", None)],
        lambda w, s: w["status"] == "ended" and w["ended_at"] is not None and w["answering_open"] is False,
    ),
}


def test_every_control_action_is_tested() -> None:
    assert set(CONTROL_CASES) == set(CONTROL_ACTIONS)


@pytest.mark.parametrize("action", CONTROL_ACTIONS)
def test_control_action(app: Flask, client: Any, live: Live, owner: int, action: str, factory: Factory) -> None:
    scale = factory.position(live, "scale")

    def arg(value: Any) -> Any:
        return scale if value == "scale" else value

    argument, setup, check = CONTROL_CASES[action]
    con = factory.console(client, live)
    _, sock = factory.phone(live)
    for name, value in setup:
        factory.control(live, name, arg(value))
    before = factory.row(live)
    events_before = factory.count(ControlEvent, workshop_id=live.workshop_id)
    started = datetime.now(UTC)

    assert _ctl(con, action, arg(argument)) == {"ok": True, "error": None}

    after = factory.row(live)
    assert check(after, scale), after
    assert after["state_version"] == before["state_version"] + 1
    with app.app_context():
        events = db.session.scalars(
            select(ControlEvent).where(ControlEvent.workshop_id == live.workshop_id).order_by(ControlEvent.id)
        ).all()
        assert len(events) == events_before + 1
        logged = events[-1]
        assert logged.action == action
        assert logged.facilitator_id == owner
        assert started - timedelta(seconds=1) <= logged.at <= datetime.now(UTC) + timedelta(seconds=1)
        assert logged.step_position == after["current_step"]
        if action == "start_timer":
            assert logged.detail == {"seconds": 90}
    # Every screen hears about the change.
    [state] = received(sock, "state")
    assert state["v"] == after["state_version"]
    assert [s["v"] for s in received(con, "state")] == [after["state_version"]]


@pytest.mark.parametrize(
    ("action", "argument", "message"),
    [
        ("launch", None, "That control is not known."),
        ("goto", 999, "There is no step there."),
        ("goto", -1, "There is no step there."),
        ("goto", "3", "Choose a step to go to."),
        ("previous", None, "There is no step there."),
        ("start_timer", 5, "A timer must be between 10 seconds and 60 minutes."),
        ("start_timer", 10**6, "A timer must be between 10 seconds and 60 minutes."),
        ("open_answering", None, "This step does not take answers."),
    ],
)
def test_refused_controls_change_nothing(
    app: Flask, client: Any, live: Live, action: str, argument: Any, message: str, factory: Factory
) -> None:
    con = factory.console(client, live)
    before = factory.row(live)
    assert _ctl(con, action, argument) == {"ok": False, "error": message}
    assert factory.row(live) == before
    assert factory.count(ControlEvent, workshop_id=live.workshop_id) == 0


def test_console_form_control_uses_the_same_rules(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    url = f"/f/c/{live.consultation_id}/w/{live.workshop_id}/control"
    _, sock = factory.phone(live)
    response = client.post(url, data={"action": "pause"})
    assert response.status_code == 302
    assert factory.row(live)["paused"] is True
    assert received(sock, "state")[-1]["paused"] is True
    response = client.post(url, data={"action": "goto", "argument": "999"}, follow_redirects=True)
    assert "There is no step there." in response.get_data(as_text=True)
    response = client.post(url, data={"action": "self-destruct"}, follow_redirects=True)
    assert "That control is not known." in response.get_data(as_text=True)
    with app.app_context():
        assert [e.action for e in db.session.scalars(select(ControlEvent))] == ["pause"]


# Integers beyond 100 digits never reach a handler: engine.io's JSON decoder refuses them.
MALFORMED: list[Any] = [
    None,
    "answer",
    10**40,
    -(10**40),
    3.5,
    [1, 2],
    [{"step": 1}],
    {},
    {"step": None},
    {"step": "4"},
    {"step": True, "client_id": "c" * 16, "value": {"scale": 1}},
    {"step": 10**40, "client_id": "c" * 16},
    {"step": -(10**40), "client_id": "c" * 16, "value": {"scale": 1}},
    {"step": 2**63, "client_id": "c" * 16},
    {"client_id": "c" * 16, "value": {"scale": 1}},
    {"step": "SCALE", "client_id": 5, "value": {"scale": 1}},
    {"step": "SCALE", "client_id": "c" * 16},
    {"step": "SCALE", "client_id": "c" * 65, "value": {"scale": 1}},
    {"step": "SCALE", "client_id": "short", "value": {"scale": 1}},
    {"step": "SCALE", "client_id": ["c" * 16], "value": {"scale": 1}},
    {"step": "SCALE", "client_id": "c" * 16, "value": "3"},
    {"step": "SCALE", "client_id": "c" * 16, "value": [3]},
    {"step": "SCALE", "client_id": "c" * 16, "value": {"scale": 10**40}},
    {"step": "SCALE", "client_id": "c" * 16, "value": {"scale": float("inf")}},
    {"step": "SCALE", "client_id": "c" * 16, "value": {"scale": float("nan")}},
    {"step": "SCALE", "client_id": "c" * 16, "value": {"scale": [1]}},
    {"step": "SCALE", "client_id": "c" * 16, "value": {"scale": True}},
    {"step": "SCALE", "client_id": "c" * 16, "value": {"scale": {"n": 1}}},
]
POSITION_MALFORMED: list[Any] = [
    {"position": ["consent"]},
    {"position": {"consent": True}},
    {"position": 1},
    {"position": None},
    {"position": "object", "ground": ["care"]},
    {"position": "object", "ground": {"a": 1}},
    {"position": "object", "reason": ["x"]},
    {"position": "object", "reason": 10**40},
    {"position": "conditions", "conditions": [["nested"]]},
    {"position": "conditions", "conditions": {"a": "b"}},
    {"position": "conditions", "conditions": ["a", "b", "c", "d"]},
    {"position": "conditions", "conditions": "x" * 600},
]
CONTROL_MALFORMED: list[Any] = [
    None,
    "next",
    10**40,
    [1],
    [{"action": "next"}],
    {},
    {"action": None},
    {"action": 5},
    {"action": ["next"]},
    {"action": {"a": 1}},
    {"action": "x" * 5000},
    {"action": "goto"},
    {"action": "goto", "argument": 10**40},
    {"action": "goto", "argument": [1]},
    {"action": "goto", "argument": {"n": 1}},
    {"action": "goto", "argument": 1.5},
    {"action": "goto", "argument": True},
    {"action": "start_timer", "argument": "60"},
    {"action": "start_timer", "argument": 10**40},
    {"action": "start_timer", "argument": float("inf")},
]
OTHER_MALFORMED: list[Any] = ["x", 10**40, [1, 2], 3.5, True]
PREVIEW_MALFORMED: list[Any] = [
    None,
    "text",
    10**40,
    [1],
    {},
    {"text": None},
    {"text": 5},
    {"text": ["a"]},
    {"text": "x" * 2001},
    {"text": {"a": "b"}},
]


def _no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], "a handler crashed instead of refusing: " + "; ".join(r.getMessage() for r in errors)


@pytest.fixture
def scale_phone(app: Flask, live: Live, factory: Factory) -> tuple[int, Any]:
    scale = factory.position(live, "scale")
    factory.goto(live, scale)
    return scale, factory.phone(live)[1]


@pytest.mark.parametrize("payload", MALFORMED, ids=repr)
def test_malformed_answer_is_refused(
    app: Flask, live: Live, scale_phone: tuple[int, Any], payload: Any, caplog: pytest.LogCaptureFixture
) -> None:
    scale, sock = scale_phone
    if isinstance(payload, dict) and payload.get("step") == "SCALE":
        payload = {**payload, "step": scale}
    ack = sock.emit("answer", payload, callback=True)
    assert isinstance(ack, dict) and ack["ok"] is False
    assert isinstance(ack["error"], str) and ack["error"].endswith(".")
    assert _responses(app, live.workshop_id) == []
    _no_errors_logged(caplog)


@pytest.mark.parametrize("value", POSITION_MALFORMED, ids=repr)
def test_malformed_position_answer_is_refused(
    app: Flask, live: Live, value: Any, caplog: pytest.LogCaptureFixture, factory: Factory
) -> None:
    position = factory.position(live, "position")
    factory.goto(live, position)
    _, sock = factory.phone(live)
    ack = answer(sock, position, value)
    assert ack["ok"] is False and isinstance(ack["error"], str)
    assert _responses(app, live.workshop_id) == []
    assert factory.count(Comment, workshop_id=live.workshop_id) == 0
    _no_errors_logged(caplog)


@pytest.mark.parametrize("payload", CONTROL_MALFORMED, ids=repr)
def test_malformed_control_is_refused(
    app: Flask, client: Any, live: Live, payload: Any, caplog: pytest.LogCaptureFixture, factory: Factory
) -> None:
    con = factory.console(client, live)
    before = factory.row(live)
    ack = con.emit("control", payload, callback=True)
    assert isinstance(ack, dict) and ack["ok"] is False and isinstance(ack["error"], str)
    assert factory.row(live) == before
    _no_errors_logged(caplog)


@pytest.mark.parametrize("payload", OTHER_MALFORMED, ids=repr)
def test_malformed_sync_is_refused(
    app: Flask, live: Live, payload: Any, caplog: pytest.LogCaptureFixture, factory: Factory
) -> None:
    _, sock = factory.phone(live)
    ack = sock.emit("sync", payload, callback=True)
    assert isinstance(ack, dict) and ack["ok"] is False
    _no_errors_logged(caplog)


def test_sync_returns_the_state(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    _, sock = factory.phone(live)
    ack = sock.emit("sync", {}, callback=True)
    assert ack["ok"] is True and ack["status"] == "ready" and "html" in ack
    ack = factory.console(client, live).emit("sync", {}, callback=True)
    assert ack["ok"] is True and "html" not in ack


@pytest.mark.parametrize("payload", PREVIEW_MALFORMED, ids=repr)
def test_malformed_preview_is_refused(
    app: Flask, live: Live, payload: Any, caplog: pytest.LogCaptureFixture, factory: Factory
) -> None:
    _, sock = factory.phone(live)
    ack = sock.emit("preview", payload, callback=True)
    assert ack == {"ok": False} or (isinstance(ack, dict) and ack.get("ok") is False)
    _no_errors_logged(caplog)


@pytest.mark.parametrize("event", ["answer", "control", "preview"])
def test_event_without_a_payload_is_refused(
    app: Flask, client: Any, live: Live, event: str, caplog: pytest.LogCaptureFixture, factory: Factory
) -> None:
    sock = factory.console(client, live) if event == "control" else factory.phone(live)[1]
    ack = sock.emit(event, callback=True)
    assert isinstance(ack, dict) and ack["ok"] is False
    _no_errors_logged(caplog)


def test_events_from_the_wrong_screen_are_refused(app: Flask, client: Any, live: Live, factory: Factory) -> None:
    scale = factory.position(live, "scale")
    factory.goto(live, scale)
    con, proj = factory.console(client, live), factory.projector(live)
    _, sock = factory.phone(live)
    assert answer(con, scale, {"scale": 1})["ok"] is False
    assert answer(proj, scale, {"scale": 1})["ok"] is False
    assert _ctl(sock, "end")["ok"] is False
    assert _ctl(proj, "end")["ok"] is False
    assert con.emit("preview", {"text": "hello"}, callback=True)["ok"] is False
    assert factory.row(live)["status"] == "live"
    assert _responses(app, live.workshop_id) == []


def test_preview_redacts_without_storing(app: Flask, live: Live, factory: Factory) -> None:
    _, sock = factory.phone(live)
    ack = sock.emit("preview", {"text": "Call me on 07700 900123 please"}, callback=True)
    assert ack["ok"] is True and ack["changed"] is True
    assert "07700" not in ack["text"]
    assert factory.count(Comment, workshop_id=live.workshop_id) == 0


# --- The same rules without JavaScript: plain forms ------------------------------------------


def test_no_javascript_answer_path(app: Flask, live: Live, factory: Factory) -> None:
    scale = factory.position(live, "scale")
    factory.goto(live, scale)
    client = app.test_client()
    factory.join(live, "Family member", client=client)

    page = client.get(f"/w/{live.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'action="/w/{live.code}/answer"' in html
    assert 'name="scale"' in html and f'name="step" value="{scale}"' in html
    assert "Send my answer" in html

    response = client.post(
        f"/w/{live.code}/answer", data={"step": str(scale), "client_id": uuid.uuid4().hex, "scale": "2"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/w/{live.code}?saved=1")
    saved = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved." in saved and "Change my answer" in saved
    assert 'value="2" checked' in saved

    response = client.post(
        f"/w/{live.code}/answer", data={"step": str(scale), "client_id": uuid.uuid4().hex, "scale": "4"}
    )
    assert response.status_code == 302
    assert [(k, v) for _, k, v in _responses(app, live.workshop_id)] == [("4", {"scale": 4})]

    factory.control(live, "close_answering")
    response = client.post(
        f"/w/{live.code}/answer", data={"step": str(scale), "client_id": uuid.uuid4().hex, "scale": "1"}
    )
    assert response.status_code == 400
    assert CLOSED in response.get_data(as_text=True)
    assert [k for _, k, _ in _responses(app, live.workshop_id)] == ["4"]


def test_no_javascript_answer_with_conditions(app: Flask, live: Live, factory: Factory) -> None:
    position = factory.position(live, "position")
    factory.goto(live, position)
    client = app.test_client()
    factory.join(live, client=client)
    response = client.post(
        f"/w/{live.code}/answer",
        data={
            "step": str(position),
            "client_id": uuid.uuid4().hex,
            "position": "conditions",
            "conditions": ["only if a social worker checks", "", "only if families are told"],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        texts = db.session.scalars(
            select(Comment.text).where(Comment.workshop_id == live.workshop_id).order_by(Comment.id)
        ).all()
    assert texts == ["only if a social worker checks", "only if families are told"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("pause", PAUSED),
        ("end", ENDED),
        ("next", CLOSED),
    ],
)
def test_no_javascript_path_follows_the_same_rules(
    app: Flask, live: Live, setup: str, message: str, factory: Factory
) -> None:
    scale = factory.position(live, "scale")
    factory.goto(live, scale)
    client = app.test_client()
    factory.join(live, client=client)
    factory.control(live, setup)
    response = client.post(
        f"/w/{live.code}/answer", data={"step": str(scale), "client_id": uuid.uuid4().hex, "scale": "3"}
    )
    if setup == "end":
        # An ended workshop cannot be found by its code any more.
        assert response.status_code == 404
    else:
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert _responses(app, live.workshop_id) == []


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"step": "abc"},
        {"step": "SCALE"},
        {"step": "SCALE", "client_id": "c" * 16},
        {"step": "SCALE", "client_id": "c" * 16, "scale": "nine"},
        {"step": "99999999999999999999999", "client_id": "c" * 16},
    ],
)
def test_no_javascript_bad_forms_are_refused(
    app: Flask, live: Live, form: dict[str, str], caplog: pytest.LogCaptureFixture, factory: Factory
) -> None:
    scale = factory.position(live, "scale")
    factory.goto(live, scale)
    client = app.test_client()
    factory.join(live, client=client)
    form = {k: (str(scale) if v == "SCALE" else v) for k, v in form.items()}
    response = client.post(f"/w/{live.code}/answer", data=form)
    assert response.status_code == 400
    if any(len(v) > 18 and v.isdigit() for v in form.values()):
        # Numbers bigger than any id are refused by the early check (web/validation.py).
        assert "Something in that request was not right" in response.get_data(as_text=True)
    else:
        assert "Your answer was not saved" in response.get_data(as_text=True)
    assert _responses(app, live.workshop_id) == []
    _no_errors_logged(caplog)
