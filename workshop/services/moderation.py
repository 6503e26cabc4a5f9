"""Moderation, safeguarding alerts and retention: what happens to free text after it is stored.

Design decisions:

* Every decision (approve, hide, redact by hand, acknowledge an alert) is one function here,
  shared by the facilitator's page and anything else that moderates. Each one writes a
  ``ModerationEvent`` holding only the action and the reason, never the text, so the record
  can say "12 comments approved, 2 hidden as off topic" without keeping what was hidden.
* A comment held for safeguarding can never be approved: a possible disclosure of harm is
  never projected, whatever button is pressed.
* Redacting by hand may only take words *out*. The facilitator's edit is accepted only if
  every word in it appears, in the same order, in the text before the edit; the result is
  then run through automatic redaction again. So an edit cannot add a name, a number or any
  other detail that was not already there (and already redacted).
* Retention: raw answers and free text are deleted once a consultation's retention period
  has passed, *after* the aggregated, suppressed record has been stored as a
  ``RecordSnapshot``. The clock starts at the last time anything happened to one of its
  workshops (see :func:`retention_reference`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..domain.redaction import KINDS, redact
from ..domain.vocabulary import HIDE_REASONS, TEXT_MAX
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
    Workshop,
    WorkshopStep,
    utcnow,
)
from . import NotFound, Refused

HIDDEN_LABEL = "[hidden]"
KIND_LABELS = {"comment": "Comment", "condition": "Condition", "objection": "Reason for objecting"}
RECENT_LIMIT = 100


# ---------------------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """One comment as the facilitator sees it in the queue: text and context, no identity."""

    id: int
    kind: str
    kind_label: str
    text: str
    values: tuple[str, ...]
    status: str
    hide_reason: str | None
    step_position: int
    step_title: str
    created_at: datetime
    redacted: int


@dataclass(frozen=True)
class Queue:
    pending: list[QueueItem]
    shown: list[QueueItem]
    hidden: list[QueueItem]
    counts: dict[str, int] = field(default_factory=dict)


def _step_title(step: WorkshopStep | None) -> str:
    if step is None:
        return ""
    content = step.content or {}
    card = content.get("card") or {}
    title = content.get("question") or content.get("title") or step.step_key
    return f"{card.get('title')}: {title}" if card.get("title") else str(title)


def _item(comment: Comment, step: WorkshopStep | None) -> QueueItem:
    return QueueItem(
        id=comment.id,
        kind=comment.kind,
        kind_label=KIND_LABELS.get(comment.kind, "Comment"),
        text=comment.text,
        values=tuple(comment.values or ()),
        status=comment.status,
        hide_reason=comment.hide_reason,
        step_position=step.position if step is not None else -1,
        step_title=_step_title(step),
        created_at=comment.created_at,
        redacted=sum((comment.redactions or {}).values()),
    )


def queue(db: Session, workshop: Workshop) -> Queue:
    """Return the workshop's comments for moderation: waiting first (oldest first), then the rest.

    Comments held for safeguarding are not in the queue: they appear only as alerts.
    """
    rows = db.execute(
        select(Comment, WorkshopStep)
        .outerjoin(WorkshopStep, WorkshopStep.id == Comment.step_id)
        .where(Comment.workshop_id == workshop.id, Comment.safeguarding.is_(False))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    pending = [_item(c, s) for c, s in rows if c.status == "pending"]
    shown = [_item(c, s) for c, s in rows if c.status == "approved"][::-1][:RECENT_LIMIT]
    hidden = [_item(c, s) for c, s in rows if c.status == "hidden"][::-1][:RECENT_LIMIT]
    counts = Counter(c.status for c, _ in rows)
    return Queue(
        pending,
        shown,
        hidden,
        {"pending": counts["pending"], "approved": counts["approved"], "hidden": counts["hidden"]},
    )


def queue_item(db: Session, comment: Comment) -> QueueItem:
    """One comment as the queue shows it."""
    return _item(comment, db.get(WorkshopStep, comment.step_id))


def get_comment(db: Session, workshop: Workshop, comment_id: int) -> Comment:
    """Return a comment of this workshop, or raise NotFound (whatever else it belongs to)."""
    found = db.scalar(select(Comment).where(Comment.id == comment_id, Comment.workshop_id == workshop.id))
    if found is None:
        raise NotFound("comment")
    return found


def _log(db: Session, workshop: Workshop, action: str, reason: str | None = None) -> None:
    db.add(ModerationEvent(workshop_id=workshop.id, action=action, reason=reason, at=utcnow()))


def approve(db: Session, workshop: Workshop, comment: Comment) -> bool:
    """Let a comment be shown. Return False if it was shown already (nothing changes)."""
    if comment.safeguarding:
        raise Refused("This comment may be about someone being harmed, so it can never be shown.")
    if comment.status == "approved":
        return False
    comment.status, comment.hide_reason, comment.moderated_at = "approved", None, utcnow()
    _log(db, workshop, "approve")
    return True


def hide(db: Session, workshop: Workshop, comment: Comment, reason: str) -> bool:
    """Hide a comment for one of ``HIDE_REASONS``. Return False if nothing changed."""
    if reason not in HIDE_REASONS:
        raise Refused("Choose why you are hiding this comment.")
    if comment.status == "hidden" and comment.hide_reason == reason:
        return False
    comment.status, comment.hide_reason, comment.moderated_at = "hidden", reason, utcnow()
    _log(db, workshop, "hide", reason)
    return True


# Redaction labels, and the facilitator's own, are not words the facilitator "adds".
_LABELS = re.compile(r"\[(?:" + "|".join(re.escape(v[1:-1]) for v in (*KINDS.values(), HIDDEN_LABEL)) + r")\]")
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(_LABELS.sub(" ", text))


def only_removes_words(before: str, after: str) -> bool:
    """True if every word of ``after`` appears, in order, among the words of ``before``.

    Labels such as ``[name]`` and ``[hidden]`` are not counted as words. This is the rule
    that stops a hand edit from adding anything: words can be deleted or replaced with
    ``[hidden]``; nothing new can be typed in.
    """
    remaining = iter(_words(before))
    return all(any(word == old for old in remaining) for word in _words(after))


def redact_by_hand(
    db: Session, workshop: Workshop, comment: Comment, new_text: str, *, approve_after: bool = False
) -> bool:
    """Replace a comment's text with the facilitator's edit, which may only take words out.

    The edit is redacted again automatically. Return False if the text did not change.
    """
    if comment.safeguarding:
        raise Refused("This comment may be about someone being harmed, so it cannot be edited or shown.")
    text = " ".join((new_text or "").split())
    if not text or not _words(text):
        raise Refused("There would be nothing left. If the whole comment should go, hide it instead.")
    if len(text) > TEXT_MAX:
        raise Refused(f"The comment must stay under {TEXT_MAX} characters.")
    if not only_removes_words(comment.text, text):
        raise Refused(
            "You can only take words out, or replace them with [hidden]. You cannot add or change words. "
            "Please try again."
        )
    clean = redact(text, tuple(workshop.redaction_names))
    changed = clean.text != comment.text
    if changed:
        counts = dict(comment.redactions or {})
        for kind, n in clean.counts().items():
            counts[kind] = counts.get(kind, 0) + n
        added = clean.text.count(HIDDEN_LABEL) - comment.text.count(HIDDEN_LABEL)
        if added > 0:
            counts["hidden"] = counts.get("hidden", 0) + added
        comment.text, comment.redactions, comment.moderated_at = clean.text, counts, utcnow()
        _log(db, workshop, "redact")
    if approve_after:
        approve(db, workshop, comment)
    return changed


def moderation_counts(db: Session, workshop_ids: Sequence[int]) -> dict[str, dict[str, int]]:
    """Count moderation decisions by action and reason (for the record; no content)."""
    if not workshop_ids:
        return {}
    rows = db.execute(
        select(ModerationEvent.action, ModerationEvent.reason, func.count())
        .where(ModerationEvent.workshop_id.in_(list(workshop_ids)))
        .group_by(ModerationEvent.action, ModerationEvent.reason)
    )
    out: dict[str, dict[str, int]] = {}
    for action, reason, n in rows:
        out.setdefault(action, {})[reason or "all"] = n
    return out


# ---------------------------------------------------------------------------------------
# Safeguarding alerts
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertView:
    """A private safeguarding alert: the (redacted) text and why it was held. No identity."""

    id: int
    categories: tuple[str, ...]
    text: str | None  # None if the participant has since taken their words back
    step_title: str
    created_at: datetime
    acknowledged_at: datetime | None


def alerts(db: Session, workshop: Workshop, *, include_acknowledged: bool = False) -> list[AlertView]:
    """Return the workshop's safeguarding alerts, newest first."""
    stmt = (
        select(SafeguardingAlert, Comment, WorkshopStep)
        .outerjoin(Comment, Comment.id == SafeguardingAlert.comment_id)
        .outerjoin(WorkshopStep, WorkshopStep.id == Comment.step_id)
        .where(SafeguardingAlert.workshop_id == workshop.id)
        .order_by(SafeguardingAlert.created_at.desc(), SafeguardingAlert.id.desc())
    )
    if not include_acknowledged:
        stmt = stmt.where(SafeguardingAlert.acknowledged_at.is_(None))
    return [
        AlertView(
            a.id,
            tuple(a.categories or ()),
            c.text if c is not None else None,
            _step_title(s),
            a.created_at,
            a.acknowledged_at,
        )
        for a, c, s in db.execute(stmt).all()
    ]


