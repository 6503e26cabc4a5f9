"""The live aggregate of a workshop for its console and projector.

The projector never sees results before they are revealed, and never a breakdown by role;
the console sees role groups only through small-group suppression.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ..domain.suppression import suppress
from ..models import Comment, Consultation, SafeguardingAlert, Workshop, WorkshopStep
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
    results = None
    if step is not None and step.kind == "prompt":
        counted = step_tally(db, step)
        base["answered"] = counted.answered
        results = counted.as_dict()
    else:
        base["answered"] = None
    projector = dict(base, results=results if workshop.revealed else None)
    console = dict(base, results=results, roles=suppressed_roles(roles, k), queue=queue_counts(db, workshop.id))
    return LiveView(projector, console)
