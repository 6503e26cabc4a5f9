"""Moderation and safeguarding alerts: what happens to free text after it is stored.

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
* Retention (deleting raw text after its period) lives in ``services/retention.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..domain.redaction import KINDS, redact
from ..domain.vocabulary import HIDE_REASONS, TEXT_MAX
from ..models import (
    Comment,
    ModerationEvent,
    SafeguardingAlert,
    Workshop,
    WorkshopStep,
    utcnow,
)
from . import DbSession, NotFound, Refused

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


def queue(db: DbSession, workshop: Workshop) -> Queue:
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


def queue_item(db: DbSession, comment: Comment) -> QueueItem:
    """One comment as the queue shows it."""
    return _item(comment, db.get(WorkshopStep, comment.step_id))


def get_comment(db: DbSession, workshop: Workshop, comment_id: int) -> Comment:
    """Return a comment of this workshop, or raise NotFound (whatever else it belongs to)."""
    found = db.scalar(select(Comment).where(Comment.id == comment_id, Comment.workshop_id == workshop.id))
    if found is None:
        raise NotFound("comment")
    return found


def _log(db: DbSession, workshop: Workshop, action: str, reason: str | None = None) -> None:
    db.add(ModerationEvent(workshop_id=workshop.id, action=action, reason=reason, at=utcnow()))


def approve(db: DbSession, workshop: Workshop, comment: Comment) -> bool:
    """Let a comment be shown. Return False if it was shown already (nothing changes)."""
    if comment.safeguarding:
        raise Refused("This comment may be about someone being harmed, so it can never be shown.")
    if comment.status == "approved":
        return False
    comment.status, comment.hide_reason, comment.moderated_at = "approved", None, utcnow()
    _log(db, workshop, "approve")
    return True


def hide(db: DbSession, workshop: Workshop, comment: Comment, reason: str) -> bool:
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
    db: DbSession, workshop: Workshop, comment: Comment, new_text: str, *, approve_after: bool = False
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


def moderation_counts(db: DbSession, workshop_ids: Sequence[int]) -> dict[str, dict[str, int]]:
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


def alerts(db: DbSession, workshop: Workshop, *, include_acknowledged: bool = False) -> list[AlertView]:
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


def acknowledge(db: DbSession, workshop: Workshop, alert_id: int) -> bool:
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
