"""Behaviour behind claims that had no test of their own (see docs/claims.toml).

"Nobody can see who said what", "Nobody sees who pressed it" (me too), "Comments appear here
when people send them" (without pre-moderation), and the report's "Comments that might be
about a child being harmed were never ... put in this record".
"""

from __future__ import annotations

import json
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select

from tests.support import Factory, Live, participant_token, receipt_code
from workshop.extensions import db
from workshop.models import Comment, Consultation, Workshop
from workshop.services import records

ROLE = "Social worker or practitioner"


def _identities(phone: FlaskClient, live: Live) -> list[str]:
    return [participant_token(phone, live.workshop_id), receipt_code(phone, live.workshop_id)]


def _comment_id(app: Flask, live: Live, text: str) -> int:
    with app.app_context():
        found = db.session.scalar(
            select(Comment.id).where(Comment.workshop_id == live.workshop_id, Comment.text == text)
        )
        assert found is not None, text
        return found


def test_nobody_can_see_who_wrote_a_comment(app: Flask, owner: int, factory: Factory, client: FlaskClient) -> None:
    live = factory.workshop(owner, moderation="post", roles=[ROLE, "Family member"])
    step = factory.goto(live, prompt_type="text")
    projector = factory.projector(live)
    writer, reader = factory.join(live, ROLE), factory.join(live)
    assert factory.post_answer(writer, live, step, text="Check the data first").status_code == 302
    big_screen = app.test_client().get(f"/p/{live.projector_token}")
    assert big_screen.status_code == 200
    seen = {
        "another phone": reader.get(f"/w/{live.code}/comments").get_data(as_text=True),
        "the projector page": big_screen.get_data(as_text=True),
        "the projector's events": json.dumps(projector.get_received()),
        "the moderation queue": client.get(f"/f/c/{live.consultation_id}/w/{live.workshop_id}/moderation").get_data(
            as_text=True
        ),
    }
    assert "Check the data first" in seen["another phone"] and "Check the data first" in seen["the moderation queue"]
    for where, text in seen.items():
        for secret in _identities(writer, live):
            assert secret not in text, where
    assert ROLE not in seen["another phone"]
    # The record keeps the comment, but nothing that says whose it is.
    with app.app_context():
        record = json.dumps(records.current_record(db.session, db.session.get(Consultation, live.consultation_id)))
    assert "Check the data first" in record
    assert not any(secret in record for secret in _identities(writer, live))


def test_nobody_sees_who_said_me_too(app: Flask, owner: int, factory: Factory, client: FlaskClient) -> None:
    # "Me too" counts reach phones once k people have answered the question; here k is 3.
    live = factory.workshop(owner, consultation={"k_threshold": 3}, moderation="post")
    step = factory.goto(live, prompt_type="text")
    writer, supporter, other = factory.join(live), factory.join(live), factory.join(live)
    assert factory.post_answer(writer, live, step, text="Tell families first").status_code == 302
    assert factory.post_answer(supporter, live, step, text="Ask the young people").status_code == 302
    assert factory.post_answer(other, live, step, text="Check the data").status_code == 302
    comment_id = _comment_id(app, live, "Tell families first")
    page = supporter.get(f"/w/{live.code}/comments").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    response = supporter.post(
        f"/w/{live.code}/comments", data={"comment": comment_id, "csrf_token": csrf.group(1) if csrf else ""}
    )
    assert response.status_code == 302
    for phone in (writer, other):
        page = phone.get(f"/w/{live.code}/comments").get_data(as_text=True)
        assert "1 person said me too" in page
        assert not any(secret in page for secret in _identities(supporter, live))
    queue = client.get(f"/f/c/{live.consultation_id}/w/{live.workshop_id}/moderation").get_data(as_text=True)
    assert not any(secret in queue for secret in _identities(supporter, live))
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("me_too")}
    assert columns <= {"id", "comment_id", "participant_id", "created_at"}  # who, but only as a random token's row


def test_without_pre_moderation_comments_appear_when_sent(factory: Factory, owner: int) -> None:
    live = factory.workshop(owner, moderation="post")
    step = factory.goto(live, prompt_type="text")
    writer, reader = factory.join(live), factory.join(live)
    before = reader.get(f"/w/{live.code}/comments").get_data(as_text=True)
    assert "Comments appear here when people send them." in before
    assert factory.post_answer(writer, live, step, text="Ask the young people too").status_code == 302
    after = reader.get(f"/w/{live.code}/comments").get_data(as_text=True)
    assert "Ask the young people too" in after


def test_a_possible_disclosure_is_never_in_the_record(app: Flask, owner: int, factory: Factory) -> None:
    live = factory.workshop(owner, moderation="post")
    with app.app_context():
        db.session.get(Workshop, live.workshop_id).safeguarding_phrases = ["purple umbrella"]
        db.session.commit()
    step = factory.goto(live, prompt_type="text")
    author, other = factory.join(live), factory.join(live)
    response = factory.post_answer(author, live, step, text="The purple umbrella is at home again")
    assert response.status_code == 302 and response.headers["Location"].endswith("/support")
    assert factory.post_answer(other, live, step, text="Keep families in the loop").status_code == 302
    with app.app_context():
        record = json.dumps(records.current_record(db.session, db.session.get(Consultation, live.consultation_id)))
    assert "Keep families in the loop" in record
    assert "umbrella" not in record
