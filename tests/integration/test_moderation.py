"""The moderation queue, hand redaction and safeguarding alerts, through the real routes."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select

from workshop.extensions import db, socketio
from workshop.models import Comment, Facilitator, ModerationEvent, SafeguardingAlert, Workshop
from workshop.services import consultations as cs
from workshop.services import moderation as ms
from workshop.services import workshops as ws

PASSWORD = "correct horse battery"


def make_workshop(
    app: Flask, owner: str = "alex", *, moderation: str = "pre", phrases: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A consultation with one card and a workshop on the text step, answering open."""
    with app.app_context():
        facilitator = db.session.scalar(select(Facilitator).where(Facilitator.name == owner))
        library = app.extensions["cg_library"]
        consultation = cs.create_consultation(db.session, facilitator, title="Riverside early help")
        use_case = cs.copy_card(db.session, consultation, next(iter(library.cards.values())))
        workshop = ws.create_workshop(
            db.session, consultation, library.default_pack, [use_case], title="Evening", moderation=moderation
        )
        workshop.safeguarding_phrases = list(phrases)
        step = next(s for s in workshop.steps if s.prompt_type == "text")
        ws.control(db.session, workshop, "goto", facilitator_id=facilitator.id, argument=step.position)
        db.session.commit()
        return {
            "cid": consultation.id,
            "wid": workshop.id,
            "code": workshop.join_code,
            "step": step.position,
            "base": f"/f/c/{consultation.id}/w/{workshop.id}",
        }


def join(app: Flask, code: str) -> FlaskClient:
    phone = app.test_client()
    assert phone.post(f"/j/{code}").status_code == 302
    return phone


def say(phone: FlaskClient, w: dict[str, Any], text: str) -> Any:
    return phone.post(f"/w/{w['code']}/answer", data={"step": w["step"], "client_id": uuid.uuid4().hex, "text": text})


def comment_of(app: Flask, wid: int, text_part: str = "") -> Comment:
    with app.app_context():
        rows = db.session.scalars(select(Comment).where(Comment.workshop_id == wid).order_by(Comment.id)).all()
        found = [c for c in rows if text_part in c.text]
        assert found, f"no comment containing {text_part!r}"
        db.session.expunge(found[-1])
        return found[-1]


def events(app: Flask, wid: int) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [
            (e.action, e.reason)
            for e in db.session.scalars(
                select(ModerationEvent).where(ModerationEvent.workshop_id == wid).order_by(ModerationEvent.id)
            )
        ]


@pytest.fixture
def logged_in(app: Flask, auth: Any) -> FlaskClient:
    auth.create("alex", PASSWORD)
    auth.login("alex", PASSWORD)
    return auth.client


def test_pre_moderation_holds_comments_until_approved(app: Flask, logged_in: FlaskClient) -> None:
    w = make_workshop(app)
    author, other = join(app, w["code"]), join(app, w["code"])
    assert say(author, w, "Families should be told before the tool is used").status_code == 302
    comment = comment_of(app, w["wid"], "Families")
    assert comment.status == "pending"

    # Not on another phone, not on the projector, but in the queue.
    assert "Families should be told" not in other.get(f"/w/{w['code']}/comments").get_data(as_text=True)
    with app.app_context():
        token = db.session.get(Workshop, w["wid"]).projector_token
    assert "Families should be told" not in logged_in.get(f"/p/{token}").get_data(as_text=True)
    page = logged_in.get(w["base"] + "/moderation").get_data(as_text=True)
    assert "Waiting to be checked (1)" in page and "Families should be told" in page

    console = socketio.test_client(app, flask_test_client=logged_in, auth={"as": "console", "workshop": w["wid"]})
    assert console.is_connected()
    console.get_received()
    response = logged_in.post(w["base"] + f"/moderation/{comment.id}/approve")
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation#pending")
    assert comment_of(app, w["wid"], "Families").status == "approved"
    assert "Families should be told" in other.get(f"/w/{w['code']}/comments").get_data(as_text=True)
    assert events(app, w["wid"]) == [("approve", None)]
    received = [m for m in console.get_received() if m["name"] == "moderation"]
    assert received and received[-1]["args"][0] == {"pending": 0, "alerts": 0}

    # Approving twice changes nothing and logs nothing more.
    logged_in.post(w["base"] + f"/moderation/{comment.id}/approve")
    assert events(app, w["wid"]) == [("approve", None)]
    console.disconnect()


