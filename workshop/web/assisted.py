"""Assisted answers: for people without a phone.

Two ways in, both giving each person their own anonymous participant marked "assisted":
- a facilitator or helper types in a paper form, question by question (any question of the
  workshop, even after it has ended, until the record is final);
- a shared tablet: the facilitator turns a browser into a tablet for the workshop; each person
  joins on it as usual and, when done, hands it on ("next person" forgets them on the device).
The paper version of a workshop is a printable page of every step, in the order shown.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..models import Participant, Workshop
from ..services import Refused
from ..services import consultations as cs
from ..services import participation as ps
from ..services import workshops as ws
from .auth import login_required
from .forms import ConsentForm, RoleForm, payload_from_form

bp = Blueprint("assisted", __name__, url_prefix="/f")


def _workshop(consultation_id: int, workshop_id: int) -> tuple[Any, Workshop]:
    consultation = cs.get_consultation(db.session, g.facilitator.id, consultation_id)
    return consultation, ws.get_workshop(db.session, consultation, workshop_id)


def _assisted_person(workshop: Workshop, participant_id: int) -> Participant:
    person = db.session.get(Participant, participant_id)
    if person is None or person.workshop_id != workshop.id or not person.assisted:
        abort(404)
    return person


@bp.route("/c/<int:consultation_id>/w/<int:workshop_id>/assisted", methods=["GET", "POST"])
@login_required
def start(consultation_id: int, workshop_id: int) -> Any:
    """Start entering one person's paper form: they become a new anonymous, assisted participant."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    form = RoleForm()
    form.role.choices = [SelectChoice(r, r) for r in workshop.roles]
    if form.validate_on_submit():
        try:
            person, receipt = ps.join(db.session, workshop, assisted=True, allow_ended=True)
            ps.set_role(db.session, workshop, person, form.role.data or None)
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for(".start", consultation_id=consultation.id, workshop_id=workshop.id))
        db.session.commit()
        current_app.extensions["cg_publisher"].mark(workshop.id)
        receipts = dict(session.get("assist_receipts") or {})
        receipts[str(person.id)] = receipt
        session["assist_receipts"] = receipts
        return redirect(
            url_for(
                ".enter",
                consultation_id=consultation.id,
                workshop_id=workshop.id,
                participant_id=person.id,
                position=_first_prompt(workshop),
            )
        )
    return render_template(
        "assisted/start.html", consultation=consultation, workshop=workshop, form=form, tablet_form=ConsentForm()
    )


def _first_prompt(workshop: Workshop) -> int:
    return next((s.position for s in workshop.steps if s.kind == "prompt"), 0)


def _next_prompt(workshop: Workshop, position: int) -> int | None:
    return next((s.position for s in workshop.steps if s.kind == "prompt" and s.position > position), None)


@bp.route(
    "/c/<int:consultation_id>/w/<int:workshop_id>/assisted/<int:participant_id>/<int:position>", methods=["GET", "POST"]
)
@login_required
def enter(consultation_id: int, workshop_id: int, participant_id: int, position: int) -> Any:
    """Type in one question's answer from a paper form; blank answers are skipped."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    person = _assisted_person(workshop, participant_id)
    step = ws.get_step(db.session, workshop.id, position)
    if step is None or step.kind != "prompt":
        abort(404)
    error = None
    form = ConsentForm()  # CSRF only
    if request.method == "POST":
        following = _next_prompt(workshop, position)
        done = url_for(".finished", consultation_id=consultation.id, workshop_id=workshop.id, participant_id=person.id)
        target = (
            done
            if following is None
            else url_for(
                ".enter",
                consultation_id=consultation.id,
                workshop_id=workshop.id,
                participant_id=person.id,
                position=following,
            )
        )
        if request.form.get("skip"):
            return redirect(target)
        if not form.validate_on_submit():
            error = "This page had expired. Please try again."
        else:
            try:
                ps.submit_answer(
                    db.session,
                    workshop,
                    person,
                    step,
                    uuid.uuid4().hex,
                    payload_from_form(request.form),
                    current_app.extensions["cg_screener"],
                    from_paper=True,
                )
            except Refused as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                current_app.extensions["cg_publisher"].mark(workshop.id)
                return redirect(target)
    answer = ps.my_answer(db.session, person, step)
    texts = ps.my_texts(db.session, answer) if answer is not None else []
    prompts = [s for s in workshop.steps if s.kind == "prompt"]
    return render_template(
        "assisted/enter.html",
        consultation=consultation,
        workshop=workshop,
        person=person,
        step=step,
        answer=answer,
        texts=texts,
        error=error,
        number=prompts.index(step) + 1,
        total=len(prompts),
    ), 400 if error else 200


@bp.get("/c/<int:consultation_id>/w/<int:workshop_id>/assisted/<int:participant_id>/done")
@login_required
def finished(consultation_id: int, workshop_id: int, participant_id: int) -> Any:
    """The paper form is in: show the person's receipt code to write on their copy."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    person = _assisted_person(workshop, participant_id)
    receipts = dict(session.get("assist_receipts") or {})
    receipt = receipts.pop(str(person.id), None)
    session["assist_receipts"] = receipts
    return render_template("assisted/done.html", consultation=consultation, workshop=workshop, receipt=receipt)


@bp.post("/c/<int:consultation_id>/w/<int:workshop_id>/tablet")
@login_required
def tablet(consultation_id: int, workshop_id: int) -> Any:
    """Turn this browser into a shared tablet: everyone who joins on it is marked "assisted"."""
    _consultation, workshop = _workshop(consultation_id, workshop_id)
    if not ConsentForm().validate_on_submit():
        abort(400)
    session["tablet"] = workshop.id
    return redirect(url_for("participant.join", code=workshop.join_code))


@bp.get("/c/<int:consultation_id>/w/<int:workshop_id>/paper")
@login_required
def paper(consultation_id: int, workshop_id: int) -> Any:
    """A printable paper version of the workshop: every step, in the order it is shown."""
    consultation, workshop = _workshop(consultation_id, workshop_id)
    return render_template("assisted/paper.html", consultation=consultation, workshop=workshop)
