"""Withdrawal takes a person's words out of the conditions register and the published outcome."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Flask
from sqlalchemy import select

from workshop.extensions import db
from workshop.models import Comment, Consultation, Participant, RecordSnapshot, RegisterItem, RegisterSource
from workshop.services import consultations as cs
from workshop.services import participation as ps
from workshop.services import records as rs
from workshop.services import register as rg
from workshop.services import workshops as ws
from workshop.services.accounts import create_facilitator

ALONE = "Only if a social worker checks every score"  # becomes an item on its own, not answered
ANSWERED = "Only if families can see their own score"  # becomes an item on its own, answered
SHARED = "Tell the parents before the tool is used"  # becomes an item with someone else's comment
REWORDED = "Stop using it if it gets things wrong a lot"  # becomes an item the team rewrote
OTHER = "Families should be told before it starts"  # someone else's comment
MINE = (ALONE, ANSWERED, SHARED, REWORDED)


def _seed(app: Flask) -> dict[str, Any]:
    """One workshop: the leaver gives three conditions and a comment, someone else a condition."""
    with app.app_context():
        owner = create_facilitator(db.session, "alex", "correct horse battery")
        library = app.extensions["cg_library"]
        consultation = cs.create_consultation(db.session, owner, title="Riverside")
        use_case = cs.copy_card(db.session, consultation, next(iter(library.cards.values())))
        workshop = ws.create_workshop(
            db.session, consultation, library.default_pack, [use_case], title="Evening", moderation="post"
        )
        position = next(s for s in workshop.steps if s.prompt_type == "position")
        ws.control(db.session, workshop, "goto", facilitator_id=owner.id, argument=position.position)
        screener = app.extensions["cg_screener"]
        leaver, receipt = ps.join(db.session, workshop)
        other, _ = ps.join(db.session, workshop)
        for person, said in ((leaver, [ALONE, ANSWERED, SHARED]), (other, [OTHER])):
            value = {"position": "conditions", "conditions": said}
            ps.submit_answer(db.session, workshop, person, position, uuid.uuid4().hex, value, screener)
        text = next(s for s in workshop.steps if s.prompt_type == "text")
        ws.control(db.session, workshop, "goto", facilitator_id=owner.id, argument=text.position)
        ps.submit_answer(db.session, workshop, leaver, text, uuid.uuid4().hex, {"text": REWORDED}, screener)
        db.session.flush()
        comment = {c.text: c.id for c in db.session.scalars(select(Comment))}
        assert set(comment) == {*MINE, OTHER}, "the conditions were stored as written and approved"
        items = {
            "alone": rg.create_item(db.session, consultation, [comment[ALONE]]),
            "answered": rg.create_item(db.session, consultation, [comment[ANSWERED]]),
            "shared": rg.create_item(db.session, consultation, [comment[SHARED], comment[OTHER]]),
            "reworded": rg.create_item(db.session, consultation, [comment[REWORDED]], text="Stop when it errs"),
            "other": rg.create_item(db.session, consultation, [comment[OTHER]]),
        }
        answered = items["answered"]
        rg.update_item(
            db.session,
            answered,
            text=answered.text,
            kind=answered.kind,
            classification="act",
            owner="Head of service",
            response="Families will be able to ask for their score.",
            status="agreed",
            decline_reason="",
        )
        rs.publish(db.session, consultation, "We listened.")
        db.session.commit()
        return {
            "consultation": consultation.id,
            "leaver": leaver.id,
            "receipt": receipt,
            "items": {name: item.id for name, item in items.items()},
            "other_comment": comment[OTHER],
        }


def test_withdrawal_takes_copied_wording_out_of_the_register_and_the_published_outcome(app: Flask) -> None:
    seeded = _seed(app)
    ids = seeded["items"]
    with app.app_context():
        consultation = db.session.get(Consultation, seeded["consultation"])
        published = json.dumps(rs.published_outcome(db.session, consultation))
        assert ALONE in published and ANSWERED in published and SHARED in published  # before

        ps.withdraw(db.session, db.session.get(Participant, seeded["leaver"]))
        db.session.commit()

        items = {i.id: i for i in db.session.scalars(select(RegisterItem))}
        # Made from their comment alone, in their words, not answered: gone.
        assert ids["alone"] not in items
        # Answered by the team: the team's answer stays; their words do not.
        answered = items[ids["answered"]]
        assert answered.text == rg.WORDING_WITHDRAWN
        assert answered.response == "Families will be able to ask for their score." and answered.status == "agreed"
        # Merged with someone else's comment: it takes the other person's wording.
        assert items[ids["shared"]].text == OTHER
        # The team's own words stay, and only lose the link.
        assert items[ids["reworded"]].text == "Stop when it errs"
        assert items[ids["other"]].text == OTHER
        links = set(db.session.execute(select(RegisterSource.item_id, RegisterSource.comment_id)).tuples())
        assert links == {(ids["shared"], seeded["other_comment"]), (ids["other"], seeded["other_comment"])}

        everything = json.dumps(
            [
                rs.current_record(db.session, consultation),
                [s.record for s in db.session.scalars(select(RecordSnapshot))],
            ]
        )
        for said in MINE:
            assert said not in everything, said
        assert OTHER in everything
        outcome = rs.published_outcome(db.session, consultation)
        assert ids["alone"] not in [r["id"] for r in outcome["register"]]
        assert rg.WORDING_WITHDRAWN in json.dumps(outcome)


def test_an_item_removed_on_withdrawal_leaves_the_published_outcome_too(app: Flask) -> None:
    """Even when it is the only item that changes (nothing else points at the consultation)."""
    seeded = _seed(app)
    with app.app_context():
        consultation = db.session.get(Consultation, seeded["consultation"])
        for name, item_id in seeded["items"].items():
            if name != "alone":
                rg.delete_item(db.session, db.session.get(RegisterItem, item_id))
        rs.publish(db.session, consultation, "We listened again.")
        db.session.commit()
        assert ALONE in json.dumps(rs.published_outcome(db.session, consultation))

        ps.withdraw(db.session, db.session.get(Participant, seeded["leaver"]))
        db.session.commit()
        assert db.session.scalars(select(RegisterItem)).all() == []
        stored = json.dumps([s.record for s in db.session.scalars(select(RecordSnapshot))])
        assert ALONE not in stored
