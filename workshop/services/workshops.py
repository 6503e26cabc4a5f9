"""Workshops: creation from a pack and chosen use cases, and the facilitator's live controls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..domain.codes import new_join_code, new_token
from ..domain.packs import CARD_FIELDS, Pack, plan_steps
from ..domain.presence import PROTECTIONS, new_secret
from ..domain.vocabulary import DEFAULT_ROLES, FAMILY_ROLES
from ..models import Consultation, ControlEvent, UseCase, Workshop, WorkshopStep, utcnow
from . import DbSession, NotFound, Refused

MAX_TIMER_SECONDS = 60 * 60


def card_snapshot(use_case: UseCase) -> dict[str, Any]:
    """Freeze a use case's wording as shown, with its version, for the record."""
    data: dict[str, Any] = {name: getattr(use_case, name) for name in CARD_FIELDS}
    data.update(id=use_case.id, version=use_case.version, library_id=use_case.library_id)
    return data


def _unused_join_code(db: DbSession) -> str:
    for _ in range(50):
        code = new_join_code()
        taken = db.scalar(select(Workshop.id).where(Workshop.join_code == code, Workshop.status != "ended"))
        if taken is None:
            return code
    raise RuntimeError("could not find a free join code")  # 25^6 codes: effectively unreachable


def create_workshop(
    db: DbSession,
    consultation: Consultation,
    pack: Pack,
    use_cases: Sequence[UseCase],
    *,
    title: str,
    roles: Sequence[str] | None = None,
    moderation: str | None = None,
    protection: str = "open",
) -> Workshop:
    """Create a workshop, freezing every step's wording and every card as they will be shown."""
    if not use_cases:
        raise Refused("Choose at least one use case for the workshop.")
    if any(u.consultation_id != consultation.id for u in use_cases):
        raise NotFound("use case")
    roles = [r.strip() for r in (roles if roles is not None else DEFAULT_ROLES) if r.strip()]
    if moderation is None:
        moderation = "pre" if FAMILY_ROLES & set(roles) else "post"
    if moderation not in ("pre", "post"):
        raise Refused("Moderation must be before (pre) or after (post) showing.")
    if protection not in PROTECTIONS:
        raise Refused("Choose how people prove they may join.")
    workshop = Workshop(
        consultation_id=consultation.id,
        title=title.strip(),
        pack_id=pack.id,
        pack_version=pack.version,
        join_code=_unused_join_code(db),
        projector_token=new_token(),
        roles=roles,
        moderation=moderation,
        redaction_names=[],
        safeguarding_phrases=[],
        protection=protection,
        presence_secret=new_secret(),
    )
    db.add(workshop)
    db.flush()
    for position, planned in enumerate(plan_steps(pack, len(use_cases))):
        content = planned.step.content()
        translated = pack.translations_for(planned.step.id)
        if translated:
            content["i18n"] = translated
        use_case = use_cases[planned.use_case] if planned.use_case is not None else None
        if use_case is not None:
            content["card"] = card_snapshot(use_case)
        db.add(
            WorkshopStep(
                workshop_id=workshop.id,
                position=position,
                step_key=planned.key,
                kind=planned.step.kind,
                prompt_type=planned.step.type,
                use_case_id=use_case.id if use_case else None,
                content=content,
            )
        )
    db.flush()
    return workshop


def list_workshops(db: DbSession, consultation: Consultation) -> list[Workshop]:
    return list(db.scalars(select(Workshop).where(Workshop.consultation_id == consultation.id).order_by(Workshop.id)))


def get_workshop(db: DbSession, consultation: Consultation, workshop_id: int) -> Workshop:
    found = db.scalar(select(Workshop).where(Workshop.id == workshop_id, Workshop.consultation_id == consultation.id))
    if found is None:
        raise NotFound("workshop")
    return found


def get_step(db: DbSession, workshop_id: int, position: int) -> WorkshopStep | None:
    if not 0 <= position < 2**31:  # not a step; and a huge number would overflow the database driver
        return None
    return db.scalar(
        select(WorkshopStep).where(WorkshopStep.workshop_id == workshop_id, WorkshopStep.position == position)
    )


def step_count(db: DbSession, workshop: Workshop) -> int:
    return len(workshop.steps)


