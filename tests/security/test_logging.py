"""No client address in any log, through a whole workshop run the way people run it."""

from __future__ import annotations

import logging
import re
import uuid

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support import PASSWORD, Factory
from workshop.extensions import db, socketio
from workshop.models import Comment, Consultation, Workshop

ADDRESS = "203.0.113.77"


def test_a_whole_workshop_logs_no_client_address(
    app: Flask, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level
    for name in ("engineio.server", "socketio.server", "werkzeug", "sqlalchemy.engine"):
        caplog.set_level(logging.DEBUG, logger=name)
    factory.facilitator("alex")
    facilitator = factory.client(ADDRESS)

    # A failed login (counted per client), then the real one.
    facilitator.post("/login", data={"name": "alex", "password": "not the password"})
    assert facilitator.post("/login", data={"name": "alex", "password": PASSWORD}).status_code == 302

    # Set up through the forms.
    assert (
        facilitator.post(
            "/f/consultations/new", data={"title": "Riverside", "k_threshold": 5, "retention_days": 30}
        ).status_code
        == 302
    )
    with app.app_context():
        cid = db.session.scalar(select(Consultation.id))
    card = next(iter(app.extensions["cg_library"].cards))
    assert facilitator.post(f"/f/c/{cid}/library", data={"card": card}).status_code == 302
    with app.app_context():
        uid = db.session.get(Consultation, cid).use_cases[0].id
    pack = app.extensions["cg_library"].default_pack.id
    response = facilitator.post(
        f"/f/c/{cid}/workshops/new",
        data={
            "title": "Evening",
            "pack": pack,
            "use_cases": [str(uid)],
            "roles": "Family member\nPractitioner",
            "moderation": "pre",
            "protection": "open",  # phones join here without the presence code
        },
    )
    assert response.status_code == 302
    with app.app_context():
        workshop = db.session.scalar(select(Workshop))
        wid, code = workshop.id, workshop.join_code
        text_step = next(s.position for s in workshop.steps if s.prompt_type == "text")
        scale_step = next(s.position for s in workshop.steps if s.prompt_type == "scale")
    base = f"/f/c/{cid}/w/{wid}"
    console = socketio.test_client(app, flask_test_client=facilitator, auth={"as": "console", "workshop": wid})
    assert console.is_connected()

    # Three phones join (one mistypes the code first), from the same address.
    phones = []
    for n in range(3):
        phone = factory.client(ADDRESS)
        if n == 0:
            assert phone.post("/", data={"code": "QQQQQQ"}).status_code == 400
        assert phone.post("/", data={"code": code}).status_code == 302
        assert phone.post(f"/j/{code}").status_code == 302
        phone.post(f"/w/{code}/role", data={"role": "Family member"})
        phones.append(phone)

    # Answer a scale over sockets and a comment over plain forms; reveal; moderate; end.
    facilitator.post(base + "/control", data={"action": "goto", "argument": str(scale_step)})
    for n, phone in enumerate(phones):
        sock = socketio.test_client(app, flask_test_client=phone, auth={"as": "phone", "workshop": wid})
        ack = sock.emit(
            "answer", {"step": scale_step, "client_id": uuid.uuid4().hex, "value": {"scale": n + 1}}, callback=True
        )
        assert ack["ok"] is True
        sock.emit("preview", {"text": f"Call me on 07700 90012{n}"}, callback=True)
        sock.disconnect()
    facilitator.post(base + "/control", data={"action": "reveal"})
    facilitator.post(base + "/control", data={"action": "goto", "argument": str(text_step)})
    for n, phone in enumerate(phones):
        response = phone.post(
            f"/w/{code}/answer",
            data={"step": text_step, "client_id": uuid.uuid4().hex, "text": f"Comment {n}: tell families first"},
        )
        assert response.status_code == 302
    with app.app_context():
        first = db.session.scalar(select(Comment.id))
    facilitator.post(base + f"/moderation/{first}/approve")
    facilitator.get(base + "/moderation")
    facilitator.post(base + "/control", data={"action": "end"})
    facilitator.get(base + "/console")
    console.disconnect()
    with app.app_context():
        assert db.session.get(Workshop, wid).status == "ended"

    # The address really reached the app: the failed login and wrong code were counted under its hash.
    limiter = app.extensions["cg_ratelimit"]
    hashed = limiter.client_key(ADDRESS)
    assert any(hashed in key for key in limiter.backend._hits)

    # Something was logged (so the check below means something), and no address anywhere.
    records = caplog.records
    assert records, "nothing was logged at all: is the capture working?"
    everything = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.__dict__!r}" for r in records) + caplog.text
    assert ADDRESS not in everything
    assert not re.search(r"\b203\.0\.113\.\d+\b", everything)
