"""The one data factory: facilitators, consultations, use cases, workshops, phones and answers.

Set-up that is not under test (a consultation with cards, a workshop, a step opened) is made
through the services, each inside a short ``with app.app_context():`` block (tests never push
a global app context). What a participant or facilitator does (logging in, joining, answering)
goes through the real routes and Socket.IO handlers, the way a browser or phone does it.

Use it through the ``factory`` fixture (``Factory(app)``), or make one for another app:
``Factory(small_app)``. The socket helpers that need no app (``received``, ``answer``) and
the session readers (``participant_token``, ``receipt_code``) are plain functions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from workshop.extensions import db, socketio
from workshop.models import Facilitator, Workshop
from workshop.services import consultations as cs
from workshop.services import workshops as ws
from workshop.services.accounts import create_facilitator

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Live:
    """Ids and secrets of one workshop made for a test."""

    consultation_id: int
    workshop_id: int
    code: str
    projector_token: str
    owner_id: int
    use_case_ids: tuple[int, ...] = ()

    @property
    def base(self) -> str:
        """The facilitator's address for this workshop (``/f/c/<id>/w/<id>``)."""
        return f"/f/c/{self.consultation_id}/w/{self.workshop_id}"

    @property
    def use_case_id(self) -> int:
        return self.use_case_ids[0]


