"""Retention: raw answers and free text are deleted once a consultation's retention period
has passed, *after* the aggregated, suppressed record has been stored as a ``RecordSnapshot``.

The clock starts at the last time anything happened to one of its workshops (see
:func:`retention_reference`). Only raw participant data goes; logs, counts, the register and
the snapshots stay, so the record outlives the text it was built from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, update

from ..domain.packs import Pack
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
    utcnow,
)
from . import DbSession
from .records import build

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


def due_for_purge(db: DbSession, now: datetime | None = None) -> list[Consultation]:
    """Return consultations whose retention period has passed and which still hold raw data."""
    now = now or utcnow()
    due = []
    for consultation in db.scalars(select(Consultation).order_by(Consultation.id)):
        if purge_due_at(consultation) > now:
            continue
        ids = [w.id for w in consultation.workshops]
        has_text = any(w.redaction_names for w in consultation.workshops)
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
) -> PurgeReport:
    """Store the aggregated record, then delete the consultation's raw participant data.

    Deleted: participants, their answers, comments, "me too"s, and register links to
    comments; the names typed in to be redacted. Kept: the workshops and the wording shown,
    control and moderation logs (no content), withdrawal counts, safeguarding alerts
    (categories and times only), the conditions register (the team's own words) and every
    record snapshot. With ``dry_run`` nothing changes.
    """
    now = now or utcnow()
    before = table_counts(db, consultation)
    if dry_run:
        return PurgeReport(consultation.id, consultation.title, purge_due_at(consultation), before, before, True)
    # First the record, flushed, so the raw data is never deleted without it. It is the same
    # aggregated, suppressed record the exports show (services.records), built while the raw
    # rows it counts still exist.
    record = build(db, consultation, packs).as_dict()
    db.add(RecordSnapshot(consultation_id=consultation.id, reason="purge", record=record, created_at=now))
    db.flush()
    ids = [w.id for w in consultation.workshops] or [-1]
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
    for workshop in consultation.workshops:
        workshop.redaction_names = []
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
) -> list[PurgeReport]:
    """Purge every consultation whose retention period has passed (see :func:`purge_consultation`)."""
    now = now or utcnow()
    return [purge_consultation(db, c, now=now, dry_run=dry_run, packs=packs) for c in due_for_purge(db, now)]
