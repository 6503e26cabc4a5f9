"""The facilitator's room controls: who may join, how many, invitation cards, tablets, voiding.

Every route is behind login and found through the facilitator's own consultations (404 for
anyone else's). Invitation codes and tablet codes are shown once, on the page that makes them:
only their hashes are kept, so they cannot be shown again.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from ..domain import presence as pr
from ..extensions import db
from ..qr import qr_svg
from ..services import Refused, room
from ..services import consultations as cs
from ..services import workshops as ws
from .auth import login_required
from .forms import ConsentForm, InvitationsForm, RaiseCapForm, RoomForm, VoidForm

bp = Blueprint("room", __name__, url_prefix="/f")


def _workshop(consultation_id: int, workshop_id: int) -> tuple[Any, Any]:
    consultation = cs.get_consultation(db.session, g.facilitator.id, consultation_id)
    return consultation, ws.get_workshop(db.session, consultation, workshop_id)


def _back(consultation: Any, workshop: Any, to: str = "facilitator.console") -> Any:
    return redirect(url_for(to, consultation_id=consultation.id, workshop_id=workshop.id))


def _mark(workshop: Any) -> None:
    current_app.extensions["cg_publisher"].mark(workshop.id)


def _join_link(workshop: Any, **query: str) -> str:
    base = str(current_app.config.get("PUBLIC_URL") or request.host_url)
    values: dict[str, Any] = {"code": workshop.join_code, **query}
    return base.rstrip("/") + url_for("participant.join", **values)


@bp.post("/c/<int:consultation_id>/w/<int:workshop_id>/room")
@login_required
def settings(consultation_id: int, workshop_id: int) -> Any:
    """Save how people prove they may join, and how many are expected and allowed."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    form = RoomForm()
    if form.validate_on_submit():
        expected = form.expected.data
        cap = form.cap.data if form.cap.data is not None else (pr.suggested_cap(expected) if expected else None)
        try:
            room.set_room(
                db.session,
                workshop,
                protection=form.protection.data or "open",
                expected=expected,
                cap=cap,
                facilitator_id=g.facilitator.id,
            )
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            _mark(workshop)
            flash("Joining settings saved.")
    else:
        flash(
            "Those settings could not be saved: " + "; ".join(e for errs in form.errors.values() for e in errs), "error"
        )
    return _back(
        consultation,
        workshop,
        "facilitator.workshop" if request.form.get("back") == "workshop" else "facilitator.console",
    )


@bp.post("/c/<int:consultation_id>/w/<int:workshop_id>/room/raise")
@login_required
def raise_cap(consultation_id: int, workshop_id: int) -> Any:
    """Let more phones in; phones waiting on "the room is full" go on by themselves."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    form = RaiseCapForm()
    if form.validate_on_submit():
        try:
            cap = room.raise_cap(db.session, workshop, form.by.data or 0, g.facilitator.id)
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            _mark(workshop)
            flash(f"Up to {cap} phones can join now.")
    else:
        flash("Enter how many more people to let in (1 to 1000).", "error")
    return _back(consultation, workshop)


def _clock(raw: str | None) -> time | None:
    try:
        return time.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _moment(clock: time) -> datetime:
    """Today's date on the server's clock at ``clock``, as an aware time."""
    today = datetime.now().astimezone()
    return today.replace(hour=clock.hour, minute=clock.minute, second=clock.second, microsecond=0)


@bp.route("/c/<int:consultation_id>/w/<int:workshop_id>/room/void", methods=["GET", "POST"])
@login_required
def void(consultation_id: int, workshop_id: int) -> Any:
    """Void the phones that joined in a stretch of time (a suspected stuffed burst), after a check."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    form = VoidForm()
    error = None
    preview = None
    if form.validate_on_submit():
        start, end = _clock(form.start.data), _clock(form.end.data)
        if start is None or end is None:
            error = "Write the times as hours, minutes and seconds, like 10:31:05."
        else:
            begin, finish = _moment(start), _moment(end).replace(microsecond=999_999)
            if form.confirm.data == "yes":
                try:
                    n = room.void_joins(db.session, workshop, begin, finish, form.reason.data or "", g.facilitator.id)
                except Refused as exc:
                    db.session.rollback()
                    error = str(exc)
                else:
                    db.session.commit()
                    _mark(workshop)
                    flash(f"Voided {n} joins and everything they said. The reason is kept in the record.")
                    return _back(consultation, workshop)
            else:
                preview = pr.in_window(room.join_times(db.session, workshop.id), begin, finish)
    elif form.is_submitted():
        error = "; ".join(e for errs in form.errors.values() for e in errs)
    else:
        form.start.data = request.args.get("start", "")[:8]
        form.end.data = request.args.get("end", "")[:8]
    return render_template(
        "room/void.html",
        consultation=consultation,
        workshop=workshop,
        form=form,
        error=error,
        preview=preview,
        zone=datetime.now().astimezone().tzname(),
    ), 400 if error else 200


@bp.route("/c/<int:consultation_id>/w/<int:workshop_id>/invitations", methods=["GET", "POST"])
@login_required
def invitations(consultation_id: int, workshop_id: int) -> Any:
    """Make and print single-use invitation cards, each with its own QR code."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    form = InvitationsForm()
    made, used = room.invitation_counts(db.session, workshop.id)
    if form.validate_on_submit():
        try:
            codes = room.make_invitations(db.session, workshop, form.count.data or 0)
        except Refused as exc:
            db.session.rollback()
            form.count.errors = [str(exc)]
        else:
            db.session.commit()
            cards = []
            for code in codes:
                link = _join_link(workshop, inv=code)
                cards.append({"code": code, "link": link, "qr": qr_svg(link, title=f"QR code for invitation {code}")})
            return render_template(
                "room/cards.html", consultation=consultation, workshop=workshop, cards=cards, base=_join_link(workshop)
            )
    return render_template(
        "room/invitations.html", consultation=consultation, workshop=workshop, form=form, made=made, used=used
    ), 400 if form.errors else 200


@bp.post("/c/<int:consultation_id>/w/<int:workshop_id>/tablet-code")
@login_required
def tablet_code(consultation_id: int, workshop_id: int) -> Any:
    """Show a one-time code that turns a tablet on the room's network into a shared tablet."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    if not ConsentForm().validate_on_submit():  # CSRF only
        flash("That did not work. Please try again.", "error")
        return _back(consultation, workshop)
    try:
        code, _expires = room.make_tablet_code(db.session, workshop)
    except Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(consultation, workshop)
    db.session.commit()
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return render_template(
        "room/tablet_code.html",
        consultation=consultation,
        workshop=workshop,
        code=code,
        minutes=room.TABLET_CODE_MINUTES,
        address=base.rstrip("/") + url_for("participant.tablet"),
    )