class Factory:
    """Make what a test needs in one app, through its services and its routes."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    # --- facilitators ------------------------------------------------------------------

    def facilitator(self, name: str = "alex", password: str = PASSWORD) -> int:
        """The id of the facilitator called ``name``, made with ``password`` if there is none yet."""
        with self.app.app_context():
            found = db.session.scalar(select(Facilitator).where(Facilitator.name == name))
            if found is None:
                found = create_facilitator(db.session, name, password)
                db.session.commit()
            return found.id

    def client(self, address: str | None = None) -> FlaskClient:
        """A new test client (a browser), coming from ``address`` if one is given.

        A client from another address reaches the app the way a hosted deployment is reached,
        over HTTPS: over plain HTTP the facilitator's pages answer only on the laptop itself.
        """
        client = self.app.test_client()
        if address:
            client.environ_base["REMOTE_ADDR"] = address
            over_https(client)
        return client

    def login(
        self, name: str = "alex", *, client: FlaskClient | None = None, address: str | None = None
    ) -> FlaskClient:
        """A client logged in, through the real form, as ``name`` (made if needed)."""
        self.facilitator(name)
        client = client or self.client(address)
        response = client.post("/login", data={"name": name, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    # --- consultations and workshops ---------------------------------------------------

    def workshop(
        self,
        owner: int | str = "alex",
        *,
        cards: int = 1,
        pack: str | None = None,
        title: str = "Test workshop",
        roles: list[str] | None = None,
        moderation: str | None = "post",
        consultation_id: int | None = None,
        consultation: dict[str, Any] | None = None,
        card: dict[str, str] | None = None,
        names: list[str] | None = None,
    ) -> Live:
        """A ready workshop on a consultation (a new one, or ``consultation_id``'s) with library cards.

        ``owner`` is a facilitator id, or a name (made if needed). A new consultation takes
        ``consultation`` as extra fields; ``card`` replaces fields of the first card copied;
        ``names`` are the names to hide (redaction) in this workshop.
        """
        owner_id = owner if isinstance(owner, int) else self.facilitator(owner)
        with self.app.app_context():
            library = self.app.extensions["cg_library"]
            if consultation_id is None:
                fields = {"title": "Riverside", **(consultation or {})}
                item = cs.create_consultation(db.session, db.session.get(Facilitator, owner_id), **fields)
                sources = list(library.cards.values())[:cards]
                use_cases = []
                for n, source in enumerate(sources):
                    if card and n == 0:
                        use_cases.append(cs.save_use_case(db.session, item, {**dict(source.fields), **card}))
                    else:
                        use_cases.append(cs.copy_card(db.session, item, source))
            else:
                item = cs.get_consultation(db.session, owner_id, consultation_id)
                use_cases = cs.active_use_cases(item)[:cards]
            chosen_pack = library.packs[pack] if pack else library.default_pack
            workshop = ws.create_workshop(
                db.session, item, chosen_pack, use_cases, title=title, roles=roles, moderation=moderation
            )
            if names is not None:
                workshop.redaction_names = list(names)
            db.session.commit()
            return Live(
                item.id,
                workshop.id,
                workshop.join_code,
                workshop.projector_token,
                owner_id,
                tuple(u.id for u in use_cases),
            )

    def position(self, live: Live, prompt_type: str | None = None, *, kind: str | None = None, nth: int = 0) -> int:
        """The position of the ``nth`` step of a prompt type and/or a kind ("card", "prompt"...)."""
        with self.app.app_context():
            workshop = db.session.get(Workshop, live.workshop_id)
            steps = [
                s.position
                for s in workshop.steps
                if (prompt_type is None or s.prompt_type == prompt_type) and (kind is None or s.kind == kind)
            ]
        if len(steps) <= nth:
            raise AssertionError(f"no step #{nth} of type {prompt_type} / kind {kind} in workshop {live.workshop_id}")
        return steps[nth]

    def control(self, live: Live, action: str, argument: Any = None) -> None:
        """Apply a facilitator control through the service, as the owner (set-up only: no broadcast)."""
        with self.app.app_context():
            workshop = db.session.get(Workshop, live.workshop_id)
            ws.control(db.session, workshop, action, facilitator_id=live.owner_id, argument=argument)
            db.session.commit()

    def goto(
        self,
        live: Live,
        position: int | None = None,
        *,
        prompt_type: str | None = None,
        kind: str | None = None,
        nth: int = 0,
    ) -> int:
        """Move the workshop to a step (a position, or the ``nth`` of a type or kind), answering open."""
        if position is None:
            position = self.position(live, prompt_type, kind=kind, nth=nth)
        self.control(live, "goto", position)
        return position

    def row(self, live: Live) -> dict[str, Any]:
        """The workshop's live state, as plain values."""
        with self.app.app_context():
            w = db.session.get(Workshop, live.workshop_id)
            return {c.name: getattr(w, c.name) for c in Workshop.__table__.columns}

    def count(self, model: Any, **where: Any) -> int:
        """How many rows of ``model`` match these equality filters."""
        with self.app.app_context():
            return len(db.session.scalars(db.select(model).filter_by(**where)).all())

    # --- participants ------------------------------------------------------------------

    def join(
        self, live: Live, role: str | None = None, *, client: FlaskClient | None = None, address: str | None = None
    ) -> FlaskClient:
        """Join over HTTP the way a phone does (welcome page, consent, role or skip); return the phone."""
        phone = client or self.client(address)
        assert phone.get(f"/j/{live.code}").status_code == 200
        response = phone.post(f"/j/{live.code}")
        assert response.status_code == 302, response.get_data(as_text=True)
        assert f"/w/{live.code}/role" in response.headers["Location"]
        response = phone.post(f"/w/{live.code}/role", data={"role": role or ""})
        assert response.status_code == 302, response.get_data(as_text=True)
        return phone

    def post_answer(self, phone: FlaskClient, live: Live, step: int, **fields: Any) -> Any:
        """Answer with the plain form (the no-JavaScript path); return the response."""
        return phone.post(f"/w/{live.code}/answer", data={"step": step, "client_id": uuid.uuid4().hex, **fields})

    # --- sockets -----------------------------------------------------------------------

    def phone(self, live: Live, role: str | None = None) -> tuple[FlaskClient, Any]:
        """A phone that has joined over HTTP and connected its socket (what it was sent is cleared)."""
        client = self.join(live, role)
        sock = socketio.test_client(
            self.app, flask_test_client=client, auth={"as": "phone", "workshop": live.workshop_id}
        )
        assert sock.is_connected()
        sock.get_received()
        return client, sock

    def console(self, client: FlaskClient, live: Live) -> Any:
        """The facilitator's console socket (``client`` must be logged in as the owner)."""
        sock = socketio.test_client(
            self.app, flask_test_client=client, auth={"as": "console", "workshop": live.workshop_id}
        )
        assert sock.is_connected()
        sock.get_received()
        return sock

    def projector(self, live: Live) -> Any:
        """The projector's socket (by its secret token)."""
        sock = socketio.test_client(
            self.app, auth={"as": "projector", "workshop": live.workshop_id, "token": live.projector_token}
        )
        assert sock.is_connected()
        sock.get_received()
        return sock


def participant_token(client: FlaskClient, workshop_id: int) -> str | None:
    """The participant token a phone's session holds for a workshop."""
    with client.session_transaction() as session:
        return (session.get("p") or {}).get(str(workshop_id))


def receipt_code(client: FlaskClient, workshop_id: int) -> str | None:
    """The receipt code a phone's session holds for a workshop."""
    with client.session_transaction() as session:
        return (session.get("r") or {}).get(str(workshop_id))


def received(sock: Any, name: str | None = None) -> list[Any]:
    """Take what a test socket received so far; with a name, only that event's payloads."""
    items = sock.get_received()
    if name is None:
        return items
    return [item["args"][0] for item in items if item["name"] == name]


def answer(sock: Any, step: int, value: Any, client_id: str | None = None) -> Any:
    """Send an answer from a phone's socket and return the acknowledgement."""
    return sock.emit(
        "answer", {"step": step, "client_id": client_id or uuid.uuid4().hex, "value": value}, callback=True
    )


class Auth:
    """Log the ``client`` fixture in and out through the real login form (the Flask tutorial's ``auth``)."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.factory, self.client = Factory(app), client

    def create(self, name: str = "alex", password: str = PASSWORD) -> int:
        return self.factory.facilitator(name, password)

    def login(self, name: str = "alex", password: str = PASSWORD, client: FlaskClient | None = None) -> Any:
        return (client or self.client).post("/login", data={"name": name, "password": password})

    def logout(self) -> Any:
        return self.client.post("/logout")


def over_https(client: FlaskClient) -> FlaskClient:
    """Make every request of ``client`` (pages and the Socket.IO test client) come over HTTPS."""
    plain = client._request_from_builder_args  # what open() and the Socket.IO test client both use

    def over_tls(args: Any, kwargs: dict[str, Any]) -> Any:
        kwargs.setdefault("base_url", "https://localhost")
        return plain(args, kwargs)

    client._request_from_builder_args = over_tls  # type: ignore[method-assign]
    return client
