"""Retention: ``flask --app workshop purge`` keeps the record and deletes raw data, exactly."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from workshop.domain.records import free_texts, without_free_text
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
from workshop.services import register as rg
from workshop.services import retention as rt
from workshop.services import workshops as ws
from workshop.services.accounts import create_facilitator

SECRET_TEXT = "Ask the Riverside team about Kestrel Lane"
CONDITION = "only if families are told"
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


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
                {"position": "conditions", "conditions": [CONDITION]},
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
    # What the live screens last showed (services.live keeps it while the workshop runs).
    with app.app_context():
        for workshop in db.session.get(Consultation, due).workshops:  # type: ignore[union-attr]
            workshop.roles_released = {"max_id": 0, "total": 3, "roles": {"Family member": 3}}
            for step in workshop.steps:
                step.released = {"counts": [["consent", 3]]}
        db.session.commit()
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
        # and so does what the live screens last showed
        assert all(w.roles_released is None for w in consultation.workshops)
        assert all(step.released is None for w in consultation.workshops for step in w.steps)
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
        # The record stored is the one the exports showed just before the purge, less its free
        # text (the team did not choose to keep comments), and from now on the record page and
        # exports read it.
        assert CONDITION in free_texts(record_before)
        assert snapshot.record == without_free_text(record_before)
        assert free_texts(snapshot.record) == [] and CONDITION not in stored
        assert rs.current_record(db.session, consultation, packs) == snapshot.record

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


# --------------------------------------------------------------------------- free text after the retention period


def _finalise(app: Flask, consultation_id: int) -> str:
    """Finalise the record; return its SHA-256."""
    with app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        rs.finalise(db.session, consultation, app.extensions["cg_library"].packs)
        db.session.commit()
        sha = rs.finalised_sha256(db.session, consultation)
        assert sha is not None
        return sha


def _exports(client: FlaskClient, consultation_id: int, tmp_path: Path | None = None) -> dict[str, str]:
    """Every form a facilitator can take the record away in, as text (the PDF only with ``tmp_path``)."""
    out = {}
    paths = {
        "record page": "/record",
        "report page": "/record/report",
        "json": "/record/download/json",
        "csv": "/record/download/csv",
    }
    if tmp_path is not None:
        paths["pdf"] = "/record/download/pdf"
    for name, path in paths.items():
        response = client.get(f"/f/c/{consultation_id}{path}")
        assert response.status_code == 200, (name, response.status_code)
        data = response.get_data()
        if data.startswith(b"PK"):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                data = b"\n".join(z.read(n) for n in z.namelist())
        if data.startswith(b"%PDF-") and tmp_path is not None:
            pdf = tmp_path / "record.pdf"
            pdf.write_bytes(data)
            text = subprocess.run(  # noqa: S603 - fixed arguments, our own file
                [PDFTOTEXT, str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
            ).stdout
            data = " ".join(text.split()).encode()
        out[name] = data.decode("utf-8-sig")
    return out


def _copy_into_register_and_publish(app: Flask, consultation_id: int) -> tuple[int, str]:
    """Make a register item whose wording is a participant's condition, word for word, and
    publish the outcome publicly. Return the item's id and the public page's address."""
    with app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        condition = db.session.scalar(
            select(Comment).where(Comment.kind == "condition", Comment.status == "approved").order_by(Comment.id)
        )
        item = rg.create_item(db.session, consultation, [condition.id])
        assert item.text == CONDITION
        consultation.public_outcome = True
        rs.publish(db.session, consultation, "We listened.")
        db.session.commit()
        return item.id, f"/o/{consultation.public_token}"


def test_after_the_purge_no_stored_record_or_export_holds_free_text(
    app: Flask, runner: Any, client: FlaskClient, auth: Any, tmp_path: Path
) -> None:
    cid = _consultation(app, retention_days=30, ended_days_ago=40)
    copied, public = _copy_into_register_and_publish(app, cid)
    sha = _finalise(app, cid)
    assert auth.login().status_code == 302
    before = _exports(client, cid, tmp_path)
    assert all(CONDITION in before[name] for name in ("report page", "json", "csv", "pdf"))  # the comments are there
    assert CONDITION in client.get(public).get_data(as_text=True)

    assert runner.invoke(args=["purge"]).exit_code == 0
    with app.app_context():
        consultation = db.session.get(Consultation, cid)
        snapshots = list(db.session.scalars(select(RecordSnapshot).where(RecordSnapshot.consultation_id == cid)))
        assert sorted(s.reason for s in snapshots) == ["finalised", "published", "purge"]
        for snapshot in snapshots:
            assert CONDITION not in json.dumps(snapshot.record) and "[name] Lane" not in json.dumps(snapshot.record)
            if snapshot.reason != "published":  # that one holds the register only
                assert free_texts(snapshot.record) == [], snapshot.reason
                assert snapshot.record["methods"]["comments_kept_after_retention"] is False
        # The finalised record keeps the SHA-256 it had, so a copy downloaded before still checks.
        assert rs.finalised_sha256(db.session, consultation) == sha
    exports = _exports(client, cid, tmp_path)
    assert set(exports) == {"record page", "report page", "json", "csv", "pdf"}
    for name, text in exports.items():
        assert CONDITION not in text and "[name] Lane" not in text, name
    assert "Tell families first" in exports["report page"]  # the register is the team's own words
    for name in ("report page", "pdf"):
        assert "Comments kept after the retention period: no." in exports[name], name
    assert re.search(r'id="record-comments-kept">No \(the raw answers were deleted on', exports["record page"])
    # Register wording copied from a comment goes too, from the register and the public page.
    assert "They were removed when the raw answers were deleted." in exports["report page"]
    page = client.get(public).get_data(as_text=True)
    assert CONDITION not in page and "Tell families first" in page
    # The register page tells the team this will happen.
    assert "Write each item in your own words." in client.get(f"/f/c/{cid}/register").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RegisterItem, copied).text == rg.WORDING_EXPIRED
        stored = json.dumps([s.record for s in db.session.scalars(select(RecordSnapshot))])
        assert CONDITION not in stored


def test_a_team_that_chose_to_keep_comments_keeps_only_those_passing_a_fresh_screen(
    app: Flask, runner: Any, client: FlaskClient, auth: Any
) -> None:
    cid = _consultation(app, retention_days=30, ended_days_ago=40)
    copied, _public = _copy_into_register_and_publish(app, cid)
    leak = "Ring me on 07700 900123 about it"
    with app.app_context():
        consultation = db.session.get(Consultation, cid)
        consultation.keep_comments_after_retention = True
        # One approved condition holds a phone number, as if stored before the redactor knew the
        # pattern: the fresh screen at the purge catches it.
        first = db.session.scalar(select(Comment).where(Comment.kind == "condition").order_by(Comment.id))
        first.text = leak
        db.session.commit()
        assert leak in free_texts(rs.current_record(db.session, consultation))

    assert runner.invoke(args=["purge"]).exit_code == 0
    with app.app_context():
        consultation = db.session.get(Consultation, cid)
        record = rs.current_record(db.session, consultation, app.extensions["cg_library"].packs)
        assert record["methods"]["comments_kept_after_retention"] is True
        kept = free_texts(record)
        assert sorted(kept) == sorted([CONDITION, CONDITION, "Ask the Riverside team about [name] Lane"])
        stored = json.dumps([s.record for s in db.session.scalars(select(RecordSnapshot))])
        assert "07700" not in stored
        # Wording copied from a comment that was kept stays.
        assert db.session.get(RegisterItem, copied).text == CONDITION
    assert auth.login().status_code == 302
    exports = _exports(client, cid)
    assert "Comments kept after the retention period: yes." in exports["report page"]
    assert 'id="record-comments-kept">Yes' in exports["record page"]
    assert all("07700" not in text for text in exports.values())


def test_a_record_stored_by_an_older_version_loses_its_free_text(app: Flask, runner: Any) -> None:
    cid = _consultation(app, retention_days=30, ended_days_ago=40)
    assert runner.invoke(args=["purge"]).exit_code == 0
    with app.app_context():
        consultation = db.session.get(Consultation, cid)
        # As version 1.0 stored it: the whole record, comments and all.
        old = rs.build(db.session, consultation).as_dict()
        snapshot = db.session.scalar(select(RecordSnapshot).where(RecordSnapshot.consultation_id == cid))
        old["record_version"] = "1.0"
        del old["methods"]["comments_kept_after_retention"]
        old["use_cases"][0]["consent"]["conditions"] = [
            {
                "id": 1,
                "kind": "condition",
                "step_key": "s",
                "question": "q",
                "text": CONDITION,
                "values": [],
                "me_too": 0,
                "register_items": [],
            }
        ]
        snapshot.record = old
        db.session.commit()
        # Read now: upgraded, and no free text shown.
        record = rs.current_record(db.session, consultation)
        assert record["methods"]["comments_kept_after_retention"] is False and free_texts(record) == []
    # The next purge finds the old snapshot and removes the text from the database too, without
    # storing a new (empty) record in its place.
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and f"Consultation {cid}" in result.output
    with app.app_context():
        snapshots = list(db.session.scalars(select(RecordSnapshot).where(RecordSnapshot.consultation_id == cid)))
        assert [s.reason for s in snapshots] == ["purge"]
        assert CONDITION not in json.dumps(snapshots[0].record)
    assert "Nothing to purge" in runner.invoke(args=["purge"]).output


def test_the_choice_to_keep_comments_is_fixed_once_the_record_is_finalised(
    app: Flask, client: FlaskClient, auth: Any
) -> None:
    cid = _consultation(app, retention_days=30, ended_days_ago=40)
    assert auth.login().status_code == 302
    form = {"title": "Riverside", "k_threshold": "5", "retention_days": "30"}
    page = client.get(f"/f/c/{cid}/edit").get_data(as_text=True)
    assert "Keep approved comments after the raw answers are deleted" in page
    assert client.post(f"/f/c/{cid}/edit", data={**form, "keep_comments_after_retention": "y"}).status_code == 302
    _finalise(app, cid)
    response = client.post(f"/f/c/{cid}/edit", data={**form, "title": "Changed"})
    assert response.status_code == 400
    assert "you can no longer change whether comments are kept" in response.get_data(as_text=True)
    with app.app_context():
        consultation = db.session.get(Consultation, cid)
        assert consultation.keep_comments_after_retention is True and consultation.title == "Riverside"
