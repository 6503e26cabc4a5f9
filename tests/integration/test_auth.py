"""Facilitator login: passwords, lockout, session expiry, safe redirects, login_required, CSRF."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.support import csrf_from, make_app
from workshop.extensions import db
from workshop.models import Consultation, Facilitator

PASSWORD = "correct horse battery"
NO_MATCH = "That name and password do not match. Please check them and try again."


def _logged_in(client: Any) -> bool:
    return client.get("/f/").status_code == 200


def test_login_and_logout(auth: Any, client: Any) -> None:
    auth.create()
    assert not _logged_in(client)
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/f/")
    assert _logged_in(client)
    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert not _logged_in(client)
    assert "You have logged out." in client.get("/login").get_data(as_text=True)


def test_wrong_password_gives_a_plain_message(auth: Any, client: Any) -> None:
    auth.create()
    response = auth.login(password="not the password")
    assert response.status_code == 400
    assert NO_MATCH in response.get_data(as_text=True)
    assert not _logged_in(client)
    # An unknown name gets exactly the same answer, so names cannot be discovered.
    response = auth.login(name="nobody")
    assert response.status_code == 400
    assert NO_MATCH in response.get_data(as_text=True)


def test_empty_login_form_asks_for_name_and_password(auth: Any, client: Any) -> None:
    response = client.post("/login", data={"name": "", "password": ""})
    assert response.status_code == 400
    assert "Please enter your name and password." in response.get_data(as_text=True)


def test_password_is_stored_as_an_scrypt_hash(app: Flask, auth: Any) -> None:
    fid = auth.create()
    with app.app_context():
        stored = db.session.get(Facilitator, fid).password_hash
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored


def test_lockout_after_too_many_wrong_passwords(app: Flask, auth: Any, client: Any) -> None:
    fid = auth.create()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert auth.login(password="a wrong password").status_code == 400
    with app.app_context():
        locked_until = db.session.get(Facilitator, fid).locked_until
    assert locked_until is not None and locked_until > datetime.now(UTC)

    # Locked: even the right password is refused, with a plain message and no detail.
    response = auth.login()
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"Too many wrong passwords\. Please wait \d+ minutes and try again\.", page)
    assert NO_MATCH not in page
    assert not _logged_in(client)

    # Once the lock has expired, the right password works again.
    with app.app_context():
        db.session.get(Facilitator, fid).locked_until = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    assert auth.login().status_code == 302
    assert _logged_in(client)
    with app.app_context():
        facilitator = db.session.get(Facilitator, fid)
        assert facilitator.failed_logins == 0 and facilitator.locked_until is None


def test_failures_below_the_limit_do_not_lock(app: Flask, auth: Any) -> None:
    auth.create()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        auth.login(password="a wrong password")
    assert auth.login().status_code == 302


def test_session_expires_after_session_hours(app: Flask, auth: Any, client: Any) -> None:
    auth.create()
    auth.login()
    assert _logged_in(client)
    with client.session_transaction() as session:
        session["auth_at"] = int(time.time()) - app.config["SESSION_HOURS"] * 3600 - 60
    response = client.get("/f/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_session_still_valid_inside_session_hours(app: Flask, auth: Any, client: Any) -> None:
    auth.create()
    auth.login()
    with client.session_transaction() as session:
        session["auth_at"] = int(time.time()) - app.config["SESSION_HOURS"] * 3600 + 120
    assert _logged_in(client)


def test_login_starts_a_fresh_session(auth: Any, client: Any) -> None:
    auth.create()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session


def test_login_returns_to_the_page_asked_for(auth: Any, client: Any) -> None:
    auth.create()
    response = client.get("/f/consultations/new")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert "/login?next=" in login_url
    response = client.post(login_url, data={"name": "alex", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/f/consultations/new")


def _on_site(location: str) -> bool:
    """True when a browser would stay on this site following ``location``."""
    return (
        location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and not urlsplit(location).netloc
    )


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/f/",
        "https://evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\t/evil.example",
        "\\\\evil.example",
    ],
)
def test_next_to_another_site_goes_home(auth: Any, client: Any, target: str) -> None:
    auth.create()
    response = client.post("/login", query_string={"next": target}, data={"name": "alex", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/f/"


@pytest.mark.parametrize("target", ["/\\evil.example", "/\\/evil.example", "/%5C%5Cevil.example", "/%2F/evil.example"])
def test_next_with_tricky_slashes_stays_on_the_site(auth: Any, client: Any, target: str) -> None:
    auth.create()
    response = client.post("/login", query_string={"next": target}, data={"name": "alex", "password": PASSWORD})
    assert response.status_code == 302
    assert _on_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example/", "/\t/evil.example"])
def test_language_switch_never_leaves_the_site(client: Any, target: str) -> None:
    response = client.get("/language/cy", query_string={"next": target})
    assert response.status_code == 302
    assert _on_site(response.headers["Location"]), response.headers["Location"]


def _facilitator_rules(app: Flask) -> list[Any]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("facilitator.") or rule.rule.startswith("/f/")
    ]


def _fill(rule: Any) -> str:
    path = rule.rule
    path = re.sub(r"<int:\w+>", "1", path)
    return re.sub(r"<(?:[^:<>]+:)?\w+>", "x", path)


def test_there_are_facilitator_pages(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in _facilitator_rules(app)}
    assert {"facilitator.index", "facilitator.console", "facilitator.control", "facilitator.workshop_qr"} <= endpoints


def test_every_facilitator_page_needs_login(app: Flask, client: Any) -> None:
    checked = 0
    for rule in _facilitator_rules(app):
        path = _fill(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            assert response.status_code == 302, f"{method} {path} answered {response.status_code}"
            assert "/login" in response.headers["Location"], f"{method} {path} did not send to /login"
            checked += 1
    assert checked >= 15


def test_csrf_is_on_outside_the_tests(database_url: str) -> None:
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
    try:
        from workshop.services.accounts import create_facilitator

        with app.app_context():
            create_facilitator(db.session, "alex", PASSWORD)
            db.session.commit()
        client = app.test_client()

        # Without a token, login is refused and nothing happens.
        response = client.post("/login", data={"name": "alex", "password": PASSWORD})
        assert response.status_code == 400
        assert "expired" in response.get_data(as_text=True)
        assert client.get("/f/").status_code == 302

        # With the page's token it works.
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"name": "alex", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        assert client.get("/f/").status_code == 200

        # Logged in, a form POST without its token is refused and changes nothing.
        form = {"title": "No token", "k_threshold": "5", "retention_days": "365"}
        response = client.post("/f/consultations/new", data=form)
        assert response.status_code == 400
        assert "Nothing was changed" in response.get_data(as_text=True)
        response = client.post("/f/consultations/new", data={**form, "csrf_token": "forged-token"})
        assert response.status_code == 400
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0

        token = csrf_from(client.get("/f/consultations/new").get_data(as_text=True))
        response = client.post("/f/consultations/new", data={**form, "title": "With token", "csrf_token": token})
        assert response.status_code == 302
        with app.app_context():
            assert db.session.scalars(select(Consultation.title)).all() == ["With token"]

        # Logout needs the token too.
        assert client.post("/logout").status_code == 400
        assert client.get("/f/").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
