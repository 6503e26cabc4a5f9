"""CSRF is on: a POST without its token is refused with a plain page, and nothing changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.support import csrf_from, make_app
from workshop.extensions import db
from workshop.models import Comment, Consultation, Participant

EXPIRED = "This form had expired"


@pytest.fixture
def csrf_app(database_url: str, app: Flask) -> Iterator[Flask]:
    """The real app with CSRF on, sharing the test database (made by the ``app`` fixture)."""
    on = make_app(database_url, WTF_CSRF_ENABLED=True)
    yield on
    with on.app_context():
        db.session.remove()
        db.engine.dispose()


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_post_without_token_is_refused_and_changes_nothing(csrf_app: Flask, factory: Any) -> None:
    w = factory.workshop("alex", moderation="pre")
    client = csrf_app.test_client()

    # Login without a token: refused, not logged in.
    response = client.post("/login", data={"name": "alex", "password": "correct horse battery"})
    assert response.status_code == 400 and EXPIRED in response.get_data(as_text=True)
    assert client.get("/f/").status_code == 302

    # With the token from the page it works.
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"name": "alex", "password": "correct horse battery", "csrf_token": token})
    assert response.status_code == 302

    before = _count(csrf_app, Consultation)
    response = client.post("/f/consultations/new", data={"title": "Sneaky", "k_threshold": 5, "retention_days": 30})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert EXPIRED in page and "Nothing was changed" in page
    assert _count(csrf_app, Consultation) == before

    # A wrong token is no better than none.
    response = client.post(
        f"/f/c/{w.consultation_id}/edit",
        data={"title": "Changed", "k_threshold": 5, "retention_days": 30, "csrf_token": "not-a-token"},
    )
    assert response.status_code == 400 and EXPIRED in response.get_data(as_text=True)
    with csrf_app.app_context():
        assert db.session.get(Consultation, w.consultation_id).title == "Riverside"

    # Moderation and controls too.
    response = client.post(w.base + "/control", data={"action": "start"})
    with csrf_app.app_context():
        from workshop.models import Workshop

        assert db.session.get(Workshop, w.workshop_id).status == "ready"
    assert response.status_code == 400


def test_phone_posts_need_the_token(csrf_app: Flask, factory: Any) -> None:
    w = factory.workshop("alex", moderation="post")
    phone = csrf_app.test_client()
    response = phone.post(f"/j/{w.code}")
    assert response.status_code == 400 and EXPIRED in response.get_data(as_text=True)
    assert _count(csrf_app, Participant) == 0

    token = csrf_from(phone.get(f"/j/{w.code}").get_data(as_text=True))
    assert phone.post(f"/j/{w.code}", data={"csrf_token": token}).status_code == 302
    step = factory.goto(w, prompt_type="text")
    response = phone.post(f"/w/{w.code}/answer", data={"step": step, "client_id": "a" * 16, "text": "hello"})
    assert response.status_code == 400
    assert _count(csrf_app, Comment) == 0