def acknowledge(db: Session, workshop: Workshop, alert_id: int) -> bool:
    """Mark an alert as dealt with. Return False if it already was."""
    found = db.scalar(
        select(SafeguardingAlert).where(SafeguardingAlert.id == alert_id, SafeguardingAlert.workshop_id == workshop.id)
    )
    if found is None:
        raise NotFound("alert")
    if found.acknowledged_at is not None:
        return False
    found.acknowledged_at = utcnow()
    _log(db, workshop, "safeguarding", "acknowledged")
    return True


# ---------------------------------------------------------------------------------------
# Retention
# ---------------------------------------------------------------------------------------

# Tables whose rows are raw participant data, deleted by a purge, in a safe order.
RAW_TABLES: tuple[type[Any], ...] = (RegisterSource, MeToo, Comment, Response, Participant)
# Tables counted in a purge report (what is kept is listed too, so the report shows it).
REPORT_TABLES: tuple[type[Any], ...] = (
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


def _raw_rows(db: Session, workshop_ids: list[int]) -> int:
    if not workshop_ids:
        return 0
    stmt = select(func.count()).select_from(Participant).where(Participant.workshop_id.in_(workshop_ids))
    return db.scalar(stmt) or 0


def due_for_purge(db: Session, now: datetime | None = None) -> list[Consultation]:
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


def table_counts(db: Session, consultation: Consultation) -> dict[str, int]:
    """Count a consultation's rows in each table a purge deletes or keeps."""
    ids = [w.id for w in consultation.workshops] or [-1]
    comment_ids = select(Comment.id).where(Comment.workshop_id.in_(ids))
    where: dict[type[Any], Any] = {
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


def minimal_record(db: Session, consultation: Consultation) -> dict[str, Any]:
    """An aggregated, suppressed record: counts per step and answer, role totals under k merged.

    Used when the full record builder is not available. It holds no free text and no
    participant tokens: only the wording shown and counts.
    """
    from .live import suppressed_roles
    from .participation import joined_by_role

    workshops = []
    for workshop in consultation.workshops:
        steps = []
        for step in workshop.steps:
            if step.kind != "prompt":
                continue
            rows = db.execute(
                select(Response.key, func.count()).where(Response.step_id == step.id).group_by(Response.key)
            )
            counts = {key or "answered": n for key, n in rows}
            steps.append(
                {
                    "position": step.position,
                    "key": step.step_key,
                    "type": step.prompt_type,
                    "question": step.content.get("question", ""),
                    "answers": counts,
                    "answered": sum(counts.values()),
                }
            )
        withdrawn = db.get(WithdrawalCount, workshop.id)
        workshops.append(
            {
                "id": workshop.id,
                "title": workshop.title,
                "pack": workshop.pack_id,
                "pack_version": workshop.pack_version,
                "started_at": workshop.started_at.isoformat() if workshop.started_at else None,
                "ended_at": workshop.ended_at.isoformat() if workshop.ended_at else None,
                "joined": suppressed_roles(joined_by_role(db, workshop), consultation.k_threshold),
                "withdrawn": withdrawn.count if withdrawn else 0,
                "steps": steps,
            }
        )
    ids = [w.id for w in consultation.workshops]
    return {
        "kind": "minimal",
        "consultation": {
            "id": consultation.id,
            "title": consultation.title,
            "organisation": consultation.organisation,
            "k_threshold": consultation.k_threshold,
        },
        "workshops": workshops,
        "moderation": moderation_counts(db, ids),
    }


@dataclass(frozen=True)
class PurgeReport:
    consultation_id: int
    title: str
    due_at: datetime
    before: dict[str, int]
    after: dict[str, int]
    record_kind: str
    dry_run: bool


def purge_consultation(
    db: Session,
    consultation: Consultation,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    build_record: Callable[[Session, Consultation], dict[str, Any]] | None = None,
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
    builder = build_record or minimal_record
    record_kind = "minimal" if builder is minimal_record else "full"
    if dry_run:
        return PurgeReport(
            consultation.id, consultation.title, purge_due_at(consultation), before, before, record_kind, True
        )
    # First the record, flushed, so the raw data is never deleted without it.
    db.add(
        RecordSnapshot(
            consultation_id=consultation.id, reason="purge", record=builder(db, consultation), created_at=now
        )
    )
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
        record_kind,
        False,
    )


def purge_due(
    db: Session,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    build_record: Callable[[Session, Consultation], dict[str, Any]] | None = None,
) -> list[PurgeReport]:
    """Purge every consultation whose retention period has passed (see :func:`purge_consultation`)."""
    now = now or utcnow()
    return [
        purge_consultation(db, c, now=now, dry_run=dry_run, build_record=build_record) for c in due_for_purge(db, now)
    ]
