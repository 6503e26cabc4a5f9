"""Retention: raw answers and free text are deleted once a consultation's retention period
has passed, *after* the aggregated, suppressed record has been stored as a ``RecordSnapshot``.

The clock starts at the last time anything happened to one of its workshops (see
:func:`retention_reference`). Only raw participant data goes; logs, counts, the register and
the snapshots stay, so the record outlives the text it was built from.

Free text goes from the snapshots too, the one stored at the purge and every one stored
before it, unless the project team chose to keep comments
(``Consultation.keep_comments_after_retention``). Then only approved comments that pass a
fresh screen (redaction finds nothing new, and no safeguarding rule matches) are kept, and
the record says so. The screen fails closed: with no screener, no comment is kept. Register
wording that is a copy of a comment not kept is replaced too (``register.expire_copied_wording``),
in the register and in every published outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update

from ..domain.export_render import record_sha256
from ..domain.packs import Pack
from ..domain.records import RECORD_VERSION, without_free_text
from ..domain.records.free_text import KeepComment
from ..extensions import Base
from ..models import (
    Comment,
    Consultation,
    ControlEvent,
    MeToo,
    ModerationEvent,
    Participant,
    RecordSnapshot,
    RegisterItem,
    RegisterSource,
    Response,
    SafeguardingAlert,
    WithdrawalCount,
    WorkshopStep,
    utcnow,
)
from . import DbSession
from .participation import Screener
from .records import build
from .register import expire_copied_wording

# Tables whose rows are raw participant data, deleted by a purge, in a safe order.
RAW_TABLES: tuple[type[Base], ...] = (RegisterSource, MeToo, Comment, Response, Participant)
# Tables counted in a purge report (what is kept is listed too, so the report shows it).
REPORT_TABLES: tuple[type[Base], ...] = (
    *RAW_TABLES,
    SafeguardingAlert,
    ModerationEvent,
    ControlEvent,
    WithdrawalCount,
    RegisterItem,
    RecordSnapshot,
)


def retention_reference(consultation: Consultation) -> datetime:
    """Return when a consultation's retention clock started.

    It is the last time anything happened to one of its workshops: when it ended; for a
    workshop that has not ended, when it started; for one not yet started, when it was made.
    A consultation with no workshops counts from its own creation. So a workshop running
    today is never purged, and a workshop left running by mistake is purged in the end.
    """
    times = [consultation.created_at]
    for workshop in consultation.workshops:
        times.append(workshop.ended_at or workshop.started_at or workshop.created_at)
    return max(t for t in times if t is not None)


def purge_due_at(consultation: Consultation) -> datetime:
    return retention_reference(consultation) + timedelta(days=consultation.retention_days)


def _raw_rows(db: DbSession, workshop_ids: list[int]) -> int:
    if not workshop_ids:
        return 0
    stmt = select(func.count()).select_from(Participant).where(Participant.workshop_id.in_(workshop_ids))
    return db.scalar(stmt) or 0


def _stale_snapshots(db: DbSession, consultation: Consultation) -> list[RecordSnapshot]:
    """The finalised and purge snapshots of a purged consultation still in an older format.

    They were stored before free text was removed at the purge, so they may still hold it.
    """
    if consultation.purged_at is None:
        return []
    return [
        s
        for s in db.scalars(
            select(RecordSnapshot).where(
                RecordSnapshot.consultation_id == consultation.id, RecordSnapshot.reason.in_(("finalised", "purge"))
            )
        )
        if s.record.get("record_version") != RECORD_VERSION
    ]


def _screen(db: DbSession, consultation: Consultation, screener: Screener | None) -> KeepComment | None:
    """Return the fresh screen for comments kept after the retention period, or None to keep none."""
    if not consultation.keep_comments_after_retention or screener is None:
        return None
    ids = [w.id for w in consultation.workshops] or [-1]
    workshop_of: dict[int, int] = {
        cid: wid for cid, wid in db.execute(select(Comment.id, Comment.workshop_id).where(Comment.workshop_id.in_(ids)))
    }
    workshops = {w.id: w for w in consultation.workshops}

    def keep(entry: Mapping[str, Any]) -> bool:
        cid = entry.get("id")
        workshop = workshops.get(workshop_of.get(cid, -1)) if isinstance(cid, int) else None
        if workshop is None:
            return False
        redacted, checked = screener.screen(
            str(entry.get("text", "")), workshop.redaction_names or (), workshop.safeguarding_phrases or ()
        )
        return not redacted.changed and not checked.flagged

    return keep


def _remove_free_text(db: DbSession, consultation: Consultation, keep: KeepComment | None) -> None:
    """Remove free text from every finalised and purge snapshot stored so far."""
    for snapshot in db.scalars(
        select(RecordSnapshot).where(
            RecordSnapshot.consultation_id == consultation.id, RecordSnapshot.reason.in_(("finalised", "purge"))
        )
    ):
        if snapshot.reason == "finalised" and snapshot.sha256 is None:
            snapshot.sha256 = record_sha256(snapshot.record)
        snapshot.record = without_free_text(snapshot.record, keep)


def due_for_purge(db: DbSession, now: datetime | None = None) -> list[Consultation]:
    """Return consultations whose retention period has passed and which still hold raw data."""
    now = now or utcnow()
    due = []
    for consultation in db.scalars(select(Consultation).order_by(Consultation.id)):
        if purge_due_at(consultation) > now:
            continue
        ids = [w.id for w in consultation.workshops]
        has_text = any(w.redaction_names for w in consultation.workshops) or bool(_stale_snapshots(db, consultation))
        if consultation.purged_at is None or _raw_rows(db, ids) or has_text:
            due.append(consultation)
    return due


def table_counts(db: DbSession, consultation: Consultation) -> dict[str, int]:
    """Count a consultation's rows in each table a purge deletes or keeps."""
    ids = [w.id for w in consultation.workshops] or [-1]
    comment_ids = select(Comment.id).where(Comment.workshop_id.in_(ids))
    where: dict[type[Base], ColumnElement[bool]] = {
        RegisterSource: RegisterSource.comment_id.in_(comment_ids),
        MeToo: MeToo.comment_id.in_(comment_ids),
        Comment: Comment.workshop_id.in_(ids),
        Response: Response.workshop_id.in_(ids),
        Participant: Participant.workshop_id.in_(ids),
        SafeguardingAlert: SafeguardingAlert.workshop_id.in_(ids),
        ModerationEvent: ModerationEvent.workshop_id.in_(ids),
        ControlEvent: ControlEvent.workshop_id.in_(ids),
        WithdrawalCount: WithdrawalCount.workshop_id.in_(ids),
        RegisterItem: RegisterItem.consultation_id == consultation.id,
        RecordSnapshot: RecordSnapshot.consultation_id == consultation.id,
    }
    return {
        model.__tablename__: db.scalar(select(func.count()).select_from(model).where(where[model])) or 0
        for model in REPORT_TABLES
    }


