"""Revealed results on the big screen move only once at least k people's answers differ.

Whoever sits beside someone must not see which bar grew when they pressed. So once results
are on the big screen (``services.live.revealed_tally``), new results replace them only after
at least k answers are new, changed or taken back; until then the screen keeps the earlier
results and says how many answers they are from. The console keeps the exact numbers.
"""

from __future__ import annotations

import random
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.support import Factory, Live, answer, received
from workshop.extensions import db
from workshop.models import Participant, Workshop
from workshop.services import live as live_view
from workshop.services.participation import withdraw

K = 3


def _ctl(sock: Any, action: str, argument: Any = None) -> Any:
    return sock.emit("control", {"action": action, "argument": argument}, callback=True)


def _counts(payload: dict[str, Any]) -> dict[str, int] | None:
    results = payload.get("results")
    return None if results is None else {o["key"]: o["count"] for o in results["options"] if o["count"]}


def _big_screen(app: Flask, live: Live) -> dict[str, Any]:
    """What the projector is sent now (the same function the push uses), committed as the push does."""
    with app.app_context():
        view = live_view.aggregate(db.session, live.workshop_id)
        db.session.commit()
        assert view is not None
        return view.projector


def test_results_wait_for_k_changes_and_say_so(app: Flask, client: Any, owner: int, factory: Factory) -> None:
    live = factory.workshop(owner, consultation={"k_threshold": K})
    position = factory.position(live, "position")
    con, proj = factory.console(client, live), factory.projector(live)
    phones = [factory.phone(live)[1] for _ in range(2 * K + 1)]
    assert _ctl(con, "goto", position)["ok"] and _ctl(con, "reveal")["ok"]
    received(proj), received(con)

    for sock in phones[:K]:
        assert answer(sock, position, {"position": "consent"})["ok"] is True
    first = received(proj, "tally")[-1]
    assert _counts(first) == {"consent": K} and first["results_of"] is None and first["notice"] is None

    # The next k-1 answers: the count of people answering moves, the results do not.
    for n, sock in enumerate(phones[K : 2 * K - 1], start=K + 1):
        assert answer(sock, position, {"position": "object"})["ok"] is True
        shown = received(proj, "tally")[-1]
        assert shown["answered"] == n
        assert _counts(shown) == {"consent": K}, "one new answer showed on the big screen"
        assert shown["results_of"] == K
        assert shown["notice"] == (
            f"These results are from {K} answers. They change only after {K} more people answer or change "
            "their answer, so this screen never shows what one person chose."
        )
        consoled = received(con, "tally")[-1]
        assert {o["key"]: o["count"] for o in consoled["results"]["options"]}["object"] == n - K  # exact
        panel = app.test_client().get(f"/p/{live.projector_token}/panel").get_data(as_text=True)
        assert f'data-key="consent">{K}</td>' in panel and 'data-key="object">0</td>' in panel
        assert f"These results are from {K} answers." in panel

    # The k-th changed answer: the results move, all k at once.
    assert answer(phones[2 * K - 1], position, {"position": "object"})["ok"] is True
    moved = received(proj, "tally")[-1]
    assert _counts(moved) == {"consent": K, "object": K} and moved["results_of"] is None

    # A change of mind and back is no change; one change on its own is held back.
    assert answer(phones[0], position, {"position": "object"})["ok"] is True
    assert _counts(received(proj, "tally")[-1]) == {"consent": K, "object": K}
    assert answer(phones[0], position, {"position": "consent"})["ok"] is True
    back = received(proj, "tally")[-1]
    assert _counts(back) == {"consent": K, "object": K} and back["results_of"] is None
    ack = answer(phones[1], position, {"position": "unsure"})  # the first change
    assert ack["ok"] is True, ack
    held = received(proj, "tally")[-1]
    assert _counts(held) == {"consent": K, "object": K} and held["results_of"] == 2 * K

    # Someone taking their answers back counts as a change too (the second).
    with app.app_context():
        joined = db.session.scalars(select(Participant).order_by(Participant.id)).all()
        withdraw(db.session, joined[2 * K - 1])  # the last phone that answered "object"
        db.session.commit()
    kept = _big_screen(app, live)
    assert _counts(kept) == {"consent": K, "object": K} and kept["results_of"] == 2 * K
    assert answer(phones[2 * K], position, {"position": "object"})["ok"] is True  # the third: they move
    moved = received(proj, "tally")[-1]
    assert _counts(moved) == {"consent": K - 1, "unsure": 1, "object": K} and moved["results_of"] is None


