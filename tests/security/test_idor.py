"""Cross-consultation access: every facilitator route answers 404 for another facilitator's things.

The routes are read from the app's URL map, so a new route that forgets the ownership check
fails this test the day it is added. A route with an id this test does not know yet fails
too, with a message saying what to add.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from tests.support import Factory
from workshop.extensions import db, socketio
from workshop.models import Comment, RecordSnapshot, RegisterItem, RegisterSource, SafeguardingAlert

PROTECTED = ("facilitator.", "moderation.", "exports.")
# Routes that name no object: they list or create the caller's own things only.
NO_OBJECT = {"facilitator.index", "facilitator.new_consultation"}
# Values for string parts of an address that are not ids (file formats and the like).
KNOWN_STRINGS = {"export_format": "json", "fmt": "json", "format": "json", "ext": "json", "filename": "record.json"}


def _victim(app: Flask, factory: Any) -> dict[str, int]:
    """Everything another facilitator ("sam") owns, one of each kind of object."""
    w = factory.workshop("sam", moderation="post")
    step = factory.goto(w, prompt_type="text")
    factory.post_answer(factory.join(w), w, step, text="sam's participant wrote this")
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.workshop_id == w.workshop_id))
        alert = SafeguardingAlert(workshop_id=w.workshop_id, comment_id=comment.id, categories=["test"])
        item = RegisterItem(consultation_id=w.consultation_id, kind="condition", text="sam's register item")
        snapshot = RecordSnapshot(consultation_id=w.consultation_id, reason="finalised", record={})
        db.session.add_all([alert, item, snapshot])
        db.session.flush()
        db.session.add(RegisterSource(item_id=item.id, comment_id=comment.id))
        db.session.commit()
        ids = {
            "consultation_id": w.consultation_id,
            "workshop_id": w.workshop_id,
            "use_case_id": w.use_case_id,
            "comment_id": comment.id,
            "alert_id": alert.id,
            "item_id": item.id,
            "register_item_id": item.id,
            "snapshot_id": snapshot.id,
            "record_id": snapshot.id,
        }
    return ids


def _protected_rules(app: Flask) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith(PROTECTED) and r.endpoint not in NO_OBJECT]


def _fill(rule: Any, ids: dict[str, int]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            if name not in ids:
                pytest.fail(
                    f"{rule.endpoint} ({rule.rule}) takes <{name}>: add another facilitator's object "
                    f"for it to _victim() in {__file__}"
                )
            values[name] = ids[name]
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else KNOWN_STRINGS[name]
        elif name in KNOWN_STRINGS:
            values[name] = KNOWN_STRINGS[name]
        else:
            pytest.fail(f"{rule.endpoint} ({rule.rule}) takes <{name}>: add a value for it to KNOWN_STRINGS")
    return values


def test_every_facilitator_route_is_owned(app: Flask, factory: Any) -> None:
    victim = _victim(app, factory)
    mine = factory.workshop("alex", moderation="pre")
    client = factory.login("alex")
    rules = _protected_rules(app)
    assert len(rules) >= 15, "the URL map looks too small: did a blueprint stop registering?"
    checked = []
    for rule in rules:
        variants = [victim]
        other_ids = [a for a in rule.arguments if a != "consultation_id" and a.endswith("_id")]
        if "consultation_id" in rule.arguments and other_ids:
            # My own consultation in the address, their object after it: still not mine.
            variants.append({**victim, "consultation_id": mine.consultation_id})
        for ids in variants:
            path = rule.build(_fill(rule, ids))[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method, data={})
                checked.append((method, path))
                assert response.status_code == 404, f"{method} {path} ({rule.endpoint}) answered {response.status_code}"
    assert len(checked) >= 25

    # And nothing of theirs changed.
    with app.app_context():
        comment = db.session.get(Comment, victim["comment_id"])
        assert comment is not None and comment.status == "approved"
        assert db.session.get(SafeguardingAlert, victim["alert_id"]).acknowledged_at is None


def test_protected_routes_need_login(app: Flask, factory: Any) -> None:
    victim = _victim(app, factory)
    client = app.test_client()
    for rule in _protected_rules(app):
        path = rule.build(_fill(rule, victim))[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={})
            assert response.status_code in (302, 401, 404), f"{method} {path} answered {response.status_code}"
            if response.status_code == 302:
                assert "/login" in response.headers["Location"]


def test_console_socket_and_projector_are_owned(app: Flask, factory: Any) -> None:
    theirs = factory.workshop("sam", moderation="pre")
    client = factory.login("alex")
    console = socketio.test_client(
        app, flask_test_client=client, auth={"as": "console", "workshop": theirs.workshop_id}
    )
    assert not console.is_connected()
    projector = socketio.test_client(
        app, flask_test_client=client, auth={"as": "projector", "workshop": theirs.workshop_id, "token": "x" * 32}
    )
    assert not projector.is_connected()
    assert client.get("/p/" + "x" * 32).status_code == 404
    # One character off (never the same character: a token may end in "A" already).
    wrong = theirs.projector_token[:-1] + ("B" if theirs.projector_token.endswith("A") else "A")
    assert client.get("/p/" + wrong).status_code == 404
    assert client.get("/p/" + theirs.projector_token + "/panel").status_code == 200  # the right token is the key


def test_huge_and_odd_ids_are_404_not_server_errors(app: Flask, factory: Factory) -> None:
    mine = factory.workshop("alex", moderation="pre")
    client = factory.login("alex")
    huge = {
        name: 10**25
        for name in (
            "consultation_id",
            "workshop_id",
            "use_case_id",
            "comment_id",
            "alert_id",
            "item_id",
            "register_item_id",
            "snapshot_id",
            "record_id",
        )
    }
    for rule in _protected_rules(app):
        variants = [huge]
        if any(a != "consultation_id" and a.endswith("_id") for a in rule.arguments):
            variants.append({**huge, "consultation_id": mine.consultation_id})
        for ids in variants:
            path = rule.build(_fill(rule, ids))[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method, data={})
                assert response.status_code == 404, f"{method} {path} answered {response.status_code}"
    assert client.get(f"/f/c/{mine.consultation_id}/w/-1").status_code == 404
    # The phone's form paths with huge numbers: a plain refusal, not a server error.
    phone = factory.join(mine)
    step = factory.goto(mine, prompt_type="text")
    response = phone.post(f"/w/{mine.code}/answer", data={"step": "9" * 40, "client_id": "a" * 16, "text": "x"})
    assert response.status_code == 400
    response = phone.post(f"/w/{mine.code}/comments", data={"comment": "9" * 40})
    assert response.status_code == 400
    assert factory.post_answer(phone, mine, step, text="still works").status_code == 302