@dataclass(frozen=True)
class PurgeReport:
    consultation_id: int
    title: str
    due_at: datetime
    before: dict[str, int]
    after: dict[str, int]
    dry_run: bool


def purge_consultation(
    db: DbSession,
    consultation: Consultation,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    packs: Mapping[str, Pack] | None = None,
    screener: Screener | None = None,
) -> PurgeReport:
    """Store the aggregated record, then delete the consultation's raw participant data.

    Deleted: participants, their answers, comments, "me too"s, and register links to
    comments; the names typed in to be redacted. Kept: the workshops and the wording shown,
    control and moderation logs (no content), withdrawal counts, safeguarding alerts
    (categories and times only), the conditions register (the team's own words; wording
    copied from a comment is replaced) and every record snapshot, with its free text removed
    (see the module docstring). With ``dry_run`` nothing changes.
    """
    now = now or utcnow()
    before = table_counts(db, consultation)
    if dry_run:
        return PurgeReport(consultation.id, consultation.title, purge_due_at(consultation), before, before, True)
    ids = [w.id for w in consultation.workshops] or [-1]
    # Free text goes from what was stored before (the finalised record), and from the record
    # stored now, unless the team chose to keep comments that pass a fresh screen.
    keep = _screen(db, consultation, screener)
    # Register wording that was a participant's own words goes with the comment it copied.
    expire_copied_wording(db, consultation, None if keep is None else lambda cid, text: keep({"id": cid, "text": text}))
    _remove_free_text(db, consultation, keep)
    # First the record, flushed, so the raw data is never deleted without it. It is the same
    # aggregated, suppressed record the exports show (services.records), built while the raw
    # rows it counts still exist. A consultation purged before, with no raw rows left, keeps
    # the record stored then (built now, it would count nobody).
    if consultation.purged_at is None or _raw_rows(db, ids):
        record = without_free_text(build(db, consultation, packs).as_dict(), keep)
        db.add(RecordSnapshot(consultation_id=consultation.id, reason="purge", record=record, created_at=now))
    db.flush()
    comment_ids = select(Comment.id).where(Comment.workshop_id.in_(ids)).scalar_subquery()
    db.execute(delete(RegisterSource).where(RegisterSource.comment_id.in_(comment_ids)))
    db.execute(delete(MeToo).where(MeToo.comment_id.in_(comment_ids)))
    db.execute(update(SafeguardingAlert).where(SafeguardingAlert.workshop_id.in_(ids)).values(comment_id=None))
    db.execute(delete(Comment).where(Comment.workshop_id.in_(ids)))
    db.execute(
        delete(MeToo).where(
            MeToo.participant_id.in_(select(Participant.id).where(Participant.workshop_id.in_(ids)).scalar_subquery())
        )
    )
    db.execute(delete(Response).where(Response.workshop_id.in_(ids)))
    db.execute(delete(Participant).where(Participant.workshop_id.in_(ids)))
    # What the live screens last showed goes too (services.live keeps it only while answering).
    db.execute(update(WorkshopStep).where(WorkshopStep.workshop_id.in_(ids)).values(released=None))
    for workshop in consultation.workshops:
        workshop.redaction_names = []
        workshop.roles_released = None
    consultation.purged_at = now
    db.flush()
    db.expire_all()
    return PurgeReport(
        consultation.id,
        consultation.title,
        purge_due_at(consultation),
        before,
        table_counts(db, consultation),
        False,
    )


def purge_due(
    db: DbSession,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    packs: Mapping[str, Pack] | None = None,
    screener: Screener | None = None,
) -> list[PurgeReport]:
    """Purge every consultation whose retention period has passed (see :func:`purge_consultation`)."""
    now = now or utcnow()
    return [
        purge_consultation(db, c, now=now, dry_run=dry_run, packs=packs, screener=screener)
        for c in due_for_purge(db, now)
    ]