def update_settings(
    db: DbSession,
    workshop: Workshop,
    *,
    title: str | None = None,
    roles: Sequence[str] | None = None,
    moderation: str | None = None,
    redaction_names: Sequence[str] | None = None,
    safeguarding_phrases: Sequence[str] | None = None,
) -> None:
    if title is not None:
        workshop.title = title.strip()
    if roles is not None:
        workshop.roles = [r.strip() for r in roles if r.strip()]
    if moderation is not None:
        if moderation not in ("pre", "post"):
            raise Refused("Moderation must be before (pre) or after (post) showing.")
        workshop.moderation = moderation
    if redaction_names is not None:
        workshop.redaction_names = sorted({n.strip() for n in redaction_names if n.strip()}, key=str.lower)
    if safeguarding_phrases is not None:
        workshop.safeguarding_phrases = sorted({p.strip() for p in safeguarding_phrases if p.strip()}, key=str.lower)


@dataclass(frozen=True)
class ControlResult:
    action: str
    changed: bool


CONTROL_ACTIONS = (
    "start",
    "next",
    "previous",
    "goto",
    "open_answering",
    "close_answering",
    "reveal",
    "hide_results",
    "start_timer",
    "clear_timer",
    "pause",
    "resume",
    "open_joining",
    "close_joining",
    "end",
)


def control(
    db: DbSession,
    workshop: Workshop,
    action: str,
    *,
    facilitator_id: int | None,
    argument: object = None,
    now: datetime | None = None,
) -> ControlResult:
    """Apply one facilitator control to a workshop's live state, and log it for the record."""
    now = now or utcnow()
    if action not in CONTROL_ACTIONS:
        raise Refused("That control is not known.")
    if workshop.status == "ended":
        raise Refused("This workshop has ended. Its controls are locked.")
    total = len(workshop.steps)
    before = (
        workshop.status,
        workshop.current_step,
        workshop.answering_open,
        workshop.revealed,
        workshop.paused,
        workshop.timer_ends_at,
        workshop.joining_open,
    )

    def move_to(position: int) -> None:
        if not 0 <= position < total:
            raise Refused("There is no step there.")
        if position != workshop.current_step:
            workshop.current_step = position
            workshop.revealed = False
            workshop.timer_ends_at = None
        workshop.answering_open = workshop.steps[position].kind == "prompt"
        if workshop.status == "ready":
            workshop.status, workshop.started_at = "live", now

    if action == "start":
        if workshop.status == "ready":
            workshop.status, workshop.started_at = "live", now
            move_to(workshop.current_step)
    elif action == "next":
        move_to(workshop.current_step + 1)
    elif action == "previous":
        move_to(workshop.current_step - 1)
    elif action == "goto":
        if not isinstance(argument, int) or isinstance(argument, bool):
            raise Refused("Choose a step to go to.")
        move_to(argument)
    elif action in ("open_answering", "close_answering"):
        if workshop.steps[workshop.current_step].kind != "prompt":
            raise Refused("This step does not take answers.")
        workshop.answering_open = action == "open_answering"
        if workshop.answering_open and workshop.status == "ready":
            workshop.status, workshop.started_at = "live", now
    elif action in ("reveal", "hide_results"):
        workshop.revealed = action == "reveal"
    elif action == "start_timer":
        if not isinstance(argument, int) or isinstance(argument, bool) or not 10 <= argument <= MAX_TIMER_SECONDS:
            raise Refused("A timer must be between 10 seconds and 60 minutes.")
        workshop.timer_ends_at = now + timedelta(seconds=argument)
    elif action == "clear_timer":
        workshop.timer_ends_at = None
    elif action in ("pause", "resume"):
        workshop.paused = action == "pause"
    elif action in ("open_joining", "close_joining"):
        workshop.joining_open = action == "open_joining"
    elif action == "end":
        workshop.status, workshop.ended_at = "ended", now
        workshop.answering_open = workshop.paused = False
        workshop.timer_ends_at = None

    after = (
        workshop.status,
        workshop.current_step,
        workshop.answering_open,
        workshop.revealed,
        workshop.paused,
        workshop.timer_ends_at,
        workshop.joining_open,
    )
    changed = before != after
    if changed:
        workshop.state_version += 1
    detail: dict[str, Any] = {}
    if action == "start_timer":
        detail["seconds"] = argument
    db.add(
        ControlEvent(
            workshop_id=workshop.id,
            facilitator_id=facilitator_id,
            at=now,
            action=action,
            step_position=workshop.current_step,
            detail=detail,
        )
    )
    return ControlResult(action, changed)


def control_log(db: DbSession, workshop: Workshop) -> list[ControlEvent]:
    return list(
        db.scalars(select(ControlEvent).where(ControlEvent.workshop_id == workshop.id).order_by(ControlEvent.id))
    )


def timer_remaining(workshop: Workshop, now: datetime | None = None) -> int | None:
    if workshop.timer_ends_at is None:
        return None
    now = now or datetime.now(UTC)
    return max(0, int((workshop.timer_ends_at - now).total_seconds()))
