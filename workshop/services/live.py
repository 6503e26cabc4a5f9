"""The live aggregate of a workshop for its console and projector, and what phones may see.

The projector never sees results before they are revealed, never a breakdown by role, and
nothing of a question's answers while fewer than k people have answered it: everything
public goes through :func:`public_tally` (``domain.release.released_tally``), the only way a
public screen gets a tally. The console is the facilitator's own screen: it keeps the exact
live numbers (so they can see when to move on) and sees who joined, by role, only through
small-group suppression.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update

from ..domain.release import Released, moves, released_live, released_tally
from ..domain.suppression import suppress
from ..domain.tally import Tally, tally
from ..models import Comment, Consultation, Participant, Response, SafeguardingAlert, Workshop, WorkshopStep
from . import DbSession
from .participation import joined_by_role, step_tally


@dataclass(frozen=True)
class LiveView:
    projector: dict[str, Any]
    console: dict[str, Any]


def suppressed_roles(counts: dict[str, int], k: int) -> dict[str, Any]:
    """Role counts as any screen may show them (small groups merged, totals under k hidden)."""
    shown = suppress(counts, k)
    return {
        "total": shown.total_display,
        "groups": [{"label": c.label, "count": c.display, "merged": list(c.merged)} for c in shown.cells],
    }


def public_tally(db: DbSession, step: WorkshopStep, k: int) -> Released:
    """A step's tally as the projector and phones may show it: nothing while fewer than ``k`` answered."""
    return released_tally(step_tally(db, step), k)


def released_roles(db: DbSession, workshop: Workshop, k: int, now: dict[str, int] | None = None) -> dict[str, Any]:
    """Who joined, by role, as the console shows it: it moves only once ``k`` people joined or left.

    Watching the table change as one person joins would tell the facilitator that person's
    role, and so which small group they are in. So the table shown is kept (on the workshop)
    and replaced only once at least ``k`` people differ from it: joined since (ids only grow),
    left since (withdrawn or voided), or moved between roles. The number who joined stays live.
    """
    now = joined_by_role(db, workshop) if now is None else now
    total = sum(now.values())
    shown = workshop.roles_released if isinstance(workshop.roles_released, dict) else None
    differing = 0
    if shown is not None:
        last_id, last_total = int(shown.get("max_id", 0)), int(shown.get("total", 0))
        mine = select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop.id)
        joined_since = db.scalar(mine.where(Participant.id > last_id)) or 0
        still_here = db.scalar(mine.where(Participant.id <= last_id)) or 0
        before = {str(role): int(n) for role, n in dict(shown.get("roles") or {}).items()}
        moved = sum(abs(now.get(role, 0) - before.get(role, 0)) for role in set(now) | set(before))
        # Both are at most the number of people who differ, so the table never moves too early.
        differing = max(joined_since + max(0, last_total - still_here), (moved + 1) // 2)
    if moves(None if shown is None else int(shown.get("total", 0)), differing, k):
        if shown is None or differing:
            last = db.scalar(select(func.max(Participant.id)).where(Participant.workshop_id == workshop.id)) or 0
            workshop.roles_released = {"max_id": int(last), "total": total, "roles": now}
            db.flush()
        return dict(suppressed_roles(now, k), of=None)
    assert shown is not None  # moves() is true when nothing was shown
    kept = {str(role): int(n) for role, n in dict(shown.get("roles") or {}).items()}
    return dict(suppressed_roles(kept, k), of=int(shown.get("total", 0)))


def _shown_tally(step: WorkshopStep) -> Tally | None:
    """The results last shown on the big screen for a step, if any."""
    stored = step.released
    if not isinstance(stored, dict) or not isinstance(stored.get("counts"), list):
        return None
    counts: dict[str | None, int] = {(key or None): int(n) for key, n in stored["counts"]}
    return tally(step.prompt_type or "", step.content, counts)


def _differing(db: DbSession, step: WorkshopStep, shown: Tally) -> int:
    """How many people's answers differ from the results shown: new, changed, or taken back."""
    key = func.coalesce(Response.key, "")
    changed = db.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.step_id == step.id, or_(Response.released_key.is_(None), Response.released_key != key))
    )
    still_there = db.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.step_id == step.id, Response.released_key.is_not(None))
    )
    return int(changed or 0) + max(0, shown.answered - int(still_there or 0))


