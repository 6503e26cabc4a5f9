"""HTTP hardening: CSP without inline script, cookie flags, HSTS, and request size limits."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask

from tests.support import csrf_from, make_app
from workshop.extensions import db


class InlineFinder(HTMLParser):
    """Collect inline scripts, inline styles and event-handler attributes in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k.lower(): v for k, v in attrs}
        if tag == "script" and not (names.get("src") or "").startswith("/static/"):
            self.problems.append(f"inline or foreign script: {attrs}")
        if tag == "style":
            self.problems.append("a <style> block")
        for name, value in names.items():
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


def test_csp_forbids_inline_script_and_style(client: Any) -> None:
    csp = client.get("/").headers["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp


def test_no_page_has_inline_script_or_style(app: Flask, factory: Any) -> None:
    """Every page we can reach, as every audience, runs under the CSP as written."""
    w = factory.workshop("alex", roles=["Family member", "Young person"], moderation="pre")
    factory.goto(w, prompt_type="position")
    facilitator = factory.login("alex")
    phone = factory.join(w, role="Family member")
    factory.post_answer(phone, w, factory.goto(w, prompt_type="text"), text="my comment")
    pages = {
        "/": factory.app.test_client(),
        "/login": factory.app.test_client(),
        "/receipt": phone,
        f"/j/{w.code}": factory.app.test_client(),
        f"/w/{w.code}": phone,
        f"/w/{w.code}/role": phone,
        f"/w/{w.code}/receipt": phone,
        f"/w/{w.code}/support": phone,
        f"/w/{w.code}/comments": phone,
        f"/p/{w.projector_token}": phone,
        "/f/": facilitator,
        f"/f/c/{w.consultation_id}": facilitator,
        f"/f/c/{w.consultation_id}/edit": facilitator,
        f"/f/c/{w.consultation_id}/library": facilitator,
        f"/f/c/{w.consultation_id}/use-cases/new": facilitator,
        f"/f/c/{w.consultation_id}/workshops/new": facilitator,
        w.base: facilitator,
        w.base + "/console": facilitator,
        w.base + "/moderation": facilitator,
        "/no-such-page": phone,
    }
    for path, who in pages.items():
        response = who.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert inline_problems(response.get_data(as_text=True)) == [], path


def _cookie(response: Any) -> str:
    cookies = [v for k, v in response.headers.items() if k.lower() == "set-cookie" and v.startswith("cg_session=")]
    assert cookies, "no session cookie was set"
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite(client: Any, factory: Any) -> None:
    w = factory.workshop("alex", moderation="pre")
    cookie = _cookie(client.post(f"/j/{w.code}"))
    assert "HttpOnly" in cookie
    assert re.search(r"SameSite=Lax", cookie)
    assert "Secure" not in cookie  # off by default: run.py serves plain HTTP on a laptop


def test_secure_cookies_setting(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSHOP_SECURE_COOKIES", "true")
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    from workshop.services.accounts import create_facilitator

    with app.app_context():
        create_facilitator(db.session, "alex", "correct horse battery")
        db.session.commit()
    response = client.post(
        "/login", data={"name": "alex", "password": "correct horse battery"}, base_url="https://localhost"
    )
    cookie = _cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with app.app_context():
        db.engine.dispose()


def test_hsts_only_over_https(client: Any) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    hsts = client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts


def test_other_security_headers(client: Any) -> None:
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("csrf", [False, True])
def test_oversized_form_gets_a_plain_413(database_url: str, csrf: bool, factory: Any) -> None:
    app = make_app(database_url, WTF_CSRF_ENABLED=csrf)
    with app.app_context():
        db.create_all()
    w = factory.workshop("alex", moderation="pre")
    client = app.test_client()
    response = client.post(f"/j/{w.code}", data={"language": "x" * (65 * 1024)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "That was too much to send" in page and "Please send something shorter." in page
    assert "Traceback" not in page
    # A joined phone sending a huge answer: refused, nothing stored.
    token = csrf_from(client.get(f"/j/{w.code}").get_data(as_text=True)) if csrf else ""
    assert client.post(f"/j/{w.code}", data={"csrf_token": token}).status_code == 302
    step = factory.goto(w, prompt_type="text")
    data = {"step": step, "client_id": "c" * 16, "text": "y" * (70 * 1024), "csrf_token": token}
    big_answer = client.post(f"/w/{w.code}/answer", data=data)
    assert big_answer.status_code == 413 and "That was too much to send" in big_answer.get_data(as_text=True)
    with app.app_context():
        from workshop.models import Response

        assert db.session.scalar(db.select(db.func.count()).select_from(Response)) == 0
    with app.app_context():
        db.engine.dispose()
