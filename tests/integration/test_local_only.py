"""The facilitator's pages never answer over a room's plain Wi-Fi; Secure cookies under HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.support import PASSWORD, Factory, make_app
from workshop.extensions import db, socketio

WIFI = {"REMOTE_ADDR": "192.168.1.23"}
FACILITATOR_PAGES = ["/login", "/f/", "/f/c/1", "/f/c/1/w/1/console", "/f/c/1/record", "/f/c/1/w/1/moderation"]


def _app(database_url: str, **config: Any) -> Iterator[Flask]:
    app = make_app(database_url, **config)
    with app.app_context():
        db.create_all()
    Factory(app).facilitator("alex")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def plain(database_url: str) -> Iterator[Flask]:
    yield from _app(database_url)


@pytest.mark.parametrize("path", FACILITATOR_PAGES)
def test_facilitator_pages_refuse_the_rooms_wifi_over_plain_http(plain: Flask, path: str) -> None:
    response = plain.test_client().get(path, environ_base=WIFI)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "Please use the laptop running the workshop" in body
    assert "Traceback" not in body


def test_a_password_posted_from_the_wifi_is_not_even_read(plain: Flask) -> None:
    response = plain.test_client().post("/login", data={"name": "alex", "password": PASSWORD}, environ_base=WIFI)
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers or "cg_session" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_the_laptop_itself_may_use_them(plain: Flask, address: str) -> None:
    response = plain.test_client().get("/login", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200


def test_a_local_proxy_does_not_make_the_wifi_look_local(plain: Flask) -> None:
    # nginx on the laptop forwards a phone's request: the phone is still on the Wi-Fi.
    response = plain.test_client().get(
        "/login", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"X-Forwarded-For": "192.168.1.23"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/", "/receipt", "/tablet", "/glossary"])
def test_participant_pages_stay_open_on_the_wifi(plain: Flask, path: str) -> None:
    assert plain.test_client().get(path, environ_base=WIFI).status_code == 200


def test_the_console_socket_is_refused_from_the_wifi(plain: Flask) -> None:
    factory = Factory(plain)
    live = factory.workshop("alex")
    laptop = factory.login("alex")  # over plain HTTP, from the laptop itself
    ok = factory.console(laptop, live)  # asserts the console socket is connected
    assert ok.is_connected()
    ok.disconnect()
    # The same logged-in cookie, from an address on the Wi-Fi.
    laptop.environ_base.update(WIFI)
    refused = socketio.test_client(
        plain, flask_test_client=laptop, auth={"as": "console", "workshop": live.workshop_id}
    )
    assert not refused.is_connected()


def test_https_public_url_opens_the_pages_and_makes_cookies_secure(database_url: str) -> None:
    for app in _app(database_url, PUBLIC_URL="https://workshop.example.org", WTF_CSRF_ENABLED=True):
        response = app.test_client().get("/login", environ_base=WIFI)
        assert response.status_code == 200
        cookie = response.headers.get("Set-Cookie", "")
        assert "cg_session=" in cookie and "Secure" in cookie


def test_a_trusted_proxy_saying_https_opens_the_pages(database_url: str) -> None:
    for app in _app(database_url, PROXY_HOPS=1, WTF_CSRF_ENABLED=True):
        client = app.test_client()
        secure = client.get(
            "/login",
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        )
        assert secure.status_code == 200
        assert "Secure" in secure.headers.get("Set-Cookie", "")
        clear = client.get(
            "/login", environ_base={"REMOTE_ADDR": "10.0.0.2"}, headers={"X-Forwarded-For": "203.0.113.9"}
        )
        assert clear.status_code == 403


def test_plain_http_on_the_laptop_keeps_cookies_usable(database_url: str) -> None:
    for app in _app(database_url, WTF_CSRF_ENABLED=True):
        cookie = app.test_client().get("/login").headers.get("Set-Cookie", "")
        assert "cg_session=" in cookie and "Secure" not in cookie