def revealed_tally(db: DbSession, step: WorkshopStep, k: int, counted: Tally | None = None) -> Released:
    """A revealed step's results for the big screen: they move only once ``k`` answers differ.

    When the results shown change, the new ones are stored (on the step, and each answer's
    key as shown) in the caller's transaction; the caller commits.
    """
    current = counted if counted is not None else step_tally(db, step)
    shown = _shown_tally(step)
    differing = _differing(db, step, shown) if shown is not None else 0
    released, store = released_live(current, k, shown, differing)
    if store:
        # Mark the answers first, then count what was marked: the stored and the shown results
        # are then exactly the same answers, even if another answer arrives meanwhile.
        db.execute(
            update(Response).where(Response.step_id == step.id).values(released_key=func.coalesce(Response.key, ""))
        )
        rows = db.execute(
            select(Response.released_key, func.count())
            .where(Response.step_id == step.id, Response.released_key.is_not(None))
            .group_by(Response.released_key)
        )
        counts = [[key, int(n)] for key, n in rows]
        step.released = {"counts": counts}
        db.flush()
        marked = tally(step.prompt_type or "", step.content, {(key or None): n for key, n in counts})
        released = released_tally(marked, k)
    return released


def comment_support(db: DbSession, comment_id: object, count: int, k: int) -> int | None:
    """A comment's "me too" count as a phone may see it: only once its question has ``k`` answers."""
    if not isinstance(comment_id, int):
        return None
    step = db.scalar(
        select(WorkshopStep).join(Comment, Comment.step_id == WorkshopStep.id).where(Comment.id == comment_id)
    )
    if step is None:
        return None
    return public_tally(db, step, k).count(count)


def queue_counts(db: DbSession, workshop_id: int) -> dict[str, int]:
    pending = (
        db.scalar(
            select(func.count())
            .select_from(Comment)
            .where(Comment.workshop_id == workshop_id, Comment.status == "pending")
        )
        or 0
    )
    alerts = (
        db.scalar(
            select(func.count())
            .select_from(SafeguardingAlert)
            .where(SafeguardingAlert.workshop_id == workshop_id, SafeguardingAlert.acknowledged_at.is_(None))
        )
        or 0
    )
    return {"pending": pending, "alerts": alerts}


def aggregate(db: DbSession, workshop_id: int) -> LiveView | None:
    """Compute what the console and projector show now (bounded: grouped queries only)."""
    row = db.execute(
        select(Workshop, WorkshopStep, Consultation.k_threshold)
        .join(Consultation, Consultation.id == Workshop.consultation_id)
        .outerjoin(
            WorkshopStep, (WorkshopStep.workshop_id == Workshop.id) & (WorkshopStep.position == Workshop.current_step)
        )
        .where(Workshop.id == workshop_id)
    ).first()
    if row is None:
        return None
    workshop, step, k = row
    roles = joined_by_role(db, workshop)
    joined = sum(roles.values())
    base: dict[str, Any] = {
        "workshop": workshop.id,
        "step": workshop.current_step,
        "v": workshop.state_version,
        "joined": joined,
    }
    if step is not None and step.kind == "prompt":
        counted = step_tally(db, step)
        if workshop.revealed:
            public = revealed_tally(db, step, k, counted).as_dict()
        else:
            public = released_tally(counted, k).as_dict()
            public["results"] = None
        projector = dict(base, **public)
        console = dict(base, answered=counted.answered, results=counted.as_dict())
    else:
        projector = dict(base, answered=None, answered_display=None, hidden=True, k=k, notice=None, results=None)
        console = dict(base, answered=None, results=None)
    console.update(roles=released_roles(db, workshop, k, roles), queue=queue_counts(db, workshop.id))
    return LiveView(projector, console)