def test_hide_needs_a_known_reason_and_takes_the_comment_off_phones(app: Flask, logged_in: FlaskClient) -> None:
    w = make_workshop(app, moderation="post")
    author, other = join(app, w["code"]), join(app, w["code"])
    say(author, w, "This is all about saving money")
    comment = comment_of(app, w["wid"], "saving money")
    assert comment.status == "approved"  # post-moderation: shown at once
    assert "saving money" in other.get(f"/w/{w['code']}/comments").get_data(as_text=True)
    page = logged_in.get(w["base"] + "/moderation").get_data(as_text=True)
    assert "Shown (1)" in page and "saving money" in page

    response = logged_in.post(
        w["base"] + f"/moderation/{comment.id}/hide", data={"reason": "made-up"}, follow_redirects=True
    )
    assert "Choose why you are hiding this comment" in response.get_data(as_text=True)
    assert comment_of(app, w["wid"], "saving money").status == "approved"
    assert events(app, w["wid"]) == []

    logged_in.post(w["base"] + f"/moderation/{comment.id}/hide", data={"reason": "off_topic"})
    hidden = comment_of(app, w["wid"], "saving money")
    assert (hidden.status, hidden.hide_reason) == ("hidden", "off_topic")
    assert "saving money" not in other.get(f"/w/{w['code']}/comments").get_data(as_text=True)
    assert events(app, w["wid"]) == [("hide", "off_topic")]
    page = logged_in.get(w["base"] + "/moderation").get_data(as_text=True)
    assert "Hidden (1)" in page and "Off topic" in page


def test_redact_by_hand_can_only_take_words_out(app: Flask, logged_in: FlaskClient) -> None:
    w = make_workshop(app)
    author = join(app, w["code"])
    say(author, w, "Zorbulon from the Oak Tree team was really upset about it")
    comment = comment_of(app, w["wid"], "upset")
    edit = w["base"] + f"/moderation/{comment.id}/edit"
    assert "Zorbulon" in logged_in.get(edit).get_data(as_text=True)

    # Adding a word (or changing one) is refused and changes nothing.
    for attempt in ("Zorbulon Smith from the team was upset", "Zorbulon from the team was really happy about it"):
        response = logged_in.post(edit, data={"text": attempt, "show": "1"})
        assert response.status_code == 400
        assert "You can only take words out" in response.get_data(as_text=True)
    assert comment_of(app, w["wid"], "upset").text == "Zorbulon from the Oak Tree team was really upset about it"

    # The facilitator adds the name to the workshop's list; the edit is redacted again with it.
    with app.app_context():
        db.session.get(Workshop, w["wid"]).redaction_names = ["Zorbulon"]
        db.session.commit()
    response = logged_in.post(edit, data={"text": "Zorbulon from the [hidden] team was upset", "show": "1"})
    assert response.status_code == 302
    saved = comment_of(app, w["wid"], "upset")
    assert saved.text == "[name] from the [hidden] team was upset"
    assert saved.status == "approved"
    assert saved.redactions.get("name") == 1 and saved.redactions.get("hidden") == 1
    assert events(app, w["wid"]) == [("redact", None), ("approve", None)]

    # Nothing left is refused: hide it instead.
    response = logged_in.post(edit, data={"text": "[hidden]"})
    assert response.status_code == 400 and "hide it instead" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("before", "after", "ok"),
    [
        ("my son goes to Oak Road school", "my son goes to [hidden] school", True),
        ("my son goes to Oak Road school", "my son goes to school", True),
        ("my son goes to Oak Road school", "my son goes to Elm Road school", False),
        ("my son goes to Oak Road school", "school goes my son", False),  # order matters
        ("call [phone] any time", "call [hidden] any time", True),
        ("call [phone] any time", "call 07700 900123 any time", False),
        ("we were told", "we were told told", False),  # a word can only be used once
        ("it's fine", "its fine", False),
        ("Fine, really.", "Fine really", True),  # punctuation is not a word
    ],
)
def test_only_removes_words(before: str, after: str, ok: bool) -> None:
    assert ms.only_removes_words(before, after) is ok


