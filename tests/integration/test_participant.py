"""Taking part from a phone: finding a workshop, consent, role, receipt code, and withdrawal."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.support import Factory, Live, participant_token, receipt_code
from workshop.domain.codes import receipt_hash
from workshop.extensions import db
from workshop.models import Comment, Consultation, Participant, Response, WithdrawalCount
from workshop.services.participation import find_by_receipt

NOT_FOUND = "We could not find a workshop with that code. Check the code on the big screen and try again."
RECEIPT_RE = re.compile(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b")


def _participants(app: Flask, workshop_id: int) -> list[Participant]:
    with app.app_context():
        found = db.session.scalars(select(Participant).where(Participant.workshop_id == workshop_id)).all()
        db.session.expunge_all()
        return list(found)


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {lower} ", "{a} {b}", "{a}-{b}", "{spaced}"])
def test_home_page_accepts_the_code_as_people_type_it(app: Flask, live: Live, typed: str) -> None:
    code = live.code
    text = typed.format(code=code, lower=code.lower(), a=code[:3].lower(), b=code[3:], spaced=" ".join(code))
    response = app.test_client().post("/", data={"code": text})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/j/{code}"


@pytest.mark.parametrize("typed", ["", "ABC", "OOOOOO", "AAAAAA", "1234567", "<script>", "x" * 20])
def test_home_page_unknown_code_is_a_plain_message(app: Flask, live: Live, typed: str) -> None:
    response = app.test_client().post("/", data={"code": typed})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert NOT_FOUND in page or "Enter the code on the screen." in page
    assert "<script>" not in page.split('id="code"')[1].split(">")[0]


def test_unknown_join_link_is_a_plain_404(app: Flask) -> None:
    response = app.test_client().get("/j/NOPE42")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "We could not find that workshop" in page
    assert "The code may be wrong, or the workshop may have ended." in page
    assert "Traceback" not in page


def test_an_ended_workshop_cannot_be_joined(app: Flask, live: Live, factory: Factory) -> None:
    factory.control(live, "end")
    client = app.test_client()
    assert client.get(f"/j/{live.code}").status_code == 404
    assert client.post(f"/j/{live.code}").status_code == 404
    assert client.post("/", data={"code": live.code}).status_code == 400
    assert _participants(app, live.workshop_id) == []


def test_closed_joining_gives_a_plain_message(app: Flask, live: Live, factory: Factory) -> None:
    factory.control(live, "close_joining")
    client = app.test_client()
    assert client.get(f"/j/{live.code}").status_code == 200
    response = client.post(f"/j/{live.code}")
    assert response.status_code == 400
    assert "The facilitator has closed joining for this workshop." in response.get_data(as_text=True)
    assert _participants(app, live.workshop_id) == []
    factory.control(live, "open_joining")
    assert client.post(f"/j/{live.code}").status_code == 302


def test_welcome_page_explains_before_consent(app: Flask, live: Live) -> None:
    page = app.test_client().get(f"/j/{live.code}").get_data(as_text=True)
    assert "You do not give your name." in page
    assert "I&#39;m happy to take part" in page or "I'm happy to take part" in page
    assert _participants(app, live.workshop_id) == []


def test_participant_table_has_no_identity_columns() -> None:
    columns = {c.name.lower() for c in Participant.__table__.columns}
    forbidden = ("name", "email", "mail", "ip", "address", "addr", "phone", "agent", "user", "device", "cookie")
    for column in columns:
        parts = column.split("_")
        assert not any(word in parts for word in forbidden), f"participant.{column} could identify someone"
    assert columns == {
        "id",
        "workshop_id",
        "token",
        "receipt_hash",
        "role",
        "language",
        "assisted",
        "consented_at",
        "created_at",
    }


def test_consent_creates_an_anonymous_participant(
    app: Flask, live: Live, caplog: pytest.LogCaptureFixture, factory: Factory
) -> None:
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    address, agent = "203.0.113.77", "TestPhone/1.0 (Unique-Agent-8d1f)"
    client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    factory.join(live, client=client)
    [participant] = _participants(app, live.workshop_id)
    assert participant.consented_at is not None
    assert participant.role is None
    assert len(participant.token) >= 32
    assert participant.token == participant_token(client, live.workshop_id)
    receipt = receipt_code(client, live.workshop_id)
    assert receipt and receipt not in participant.receipt_hash
    assert re.fullmatch(r"[0-9a-f]{64}", participant.receipt_hash)
    # Nothing about the phone is stored anywhere, or logged.
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).all():
                text = repr(tuple(row))
                assert address not in text and "Unique-Agent" not in text, table.name
    assert not any(address in r.getMessage() or "Unique-Agent" in r.getMessage() for r in caplog.records)


def test_the_participant_is_remembered_on_the_same_phone(app: Flask, live: Live, factory: Factory) -> None:
    client = app.test_client()
    factory.join(live, client=client)
    token = participant_token(client, live.workshop_id)
    # A new request from the same phone is the same participant, not a new one.
    response = client.get(f"/j/{live.code}")
    assert response.status_code == 302 and response.headers["Location"] == f"/w/{live.code}"
    assert client.get(f"/w/{live.code}").status_code == 200
    assert participant_token(client, live.workshop_id) == token
    assert len(_participants(app, live.workshop_id)) == 1
    # Another phone is another participant.
    other = app.test_client()
    factory.join(live, client=other)
    tokens = {p.token for p in _participants(app, live.workshop_id)}
    assert tokens == {token, participant_token(other, live.workshop_id)} and len(tokens) == 2


def test_pages_for_joined_people_send_others_to_the_welcome_page(app: Flask, live: Live) -> None:
    client = app.test_client()
    for path in (f"/w/{live.code}", f"/w/{live.code}/role", f"/w/{live.code}/receipt"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == f"/j/{live.code}", path
    response = client.post(f"/w/{live.code}/answer", data={"step": "0", "client_id": uuid.uuid4().hex})
    assert response.status_code == 302
    assert _participants(app, live.workshop_id) == []


def test_receipt_code_is_shown_and_finds_the_participant(app: Flask, live: Live, factory: Factory) -> None:
    client = app.test_client()
    factory.join(live, client=client)
    page = client.get(f"/w/{live.code}/receipt?first=1").get_data(as_text=True)
    match = re.search(r'id="receipt-code">([^<]+)<', page)
    assert match
    code = match.group(1)
    assert RECEIPT_RE.fullmatch(code)
    assert code == receipt_code(client, live.workshop_id)
    [participant] = _participants(app, live.workshop_id)
    with app.app_context():
        for typed in (code, code.lower(), code.replace("-", ""), f" {code[:5]} {code[6:]} ".lower()):
            found = find_by_receipt(db.session, typed)
            assert found is not None and found.id == participant.id, typed
        assert find_by_receipt(db.session, "AAAAA-AAAAA") is None
        assert find_by_receipt(db.session, "not a code") is None
        # The digit 8, 5, 2 or 6 typed as the letter it looks like still finds the code.
        lookalike = code.translate(str.maketrans({"8": "B", "5": "S", "2": "Z", "6": "G"}))
        found = find_by_receipt(db.session, lookalike.lower())
        assert found is not None and found.id == participant.id, lookalike


def test_a_receipt_code_from_an_earlier_version_still_finds_its_participant(
    app: Flask, live: Live, factory: Factory
) -> None:
    """Codes given before B, S, Z and G were left out of the alphabet could hold those letters."""
    factory.join(live)
    [participant] = _participants(app, live.workshop_id)
    old = "BSZGA-CDEFH"
    with app.app_context():
        db.session.get(Participant, participant.id).receipt_hash = receipt_hash(old)  # type: ignore[union-attr]
        db.session.commit()
        for typed in (old, old.lower().replace("-", " ")):
            found = find_by_receipt(db.session, typed)
            assert found is not None and found.id == participant.id, typed


def test_role_must_come_from_the_workshops_list(app: Flask, live: Live, factory: Factory) -> None:
    client = app.test_client()
    factory.join(live, client=client)
    page = client.get(f"/w/{live.code}/role").get_data(as_text=True)
    assert "Family member" in page
    response = client.post(f"/w/{live.code}/role", data={"role": "Astronaut"})
    assert response.status_code == 400
    assert "Please choose a role from the list, or skip this question." in response.get_data(as_text=True)
    assert _participants(app, live.workshop_id)[0].role is None

    response = client.post(f"/w/{live.code}/role", data={"role": "Family member"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/w/{live.code}/receipt")
    assert _participants(app, live.workshop_id)[0].role == "Family member"
    # Skipping clears it.
    assert client.post(f"/w/{live.code}/role", data={"role": ""}).status_code == 302
    assert _participants(app, live.workshop_id)[0].role is None


def _answer_with_comment(factory: Factory, client: Any, live: Live) -> None:
    position = factory.position(live, "position")
    factory.goto(live, position)
    response = client.post(
        f"/w/{live.code}/answer",
        data={
            "step": str(position),
            "client_id": uuid.uuid4().hex,
            "position": "object",
            "reason": "It could treat poorer families unfairly",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_withdrawal_deletes_answers_and_comments(app: Flask, live: Live, factory: Factory) -> None:
    leaving, staying = app.test_client(), app.test_client()
    factory.join(live, client=leaving)
    factory.join(live, client=staying)
    _answer_with_comment(factory, leaving, live)
    _answer_with_comment(factory, staying, live)
    code = receipt_code(leaving, live.workshop_id)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 2
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 2

    page = leaving.post("/receipt", data={"receipt": code.lower()}).get_data(as_text=True)
    assert "Take back my answers" in page
    page = leaving.post("/receipt", data={"receipt": code, "withdraw": "ask"}).get_data(as_text=True)
    assert "It cannot be undone." in page
    response = leaving.post("/receipt", data={"receipt": code, "withdraw": "confirm"})
    assert response.status_code == 200
    assert "Your answers are deleted" in response.get_data(as_text=True)

    remaining = _participants(app, live.workshop_id)
    assert [p.token for p in remaining] == [participant_token(staying, live.workshop_id)]
    with app.app_context():
        assert db.session.scalars(select(Response.participant_id)).all() == [remaining[0].id]
        assert db.session.scalars(select(Comment.participant_id)).all() == [remaining[0].id]
        assert db.session.get(WithdrawalCount, live.workshop_id).count == 1
    # The code no longer works, and the phone is no longer joined.
    response = leaving.post("/receipt", data={"receipt": code})
    assert response.status_code == 400
    assert "We could not find that receipt code." in response.get_data(as_text=True)
    assert leaving.get(f"/w/{live.code}").headers["Location"] == f"/j/{live.code}"


COPIES_NOTE = "The team may already have downloaded a copy of the report. We cannot take your answers out of that copy."
COPIES_NOTE_CY = "Ni allwn dynnu eich atebion allan o'r copi hwnnw"


def test_withdrawal_pages_say_downloaded_copies_cannot_be_called_back(app: Flask, live: Live, factory: Factory) -> None:
    english, welsh = app.test_client(), app.test_client()
    for client in (english, welsh):
        factory.join(live, client=client)
    assert welsh.get("/language/cy", query_string={"next": "/receipt"}).status_code == 302
    for client, note in ((english, COPIES_NOTE), (welsh, COPIES_NOTE_CY)):
        code = receipt_code(client, live.workshop_id)
        offered = client.post("/receipt", data={"receipt": code}).get_data(as_text=True)
        assert note in offered  # said before they choose
        done = client.post("/receipt", data={"receipt": code, "withdraw": "confirm"}).get_data(as_text=True)
        assert note in done  # and again once it is done
    assert _participants(app, live.workshop_id) == []


def test_a_second_withdrawal_bumps_the_count(app: Flask, live: Live, factory: Factory) -> None:
    for _ in range(2):
        client = app.test_client()
        factory.join(live, client=client)
        client.post("/receipt", data={"receipt": receipt_code(client, live.workshop_id), "withdraw": "confirm"})
    with app.app_context():
        assert db.session.get(WithdrawalCount, live.workshop_id).count == 2
    assert _participants(app, live.workshop_id) == []


def test_withdrawal_closes_once_the_record_is_final(app: Flask, live: Live, factory: Factory) -> None:
    client = app.test_client()
    factory.join(live, client=client)
    _answer_with_comment(factory, client, live)
    code = receipt_code(client, live.workshop_id)
    with app.app_context():
        db.session.get(Consultation, live.consultation_id).finalised_at = datetime.now(UTC)
        db.session.commit()
    page = client.post("/receipt", data={"receipt": code}).get_data(as_text=True)
    assert "You can no longer take back your answers." in page
    assert 'value="confirm"' not in page and 'value="ask"' not in page
    response = client.post("/receipt", data={"receipt": code, "withdraw": "confirm"})
    assert response.status_code == 400
    assert "answers can no longer be taken back" in response.get_data(as_text=True)
    assert len(_participants(app, live.workshop_id)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
        assert db.session.get(WithdrawalCount, live.workshop_id) is None


@pytest.mark.parametrize("typed", ["", "nonsense", "AAAAA-AAAAA", "x" * 31])
def test_unknown_receipt_code_is_a_plain_message(app: Flask, typed: str) -> None:
    response = app.test_client().post("/receipt", data={"receipt": typed})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "We could not find that receipt code." in page or "Please enter your receipt code." in page
