"""Retention: ``flask --app workshop purge`` keeps the record and deletes raw data, exactly."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from workshop.extensions import db
from workshop.models import (
    Comment,
    Consultation,
    ControlEvent,
    Facilitator,
    ModerationEvent,
    RecordSnapshot,
    RegisterItem,
    RegisterSource,
    SafeguardingAlert,
    Workshop,
    utcnow,
)
from workshop.services import consultations as cs
from workshop.services import participation as ps
from workshop.services import records as rs
from workshop.services import retention as rt
from workshop.services import workshops as ws
from workshop.services.accounts import create_facilitator

SECRET_TEXT = "Ask the Riverside team about Kestrel Lane"


def _consultation(
    app: Flask, *, retention_days: int, ended_days_ago: int | None, people: int = 3, title: str = "Riverside"
) -> int:
    """A consultation whose one workshop ran, with answers, comments, "me too"s and a register link."""
    with app.app_context():
        owner = db.session.scalar(select(Facilitator).limit(1))
        if owner is None:
            owner = create_facilitator(db.session, "alex", "correct horse battery")
        library = app.extensions["cg_library"]
        consultation = cs.create_consultation(db.session, owner, title=title, retention_days=retention_days)
        consultation.created_at = utcnow() - timedelta(days=400)
        if ended_days_ago is None:
            db.session.commit()
            return consultation.id
        use_case = cs.copy_card(db.session, consultation, next(iter(library.cards.values())))
        workshop = ws.create_workshop(
            db.session, consultation, library.default_pack, [use_case], title="Evening", moderation="post"
        )
        workshop.safeguarding_phrases = ["purple umbrella"]
        workshop.redaction_names = ["Kestrel"]
        screener = app.extensions["cg_screener"]
        position = next(s for s in workshop.steps if s.prompt_type == "position")
        text = next(s for s in workshop.steps if s.prompt_type == "text")
        participants = []
        for _ in range(people):
            participant, _receipt = ps.join(db.session, workshop)
            participant.role = "Family member"
            participants.append(participant)
        ws.control(db.session, workshop, "goto", facilitator_id=owner.id, argument=position.position)
        for participant in participants:
            ps.submit_answer(
                db.session,
                workshop,
                participant,
                position,
                uuid.uuid4().hex,
                {"position": "conditions", "conditions": ["only if families are told"]},
                screener,
            )
        ws.control(db.session, workshop, "goto", facilitator_id=owner.id, argument=text.position)
        ps.submit_answer(db.session, workshop, participants[0], text, uuid.uuid4().hex, {"text": SECRET_TEXT}, screener)
        ps.submit_answer(
            db.session,
            workshop,
            participants[1],
            text,
            uuid.uuid4().hex,
            {"text": "the purple umbrella again"},
            screener,
        )
        db.session.flush()
        comment = db.session.scalar(
            select(Comment).where(Comment.workshop_id == workshop.id, Comment.kind == "condition")
        )
        ps.me_too(db.session, workshop, participants[2], comment.id)
        item = RegisterItem(consultation_id=consultation.id, kind="condition", text="Tell families first")
        db.session.add(item)
        db.session.flush()
        db.session.add(RegisterSource(item_id=item.id, comment_id=comment.id))
        db.session.add(ModerationEvent(workshop_id=workshop.id, action="approve"))
        leaver, _receipt = ps.join(db.session, workshop)
        ps.withdraw(db.session, leaver)
        ws.control(db.session, workshop, "end", facilitator_id=owner.id)
        workshop.ended_at = utcnow() - timedelta(days=ended_days_ago)
        db.session.commit()
        return consultation.id


def _counts(app: Flask, consultation_id: int) -> dict[str, int]:
    with app.app_context():
        return rt.table_counts(db.session, db.session.get(Consultation, consultation_id))


def test_purge_keeps_the_record_and_deletes_exactly_the_raw_data(app: Flask, runner: Any) -> None:
    due = _consultation(app, retention_days=30, ended_days_ago=40)
    kept = _consultation(app, retention_days=365, ended_days_ago=40, title="Not yet")
    before = _counts(app, due)
    assert before == {
        "register_source": 1,
        "me_too": 1,
        "comment": 5,
        "response": 5,
        "participant": 3,
        "safeguarding_alert": 1,
        "moderation_event": 1,
        "control_event": 3,
        "withdrawal_count": 1,
        "register_item": 1,
        "record_snapshot": 0,
    }
    kept_before = _counts(app, kept)
    packs = app.extensions["cg_library"].packs
    with app.app_context():
        record_before = rs.build(db.session, db.session.get(Consultation, due), packs).as_dict()
    # 3 family members is under k=5: the record gives no count and no role breakdown.
    assert record_before["participation"]["joined"] == {"count": None, "display": "fewer than 5"}
    assert record_before["participation"]["by_role"] == {
        "total": {"count": None, "display": "fewer than 5"},
        "suppressed": True,
        "groups": [],
    }

    # A dry run says what would go, and changes nothing.
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"Consultation {due}" in result.output and "Would delete" in result.output
    assert "3 participant" in result.output and "5 comment" in result.output
    assert f"Consultation {kept}" not in result.output
    assert _counts(app, due) == before

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert f"Consultation {due}" in result.output and "1 consultation(s) purged" in result.output
    assert "Stored the record for each before deleting." in result.output
    assert _counts(app, due) == {
        # gone: every row that came from a participant
        "register_source": 0,
        "me_too": 0,
        "comment": 0,
        "response": 0,
        "participant": 0,
        # kept: counts, logs with no content, the team's own register, and the record
        "safeguarding_alert": 1,
        "moderation_event": 1,
        "control_event": 3,
        "withdrawal_count": 1,
        "register_item": 1,
        "record_snapshot": 1,
    }
    assert _counts(app, kept) == kept_before  # not yet due: untouched

    with app.app_context():
        consultation = db.session.get(Consultation, due)
        assert consultation.purged_at is not None
        assert all(w.redaction_names == [] for w in consultation.workshops)  # the names typed in go too
        assert all(w.steps for w in consultation.workshops)  # what people were shown stays
        alert = db.session.scalar(
            select(SafeguardingAlert).where(SafeguardingAlert.workshop_id.in_([w.id for w in consultation.workshops]))
        )
        assert alert.comment_id is None and alert.categories
        snapshot = db.session.scalar(select(RecordSnapshot).where(RecordSnapshot.consultation_id == due))
        assert snapshot.reason == "purge"
        stored = json.dumps(snapshot.record)
        assert SECRET_TEXT not in stored and "Kestrel" not in stored and "purple umbrella" not in stored
        assert db.session.scalar(select(ControlEvent.id).limit(1)) is not None
        assert db.session.get(Consultation, kept).purged_at is None
        # The record stored is exactly the one the exports showed just before the purge, and
        # from now on the record page and exports read it.
        assert snapshot.record == record_before
        assert rs.current_record(db.session, consultation, packs) == record_before

    # Once purged, there is nothing more to do.
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "Nothing to purge" in result.output


def test_purge_with_nothing_due(app: Flask, runner: Any) -> None:
    _consultation(app, retention_days=365, ended_days_ago=10)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "Nothing to purge" in result.output


def test_retention_clock(app: Flask) -> None:
    """The clock starts at the last workshop's end, or its start while running, or creation."""
    now = utcnow()
    with app.app_context():
        owner = create_facilitator(db.session, "alex", "correct horse battery")
        consultation = cs.create_consultation(db.session, owner, title="Clock", retention_days=30)
        consultation.created_at = now - timedelta(days=100)
        db.session.flush()
        assert rt.retention_reference(consultation) == consultation.created_at  # no workshops

        first = Workshop(
            consultation_id=consultation.id,
            title="a",
            pack_id="p",
            pack_version=1,
            join_code="AAAAAA",
            projector_token="t1",
            status="ended",
            created_at=now - timedelta(days=90),
            started_at=now - timedelta(days=90),
            ended_at=now - timedelta(days=80),
        )
        db.session.add(first)
        db.session.flush()
        db.session.refresh(consultation)
        assert rt.retention_reference(consultation) == first.ended_at
        assert rt.purge_due_at(consultation) == first.ended_at + timedelta(days=30)
        assert [c.id for c in rt.due_for_purge(db.session, now)] == [consultation.id]

        second = Workshop(
            consultation_id=consultation.id,
            title="b",
            pack_id="p",
            pack_version=1,
            join_code="CCCCCC",
            projector_token="t2",
            status="live",
            created_at=now - timedelta(days=20),
            started_at=now - timedelta(days=2),
        )
        db.session.add(second)
        db.session.flush()
        db.session.refresh(consultation)
        # A workshop running now holds the purge back.
        assert rt.retention_reference(consultation) == second.started_at
        assert rt.due_for_purge(db.session, now) == []
        db.session.rollback()
