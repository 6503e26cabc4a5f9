"""Session fixation: nothing from before a login carries over, and a cookie cannot be forged."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from tests.support import PASSWORD, Factory

COOKIE = "cg_session"


def _cookie(client: object) -> str:
    found = client.get_cookie(COOKIE)  # type: ignore[attr-defined]
    assert found is not None
    return str(found.value)


def test_session_from_before_login_is_not_logged_in_after(app: Flask, factory: Factory) -> None:
    w = factory.workshop("alex", moderation="pre")
    factory.facilitator("alex")
    client = app.test_client()
    # Before login the browser already has a session (it joined a workshop as a phone).
    assert client.post(f"/j/{w.code}").status_code == 302
    before = _cookie(client)
    assert client.get(f"/w/{w.code}").status_code == 200

    assert client.post("/login", data={"name": "alex", "password": PASSWORD}).status_code == 302
    after = _cookie(client)
    assert after != before
    assert client.get("/f/").status_code == 200
    # The session was cleared at login: the phone's place in the workshop did not carry over.
    response = client.get(f"/w/{w.code}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/j/{w.code}")

    # Someone holding the cookie from before the login is not logged in.
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, before)
    response = attacker.get("/f/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_forged_session_cookie_is_refused(app: Flask, factory: Factory) -> None:
    fid = factory.facilitator("alex")
    other_key = Flask("forger")
    other_key.secret_key = "a different secret key"
    serializer = SecureCookieSessionInterface().get_signing_serializer(other_key)
    assert serializer is not None
    import time

    forged = serializer.dumps({"fid": fid, "auth_at": int(time.time())})
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, forged)
    response = attacker.get("/f/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_failed_login_does_not_log_in_or_keep_the_name(app: Flask, factory: Factory) -> None:
    factory.facilitator("alex")
    client = app.test_client()
    response = client.post("/login", data={"name": "alex", "password": "wrong password"})
    assert response.status_code == 400
    assert client.get("/f/").status_code == 302
    with client.session_transaction() as session:
        assert "fid" not in session and "alex" not in repr(dict(session))
