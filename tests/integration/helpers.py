"""Helpers for the integration tests: a ready workshop, phones that have joined, live sockets.

Everything goes through the real routes and the real Socket.IO handlers; only set-up that is
not under test (a consultation with cards, a workshop) is made through the services, inside a
short ``with app.app_context():`` block (tests never push a global app context).

``make_app`` and ``csrf_from`` come from tests/conftest.py. That file is loaded here by path,
because ``tests`` is not a package (and a stray ``tests`` package in site-packages shadows it).
"""

from __future__ import annotations

import importlib.util
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from workshop.extensions import db, socketio


def _root_conftest() -> Any:
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    spec = importlib.util.spec_from_file_location("cg_root_conftest", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_root = _root_conftest()
make_app = _root.make_app
csrf_from = _root.csrf_from


@dataclass(frozen=True)
class Live:
    """Ids and secrets of one workshop made for a test."""

    consultation_id: int
    workshop_id: int
    code: str
    projector_token: str
    owner_id: int


def make_workshop(
    app: Flask,
    owner_id: int,
    *,
    cards: int = 1,
    pack: str | None = None,
    title: str = "Test workshop",
    roles: list[str] | None = None,
    moderation: str | None = "post",
    consultation_id: int | None = None,
) -> Live:
    """Create a consultation (or reuse one) with library cards, and a ready workshop on it."""
    from workshop.models import Facilitator
    from workshop.services import consultations as cs
    from workshop.services import workshops as ws

    with app.app_context():
        library = app.extensions["cg_library"]
        owner = db.session.get(Facilitator, owner_id)
        if consultation_id is None:
            consultation = cs.create_consultation(db.session, owner, title="Riverside test consultation")
            use_cases = [cs.copy_card(db.session, consultation, card) for card in list(library.cards.values())[:cards]]
        else:
            consultation = cs.get_consultation(db.session, owner_id, consultation_id)
            use_cases = cs.active_use_cases(consultation)[:cards]
        chosen_pack = library.packs[pack] if pack else library.default_pack
        workshop = ws.create_workshop(
            db.session, consultation, chosen_pack, use_cases, title=title, roles=roles, moderation=moderation
        )
        db.session.commit()
        return Live(consultation.id, workshop.id, workshop.join_code, workshop.projector_token, owner_id)


def step_position(app: Flask, workshop_id: int, prompt_type: str | None = None, *, kind: str | None = None) -> int:
    """Return the position of the first step of a prompt type (or of a kind)."""
    from workshop.models import Workshop

    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        for step in workshop.steps:
            if (prompt_type and step.prompt_type == prompt_type) or (kind and step.kind == kind):
                return step.position
    raise AssertionError(f"no {prompt_type or kind} step in workshop {workshop_id}")


def control(app: Flask, workshop_id: int, action: str, argument: Any = None) -> None:
    """Apply a facilitator control through the service (set-up only; no broadcast)."""
    from workshop.models import Workshop
    from workshop.services import workshops as ws

    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        ws.control(db.session, workshop, action, facilitator_id=None, argument=argument)
        db.session.commit()


def open_step(app: Flask, workshop_id: int, position: int) -> None:
    """Move a workshop to a step and open answering on it."""
    control(app, workshop_id, "goto", position)


def workshop_row(app: Flask, workshop_id: int) -> dict[str, Any]:
    """Return a workshop's live state as plain values."""
    from workshop.models import Workshop

    with app.app_context():
        w = db.session.get(Workshop, workshop_id)
        return {c.name: getattr(w, c.name) for c in Workshop.__table__.columns}


def count(app: Flask, model: Any, **where: Any) -> int:
    """Count the rows of a model matching simple equality filters."""
    with app.app_context():
        return len(db.session.scalars(db.select(model).filter_by(**where)).all())


def join(client: FlaskClient, code: str, role: str | None = None) -> None:
    """Join a workshop over HTTP the way a phone does: welcome page, consent, role."""
    assert client.get(f"/j/{code}").status_code == 200
    response = client.post(f"/j/{code}")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert f"/w/{code}/role" in response.headers["Location"]
    response = client.post(f"/w/{code}/role", data={"role": role or ""})
    assert response.status_code == 302, response.get_data(as_text=True)


def participant_token(client: FlaskClient, workshop_id: int) -> str | None:
    with client.session_transaction() as session:
        return (session.get("p") or {}).get(str(workshop_id))


def receipt_code(client: FlaskClient, workshop_id: int) -> str | None:
    with client.session_transaction() as session:
        return (session.get("r") or {}).get(str(workshop_id))


def phone(app: Flask, live: Live, role: str | None = None) -> tuple[FlaskClient, Any]:
    """A phone that has joined over HTTP and connected its socket."""
    client = app.test_client()
    join(client, live.code, role)
    sock = socketio.test_client(app, flask_test_client=client, auth={"as": "phone", "workshop": live.workshop_id})
    assert sock.is_connected()
    sock.get_received()
    return client, sock


def console(app: Flask, client: FlaskClient, live: Live) -> Any:
    """The facilitator's console socket (the client must be logged in)."""
    sock = socketio.test_client(app, flask_test_client=client, auth={"as": "console", "workshop": live.workshop_id})
    assert sock.is_connected()
    sock.get_received()
    return sock


def projector(app: Flask, live: Live) -> Any:
    sock = socketio.test_client(
        app, auth={"as": "projector", "workshop": live.workshop_id, "token": live.projector_token}
    )
    assert sock.is_connected()
    sock.get_received()
    return sock


def received(sock: Any, name: str | None = None) -> list[Any]:
    """Take what a socket received so far; with a name, only that event's payloads."""
    items = sock.get_received()
    if name is None:
        return items
    return [item["args"][0] for item in items if item["name"] == name]


def answer(sock: Any, step: int, value: Any, client_id: str | None = None) -> Any:
    """Send an answer from a phone and return the acknowledgement."""
    return sock.emit(
        "answer", {"step": step, "client_id": client_id or uuid.uuid4().hex, "value": value}, callback=True
    )
