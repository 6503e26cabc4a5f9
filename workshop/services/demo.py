"""The demo consultation that ``python run.py`` makes on an empty database."""

from __future__ import annotations

from sqlalchemy import func, select

from ..domain.codes import new_token
from ..library import Library
from ..models import Facilitator, Workshop
from . import DbSession
from .accounts import create_facilitator
from .consultations import copy_card, create_consultation
from .workshops import create_workshop

DEMO_NAME = "demo"
DEMO_CARDS = (
    "front-door-triage",
    "early-help-finder",
    "exploitation-risk-list",
    "case-note-assistant",
    "placement-matching",
    "demand-forecast",
)
# The ready workshop discusses two cards, so a demo run takes minutes, not an afternoon.
DEMO_WORKSHOP_CARDS = 2


def is_empty(db: DbSession) -> bool:
    return (db.scalar(select(func.count()).select_from(Facilitator)) or 0) == 0


def seed_demo(
    db: DbSession, library: Library, *, password: str | None = None, k: int = 5, retention_days: int = 365
) -> tuple[Facilitator, str, Workshop]:
    """Create the demo facilitator, a consultation with the six library cards, and a ready workshop."""
    password = password or new_token(12)
    facilitator = create_facilitator(db, DEMO_NAME, password)
    consultation = create_consultation(
        db,
        facilitator,
        title="Riverside Council: predictive tools in children's services",
        organisation="Riverside Council (a made-up council for this demo)",
        description="Riverside Council is thinking about using computer tools that make predictions about "
        "families. Before it decides, it wants to hear from families and from the people who work "
        "with them.",
        k_threshold=k,
        retention_days=retention_days,
    )
    use_cases = [copy_card(db, consultation, library.cards[c]) for c in DEMO_CARDS if c in library.cards]
    workshop = create_workshop(
        db, consultation, library.default_pack, use_cases[:DEMO_WORKSHOP_CARDS], title="Demo workshop"
    )
    return facilitator, password, workshop
