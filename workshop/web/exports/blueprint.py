"""The ``exports`` blueprint and the two look-ups every one of its views starts with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, current_app, g

from ...extensions import db
from ...models import Consultation
from ...services import consultations as cs

bp = Blueprint("exports", __name__, url_prefix="/f")


def packs() -> Mapping[str, Any]:
    """The prompt library's packs, which the record names and describes."""
    return current_app.extensions["cg_library"].packs  # type: ignore[no-any-return]


def consultation(consultation_id: int) -> Consultation:
    """The logged-in facilitator's consultation (another's answers 404)."""
    return cs.get_consultation(db.session, g.facilitator.id, consultation_id)
