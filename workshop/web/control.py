"""A facilitator's control of a live workshop (next step, pause, reveal...), shared by two adapters.

Not a view: the console's ``control`` socket event (``web.sockets``) and its plain HTML form
for JavaScript off (``web.facilitator``) both call ``run_control``, so the two paths run the
same transaction: the service, the commit, then the broadcast to every screen.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..extensions import db
from ..models import Workshop
from ..realtime import broadcast_state
from ..services import Refused
from ..services import workshops as ws


def run_control(workshop: Workshop, action: str, argument: Any, facilitator_id: int) -> str | None:
    """Apply a facilitator control, commit, and tell every screen. Return an error or None."""
    try:
        result = ws.control(db.session, workshop, action, facilitator_id=facilitator_id, argument=argument)
    except Refused as exc:
        db.session.rollback()
        return str(exc)
    db.session.commit()
    if result.changed:
        broadcast_state(workshop, ws.get_step(db.session, workshop.id, workshop.current_step))
    current_app.extensions["cg_publisher"].mark(workshop.id)
    return None
