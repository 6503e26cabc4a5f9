"""Records: load a consultation's rows for the pure record builder, and the conditions register.

Loading is a fixed number of queries whatever the size of the consultation (one per table,
grouped where counts are enough), then ``domain.records.build_record`` does the rest in
memory. Only *approved* comments are ever loaded for a record.

Finalising and publishing are here too (the conditions register is ``services/register.py``),
each one function shared by the web routes and the command line. Like every service,
nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import case, func, select

from ..domain import records as dr
from ..domain.export_render import record_sha256
from ..domain.packs import Pack
from ..models import (
    Comment,
    Consultation,
    MeToo,
    ModerationEvent,
    Participant,
    RecordSnapshot,
    RegisterItem,
    RegisterSource,
    Response,
    WithdrawalCount,
    Workshop,
    WorkshopStep,
    utcnow,
)
from . import DbSession, NotFound, Refused
from .register import register_items
from .room import voids as room_voids

# --------------------------------------------------------------------------- loading


def load_input(db: DbSession, consultation: Consultation, packs: Mapping[str, Pack] | None = None) -> dr.RecordInput:
    """Read everything the record needs, with one query per table."""
    workshops = list(
        db.scalars(select(Workshop).where(Workshop.consultation_id == consultation.id).order_by(Workshop.id))
    )
    ids = [w.id for w in workshops]
    withdrew: dict[int, int] = {
        wid: n
        for wid, n in db.execute(
            select(WithdrawalCount.workshop_id, WithdrawalCount.count).where(WithdrawalCount.workshop_id.in_(ids))
        )
    }
    steps = (
        list(
            db.execute(
                select(
                    WorkshopStep.id,
                    WorkshopStep.workshop_id,
                    WorkshopStep.position,
                    WorkshopStep.step_key,
                    WorkshopStep.kind,
                    WorkshopStep.prompt_type,
                    WorkshopStep.use_case_id,
                    WorkshopStep.content,
                ).where(WorkshopStep.workshop_id.in_(ids))
            )
        )
        if ids
        else []
    )
    participants = (
        list(
            db.execute(
                select(
                    Participant.id,
                    Participant.workshop_id,
                    Participant.role,
                    Participant.consented_at.is_not(None),
                    Participant.assisted,
                    Participant.language,
                ).where(Participant.workshop_id.in_(ids))
            )
        )
        if ids
        else []
    )
    # The whole answer is only needed for objections (their chosen reason); the key does the rest.
    answers = (
        list(
            db.execute(
                select(
                    Response.participant_id,
                    Response.step_id,
                    Response.key,
                    case((Response.key == "object", Response.value), else_=None),
                ).where(Response.workshop_id.in_(ids))
            )
        )
        if ids
        else []
    )
    me_too = select(MeToo.comment_id, func.count().label("n")).group_by(MeToo.comment_id).subquery()
    comments = (
        list(
            db.execute(
                select(
                    Comment.id,
                    Comment.step_id,
                    Comment.kind,
                    Comment.text,
                    Comment.values,
                    func.coalesce(me_too.c.n, 0),
                )
                .outerjoin(me_too, me_too.c.comment_id == Comment.id)
                .where(Comment.workshop_id.in_(ids), Comment.status == "approved", Comment.safeguarding.is_(False))
            )
        )
        if ids
        else []
    )
    items = list(
        db.scalars(
            select(RegisterItem).where(RegisterItem.consultation_id == consultation.id).order_by(RegisterItem.id)
        )
    )
    sources: dict[int, list[int]] = {}
    if items:
        for item_id, comment_id in db.execute(
            select(RegisterSource.item_id, RegisterSource.comment_id).where(
                RegisterSource.item_id.in_([i.id for i in items])
            )
        ):
            sources.setdefault(item_id, []).append(comment_id)
    moderation = (
        list(
            db.execute(
                select(ModerationEvent.action, ModerationEvent.reason, func.count())
                .where(ModerationEvent.workshop_id.in_(ids))
                .group_by(ModerationEvent.action, ModerationEvent.reason)
            )
        )
        if ids
        else []
    )

    voided = room_voids(db, ids)

    def ground(value: Any) -> str | None:
        return value.get("ground") if isinstance(value, dict) else None

    return dr.RecordInput(
        consultation=dr.ConsultationIn(
            consultation.id,
            consultation.title,
            consultation.organisation or "",
            consultation.description or "",
            consultation.k_threshold,
            consultation.retention_days,
            consultation.created_at,
            consultation.finalised_at,
            consultation.published_at,
            consultation.keep_comments_after_retention,
        ),
        use_cases=[dr.UseCaseIn(u.id, u.title, u.position, u.version, u.library_id) for u in consultation.use_cases],
        workshops=[
            dr.WorkshopIn(
                w.id,
                w.title,
                w.pack_id,
                w.pack_version,
                w.status,
                w.moderation,
                w.started_at,
                w.ended_at,
                withdrew.get(w.id, 0),
                protection=w.protection,
                expected=w.expected_attendance,
                join_cap=w.join_cap,
                voided=tuple((v.count, v.reason) for v in voided.get(w.id, [])),
            )
            for w in workshops
        ],
        steps=[dr.StepIn(*row) for row in steps],
        participants=[
            dr.ParticipantIn(pid, wid, role, bool(consented), bool(assisted), language or "en")
            for pid, wid, role, consented, assisted, language in participants
        ],
        answers=[dr.AnswerIn(pid, sid, key, ground(value)) for pid, sid, key, value in answers],
        comments=[
            dr.CommentIn(cid, sid, kind, text, tuple(values or ()), int(n))
            for cid, sid, kind, text, values, n in comments
        ],
        register=[
            dr.RegisterIn(
                i.id,
                i.use_case_id,
                i.kind,
                i.text,
                i.classification,
                i.owner or "",
                i.response or "",
                i.status,
                i.decline_reason or "",
                tuple(sorted(sources.get(i.id, ()))),
            )
            for i in items
        ],
        moderation=[dr.ModerationIn(action, reason, n) for action, reason, n in moderation],
        packs={p.id: dr.PackIn(p.id, p.title, p.participation_level) for p in (packs or {}).values()},
    )


def build(db: DbSession, consultation: Consultation, packs: Mapping[str, Pack] | None = None) -> dr.ConsultationRecord:
    """Return the consultation's record as it stands now."""
    return dr.build_record(load_input(db, consultation, packs))