def test_a_random_room_never_moves_the_results_by_fewer_than_k_people(
    app: Flask, client: Any, owner: int, factory: Factory
) -> None:
    """Seeded random answers and changes of mind: each move of the shown results covers at least k people."""
    # Many answers per phone in a tight loop: a budget no phone needs in a real room.
    app.config["FAIR_SHARE"] = {"connection": (1000.0, 100.0), "participant": (1000.0, 100.0)}
    live = factory.workshop(owner, consultation={"k_threshold": K})
    position = factory.position(live, "position")
    con = factory.console(client, live)
    phones = [factory.phone(live)[1] for _ in range(9)]
    assert _ctl(con, "goto", position)["ok"] and _ctl(con, "reveal")["ok"]
    rng = random.Random(20261204)
    choices = ["consent", "object", "unsure", "pass"]
    truth: dict[int, str] = {}  # phone -> its answer now
    base: dict[int, str] | None = None  # the answers behind the results on screen
    base_counts: dict[str, int] | None = None
    moves = 0
    for _ in range(120):
        phone = rng.randrange(len(phones))
        truth[phone] = rng.choice(choices)
        ack = answer(phones[phone], position, {"position": truth[phone]})
        assert ack["ok"] is True, ack
        screen = _big_screen(app, live)
        now = _counts(screen)
        if now is None:
            assert len(truth) < K
            continue
        if screen["results_of"] is not None:  # earlier results, kept: exactly those shown before
            assert base is not None and now == base_counts and screen["results_of"] == len(base)
            continue
        # Results of now: they moved by the answers of nobody, or of at least k people.
        if base is not None:
            differing = {p for p in truth if truth[p] != base.get(p)} | (set(base) - set(truth))
            assert not differing or len(differing) >= K, f"the results moved for {len(differing)} people's answers"
            moves += bool(differing)
        expected: dict[str, int] = {}
        for value in truth.values():
            expected[value] = expected.get(value, 0) + 1
        assert now == expected, "the results said to be of now are not the answers of now"
        base, base_counts = dict(truth), now
    assert moves >= 5, f"the results moved only {moves} times in 120 answers"
    with app.app_context():
        workshop = db.session.get(Workshop, live.workshop_id)
        assert workshop is not None and workshop.revealed


def _console_roles(app: Flask, live: Live) -> dict[str, Any]:
    with app.app_context():
        view = live_view.aggregate(db.session, live.workshop_id)
        db.session.commit()
        assert view is not None
        return dict(view.console["roles"])


def _groups(roles: dict[str, Any]) -> dict[str, str]:
    return {g["label"]: g["count"] for g in roles["groups"]}


def test_the_consoles_role_table_moves_only_once_k_people_joined_or_left(
    app: Flask, client: Any, owner: int, factory: Factory
) -> None:
    """Watching the role table as one person joins must not tell the facilitator their role."""
    live = factory.workshop(owner, consultation={"k_threshold": K})
    with app.app_context():
        roles = db.session.get(Workshop, live.workshop_id).roles  # type: ignore[union-attr]
    parent, worker = roles[0], roles[1]
    for _ in range(K):
        factory.phone(live, parent)
    for _ in range(K):
        factory.phone(live, worker)
    # Each join was pushed to the console as it happened (the table was kept at its first k,
    # who were still choosing roles); start from a console that has shown nothing yet.
    with app.app_context():
        db.session.get(Workshop, live.workshop_id).roles_released = None  # type: ignore[union-attr]
        db.session.commit()
    first = _console_roles(app, live)
    assert _groups(first) == {parent: str(K), worker: str(K)} and first["of"] is None

    # One more parent, then one more social worker: the table stays as it was, and says so.
    factory.phone(live, parent)
    kept = _console_roles(app, live)
    assert _groups(kept) == {parent: str(K), worker: str(K)} and kept["of"] == 2 * K
    page = client.get(f"{live.base}/console").get_data(as_text=True)
    assert f"This table is from when {2 * K} people had joined." in page
    assert '<span id="joined-count">7</span>' in page  # how many joined is live
    factory.phone(live, worker)
    assert _groups(_console_roles(app, live)) == {parent: str(K), worker: str(K)}

    # Someone leaving counts too: the k-th difference moves the table, all at once.
    with app.app_context():
        first_parent = db.session.scalars(select(Participant).order_by(Participant.id)).first()
        assert first_parent is not None
        withdraw(db.session, first_parent)
        db.session.commit()
    moved = _console_roles(app, live)
    assert _groups(moved) == {parent: str(K), worker: str(K + 1)} and moved["of"] is None
