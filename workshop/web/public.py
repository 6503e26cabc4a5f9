"""The public "you said, we did" page, ``/o/<token>``: for anyone with the link, if the team made it public.

A blueprint of its own because its audience is: no login and no participant session. It shows
only what ``services.records.published_outcome`` returns: the summary and the register items
as they were when published. The receipt page shows the same outcome through the
``published_outcome_for`` template global (``web.hooks``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from ..extensions import db
from ..services import records as rs

bp = Blueprint("public", __name__)


@bp.get("/o/<token>")
def outcome(token: str) -> Any:
    """The published outcome, for anyone with the link, if the team made it public."""
    found = rs.find_public(db.session, token[:80])
    return render_template(
        "exports/public_outcome.html", consultation=found, outcome=rs.published_outcome(db.session, found)
    )