def current_record(
    db: DbSession, consultation: Consultation, packs: Mapping[str, Pack] | None = None
) -> dict[str, Any]:
    """Return the record to show and export now, as a plain dict.

    Normally built fresh. Once raw answers have been purged, it is the record stored at the
    purge, with the register's current wording and responses laid over it (the register is
    the team's own words and outlives the purge; its links to comments do not). It holds no
    free text unless the team chose to keep comments, and then only those kept at the purge.
    """
    snapshot = latest_snapshot(db, consultation, "purge") if consultation.purged_at is not None else None
    # A snapshot stored by an earlier version is upgraded, and its free text goes unless the
    # record says the team chose to keep comments (those kept were screened at the purge).
    stored = dr.without_free_text(snapshot.record, _kept_at_purge) if snapshot is not None else None
    if stored is None or stored.get("record_version") != dr.RECORD_VERSION:
        return build(db, consultation, packs).as_dict()
    record: dict[str, Any] = json.loads(json.dumps(stored))
    live = {i.id: i for i in register_items(db, consultation)}
    kept = []
    for entry in record.get("register", []):
        item = live.get(entry["id"])
        if item is None:
            continue
        entry.update(
            text=item.text,
            kind=item.kind,
            classification=item.classification,
            owner=item.owner or "",
            response=item.response or "",
            status=item.status,
            decline_reason=item.decline_reason or "",
        )
        kept.append(entry)
    record["register"] = kept
    record["consultation"].update(
        finalised_at=dr.iso(consultation.finalised_at), published_at=dr.iso(consultation.published_at)
    )
    return record


