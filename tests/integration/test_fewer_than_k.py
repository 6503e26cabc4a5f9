"""Live screens show "fewer than k answered", not a tally, until k people have answered.

Every public path is checked with a workshop where 1 .. k-1 people answered (all the same
way, which is when a tally would give everyone away) and then k: the projector's socket
``tally`` event, its page and the panel it fetches (the page works without JavaScript), the
chart and its table, and the phones' "what others said" page and ``me_too`` acknowledgement.
The console, the facilitator's own screen, keeps the exact numbers.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.support import Factory, Live, answer, received
from workshop.extensions import db
from workshop.models import Comment

K = 3
COUNTED = re.compile(r"\d+ (people|person) said me too")


def _ctl(sock: Any, action: str, argument: Any = None) -> Any:
    return sock.emit("control", {"action": action, "argument": argument}, callback=True)


def _projector_pages(app: Flask, live: Live) -> list[str]:
    """The projector's page and its panel, as a browser without JavaScript gets them."""
    reader = app.test_client()
    return [reader.get(f"/p/{live.projector_token}{tail}").get_data(as_text=True) for tail in ("", "/panel")]


def test_projector_shows_fewer_than_k_until_k_have_answered(
    app: Flask, client: Any, owner: int, factory: Factory
) -> None:
    live = factory.workshop(owner, consultation={"k_threshold": K})
    position = factory.position(live, "position")
    con, proj = factory.console(client, live), factory.projector(live)
    phones = [factory.phone(live)[1] for _ in range(K)]
    assert _ctl(con, "goto", position)["ok"] and _ctl(con, "reveal")["ok"]
    received(proj), received(con)

    for n, sock in enumerate(phones, start=1):
        assert answer(sock, position, {"position": "object"})["ok"] is True  # unanimous
        projected = received(proj, "tally")[-1]
        consoled = received(con, "tally")[-1]
        # The console keeps the exact live numbers.
        assert consoled["answered"] == n
        assert {o["key"]: o["count"] for o in consoled["results"]["options"]}["object"] == n
        pages = _projector_pages(app, live)
        console_page = client.get(f"{live.base}/console").get_data(as_text=True)
        assert f'<span id="answered-count">{n}</span>' in console_page
        under_k = f"The big screen shows no results until {K} people have answered. Only you see these numbers."
        assert (under_k in console_page) is (n < K)
        if n < K:
            assert projected["answered"] is None and projected["results"] is None
            assert projected["answered_display"] == f"fewer than {K}" and projected["hidden"] is True
            assert projected["notice"] == f"Results show once {K} people have answered."
            for page in pages:
                assert f"Fewer than {K}</strong> people have answered" in page
                assert f"Results show once {K} people have answered." in page
                assert "cg-chart" not in page and 'id="projector-results"' not in page and "data-key" not in page
                assert not re.search(r"I object: \d", page)
        else:
            assert projected["answered"] == K and projected["answered_display"] == str(K)
            assert projected["hidden"] is False and projected["notice"] is None
            assert {o["key"]: o["count"] for o in projected["results"]["options"]}["object"] == K
            for page in pages:
                assert f">{K}</strong> people have answered" in page
                assert f'data-key="object">{K}</td>' in page  # the chart's table
                assert f"I object: {K}" in page  # the chart's description
                assert "Results show once" not in page


def test_projector_before_the_reveal_says_how_many_only_from_k(
    app: Flask, client: Any, owner: int, factory: Factory
) -> None:
    live = factory.workshop(owner, consultation={"k_threshold": K})
    position = factory.goto(live, prompt_type="position")
    proj = factory.projector(live)
    answer(factory.phone(live)[1], position, {"position": "consent"})
    [page, _panel] = _projector_pages(app, live)
    assert f"Fewer than {K}</strong> people have answered" in page
    assert "Results will show here when everyone has had time to answer." in page
    assert received(proj, "tally")[-1]["answered"] is None


def test_phones_see_no_me_too_counts_until_k_have_answered(app: Flask, owner: int, factory: Factory) -> None:
    live = factory.workshop(owner, consultation={"k_threshold": K}, moderation="post")
    position = factory.goto(live, prompt_type="position")
    writer_client, writer = factory.phone(live)
    ack = answer(writer, position, {"position": "conditions", "conditions": ["only if families are told", ""]})
    assert ack["ok"] is True
    with app.app_context():
        [comment_id] = db.session.scalars(db.select(Comment.id).where(Comment.workshop_id == live.workshop_id))
    others = [factory.phone(live) for _ in range(K - 1)]
    hidden = f'Fewer than {K} people have answered this question, so we do not show how many said "me too" yet.'

    # One answer so far: the "me too" count is not shown, on the page or in the acknowledgement.
    page_client, sock = others[0]
    assert sock.emit("me_too", {"comment": comment_id}, callback=True) == {"ok": True, "count": None}
    page = page_client.get(f"/w/{live.code}/comments").get_data(as_text=True)
    assert "only if families are told" in page and hidden in page
    assert not COUNTED.search(page) and 'aria-describedby="metoo-hidden"' in page

    # The same without JavaScript: the form posts, the page comes back without a count.
    second_client, second = others[1]
    page = second_client.get(f"/w/{live.code}/comments").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = second_client.post(
        f"/w/{live.code}/comments", data={"csrf_token": token.group(1), "comment": str(comment_id)}
    )
    assert response.status_code == 302
    for client in (writer_client, second_client):
        page = client.get(f"/w/{live.code}/comments").get_data(as_text=True)
        assert hidden in page and not COUNTED.search(page)

    # K - 1 answers: still hidden. The K-th answer releases the counts everywhere.
    assert answer(sock, position, {"position": "consent"})["ok"] is True
    assert hidden in writer_client.get(f"/w/{live.code}/comments").get_data(as_text=True)
    assert answer(second, position, {"position": "consent"})["ok"] is True
    page = writer_client.get(f"/w/{live.code}/comments").get_data(as_text=True)
    assert hidden not in page and "2 people said me too" in page
    assert sock.emit("me_too", {"comment": comment_id}, callback=True) == {"ok": True, "count": 2}