def test_safeguarding_alert_is_private_with_guidance_and_never_shown(app: Flask, logged_in: FlaskClient) -> None:
    library = app.extensions["cg_library"]
    guidance = library.safeguarding.get("guidance") or "Follow your organisation's safeguarding policy today."
    app.extensions["cg_library"] = dataclasses.replace(
        library,
        safeguarding={
            **library.safeguarding,
            "guidance": guidance,
            "participant_message": library.safeguarding.get("participant_message") or "Thank you.",
        },
    )
    w = make_workshop(app, phrases=("purple umbrella",))
    author, other = join(app, w["code"]), join(app, w["code"])
    response = say(author, w, "Ask 07700 900123 about the purple umbrella at home")
    assert response.status_code == 302 and response.headers["Location"].endswith("/support")
    comment = comment_of(app, w["wid"], "umbrella")
    assert (comment.status, comment.safeguarding) == ("hidden", True)
    assert "07700" not in comment.text

    page = logged_in.get(w["base"] + "/moderation").get_data(as_text=True)
    alerts_part = page.split('id="pending"')[0]
    assert "may be about someone being harmed" in alerts_part
    assert guidance.splitlines()[0].strip()[:40] in alerts_part.replace("&#39;", "'")
    assert "purple umbrella" in alerts_part and "[phone]" in alerts_part
    assert "Added by facilitator" in alerts_part
    assert "I have dealt with this" in alerts_part
    assert "Waiting to be checked (0)" in page  # held comments are not in the queue

    # It can never be approved or edited, and no phone sees it.
    response = logged_in.post(w["base"] + f"/moderation/{comment.id}/approve", follow_redirects=True)
    assert "can never be shown" in response.get_data(as_text=True)
    assert logged_in.get(w["base"] + f"/moderation/{comment.id}/edit").status_code == 302
    assert comment_of(app, w["wid"], "umbrella").status == "hidden"
    assert "umbrella" not in other.get(f"/w/{w['code']}/comments").get_data(as_text=True)

    with app.app_context():
        alert = db.session.scalar(select(SafeguardingAlert).where(SafeguardingAlert.workshop_id == w["wid"]))
        alert_id = alert.id
    logged_in.post(w["base"] + f"/alerts/{alert_id}/acknowledge")
    with app.app_context():
        assert db.session.get(SafeguardingAlert, alert_id).acknowledged_at is not None
    page = logged_in.get(w["base"] + "/moderation").get_data(as_text=True)
    assert "No alerts waiting. 1 alert dealt with." in page
    assert events(app, w["wid"]) == [("safeguarding", "acknowledged")]


def test_alerts_and_moderation_events_store_no_identity_or_content(app: Flask) -> None:
    with app.app_context():
        alert_cols = {c["name"] for c in inspect(db.engine).get_columns("safeguarding_alert")}
        event_cols = {c["name"] for c in inspect(db.engine).get_columns("moderation_event")}
    assert alert_cols == {"id", "workshop_id", "comment_id", "categories", "created_at", "acknowledged_at"}
    assert event_cols == {"id", "workshop_id", "at", "action", "reason"}


def test_moderation_log_counts(app: Flask, logged_in: FlaskClient) -> None:
    w = make_workshop(app)
    phones = [join(app, w["code"]) for _ in range(3)]
    for n, phone in enumerate(phones):
        say(phone, w, f"comment number {n} about consent")
    with app.app_context():
        ids = db.session.scalars(select(Comment.id).where(Comment.workshop_id == w["wid"]).order_by(Comment.id)).all()
    logged_in.post(w["base"] + f"/moderation/{ids[0]}/approve")
    logged_in.post(w["base"] + f"/moderation/{ids[1]}/hide", data={"reason": "abusive"})
    logged_in.post(w["base"] + f"/moderation/{ids[2]}/hide", data={"reason": "abusive"})
    with app.app_context():
        assert ms.moderation_counts(db.session, [w["wid"]]) == {"approve": {"all": 1}, "hide": {"abusive": 2}}
        assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.status == "pending")) == 0


def test_routes_are_owned(app: Flask, auth: Any) -> None:
    auth.create("alex", PASSWORD)
    auth.create("sam", PASSWORD)
    mine = make_workshop(app, "alex")
    theirs = make_workshop(app, "sam", phrases=("purple umbrella",))
    say(join(app, theirs["code"]), theirs, "their comment about the purple umbrella")
    say(join(app, mine["code"]), mine, "my own comment")
    their_comment = comment_of(app, theirs["wid"], "their")
    with app.app_context():
        their_alert = db.session.scalar(select(SafeguardingAlert.id))
    auth.login("alex", PASSWORD)
    client = auth.client
    for base in (theirs["base"], f"/f/c/{mine['cid']}/w/{theirs['wid']}"):
        assert client.get(base + "/moderation").status_code == 404
        assert client.post(base + f"/moderation/{their_comment.id}/approve").status_code == 404
        assert client.post(base + f"/moderation/{their_comment.id}/hide", data={"reason": "other"}).status_code == 404
        assert client.get(base + f"/moderation/{their_comment.id}/edit").status_code == 404
        assert client.post(base + f"/alerts/{their_alert}/acknowledge").status_code == 404
    # Their comment through my own workshop's address: still 404.
    assert client.post(mine["base"] + f"/moderation/{their_comment.id}/approve").status_code == 404
    assert client.post(mine["base"] + f"/alerts/{their_alert}/acknowledge").status_code == 404
    assert comment_of(app, theirs["wid"], "their").status == "hidden"
    assert events(app, theirs["wid"]) == []


def test_login_required(app: Flask, client: FlaskClient) -> None:
    response = client.get("/f/c/1/w/1/moderation")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_console_links_to_the_queue(app: Flask, logged_in: FlaskClient) -> None:
    w = make_workshop(app)
    page = logged_in.get(w["base"] + "/console").get_data(as_text=True)
    assert f'href="{w["base"]}/moderation"' in page