def _kept_at_purge(entry: Mapping[str, Any]) -> bool:
    """Keep a comment of a purge snapshot: it passed the fresh screen when it was stored."""
    return True


# --------------------------------------------------------------------------- snapshots, finalising, publishing


def latest_snapshot(db: DbSession, consultation: Consultation, reason: str) -> RecordSnapshot | None:
    return db.scalar(
        select(RecordSnapshot)
        .where(RecordSnapshot.consultation_id == consultation.id, RecordSnapshot.reason == reason)
        .order_by(RecordSnapshot.id.desc())
        .limit(1)
    )


def finalised_sha256(db: DbSession, consultation: Consultation) -> str | None:
    """Return the SHA-256 of the finalised record, if the record has been finalised."""
    snapshot = latest_snapshot(db, consultation, "finalised")
    if snapshot is None:
        return None
    # Stored at finalising, so it still names the record as finalised after its free text goes.
    return snapshot.sha256 or record_sha256(snapshot.record)


def finalise(db: DbSession, consultation: Consultation, packs: Mapping[str, Pack] | None = None) -> RecordSnapshot:
    """Close the record: no more withdrawals, and keep the record as it is now."""
    if consultation.finalised_at is not None:
        raise Refused("This record is already finalised.")
    if db.scalar(
        select(func.count())
        .select_from(Workshop)
        .where(Workshop.consultation_id == consultation.id, Workshop.status == "live")
    ):
        raise Refused("A workshop is still running. End it before you finalise the record.")
    consultation.finalised_at = utcnow()
    db.flush()
    record = current_record(db, consultation, packs)
    snapshot = RecordSnapshot(
        consultation_id=consultation.id, reason="finalised", record=record, sha256=record_sha256(record)
    )
    db.add(snapshot)
    db.flush()
    return snapshot


def public_register(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The register items as the public sees them: what was asked, and what the team will do."""
    return [
        {
            "id": r["id"],
            "kind": r["kind"],
            "use_case": r["use_case_title"],
            "text": r["text"],
            "classification": r["classification"],
            "owner": r["owner"],
            "response": r["response"],
            "status": r["status"],
            "decline_reason": r["decline_reason"],
            "support": len(r["sources"]) + r["me_too"],
        }
        for r in record["register"]
    ]


def publish(db: DbSession, consultation: Consultation, summary: str, packs: Mapping[str, Pack] | None = None) -> None:
    """Publish the summary and the register's responses as they are now ("you said, we did")."""
    summary = summary.strip()
    if not summary:
        raise Refused("Write a summary before you publish.")
    if len(summary) > 20000:
        raise Refused("The summary is too long. Please keep it under 20,000 characters.")
    now = utcnow()
    consultation.published_summary = summary
    consultation.published_at = now
    record = current_record(db, consultation, packs)
    db.add(
        RecordSnapshot(
            consultation_id=consultation.id,
            reason="published",
            created_at=now,
            record={
                "published_at": dr.iso(now),
                "summary": summary,
                "register": public_register(record),
            },
        )
    )
    db.flush()


def published_outcome(db: DbSession, consultation: Consultation) -> dict[str, Any] | None:
    """Return what was last published, or None if nothing has been."""
    if consultation.published_at is None:
        return None
    snapshot = latest_snapshot(db, consultation, "published")
    if snapshot is None:
        return {
            "published_at": dr.iso(consultation.published_at),
            "summary": consultation.published_summary,
            "register": [],
        }
    return dict(snapshot.record)


def find_public(db: DbSession, token: str) -> Consultation:
    """Return the consultation with this public link, if its outcome is public and published."""
    found = db.scalar(select(Consultation).where(Consultation.public_token == token)) if token else None
    if found is None or not found.public_outcome or found.published_at is None:
        raise NotFound("outcome")
    return found
