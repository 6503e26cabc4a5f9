"""Consultations and their use-case cards, seen only by their owner and added facilitators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, or_, select

from ..domain.codes import new_token
from ..domain.packs import CARD_FIELDS, Card
from ..models import Consultation, ConsultationMember, Facilitator, UseCase
from . import DbSession, NotFound, Refused


def _visible(facilitator_id: int):  # type: ignore[no-untyped-def]
    member = exists().where(
        ConsultationMember.consultation_id == Consultation.id, ConsultationMember.facilitator_id == facilitator_id
    )
    return or_(Consultation.owner_id == facilitator_id, member)


def list_consultations(db: DbSession, facilitator_id: int, *, archived: bool = False) -> list[Consultation]:
    """Return the consultations this facilitator may see, newest first."""
    stmt = (
        select(Consultation)
        .where(_visible(facilitator_id), Consultation.archived.is_(archived))
        .order_by(Consultation.created_at.desc(), Consultation.id.desc())
    )
    return list(db.scalars(stmt))


def get_consultation(db: DbSession, facilitator_id: int, consultation_id: int) -> Consultation:
    """Return a consultation the facilitator may see, or raise NotFound (never 'forbidden')."""
    found = db.scalar(select(Consultation).where(Consultation.id == consultation_id, _visible(facilitator_id)))
    if found is None:
        raise NotFound("consultation")
    return found


def create_consultation(
    db: DbSession,
    owner: Facilitator,
    *,
    title: str,
    description: str = "",
    organisation: str = "",
    k_threshold: int = 5,
    retention_days: int = 365,
) -> Consultation:
    consultation = Consultation(
        title=title.strip(),
        description=description.strip(),
        organisation=organisation.strip(),
        owner_id=owner.id,
        k_threshold=k_threshold,
        retention_days=retention_days,
        public_token=new_token(),
    )
    db.add(consultation)
    db.flush()
    return consultation


KEEP_COMMENTS_FIXED = (
    "The record is finished, so you can no longer change whether comments are kept after the retention period."
)


def update_consultation(db: DbSession, consultation: Consultation, **fields: object) -> None:
    """Change a consultation's details. Checks first, so a refused change changes nothing.

    Whether comments are kept after the retention period is fixed once the record is
    finalised (or purged): the finalised record states the choice.
    """
    keep = fields.get("keep_comments_after_retention")
    if (
        keep is not None
        and bool(keep) != consultation.keep_comments_after_retention
        and (consultation.finalised_at is not None or consultation.purged_at is not None)
    ):
        raise Refused(KEEP_COMMENTS_FIXED)
    for name in (
        "title",
        "description",
        "organisation",
        "k_threshold",
        "retention_days",
        "public_outcome",
        "keep_comments_after_retention",
    ):
        if name in fields:
            value = fields[name]
            setattr(consultation, name, value.strip() if isinstance(value, str) else value)


def set_archived(db: DbSession, consultation: Consultation, archived: bool) -> None:
    consultation.archived = archived


NOT_ADDED = (
    "We could not add {name}. You can add a facilitator you already run another consultation with. "
    "For anyone else, ask the person who runs this service to add them (flask facilitator share)."
)


def colleagues(db: DbSession, facilitator_id: int) -> Any:
    """Ids of the facilitators who share a consultation with this one (as owner or member)."""
    shared = select(Consultation.id).where(_visible(facilitator_id))
    owners = select(Consultation.owner_id).where(Consultation.id.in_(shared))
    members = select(ConsultationMember.facilitator_id).where(ConsultationMember.consultation_id.in_(shared))
    return owners.union(members)


def add_member(db: DbSession, consultation: Consultation, name: str, *, by: int | None) -> Facilitator:
    """Give another facilitator access to a consultation.

    From the web (``by`` is the facilitator adding), only a facilitator who already shares a
    consultation with them can be added, and the refusal is the same whether or not the name
    exists, so the form cannot be used to find out who has an account. ``by=None`` is the
    server's own command line, which may add anyone.
    """
    name = name.strip()
    query = select(Facilitator).where(Facilitator.name == name)
    if by is not None:
        query = query.where(Facilitator.id.in_(colleagues(db, by)))
    other = db.scalar(query)
    if other is None:
        raise Refused(NOT_ADDED.format(name=name[:80]) if by is not None else f"There is no facilitator called {name}.")
    if other.id == consultation.owner_id or db.get(ConsultationMember, (consultation.id, other.id)) is not None:
        raise Refused(f"{other.name} can already see this consultation.")
    db.add(ConsultationMember(consultation_id=consultation.id, facilitator_id=other.id))
    return other


def members(db: DbSession, consultation: Consultation) -> list[Facilitator]:
    stmt = select(Facilitator).join(ConsultationMember).where(ConsultationMember.consultation_id == consultation.id)
    return list(db.scalars(stmt.order_by(Facilitator.name)))


def get_use_case(db: DbSession, consultation: Consultation, use_case_id: int) -> UseCase:
    found = db.scalar(select(UseCase).where(UseCase.id == use_case_id, UseCase.consultation_id == consultation.id))
    if found is None:
        raise NotFound("use case")
    return found


def active_use_cases(consultation: Consultation) -> list[UseCase]:
    return [u for u in consultation.use_cases if not u.archived]


def save_use_case(
    db: DbSession, consultation: Consultation, fields: Mapping[str, str], use_case: UseCase | None = None
) -> UseCase:
    """Create a use case, or edit one (its version goes up, so records show what changed)."""
    clean = {name: (fields.get(name) or "").strip() for name in CARD_FIELDS}
    if use_case is None:
        position = max((u.position for u in consultation.use_cases), default=0) + 1
        use_case = UseCase(consultation_id=consultation.id, position=position, **clean)
        db.add(use_case)
    else:
        if any(getattr(use_case, k) != v for k, v in clean.items()):
            use_case.version += 1
        for name, value in clean.items():
            setattr(use_case, name, value)
    db.flush()
    return use_case


def copy_card(db: DbSession, consultation: Consultation, card: Card) -> UseCase:
    """Copy a library card into a consultation, where it can then be edited."""
    use_case = save_use_case(db, consultation, dict(card.fields))
    use_case.library_id, use_case.library_version = card.id, card.version
    return use_case
