"""The links a workshop is reached by: the join link (in the QR code) and the projector's link.

Not a view: the facilitator's console and the projector both show the join QR, so both take
the link from here, and ``WORKSHOP_PUBLIC_URL`` (when set) is honoured in one place.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for


def join_url(workshop: Any) -> str:
    """The absolute link a phone opens to join, on the public address when one is configured."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + url_for("participant.join", code=workshop.join_code)


def projector_url(workshop: Any) -> str:
    """The absolute, unguessable link of the workshop's projector page."""
    return url_for("projector.show", token=workshop.projector_token, _external=True)
