"""The projector: a read-only page for the big screen, reached by an unguessable link.

It shows the join QR and code while joining is open, the current prompt in large type,
how many have answered (never who; "fewer than k" until k have), and results only once the
facilitator reveals them and at least k people have answered. After that the results move only
in steps of k answers (``services.live.revealed_tally``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from ..domain.charts import bar_chart_svg
from ..extensions import db
from ..models import Workshop
from ..qr import qr_svg
from ..services import live, room
from ..services.workshops import get_step
from .links import join_url

bp = Blueprint("projector", __name__, url_prefix="/p")


def projector_view(workshop: Workshop) -> dict[str, Any]:
    """Everything the projector template needs, computed once."""
    step = get_step(db.session, workshop.id, workshop.current_step)
    view = live.aggregate(db.session, workshop.id)
    projector = view.projector if view else {}
    chart = None
    if step is not None and step.kind == "prompt" and workshop.revealed:
        # The same results the live view holds (they move only in steps of k answers).
        released = live.revealed_tally(db.session, step, workshop.consultation.k_threshold)
        chart = bar_chart_svg(released, step.content.get("question", "Results")) or None
    db.session.commit()  # keeps the results now shown, if they changed
    url = join_url(workshop)
    presence, presence_left = (None, None)
    if workshop.protection == "presence" and workshop.joining_open and workshop.status != "ended":
        # The QR code carries this minute's presence code, so scanning fills it in.
        presence, presence_left = room.current_presence(workshop)
    scan = f"{url}?pc={presence}" if presence else url
    return {
        "presence": presence,
        "scan_url": scan,
        "presence_left": presence_left,
        "workshop": workshop,
        "step": step,
        "view": projector,
        "chart": chart,
        "join_url": url,
        "qr": qr_svg(scan, title=f"QR code to join at {url}"),
    }


@bp.get("/<token>")
def show(token: str) -> Any:
    """The big-screen page; it follows the workshop live over Socket.IO."""
    workshop = db.session.scalar(select(Workshop).where(Workshop.projector_token == token))
    if workshop is None or len(token) < 20:
        abort(404)
    return render_template("projector/show.html", **projector_view(workshop))


@bp.get("/<token>/panel")
def panel(token: str) -> Any:
    """The changing part of the projector page, fetched again when the state changes."""
    workshop = db.session.scalar(select(Workshop).where(Workshop.projector_token == token))
    if workshop is None:
        abort(404)
    return render_template("projector/_panel.html", **projector_view(workshop))
