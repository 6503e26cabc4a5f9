"""Helpers for the security tests: facilitators, workshops and phones made in a few lines.

This is deliberately not a conftest.py: a second module called ``conftest`` would shadow the
suite's own for every ``from conftest import ...`` in the run. Each test module makes its own
``world`` fixture from :class:`World`.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from workshop.extensions import db
from workshop.models import Facilitator, Workshop
from workshop.services import consultations as cs
from workshop.services import workshops as ws
from workshop.services.accounts import create_facilitator

PASSWORD = "correct horse battery"
ROOT_CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"


def suite_conftest() -> ModuleType:
    """The suite's tests/conftest.py (for ``make_app`` and ``csrf_from``), however it was imported."""
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) and Path(module.__file__).resolve() == ROOT_CONFTEST:
            return module
    spec = importlib.util.spec_from_file_location("_suite_conftest", ROOT_CONFTEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_app(database_url: str, **overrides: Any) -> Flask:
    """The app as hosted behind HTTPS: facilitators log in from many addresses, so the
    room-Wi-Fi guard (facilitator pages on the laptop only, over plain HTTP) does not apply."""
    overrides.setdefault("PUBLIC_URL", "https://localhost")
    return suite_conftest().make_app(database_url, **overrides)  # type: ignore[no-any-return]


def csrf_from(html: str) -> str:
    return suite_conftest().csrf_from(html)  # type: ignore[no-any-return]


def over_https(client: FlaskClient) -> FlaskClient:
    """Make every request of ``client`` come over HTTPS, as a hosted deployment is reached.

    Over plain HTTP the facilitator's pages answer only on the laptop itself, so a test
    client "from another address" reaches them the way a real one would: encrypted.
    """
    plain = client._request_from_builder_args  # what open() and the Socket.IO test client both use

    def over_tls(args: Any, kwargs: dict[str, Any]) -> Any:
        kwargs.setdefault("base_url", "https://localhost")
        return plain(args, kwargs)

    client._request_from_builder_args = over_tls  # type: ignore[method-assign]
    return client


class World:
    """Build facilitators, consultations, workshops and phones through services and routes."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def facilitator(self, name: str) -> int:
        with self.app.app_context():
            found = db.session.scalar(select(Facilitator).where(Facilitator.name == name))
            if found is None:
                found = create_facilitator(db.session, name, PASSWORD)
                db.session.commit()
            return found.id

    def client(self, address: str | None = None) -> FlaskClient:
        """A test client, from a given client address if one is given."""
        client = self.app.test_client()
        if address:
            client.environ_base["REMOTE_ADDR"] = address
            over_https(client)
        return client

    def login(self, name: str, address: str | None = None) -> FlaskClient:
        self.facilitator(name)
        client = self.client(address)
        response = client.post("/login", data={"name": name, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def workshop(
        self,
        owner: str,
        *,
        title: str = "Evening",
        consultation: dict[str, str] | None = None,
        card: dict[str, str] | None = None,
        roles: list[str] | None = None,
        moderation: str = "pre",
        names: list[str] | None = None,
    ) -> dict[str, Any]:
        """A consultation (own fields optional) with one use case and one workshop."""
        fid = self.facilitator(owner)
        with self.app.app_context():
            library = self.app.extensions["cg_library"]
            fields = {"title": "Riverside", **(consultation or {})}
            item = cs.create_consultation(db.session, db.session.get(Facilitator, fid), **fields)
            source = next(iter(library.cards.values()))
            if card:
                use_case = cs.save_use_case(db.session, item, {**dict(source.fields), **card})
            else:
                use_case = cs.copy_card(db.session, item, source)
            workshop = ws.create_workshop(
                db.session, item, library.default_pack, [use_case], title=title, roles=roles, moderation=moderation
            )
            workshop.redaction_names = list(names or [])
            db.session.commit()
            return {
                "cid": item.id,
                "wid": workshop.id,
                "code": workshop.join_code,
                "token": workshop.projector_token,
                "uid": use_case.id,
                "fid": fid,
                "base": f"/f/c/{item.id}/w/{workshop.id}",
            }

    def goto(self, w: dict[str, Any], *, prompt_type: str | None = None, kind: str | None = None, nth: int = 0) -> int:
        """Move a workshop to a step (the nth of a kind or prompt type), answering open."""
        with self.app.app_context():
            workshop = db.session.get(Workshop, w["wid"])
            steps = [
                s
                for s in workshop.steps
                if (prompt_type is None or s.prompt_type == prompt_type) and (kind is None or s.kind == kind)
            ]
            position = steps[nth].position
            ws.control(db.session, workshop, "goto", facilitator_id=w["fid"], argument=position)
            db.session.commit()
            return position

    def control(self, w: dict[str, Any], action: str) -> None:
        with self.app.app_context():
            ws.control(db.session, db.session.get(Workshop, w["wid"]), action, facilitator_id=w["fid"])
            db.session.commit()

    def join(self, w: dict[str, Any], role: str | None = None, address: str | None = None) -> FlaskClient:
        phone = self.client(address)
        response = phone.post(f"/j/{w['code']}")
        assert response.status_code == 302, response.get_data(as_text=True)
        if role is not None:
            assert phone.post(f"/w/{w['code']}/role", data={"role": role}).status_code == 302
        return phone

    def answer(self, phone: FlaskClient, w: dict[str, Any], step: int, **fields: Any) -> Any:
        return phone.post(f"/w/{w['code']}/answer", data={"step": step, "client_id": uuid.uuid4().hex, **fields})
