"""The registered claims are really on the pages, and the welcome page tells the truth about the Wi-Fi.

``tests/unit/test_claims.py`` reads the templates as text; this opens the pages as a phone
does (welcome over HTTP and HTTPS, receipt, the withdrawal page in each state, withdrawn,
the comments page with and without pre-moderation) and checks every claim registered for
those templates is shown in at least one of them, exactly as registered.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from tests.support import Factory, Live, make_app, receipt_code
from tests.support import claims as cl
from workshop.extensions import db
from workshop.models import Consultation

PLAIN = (
    "Your answers are not encrypted on their way over the room's Wi-Fi. Someone else on the same Wi-Fi could read them."
)
SECURE = "Your answers are encrypted on their way to us, so others on the Wi-Fi cannot read them."
WIFI = {"REMOTE_ADDR": "192.168.1.23"}
PAGES = (
    "templates/participant/welcome.html",
    "templates/participant/receipt.html",
    "templates/participant/outcome.html",
    "templates/participant/withdrawn.html",
    "templates/participant/comments.html",
)


def shown(page: str) -> str:
    """The page's text as a reader sees it: tags gone, entities read, one space between words."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return cl.normalise(html.unescape(page))


def welcome(app: Flask, live: Live, **kwargs: Any) -> str:
    response = app.test_client().get(f"/j/{live.code}", **kwargs)
    assert response.status_code == 200
    return shown(response.get_data(as_text=True))


def test_the_welcome_page_says_plain_http_can_be_read_on_the_wifi(app: Flask, live: Live) -> None:
    page = welcome(app, live, environ_base=WIFI)
    assert PLAIN in page and SECURE not in page


def test_the_welcome_page_says_https_is_encrypted(app: Flask, live: Live) -> None:
    page = welcome(app, live, base_url="https://localhost", environ_base=WIFI)
    assert SECURE in page and PLAIN not in page


@pytest.fixture
def proxied(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url, PROXY_HOPS=1)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_trusted_proxy_saying_https_is_encrypted(proxied: Flask) -> None:
    live = Factory(proxied).workshop()
    page = welcome(
        proxied,
        live,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.168.1.23"},
    )
    assert SECURE in page and PLAIN not in page


def test_a_trusted_proxy_without_https_is_still_plain_http(proxied: Flask) -> None:
    live = Factory(proxied).workshop()
    page = welcome(
        proxied,
        live,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "192.168.1.23"},
    )
    assert PLAIN in page and SECURE not in page


def test_the_comments_page_says_when_comments_appear(app: Flask, owner: int, factory: Factory) -> None:
    for moderation, wanted, other in (
        ("pre", "Comments appear here after they have been checked.", "Comments appear here when people send them."),
        ("post", "Comments appear here when people send them.", "Comments appear here after they have been checked."),
    ):
        live = factory.workshop(owner, moderation=moderation)
        factory.goto(live, prompt_type="text")
        page = shown(factory.join(live).get(f"/w/{live.code}/comments").get_data(as_text=True))
        assert wanted in page and other not in page, moderation


def _every_state(app: Flask, owner: int, factory: Factory) -> str:
    """The text of every state of the pages in PAGES, one after another."""
    texts = []
    for moderation in ("pre", "post"):
        live = factory.workshop(owner, moderation=moderation)
        step = factory.goto(live, prompt_type="text")
        reader = factory.join(live)
        texts.append(shown(reader.get(f"/w/{live.code}/comments").get_data(as_text=True)))
    assert factory.post_answer(factory.join(live), live, step, text="Tell families first").status_code == 302
    texts.append(shown(reader.get(f"/w/{live.code}/comments").get_data(as_text=True)))
    texts.append(shown(app.test_client().get("/receipt").get_data(as_text=True)))
    live = factory.workshop(owner)
    texts.append(welcome(app, live))
    texts.append(welcome(app, live, base_url="https://localhost"))
    phone = factory.join(live)
    code = receipt_code(phone, live.workshop_id)
    texts.append(shown(phone.get(f"/w/{live.code}/receipt?first=1").get_data(as_text=True)))
    for data in ({"receipt": code}, {"receipt": code, "withdraw": "ask"}):
        texts.append(shown(phone.post("/receipt", data=data).get_data(as_text=True)))
    texts.append(shown(phone.post("/receipt", data={"receipt": code, "withdraw": "confirm"}).get_data(as_text=True)))
    final = factory.join(live)
    with app.app_context():
        db.session.get(Consultation, live.consultation_id).finalised_at = datetime.now(UTC)
        db.session.commit()
    texts.append(
        shown(final.post("/receipt", data={"receipt": receipt_code(final, live.workshop_id)}).get_data(as_text=True))
    )
    return "\n".join(texts)


def said(claim: str, text: str) -> bool:
    """Whether the pages say the claim, a gettext placeholder such as %(k)s standing for any one word."""
    pattern = re.sub(r"%\\\(\w+\\\)s", lambda _: r"\S+", re.escape(claim))
    return re.search(pattern, text) is not None


def test_the_placeholder_in_a_claim_stands_for_one_word() -> None:
    claim = "Fewer than %(k)s people have answered this question."
    assert said(claim, "Hi. Fewer than 5 people have answered this question. Bye.")
    assert not said(claim, "Fewer than people have answered this question.")
    assert not said("Nobody can see who said what.", "Nobody can see what was said.")


def test_every_claim_for_these_pages_is_shown(app: Flask, owner: int, factory: Factory) -> None:
    text = _every_state(app, owner, factory)
    claims = [c for c in cl.load().claims if set(c.where) & set(PAGES)]
    assert len(claims) >= 12
    missing = [f"{c.id}: {c.text!r}" for c in claims if not said(c.text, text)]
    assert not missing, "registered but not shown:\n" + "\n".join(missing)
