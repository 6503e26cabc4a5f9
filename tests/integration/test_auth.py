"""Facilitator login: passwords, throttling, session expiry, safe redirects, login_required, CSRF."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.support import Factory, csrf_from, make_app
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


THROTTLED = re.compile(r"Too many tries\. Please wait (a minute|\d+ minutes) and try again\.")


class Clock:
    """The rate limiter's clock, moved forward by the test instead of sleeping."""

    def __init__(self, app: Flask) -> None:
        from workshop.web import ratelimit

        self.now = time.time()
        ratelimit.limiter(app).clock = lambda: self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _error(response: Any) -> str:
    found = THROTTLED.search(response.get_data(as_text=True))
    return found.group(0) if found else ""


def test_wrong_passwords_back_off_per_name_and_address_never_locking_the_account(
    app: Flask, auth: Any, client: Any
) -> None:
    fid = auth.create()
    clock = Clock(app)
    for _ in range(5):  # the free tries
        assert auth.login(password="a wrong password").status_code == 400
    # Throttled: even the right password is not checked, and nothing is written to the account.
    response = auth.login()
    assert response.status_code == 429 and _error(response) and NO_MATCH not in response.get_data(as_text=True)
    assert not _logged_in(client)
    with app.app_context():
        facilitator = db.session.get(Facilitator, fid)
        assert facilitator.locked_until is None and facilitator.failed_logins == 0

    # A stranger somewhere else cannot keep the facilitator out: another address logs in at once.
    elsewhere = Factory(app).client("198.51.100.40")  # over HTTPS, as a hosted deployment is reached
    assert elsewhere.post("/login", data={"name": "alex", "password": PASSWORD}).status_code == 302

    # Exponential back-off: 2 s after the fifth failure, then 4 s after the sixth.
    clock.advance(2.1)
    assert auth.login(password="a wrong password").status_code == 400
    clock.advance(2.1)
    assert auth.login().status_code == 429
    clock.advance(2.0)
    assert auth.login().status_code == 302
    assert _logged_in(client)


def test_a_throttled_name_looks_the_same_whether_or_not_it_exists(app: Flask, auth: Any) -> None:
    auth.create()
    Clock(app)
    pages = {}
    for name in ("alex", "nobody-at-all"):
        client = app.test_client()
        for _ in range(5):
            wrong = client.post("/login", data={"name": name, "password": "a wrong password"})
            assert wrong.status_code == 400 and NO_MATCH in wrong.get_data(as_text=True)
        throttled = client.post("/login", data={"name": name, "password": "a wrong password"})
        pages[name] = (throttled.status_code, _error(throttled), throttled.headers.get("Retry-After"))
    assert pages["alex"] == pages["nobody-at-all"] and pages["alex"][0] == 429 and pages["alex"][1]


def test_failures_below_the_limit_do_not_throttle(app: Flask, auth: Any) -> None:
    auth.create()
    for _ in range(4):
        auth.login(password="a wrong password")
    assert auth.login().status_code == 302


def test_other_names_failing_nearby_do_not_stop_a_facilitator_who_logged_in_here(app: Flask, auth: Any) -> None:
    auth.create()
    Clock(app)
    assert auth.login().status_code == 302  # alex has logged in from this address today
    guesser = app.test_client()  # same address (the test client's), many names
    limit = app.extensions["cg_ratelimit"].rules["login"].limit
    for n in range(limit):
        guesser.post("/login", data={"name": f"name{n}", "password": "a wrong password"})
    assert guesser.post("/login", data={"name": "fresh-name", "password": "x" * 12}).status_code == 429
    assert app.test_client().post("/login", data={"name": "alex", "password": PASSWORD}).status_code == 302


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
    if not target.isprintable():
        # A control character in the address is refused before login is tried (web/validation.py).
        assert response.status_code == 400
        assert not _logged_in(client)
        return
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
    if not target.isprintable():
        assert response.status_code == 400  # refused outright by web/validation.py
        return
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
